"""An outcome per line; a resolved claim's resolution becomes the outcome of each of its lines.

"Rejected" had no line counterpart: it becomes "returned unrepaired", with a
reason the partner can read. The claim keeps its resolution as it was.
"""

from django.db import migrations, models

OUTCOME_OF = {
    "repaired": "repaired",
    "replaced": "replaced",
    "credit_note": "credit_note",
    "rejected": "returned_unrepaired",
    "no_fault_found": "no_fault_found",
}
REJECTED_REASON = "—"


def outcomes_from_resolutions(apps, schema_editor):
    ClaimLine = apps.get_model("claims", "ClaimLine")
    for resolution, outcome in OUTCOME_OF.items():
        lines = ClaimLine.objects.filter(claim__resolution=resolution, outcome="")
        if outcome == "returned_unrepaired":
            lines.update(outcome=outcome, outcome_reason=REJECTED_REASON)
        else:
            lines.update(outcome=outcome)


def forget_outcomes(apps, schema_editor):
    ClaimLine = apps.get_model("claims", "ClaimLine")
    ClaimLine.objects.update(outcome="", outcome_reason="", replacement_serial="")


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0012_verdict_per_line"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="claim",
            name="claim_resolution_valid",
        ),
        migrations.AddField(
            model_name="claimline",
            name="outcome",
            field=models.CharField(
                blank=True,
                choices=[
                    ("repaired", "Repaired"),
                    ("replaced", "Replaced"),
                    ("credit_note", "Credit note"),
                    ("returned_unrepaired", "Returned unrepaired"),
                    ("no_fault_found", "No fault found"),
                ],
                max_length=20,
                verbose_name="outcome",
            ),
        ),
        migrations.AddField(
            model_name="claimline",
            name="outcome_reason",
            field=models.TextField(
                blank=True,
                help_text="Required for “Returned unrepaired”: the partner reads it.",
                verbose_name="reason",
            ),
        ),
        migrations.AddField(
            model_name="claimline",
            name="replacement_serial",
            field=models.CharField(
                blank=True,
                help_text="Required for “Replaced”.",
                max_length=100,
                verbose_name="serial number of the replacement",
            ),
        ),
        migrations.AlterField(
            model_name="claim",
            name="resolution",
            field=models.CharField(
                blank=True,
                choices=[
                    ("repaired", "Repaired"),
                    ("replaced", "Replaced"),
                    ("credit_note", "Credit note"),
                    ("rejected", "Rejected"),
                    ("no_fault_found", "No fault found"),
                    ("returned_unrepaired", "Returned unrepaired"),
                    ("mixed", "Mixed: see each product"),
                ],
                max_length=20,
                verbose_name="resolution",
            ),
        ),
        migrations.AddConstraint(
            model_name="claim",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "resolution__in",
                        [
                            "repaired",
                            "replaced",
                            "credit_note",
                            "rejected",
                            "no_fault_found",
                            "returned_unrepaired",
                            "mixed",
                            "",
                        ],
                    )
                ),
                name="claim_resolution_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="claimline",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "outcome__in",
                        ["repaired", "replaced", "credit_note", "returned_unrepaired", "no_fault_found", ""],
                    )
                ),
                name="claimline_outcome_valid",
            ),
        ),
        migrations.RunPython(outcomes_from_resolutions, forget_outcomes),
    ]
