"""Claim types get a name per language (claims/translation.py, django-modeltranslation).

Until now ``name`` held the English name and the Romanian one came from the
translation catalogue at run time. Each existing type keeps what a partner saw:
its English name as ``name_en`` and the catalogue's Romanian as ``name_ro``
(a type that staff named themselves had no translation and showed as typed).
"""

from django.db import migrations, models

# The catalogue's translations of the names 0002 seeded, frozen here.
NAMES_RO = {
    "Warranty repair": "Reparație în garanție",
    "Dead on arrival (DOA)": "Defect la livrare (DOA)",
    "Paid repair (out of warranty)": "Reparație contra cost (în afara garanției)",
    "Return of goods": "Retur de marfă",
    "DJI warranty repair": "Reparație în garanție DJI",
    "DJI Care Refresh": "DJI Care Refresh",
}

# code, English name, position, reserved to brand
TYPES = [
    ("warranty", "Warranty repair", 10, None),
    ("doa", "Dead on arrival (DOA)", 20, None),
    ("paid-repair", "Paid repair (out of warranty)", 30, None),
    ("return", "Return of goods", 40, None),
    ("dji-warranty", "DJI warranty repair", 50, "DJI"),
    ("dji-care-refresh", "DJI Care Refresh", 60, "DJI"),
]


def create_types(apps, schema_editor):
    """The seeded types in both languages, where missing (also the demo data after a flush)."""
    ClaimType = apps.get_model("claims", "ClaimType")
    Brand = apps.get_model("warranty", "Brand")
    for code, name, position, brand_name in TYPES:
        brand = None
        if brand_name:
            brand, _ = Brand.objects.get_or_create(
                name=brand_name, defaults={"requires_serial": True, "serials_tracked": True}
            )
        ClaimType.objects.get_or_create(
            code=code,
            defaults={"name_en": name, "name_ro": NAMES_RO[name], "position": position, "brand": brand},
        )


def fill_names(apps, schema_editor):
    ClaimType = apps.get_model("claims", "ClaimType")
    for claim_type in ClaimType.objects.all():
        claim_type.name_en = claim_type.name
        claim_type.name_ro = NAMES_RO.get(claim_type.name, claim_type.name)
        claim_type.save(update_fields=["name_en", "name_ro"])


def restore_names(apps, schema_editor):
    ClaimType = apps.get_model("claims", "ClaimType")
    for claim_type in ClaimType.objects.all():
        claim_type.name = claim_type.name_en or claim_type.name
        claim_type.save(update_fields=["name"])


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0009_claims_company_required"),
    ]

    operations = [
        migrations.AddField(
            model_name="claimtype",
            name="name_en",
            field=models.CharField(max_length=150, null=True, verbose_name="name"),
        ),
        migrations.AddField(
            model_name="claimtype",
            name="name_ro",
            field=models.CharField(max_length=150, null=True, verbose_name="name"),
        ),
        migrations.RunPython(fill_names, restore_names),
    ]
