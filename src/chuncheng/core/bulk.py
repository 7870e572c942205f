"""Set-based inserts for city-scale paths (imports, the demo city): COPY on PostgreSQL, executemany on SQLite.

Rows are plain tuples in the given column order, streamed (never materialised whole). The caller validates first
and runs this inside its transaction; the inserted count is returned so it can be checked.
"""

from __future__ import annotations

import datetime
import decimal
import uuid
from collections.abc import Iterable, Iterator
from itertools import islice

from django.db import connection, models

BATCH = 5000


def _batches(rows: Iterable[tuple], size: int) -> Iterator[list[tuple]]:
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


def _sqlite_value(value):
    # Match how Django stores these types on SQLite (UUIDs as 32 hex characters, decimals and dates as text).
    if isinstance(value, uuid.UUID):
        return value.hex
    if isinstance(value, datetime.datetime | datetime.date | decimal.Decimal):
        return str(value)
    return value


def insert_rows(model: type[models.Model], columns: list[str], rows: Iterable[tuple]) -> int:
    """Insert rows into ``model``'s table; ``columns`` are database column names."""
    table = model._meta.db_table
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    count = 0
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
        return count
    placeholders = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {table} ({quoted}) VALUES ({placeholders})"
    with connection.cursor() as cursor:
        for batch in _batches(rows, BATCH):
            cursor.executemany(sql, [tuple(_sqlite_value(v) for v in row) for row in batch])
            count += len(batch)
    return count
