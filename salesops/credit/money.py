"""Money aggregates as exact amounts.

SQLite sums decimal columns in floating point (1000.0000000000001), PostgreSQL in exact
numerics; every money aggregate of order to cash goes through these functions so both
databases give the same `Decimal` to the cent, and an empty set sums to 0.00.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.db.models import DecimalField, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
MONEY_FIELD = DecimalField(max_digits=14, decimal_places=2)


def cents(value) -> Decimal:
    """A money value read from the database (Decimal, float, int or None) to the cent."""
    if value is None:
        return ZERO
    if isinstance(value, float):
        value = repr(value)  # the shortest text that reads back as this float, not its binary expansion
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def money_sum(expression, *, filter: Q | None = None) -> Coalesce:  # noqa: A002 - the name Sum uses
    """Sum(expression) typed as money, 0.00 when nothing matches; for aggregate()/annotate()."""
    return Coalesce(Sum(expression, filter=filter, output_field=MONEY_FIELD), Value(ZERO), output_field=MONEY_FIELD)


def money_total(queryset: QuerySet, expression, *, filter: Q | None = None) -> Decimal:  # noqa: A002
    """One aggregate query: the sum of `expression` over `queryset`, to the cent."""
    return cents(queryset.aggregate(value=money_sum(expression, filter=filter))["value"])


def money_subquery(queryset: QuerySet, expression, *, per: str) -> Coalesce:
    """The sum of `expression` over `queryset` as a subquery of an outer row, typed as money,
    0.00 when nothing matches. `queryset` is tied to the outer row by `per` (filtered on an
    `OuterRef`), so it forms one group."""
    rows = queryset.order_by().values(per)
    summed = rows.annotate(value=Sum(expression, output_field=MONEY_FIELD)).values("value")
    return Coalesce(Subquery(summed, output_field=MONEY_FIELD), Value(ZERO), output_field=MONEY_FIELD)
