from django.db import migrations
from django.utils.translation import gettext_noop as _

GENERAL = [
    ("warranty", _("Warranty repair"), 10),
    ("doa", _("Dead on arrival (DOA)"), 20),
    ("paid-repair", _("Paid repair (out of warranty)"), 30),
    ("return", _("Return of goods"), 40),
]
DJI = [
    ("dji-warranty", _("DJI warranty repair"), 50),
    ("dji-care-refresh", _("DJI Care Refresh"), 60),
]


def create_types(apps, schema_editor):
    ClaimType = apps.get_model("claims", "ClaimType")
    Brand = apps.get_model("warranty", "Brand")
    for code, name, position in GENERAL:
        ClaimType.objects.get_or_create(code=code, defaults={"name": name, "position": position})
    dji, _ = Brand.objects.get_or_create(name="DJI", defaults={"requires_serial": True, "serials_tracked": True})
    for code, name, position in DJI:
        ClaimType.objects.get_or_create(code=code, defaults={"name": name, "position": position, "brand": dji})


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0001_initial"),
        ("warranty", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_types, migrations.RunPython.noop)]
