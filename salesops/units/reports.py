"""Reports of unit sales, computed from the documents, scoped to the user:

- sales by project, building and kind (units and value in each status, contract value signed);
- reservations not yet signed, by age (days since the deposit), with those past their date;
- cash collected against cash due, month by month: due from the schedule's due dates, collected
  from the receipts allocated to it (dated as the allocations are), refunds paid out from the
  refund documents, so it agrees with the ageing and the statements at any date.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal

from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.utils import timezone

from salesops.core.visibility import visible_to
from salesops.credit.ledger import add_months, month_start
from salesops.credit.money import cents, money_sum
from salesops.sales.models import Invoice
from salesops.units import money as unit_money
from salesops.units.models import PaymentItem, PurchaseContract, Reservation, Unit, UnitChange
from salesops.units.selectors import PURCHASE_SCOPE, RESERVATION_SCOPE

ZERO = Decimal("0.00")
AGE_BUCKETS = [(0, 7, "0–7"), (8, 15, "8–15"), (16, 30, "16–30"), (31, None, "31+")]


def sales_by_building(*, project) -> list[dict]:
    """Per building and kind: units in each status and their list value; signed contract value."""
    rows: dict[tuple, dict] = {}
    units = (
        Unit.objects.filter(project=project)
        .values("building__name", "building__position", "kind", "status")
        .annotate(n=Count("pk"), value=money_sum("list_price"))
    )
    for row in units:
        key = (row["building__position"], row["building__name"], row["kind"])
        entry = rows.setdefault(
            key,
            {
                "building": row["building__name"],
                "kind": Unit.Kind(row["kind"]).label,
                "counts": defaultdict(int),
                "values": defaultdict(Decimal),
                "signed_value": ZERO,
            },
        )
        entry["counts"][row["status"]] += row["n"]
        entry["values"][row["status"]] += cents(row["value"])
    signed = (
        PurchaseContract.objects.filter(
            unit__project=project, status__in=[PurchaseContract.Status.SIGNED, PurchaseContract.Status.COMPLETED]
        )
        .values("unit__building__name", "unit__building__position", "unit__kind")
        .annotate(value=money_sum("price"))
    )
    for row in signed:
        key = (row["unit__building__position"], row["unit__building__name"], row["unit__kind"])
        if key in rows:
            rows[key]["signed_value"] = cents(row["value"])
    result = []
    for key in sorted(rows):
        entry = rows[key]
        entry["counts"] = {status: entry["counts"].get(status, 0) for status in Unit.Status.values}
        entry["total"] = sum(entry["counts"].values())
        result.append(entry)
    return result


def reserved_not_signed(*, user, today: datetime.date | None = None) -> dict:
    """Reservations with the deposit paid and no contract signed, by days since the deposit."""
    today = today or timezone.localdate()
    reservations = visible_to(
        Reservation.objects.filter(status=Reservation.Status.RESERVED).select_related("unit", "customer", "consultant"),
        user,
        **PURCHASE_SCOPE,
    ).order_by("reserved_at", "pk")
    buckets = {label: {"count": 0, "value": ZERO} for _low, _high, label in AGE_BUCKETS}
    rows = []
    for reservation in reservations:
        age = (today - timezone.localdate(reservation.reserved_at)).days
        label = next(lab for low, high, lab in AGE_BUCKETS if age >= low and (high is None or age <= high))
        buckets[label]["count"] += 1
        buckets[label]["value"] += reservation.price
        late = (today - reservation.sign_by).days if reservation.sign_by and reservation.sign_by < today else 0
        rows.append({"reservation": reservation, "age": age, "bucket": label, "days_late": late})
    return {"buckets": buckets, "rows": rows, "labels": [label for _low, _high, label in AGE_BUCKETS]}


def cash_by_month(*, user, start: datetime.date, months: int) -> list[dict]:
    """Month by month: due (schedule lines by due date), collected (receipts allocated to them,
    by allocation date) and refunds paid out (by payment date)."""
    start = month_start(start)
    end = add_months(start, months)
    items = visible_to(PaymentItem.objects.filter(cancelled=False), user, **RESERVATION_SCOPE)
    due = _by_month(
        items.filter(due_date__gte=start, due_date__lt=end)
        .annotate(month=TruncMonth("due_date"))
        .values("month")
        .annotate(value=money_sum("amount"))
        .values_list("month", "value")
    )
    visible_invoices = visible_to(PaymentItem.objects.all(), user, **RESERVATION_SCOPE).values("invoice_id")
    collected = _by_month(
        unit_money.receipt_allocations()
        .filter(invoice_id__in=visible_invoices, allocated_on__gte=start, allocated_on__lt=end)
        .annotate(month=TruncMonth("allocated_on"))
        .values("month")
        .annotate(value=money_sum("amount"))
        .values_list("month", "value")
    )
    refund_ids = visible_to(UnitChange.objects.filter(refund_document__isnull=False), user, **RESERVATION_SCOPE).values(
        "refund_document_id"
    )
    refunds = _by_month(
        Invoice.objects.filter(pk__in=refund_ids, issue_date__gte=start, issue_date__lt=end)
        .annotate(month=TruncMonth("issue_date"))
        .values("month")
        .annotate(value=money_sum("total"))
        .values_list("month", "value")
    )
    rows = []
    for index in range(months):
        month = add_months(start, index)
        rows.append(
            {
                "month": month,
                "due": due.get(month, ZERO),
                "collected": collected.get(month, ZERO),
                "refunded": refunds.get(month, ZERO),
            }
        )
    return rows


def _by_month(rows) -> dict[datetime.date, Decimal]:
    """{first day of the month: value} from (TruncMonth, value) rows, whatever the database returns."""
    return {(key.date() if isinstance(key, datetime.datetime) else key): cents(value) for key, value in rows}


def overdue_summary(*, user, today: datetime.date | None = None) -> dict:
    from salesops.units.selectors import overdue_items_for_user

    today = today or timezone.localdate()
    items = overdue_items_for_user(user=user, today=today)
    total = items.aggregate(value=money_sum("invoice__total"), paid=money_sum("invoice__paid_amount"))
    return {"count": items.count(), "open": cents(total["value"]) - cents(total["paid"])}
