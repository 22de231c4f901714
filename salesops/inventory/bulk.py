"""Bulk writes in a fixed number of statements whatever the number of rows.

Django's bulk_create/bulk_update split their work into batches sized by the database's
parameter limit (999 on SQLite), so a 10,000-line stocktake would take dozens of queries. These
helpers send one `executemany` per call instead (one round of parsing, values bound per row),
which keeps the query count of a posting independent of its size and is faster too.
They skip model signals and return no primary keys — used only for ledger lines, balances and
document lines, whose callers need neither.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection, models


def _columns(model: type[models.Model], names: Sequence[str]):
    return [model._meta.get_field(name) for name in names]


def insert_many(
    model: type[models.Model], objs: Sequence[models.Model], fields: Sequence[str], *, ignore_conflicts: bool = False
) -> None:
    if not objs:
        return
    columns = _columns(model, fields)
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c.column) for c in columns)
    marks = ", ".join(["%s"] * len(columns))
    suffix = " ON CONFLICT DO NOTHING" if ignore_conflicts else ""
    rows = [[c.get_db_prep_save(c.pre_save(obj, add=True), connection) for c in columns] for obj in objs]
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks}){suffix}", rows)  # noqa: S608


def update_many(model: type[models.Model], objs: Sequence[models.Model], fields: Sequence[str]) -> None:
    if not objs:
        return
    columns = _columns(model, fields)
    table = connection.ops.quote_name(model._meta.db_table)
    sets = ", ".join(f"{connection.ops.quote_name(c.column)} = %s" for c in columns)
    pk = connection.ops.quote_name(model._meta.pk.column)
    rows = [[*(c.get_db_prep_save(getattr(obj, c.attname), connection) for c in columns), obj.pk] for obj in objs]
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {table} SET {sets} WHERE {pk} = %s", rows)  # noqa: S608
