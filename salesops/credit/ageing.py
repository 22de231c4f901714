"""Accounts-receivable ageing at any date, as one aggregate query.

The open amount of an invoice at `as_of` is its total less the allocations dated up to that
day; invoices issued later do not exist yet. Buckets by days past due: current (not yet
due), 1–30, 31–60, 61–90, over 90. Grouping (customer, rep, team) and the bucket sums are
done by the database with conditional SUMs, so 200,000 invoices age in well under a second
or two (see bench/credit_ageing.py). For today or later the paid amount kept on the invoice
is the same figure and is read directly, without the correlated subquery.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import Case, DecimalField, F, OuterRef, Q, QuerySet, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from salesops.core.visibility import visible_to
from salesops.credit.models import Allocation

ZERO = Decimal("0.00")
MONEY_FIELD = DecimalField(max_digits=14, decimal_places=2)
BUCKETS = [
    ("current", _("Current")),
    ("d1_30", _("1–30 days")),
    ("d31_60", _("31–60 days")),
    ("d61_90", _("61–90 days")),
    ("d90_plus", _("Over 90 days")),
]
GROUPS = {
    "customer": ("customer_id", "customer__name", "customer__code"),
    "rep": ("rep_id", "rep__full_name", "rep__username"),
    "team": ("team_id", "team__name", "team__code"),
}


def bucket_conditions(as_of: datetime.date) -> dict[str, Q]:
    day = datetime.timedelta(days=1)
    return {
        "current": Q(due_date__gte=as_of),
        "d1_30": Q(due_date__lt=as_of, due_date__gte=as_of - 30 * day),
        "d31_60": Q(due_date__lt=as_of - 30 * day, due_date__gte=as_of - 60 * day),
        "d61_90": Q(due_date__lt=as_of - 60 * day, due_date__gte=as_of - 90 * day),
        "d90_plus": Q(due_date__lt=as_of - 90 * day),
    }


def bucket_of(days_overdue: int) -> str:
    if days_overdue <= 0:
        return "current"
    if days_overdue <= 30:
        return "d1_30"
    if days_overdue <= 60:
        return "d31_60"
    if days_overdue <= 90:
        return "d61_90"
    return "d90_plus"


def invoices_for_user(*, user) -> QuerySet:
    from salesops.sales.models import Invoice

    return visible_to(Invoice.objects.all(), user, owner_field="rep", unit_field="team")


def open_at(queryset: QuerySet, as_of: datetime.date) -> QuerySet:
    """Invoices (and credit notes) with an amount open at the end of `as_of`, annotated with
    `amount_open`."""
    from salesops.sales.models import Invoice

    queryset = queryset.exclude(status=Invoice.Status.CANCELLED).filter(issue_date__lte=as_of)
    if as_of >= timezone.localdate():
        return (
            queryset.filter(status=Invoice.Status.OPEN)
            .annotate(amount_open=F("total") - F("paid_amount"))
            .exclude(amount_open=0)
        )
    paid = (
        Allocation.objects.filter(invoice=OuterRef("pk"), allocated_on__lte=as_of)
        .order_by()
        .values("invoice")
        .annotate(value=Sum("amount"))
        .values("value")
    )
    return queryset.annotate(
        amount_open=F("total")
        - Coalesce(Subquery(paid, output_field=MONEY_FIELD), Value(ZERO), output_field=MONEY_FIELD)
    ).exclude(amount_open=0)


def ageing(queryset: QuerySet, *, as_of: datetime.date, group_by: str = "customer") -> dict:
    """Rows per group with the five buckets and the total, largest total first, plus totals."""
    key, label, code = GROUPS[group_by]
    conditions = bucket_conditions(as_of)
    sums = {
        name: Coalesce(
            Sum(Case(When(condition, then=F("amount_open")), default=Value(ZERO), output_field=MONEY_FIELD)),
            Value(ZERO),
            output_field=MONEY_FIELD,
        )
        for name, condition in conditions.items()
    }
    rows = list(
        open_at(queryset, as_of)
        .order_by()
        .values(key, label, code)
        .annotate(**sums, total=Coalesce(Sum("amount_open"), Value(ZERO), output_field=MONEY_FIELD))
        .order_by("-total", key)
    )
    result = []
    totals = dict.fromkeys([name for name, _label in BUCKETS] + ["total"], ZERO)
    for row in rows:
        item = {"key": row[key], "name": row[label] or row[code], "code": row[code]}
        for name in [*conditions, "total"]:
            item[name] = Decimal(row[name]).quantize(Decimal("0.01"))
            totals[name] += item[name]
        result.append(item)
    return {"as_of": as_of, "group_by": group_by, "rows": result, "totals": totals}


def ageing_for_user(*, user, as_of: datetime.date, group_by: str = "customer") -> dict:
    return ageing(invoices_for_user(user=user), as_of=as_of, group_by=group_by)


def ageing_detail_for_user(*, user, as_of: datetime.date, group_by: str, key: int) -> list:
    """The invoices behind one row of the ageing (drill-down), oldest due first."""
    field = GROUPS[group_by][0]
    invoices = (
        open_at(invoices_for_user(user=user).filter(**{field: key}), as_of)
        .select_related("customer", "rep")
        .order_by("due_date", "pk")
    )
    rows = []
    for invoice in invoices:
        days = (as_of - invoice.due_date).days
        rows.append(
            {
                "invoice": invoice,
                "open_amount": invoice.amount_open,
                "days_overdue": max(days, 0),
                "bucket": bucket_of(days),
            }
        )
    return rows
