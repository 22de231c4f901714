"""Document numbers (SO-2026-000123) that are never handed out twice.

One statement takes the next number: it inserts the counter row at 1, or increments the row
that is there, and returns the value (`INSERT … ON CONFLICT … DO UPDATE … RETURNING`, on
PostgreSQL and SQLite alike). The row stays locked until the caller's transaction commits, so
a rolled-back document gives its number back instead of leaving a gap or a duplicate; callers
take the number as late as they can, because every document of the same prefix waits on it.
"""

from __future__ import annotations

from django.db import connections, router
from django.utils import timezone

from salesops.core.models import NumberSequence


def next_number(*, prefix: str, year: int | None = None, width: int = 6) -> str:
    year = year or timezone.localdate().year
    key = f"{prefix}-{year}"
    connection = connections[router.db_for_write(NumberSequence)]
    quote = connection.ops.quote_name
    table, key_column, value_column = (quote(name) for name in (NumberSequence._meta.db_table, "key", "last_value"))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({key_column}, {value_column}) VALUES (%s, 1) "
            f"ON CONFLICT ({key_column}) DO UPDATE SET {value_column} = {table}.{value_column} + 1 "
            f"RETURNING {value_column}",
            [key],
        )
        value = cursor.fetchone()[0]
    return f"{key}-{value:0{width}d}"
