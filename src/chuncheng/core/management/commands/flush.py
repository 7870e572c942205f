"""Django's flush, made to work with the append-only audit tables (tests and development only).

Flushing wipes every table; the audit triggers are lifted for that one operation and put back at once. In
production (CHUNCHENG_ENV=production) the command refuses to run.
"""

from django.conf import settings
from django.core.management.base import CommandError
from django.core.management.commands.flush import Command as FlushCommand
from django.db import connections

from chuncheng.core.dbtriggers import append_only_tables, create_append_only_triggers, drop_append_only_triggers


class Command(FlushCommand):
    def handle(self, **options):
        if settings.PRODUCTION:
            raise CommandError("flush is disabled in production: the audit trail is kept")
        connection = connections[options["database"]]
        tables = append_only_tables(connection)
        drop_append_only_triggers(connection, tables)
        try:
            return super().handle(**options)
        finally:
            create_append_only_triggers(connection, tables)
