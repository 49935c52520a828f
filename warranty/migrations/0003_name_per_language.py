"""Fault types get a name per language (warranty/translation.py, django-modeltranslation).

Until now ``name`` held the English name and the Romanian one came from the
translation catalogue at run time. Each existing fault type keeps what a
partner saw: its English name as ``name_en`` and the catalogue's Romanian as
``name_ro`` (one that staff named themselves had no translation and showed as
typed).
"""

from django.db import migrations, models

# The catalogue's translations of the demo catalogue's fault types, frozen here.
NAMES_RO = {
    "Does not power on": "Nu pornește",
    "Does not charge": "Nu se încarcă",
    "Battery drains quickly": "Bateria se descarcă repede",
    "Unusual noise": "Zgomot neobișnuit",
    "Display fault": "Defect de afișaj",
    "Weak suction": "Putere de aspirare slabă",
    "Navigation or sensor error": "Eroare de navigație sau de senzor",
    "Water leak": "Scurgere de apă",
    "Wi-Fi or Bluetooth connection lost": "Conexiunea Wi-Fi sau Bluetooth se pierde",
    "Gimbal or camera fault": "Defect de gimbal sau cameră",
    "Physical damage on delivery": "Deteriorare fizică la livrare",
}


def fill_names(apps, schema_editor):
    FaultType = apps.get_model("warranty", "FaultType")
    for fault_type in FaultType.objects.all():
        fault_type.name_en = fault_type.name
        fault_type.name_ro = NAMES_RO.get(fault_type.name, fault_type.name)
        fault_type.save(update_fields=["name_en", "name_ro"])


def restore_names(apps, schema_editor):
    FaultType = apps.get_model("warranty", "FaultType")
    for fault_type in FaultType.objects.all():
        fault_type.name = fault_type.name_en or fault_type.name
        fault_type.save(update_fields=["name"])


class Migration(migrations.Migration):
    dependencies = [
        ("warranty", "0002_soldserial_invoice_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="faulttype",
            name="name_en",
            field=models.CharField(max_length=200, null=True, verbose_name="name"),
        ),
        migrations.AddField(
            model_name="faulttype",
            name="name_ro",
            field=models.CharField(max_length=200, null=True, verbose_name="name"),
        ),
        migrations.RunPython(fill_names, restore_names),
    ]
