"""Audit tables are append-only at the database level: UPDATE and DELETE are refused by triggers.

PostgreSQL: a row trigger raises on UPDATE/DELETE. TRUNCATE is not covered by row triggers; in production the
application's database role holds no TRUNCATE privilege on these tables (docs/security.md).
SQLite: BEFORE UPDATE/DELETE triggers RAISE(ABORT).
"""

from django.db import migrations


def create_triggers(apps, schema_editor):
    from chuncheng.core.dbtriggers import create_append_only_triggers

    create_append_only_triggers(schema_editor.connection)


def drop_triggers(apps, schema_editor):
    from chuncheng.core.dbtriggers import drop_append_only_triggers

    drop_append_only_triggers(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("core", "0002_relations_and_scope")]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
