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

# Every prefix handed to `next_number`, with the document it numbers: one prefix names one kind
# of document, so a number read aloud on the phone says what it is. Documents of the same kind
# kept in two areas share one series (invoices and credit notes of unique-unit sales are
# numbered with the sales ones). A test reads every `next_number` call and checks it is here.
DOCUMENT_PREFIXES: tuple[tuple[str, str], ...] = (
    ("C", "customer"),
    ("OP", "opportunity"),
    ("CP", "complaint"),
    ("PC", "price change"),
    ("NO", "new outlet application"),
    ("QT", "quote"),
    ("CT", "sales contract"),
    ("SO", "sales order"),
    ("DN", "delivery note"),
    ("INV", "invoice"),
    ("RT", "sales return"),
    ("CN", "credit note"),
    ("RF", "refund"),
    ("RC", "receipt"),
    ("SOA", "statement of account"),
    ("CL", "credit limit request"),
    ("VR", "visit request"),
    ("PO", "purchase order"),
    ("PR", "production receipt"),
    ("ADJ", "stock adjustment"),
    ("TR", "stock transfer"),
    ("RO", "replenishment order"),
    ("ST", "stocktake"),
    ("WO", "lot write-off"),
    ("RTV", "return to vendor"),
    ("FC", "forecast run"),
    ("MPS", "master production schedule"),
    ("PPC", "production plan change"),
    ("PP", "production plan"),
    ("MRP", "MRP run"),
    ("MO", "manufacturing order"),
    ("BR", "business review"),
    ("EXP", "expense claim"),
    ("COM", "commission statement"),
    ("PFP", "profit plan"),
    ("UCT", "unit sales contract"),
    ("RSV", "unit reservation"),
    ("BK", "unit booking"),
    ("GB", "group booking"),
    ("UCH", "unit change request"),
    ("UPC", "unit price change"),
)


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
