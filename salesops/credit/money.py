"""Money aggregates as exact amounts.

SQLite sums decimal columns in floating point (1000.0000000000001), PostgreSQL in exact
numerics; every money aggregate of order to cash goes through these functions so both
databases give the same `Decimal` to the cent, and an empty set sums to 0.00.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db.models import DecimalField, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from salesops.core.exceptions import ValidationFailed

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
MONEY_FIELD = DecimalField(max_digits=14, decimal_places=2)
MONEY_MAX = Decimal("999999999999.99")  # what a money column (14 digits, 2 places) holds


def parse_amount(value, *, field: str, minimum: Decimal = ZERO, maximum: Decimal | None = None) -> Decimal:
    """A money amount typed by a person or sent by a client, checked and never coerced: text
    that is not a number, NaN, infinity, more than two decimal places, below `minimum` or above
    `maximum` (at most what the database holds) are refused with a field error."""
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError, TypeError):
        amount = None
    if amount is None or not amount.is_finite():
        raise ValidationFailed(fields={field: [_("Enter an amount as a number, for example 1234.50.")]})
    if amount < minimum:
        if minimum == ZERO:
            raise ValidationFailed(fields={field: [_("The amount cannot be negative.")]})
        raise ValidationFailed(fields={field: [_("Enter an amount of at least %(min)s.") % {"min": minimum}]})
    ceiling = MONEY_MAX if maximum is None else min(maximum, MONEY_MAX)
    if amount > ceiling:
        raise ValidationFailed(fields={field: [_("Enter an amount of at most %(max)s.") % {"max": ceiling}]})
    if amount != amount.quantize(CENT, rounding=ROUND_HALF_UP):
        raise ValidationFailed(fields={field: [_("Use at most two decimal places (cents).")]})
    return amount.quantize(CENT)


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
