"""The claim counts per (company, status) of the dashboard, kept by triggers on claims_claim.

Every statement that inserts, deletes or updates claims (ORM save, queryset.update(), bulk_create,
PostgreSQL COPY, raw SQL) adds, in its own transaction, one delta row per (company, status) it changed
to claims_claimstatustally; claims.selectors.status_counts sums them and claims.tallies.compact_tallies
folds them. TRUNCATE fires none of these triggers: truncate the tally table with claims_claim.

- PostgreSQL: statement-level AFTER triggers with transition tables, grouped by (company, status).
  The UPDATE trigger cannot name columns (PostgreSQL refuses a column list with transition tables):
  it sees every update, and one that moves no claim between (company, status) adds nothing.
- SQLite: row-level triggers; the UPDATE one only when the status or the company changes. A fourth
  on accounts_company deletes a deleted company's rows, as ON DELETE CASCADE would: Django's flush
  (transactional tests) deletes every table's rows in no set order, and a claim deleted after its
  company would otherwise leave a row whose foreign key fails at the commit.
  Caveat: Django alters a SQLite table by copying it to a new one and dropping the old, which drops its
  triggers: a later migration that alters claims_claim must create them again (claims/tests/test_tallies.py
  fails if they are missing).

The counts of the claims already there are written once, after the triggers exist: on PostgreSQL,
CREATE TRIGGER locks the table against writes until this migration commits, so none is missed.
"""

import django.db.models.deletion
from django.db import migrations, models

TALLY = "claims_claimstatustally"

POSTGRES_FORWARD = [
    f"""
    CREATE OR REPLACE FUNCTION claims_claim_tally() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            INSERT INTO {TALLY} (company_id, status, delta)
            SELECT company_id, status, COUNT(*) FROM new_rows GROUP BY company_id, status;
        ELSIF TG_OP = 'DELETE' THEN
            INSERT INTO {TALLY} (company_id, status, delta)
            SELECT company_id, status, -COUNT(*) FROM old_rows GROUP BY company_id, status;
        ELSE
            INSERT INTO {TALLY} (company_id, status, delta)
            SELECT company_id, status, SUM(delta)
            FROM (
                SELECT company_id, status, 1 AS delta FROM new_rows
                UNION ALL
                SELECT company_id, status, -1 AS delta FROM old_rows
            ) AS changes
            GROUP BY company_id, status
            HAVING SUM(delta) <> 0;
        END IF;
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE TRIGGER claims_claim_tally_insert AFTER INSERT ON claims_claim
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION claims_claim_tally()
    """,
    """
    CREATE TRIGGER claims_claim_tally_update AFTER UPDATE ON claims_claim
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION claims_claim_tally()
    """,
    """
    CREATE TRIGGER claims_claim_tally_delete AFTER DELETE ON claims_claim
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION claims_claim_tally()
    """,
]

POSTGRES_BACKWARD = [
    "DROP TRIGGER IF EXISTS claims_claim_tally_insert ON claims_claim",
    "DROP TRIGGER IF EXISTS claims_claim_tally_update ON claims_claim",
    "DROP TRIGGER IF EXISTS claims_claim_tally_delete ON claims_claim",
    "DROP FUNCTION IF EXISTS claims_claim_tally()",
]

SQLITE_FORWARD = [
    f"""
    CREATE TRIGGER claims_claim_tally_insert AFTER INSERT ON claims_claim
    BEGIN
        INSERT INTO {TALLY} (company_id, status, delta) VALUES (NEW.company_id, NEW.status, 1);
    END
    """,
    f"""
    CREATE TRIGGER claims_claim_tally_update AFTER UPDATE OF status, company_id ON claims_claim
    WHEN OLD.status IS NOT NEW.status OR OLD.company_id IS NOT NEW.company_id
    BEGIN
        INSERT INTO {TALLY} (company_id, status, delta)
        VALUES (OLD.company_id, OLD.status, -1), (NEW.company_id, NEW.status, 1);
    END
    """,
    # A company gone first (flush deletes the tables in any order, foreign keys checked at the commit)
    # takes its counts along: its claims' later deletes add nothing, its rows left are deleted with it.
    f"""
    CREATE TRIGGER claims_claim_tally_delete AFTER DELETE ON claims_claim
    WHEN EXISTS (SELECT 1 FROM accounts_company WHERE id = OLD.company_id)
    BEGIN
        INSERT INTO {TALLY} (company_id, status, delta) VALUES (OLD.company_id, OLD.status, -1);
    END
    """,
    f"""
    CREATE TRIGGER accounts_company_tally_delete AFTER DELETE ON accounts_company
    BEGIN
        DELETE FROM {TALLY} WHERE company_id = OLD.id;
    END
    """,
]

SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS claims_claim_tally_insert",
    "DROP TRIGGER IF EXISTS claims_claim_tally_update",
    "DROP TRIGGER IF EXISTS claims_claim_tally_delete",
    "DROP TRIGGER IF EXISTS accounts_company_tally_delete",
]

BACKFILL = (
    f"INSERT INTO {TALLY} (company_id, status, delta) "
    "SELECT company_id, status, COUNT(*) FROM claims_claim GROUP BY company_id, status"
)


def _statements(vendor, forward):
    if vendor == "postgresql":
        return POSTGRES_FORWARD if forward else POSTGRES_BACKWARD
    if vendor == "sqlite":
        return SQLITE_FORWARD if forward else SQLITE_BACKWARD
    # Without the triggers the dashboard's counts would silently go wrong.
    raise NotImplementedError(f"claims_claim tally triggers are written for PostgreSQL and SQLite, not {vendor}")


def create_triggers(apps, schema_editor):
    for statement in _statements(schema_editor.connection.vendor, forward=True):
        schema_editor.execute(statement)
    schema_editor.execute(BACKFILL)


def drop_triggers(apps, schema_editor):
    for statement in _statements(schema_editor.connection.vendor, forward=False):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_address_belongs_to_company"),
        ("claims", "0015_created_index_stored_label"),
    ]

    operations = [
        migrations.CreateModel(
            name="ClaimStatusTally",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("status", models.CharField(max_length=20, verbose_name="status")),
                ("delta", models.IntegerField(verbose_name="change")),
                (
                    "company",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="accounts.company",
                        verbose_name="company",
                    ),
                ),
            ],
            options={
                "verbose_name": "claim count change",
                "verbose_name_plural": "claim count changes",
            },
        ),
        migrations.RunPython(create_triggers, drop_triggers, elidable=False),
    ]
