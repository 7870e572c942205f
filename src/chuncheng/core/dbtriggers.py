"""Append-only triggers for the audit tables, on SQLite and PostgreSQL."""

from __future__ import annotations

AUDIT_TABLES = ["core_auditentry", "core_securityevent", "core_accesslog", "core_importlog"]
MESSAGE = "audit tables are append-only"


def create_append_only_triggers(connection, tables=AUDIT_TABLES) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE OR REPLACE FUNCTION chuncheng_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
                f"BEGIN RAISE EXCEPTION '{MESSAGE}: % on %', TG_OP, TG_TABLE_NAME; END; $$"
            )
            for table in tables:
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
                cursor.execute(
                    f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                    "FOR EACH ROW EXECUTE FUNCTION chuncheng_append_only()"
                )
        elif connection.vendor == "sqlite":
            for table in tables:
                for op in ("UPDATE", "DELETE"):
                    name = f"{table}_no_{op.lower()}"
                    cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
                    cursor.execute(
                        f"CREATE TRIGGER {name} BEFORE {op} ON {table} BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
                    )


def drop_append_only_triggers(connection, tables=AUDIT_TABLES) -> None:
    with connection.cursor() as cursor:
        for table in tables:
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
            elif connection.vendor == "sqlite":
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")


def append_only_tables(connection) -> list[str]:
    """Every table that carries our append-only triggers (the audit tables and any an app added, like the ledger)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT DISTINCT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE t.tgname LIKE '%%\\_append\\_only'"
            )
        elif connection.vendor == "sqlite":
            cursor.execute(
                "SELECT DISTINCT tbl_name FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%\\_no\\_delete' ESCAPE '\\'"
            )
        else:
            return list(AUDIT_TABLES)
        return sorted(row[0] for row in cursor.fetchall())
