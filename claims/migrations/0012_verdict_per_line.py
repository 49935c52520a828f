"""The warranty verdict of each line when filed, the rule of each claim type, a quote's validity and VAT.

The seeded "warranty" types are covered by warranty; the seeded DOA type
allows 14 days after the purchase (codes of 0010_name_per_language).
"""

import django.core.validators
from django.db import migrations, models

COVERED = ["warranty", "dji-warranty"]
DOA = {"doa": 14}


def set_rules(apps, schema_editor):
    ClaimType = apps.get_model("claims", "ClaimType")
    ClaimType.objects.filter(code__in=COVERED).update(covered_by_warranty=True)
    for code, days in DOA.items():
        ClaimType.objects.filter(code=code).update(doa_days=days)


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0011_trigram_search"),
    ]

    operations = [
        migrations.AddField(
            model_name="claim",
            name="quote_valid_until",
            field=models.DateField(blank=True, null=True, verbose_name="quote valid until"),
        ),
        migrations.AddField(
            model_name="claim",
            name="quote_vat_included",
            field=models.BooleanField(default=False, verbose_name="VAT included in the quote"),
        ),
        migrations.AddField(
            model_name="claimline",
            name="purchase_date",
            field=models.DateField(blank=True, null=True, verbose_name="bought on"),
        ),
        migrations.AddField(
            model_name="claimline",
            name="verdict",
            field=models.CharField(
                blank=True,
                choices=[
                    ("in_warranty", "In warranty"),
                    ("expired", "Warranty ended"),
                    ("not_bought", "Not found in your company's purchases"),
                ],
                max_length=20,
                verbose_name="warranty when filed",
            ),
        ),
        migrations.AddField(
            model_name="claimline",
            name="warranty_until",
            field=models.DateField(blank=True, null=True, verbose_name="warranty until"),
        ),
        migrations.AddField(
            model_name="claimtype",
            name="covered_by_warranty",
            field=models.BooleanField(
                default=False,
                help_text="The partner is warned when a product of the claim is out of warranty or not bought from us.",
                verbose_name="covered by warranty",
            ),
        ),
        migrations.AddField(
            model_name="claimtype",
            name="doa_days",
            field=models.PositiveSmallIntegerField(
                blank=True,
                help_text="For a dead-on-arrival type: the days after the purchase it may be used. Empty for any other type.",
                null=True,
                validators=[django.core.validators.MinValueValidator(1)],
                verbose_name="DOA window (days)",
            ),
        ),
        migrations.AddIndex(
            model_name="claimline",
            index=models.Index(fields=["verdict"], name="claimline_verdict_idx"),
        ),
        migrations.AddConstraint(
            model_name="claimline",
            constraint=models.CheckConstraint(
                condition=models.Q(("verdict__in", ["in_warranty", "expired", "not_bought", ""])),
                name="claimline_verdict_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="claimtype",
            constraint=models.CheckConstraint(
                condition=models.Q(("doa_days__isnull", True), ("doa_days__gte", 1), _connector="OR"),
                name="claimtype_doa_days_positive",
            ),
        ),
        migrations.RunPython(set_rules, migrations.RunPython.noop),
    ]
