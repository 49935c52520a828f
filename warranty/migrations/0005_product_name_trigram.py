"""A trigram (pg_trgm) GIN index on the product name, for the claim search by product; PostgreSQL only."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations


class TrigramExtensionKept(TrigramExtension):
    """pg_trgm, created when missing (PostgreSQL only) and left in place when migrating back: others may use it."""

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        pass


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            'CREATE INDEX IF NOT EXISTS "product_name_trgm_idx" ON "warranty_product" USING gin (UPPER("name") gin_trgm_ops)'
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute('DROP INDEX IF EXISTS "product_name_trgm_idx"')


class Migration(migrations.Migration):
    dependencies = [
        ("warranty", "0003_name_per_language"),
    ]

    operations = [
        TrigramExtensionKept(),
        migrations.RunPython(create_index, drop_index, elidable=False),
    ]
