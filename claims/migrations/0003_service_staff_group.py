"""The "Service staff" group with exactly the permissions the service work needs."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

PERMISSIONS = {
    "claims": [
        "view_claim",
        "change_claim",
        "view_claimline",
        "change_claimline",
        "view_attachment",
        "view_statuschange",
        "view_message",
        "add_message",
        "view_claimtype",
        "add_claimtype",
        "change_claimtype",
        "view_importbatch",
    ],
    "warranty": [
        "view_brand",
        "add_brand",
        "change_brand",
        "view_faulttype",
        "add_faulttype",
        "change_faulttype",
        "view_product",
        "add_product",
        "change_product",
        "view_sale",
        "add_sale",
        "change_sale",
        "view_soldserial",
        "add_soldserial",
        "change_soldserial",
    ],
    "accounts": ["view_user", "view_address"],
}


def create_group(apps, schema_editor):
    # Permissions are normally created after all migrations; the group needs them now.
    for label in PERMISSIONS:
        app_config = apps.get_app_config(label)
        app_config.models_module = True  # historical app configs have none; create_permissions needs one
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Service staff")
    wanted = [
        Permission.objects.get(content_type__app_label=app, codename=codename)
        for app, codenames in PERMISSIONS.items()
        for codename in codenames
    ]
    group.permissions.set(wanted)


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0002_claim_types"),
        ("warranty", "0001_initial"),
        ("accounts", "0002_site_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, migrations.RunPython.noop)]
