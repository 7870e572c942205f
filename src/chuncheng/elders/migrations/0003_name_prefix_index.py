"""Name search is a prefix search; on PostgreSQL it needs a pattern-ops index to use an index for ``LIKE 'x%'``
(the plain index follows the database collation). SQLite's LIKE prefix search does not use indexes here either way;
its demo data is small."""

from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS elder_name_pattern ON elders_elder (name varchar_pattern_ops)"
        )
        # A name searched inside an area: each unit's names as a range (the planner otherwise walks the primary key).
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS elder_org_name_pattern ON elders_elder (org_unit_id, name varchar_pattern_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS elder_name_pattern")
        schema_editor.execute("DROP INDEX IF EXISTS elder_org_name_pattern")


class Migration(migrations.Migration):
    dependencies = [("elders", "0002_contact_public_id")]

    operations = [migrations.RunPython(create, drop)]
