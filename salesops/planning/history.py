"""Sales history from the database as arrays: (product id, month ordinal, quantity).

The source is a policy: confirmed orders by order date, or shipments by delivery date. Rows are
read through the ORM's SQL but fetched with a plain cursor, so that hundreds of thousands of
order lines arrive as numbers without building a model or Decimal per row.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import numpy as np
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import F

from salesops.planning.models import PlanningPolicy
from salesops.planning.periods import month_ordinal, text_month_ordinals

SOLD_STATUSES = ("confirmed", "partially_delivered", "delivered", "closed")


@dataclass(frozen=True)
class History:
    product: np.ndarray  # product ids
    month: np.ndarray  # month ordinals
    quantity: np.ndarray  # float
    rep: np.ndarray  # rep user ids (0 when unknown)


def _fetch(queryset) -> list[tuple]:
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:  # e.g. product_id__in=[]: nothing to read
        return []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def read_history(
    *,
    source: str | None = None,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    product_ids=None,
) -> History:
    """Quantities sold per row, months from `start` to `end` (first days, inclusive)."""
    from salesops.sales.models import DeliveryLine, OrderLine

    source = source or PlanningPolicy.current().history_source
    if product_ids is not None:
        product_ids = list(product_ids)
        if not product_ids:  # an empty IN has no SQL: nothing to read
            empty = np.zeros(0, dtype=np.int64)
            return History(empty, empty, np.zeros(0), empty)
    if source == PlanningPolicy.HistorySource.SHIPMENTS:
        queryset = DeliveryLine.objects.exclude(delivery__status="cancelled")
        date_field = "delivery__issued_at"
        quantity = F("quantity")
        rep_field = "delivery__order__rep_id"
    else:
        queryset = OrderLine.objects.filter(order__status__in=SOLD_STATUSES)
        date_field = "order__order_date"
        quantity = F("quantity") - F("cancelled_quantity")
        rep_field = "order__rep_id"
    if start is not None:
        queryset = queryset.filter(**{f"{date_field}__gte": start})
    if end is not None:
        queryset = queryset.filter(**{f"{date_field}__lt": _month_after(end)})
    if product_ids is not None:
        queryset = queryset.filter(product_id__in=product_ids)
    rows = _fetch(queryset.annotate(_q=quantity).values_list("product_id", date_field, "_q", rep_field))
    if not rows:
        empty = np.zeros(0, dtype=np.int64)
        return History(empty, empty, np.zeros(0), empty)
    products, dates, quantities, reps = zip(*rows, strict=True)
    return History(
        product=np.fromiter(products, dtype=np.int64, count=len(rows)),
        month=text_month_ordinals(dates),
        quantity=np.array(quantities, dtype=float),
        rep=np.array([rep or 0 for rep in reps], dtype=np.int64),
    )


def _month_after(month: datetime.date) -> datetime.date:
    from salesops.planning.periods import add_months

    return add_months(month.replace(day=1), 1)


def monthly_totals(history: History, *, key: np.ndarray | None = None) -> dict[tuple[int, int], float]:
    """{(key, month ordinal): quantity}; key defaults to the product id."""
    keys = history.product if key is None else key
    totals: dict[tuple[int, int], float] = {}
    for k, m, q in zip(keys.tolist(), history.month.tolist(), history.quantity.tolist(), strict=True):
        totals[(k, m)] = totals.get((k, m), 0.0) + q
    return totals


def month_ordinal_of(day: datetime.date) -> int:
    return month_ordinal(day)
