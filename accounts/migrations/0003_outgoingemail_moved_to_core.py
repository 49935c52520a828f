from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_site_name"),
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel(name="OutgoingEmail")]),
    ]
