"""Trigram (pg_trgm) GIN indexes for the claim search's "contains" lookups, on PostgreSQL only.

Django's ``icontains``/``istartswith`` compare ``UPPER(column::text) LIKE UPPER(%s)``, so the indexes are
on ``UPPER(column)`` with ``gin_trgm_ops``. SQLite has no pg_trgm: there the operations do nothing and the
search scans with LIKE. The indexes are not in the models' Meta on purpose: a GinIndex there would be
created on SQLite too.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations


class TrigramExtensionKept(TrigramExtension):
    """pg_trgm, created when missing (PostgreSQL only) and left in place when migrating back: others may use it."""

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        pass


INDEXES = [
    ("claim_rma_number_trgm_idx", "claims_claim", "rma_number"),
    ("claim_own_number_trgm_idx", "claims_claim", "own_number"),
    ("claim_waybill_trgm_idx", "claims_claim", "waybill"),
    ("claimline_serial_trgm_idx", "claims_claimline", "serial"),
]


# The start of an RMA number ("RMA/4%") is a prefix LIKE: a b-tree with text_pattern_ops answers it at
# once, where the trigram index would intersect the long lists of "RMA" and "MA/".
PREFIX_INDEX = "claim_rma_number_prefix_idx"


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f'CREATE INDEX IF NOT EXISTS "{PREFIX_INDEX}" ON "claims_claim" (UPPER("rma_number") text_pattern_ops)'
    )
    for name, table, column in INDEXES:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" USING gin (UPPER("{column}") gin_trgm_ops)'
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f'DROP INDEX IF EXISTS "{PREFIX_INDEX}"')
    for name, _table, _column in INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0010_name_per_language"),
    ]

    operations = [
        TrigramExtensionKept(),
        migrations.RunPython(create_indexes, drop_indexes, elidable=False),
    ]
