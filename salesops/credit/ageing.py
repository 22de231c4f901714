"""Accounts-receivable ageing at any date, as aggregate queries.

The open amount of an invoice at `as_of` is its total less the allocations (receipts and
credit notes, reversals negative) dated up to that day; a credit note's is its (negative)
total plus what it had been set against invoices by then; documents issued later do not
exist yet. Buckets by days past due: current (not yet due), 1–30, 31–60, 61–90, over 90.
Beside the buckets, the money on account at that day: confirmed receipts received by then
and not reversed by then, less what they had been allocated by then. The balance (buckets
less money on account) is what the customer's ledger and statement show at that day.

Grouping (customer, rep, team) and the sums are done by the database with conditional SUMs,
so 200,000 invoices age in well under a second or two (see bench/credit_ageing.py). For
today or later the paid and allocated amounts kept on the documents are the same figures
(their running sums) and are read directly. Invoices group by their own rep and team, money
on account by the customer's owner and team.
"""

from __future__ import annotations

import datetime

from django.db.models import Case, F, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from salesops.core.visibility import visible_to
from salesops.credit.models import Allocation, Receipt
from salesops.credit.money import MONEY_FIELD, ZERO, cents, money_subquery, money_sum

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
RECEIPT_GROUPS = {
    "customer": GROUPS["customer"],
    "rep": ("customer__owner_id", "customer__owner__full_name", "customer__owner__username"),
    "team": ("customer__team_id", "customer__team__name", "customer__team__code"),
}
MONEY_COUNTED = (Receipt.Status.CONFIRMED, Receipt.Status.REVERSED)


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


def receipts_for_user(*, user) -> QuerySet:
    return visible_to(Receipt.objects.all(), user, owner_field="customer__owner", unit_field="customer__team")


def on_account_at(receipts: QuerySet, as_of: datetime.date, group_by: str) -> list[tuple]:
    """(key, name, code, amount) per group: the money on account at the end of `as_of`."""
    key, label, code = RECEIPT_GROUPS[group_by]
    if as_of >= timezone.localdate():
        rows = (
            receipts.filter(status=Receipt.Status.CONFIRMED, allocated_amount__lt=F("amount"))
            .order_by()
            .values(key, label, code)
            .annotate(value=money_sum(F("amount") - F("allocated_amount")))
        )
        return [tuple(row.values()) for row in rows]
    received = (
        receipts.filter(status__in=MONEY_COUNTED, received_on__lte=as_of)
        .exclude(reversed_on__lte=as_of)
        .order_by()
        .values(key, label, code)
        .annotate(value=money_sum("amount"))
    )
    # a receipt reversed by then nets to nothing: its reversal allocations are dated then too
    allocated = (
        Allocation.objects.filter(receipt__in=receipts.values("pk"), allocated_on__lte=as_of)
        .order_by()
        .values(f"receipt__{key}", f"receipt__{label}", f"receipt__{code}")
        .annotate(value=money_sum(-F("amount")))
    )
    return [tuple(row.values()) for row in received.union(allocated, all=True)]


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
    settlements = Allocation.objects.filter(allocated_on__lte=as_of)
    paid = money_subquery(settlements.filter(invoice=OuterRef("pk")), "amount", per="invoice")
    credited = money_subquery(settlements.filter(credit_note=OuterRef("pk")), "amount", per="credit_note")
    # A credit note is open for what it had not yet set against invoices by then; the CASE
    # keeps the second subquery off the (many) invoice rows.
    settled = Case(When(kind=Invoice.Kind.CREDIT_NOTE, then=-credited), default=paid, output_field=MONEY_FIELD)
    return queryset.annotate(amount_open=F("total") - settled).exclude(amount_open=0)


def _bucket_sums(conditions: dict[str, Q], field: str, *, sign: int = 1) -> dict:
    value = F(field) if sign > 0 else -F(field)
    return {
        name: money_sum(Case(When(condition, then=value), default=Value(ZERO), output_field=MONEY_FIELD))
        for name, condition in conditions.items()
    }


def _grouped_today(queryset: QuerySet, as_of: datetime.date, group_by: str):
    key, label, code = GROUPS[group_by]
    return (
        open_at(queryset, as_of)
        .order_by()
        .values(key, label, code)
        .annotate(**_bucket_sums(bucket_conditions(as_of), "amount_open"))
    )


def _grouped_past(queryset: QuerySet, as_of: datetime.date, group_by: str):
    """Three grouped sums in one statement (UNION ALL): the totals of the documents issued by
    `as_of`, less the allocations dated by then on invoices, plus those drawn from credit
    notes, each in the bucket of the document it settles. No per-document subquery."""
    from salesops.sales.models import Invoice

    key, label, code = GROUPS[group_by]
    documents = queryset.exclude(status=Invoice.Status.CANCELLED).filter(issue_date__lte=as_of)
    parts = [documents.order_by().values(key, label, code).annotate(**_bucket_sums(bucket_conditions(as_of), "total"))]
    for side, sign in (("invoice", -1), ("credit_note", 1)):
        prefix = f"{side}__"
        conditions = {
            name: Q(*[(prefix + lookup, value) for lookup, value in condition.children])
            for name, condition in bucket_conditions(as_of).items()
        }
        if queryset.query.has_filters():  # scoped or narrowed: the same documents
            allocations = Allocation.objects.filter(**{f"{side}__in": documents.values("pk")})
        else:  # everything: the join already reaches the document, no IN list of every id
            allocations = Allocation.objects.exclude(**{f"{prefix}status": Invoice.Status.CANCELLED})
        allocations = allocations.filter(allocated_on__lte=as_of).order_by()
        parts.append(
            allocations.values(prefix + key, prefix + label, prefix + code).annotate(
                **_bucket_sums(conditions, "amount", sign=sign)
            )
        )
    return parts[0].union(*parts[1:], all=True)


def ageing(
    queryset: QuerySet, *, as_of: datetime.date, group_by: str = "customer", receipts: QuerySet | None = None
) -> dict:
    """Rows per group with the five buckets and their total, the money on account (of
    `receipts`, when given) and the balance, largest total first, plus totals. The database
    sums; Python only adds up a few rows per group."""
    names = [name for name, _label in BUCKETS]
    if as_of >= timezone.localdate():
        rows = _grouped_today(queryset, as_of, group_by)
    else:
        rows = _grouped_past(queryset, as_of, group_by)
    groups: dict = {}

    def group(group_key, name, code) -> dict:
        return groups.setdefault(
            group_key,
            {"key": group_key, "name": name or code, "code": code, **dict.fromkeys([*names, "on_account"], ZERO)},
        )

    for row in rows:
        group_key, name, code, *amounts = row.values()
        item = group(group_key, name, code)
        for bucket, amount in zip(names, amounts, strict=True):
            item[bucket] += cents(amount)
    for group_key, name, code, amount in on_account_at(receipts, as_of, group_by) if receipts is not None else []:
        group(group_key, name, code)["on_account"] += cents(amount)
    totals = dict.fromkeys([*names, "total", "on_account", "balance"], ZERO)
    result = []
    for item in groups.values():
        item["total"] = sum((item[name] for name in names), ZERO)
        item["balance"] = item["total"] - item["on_account"]
        if not any(item[name] for name in [*names, "on_account"]):
            continue  # everything settled by then
        for name in totals:
            totals[name] += item[name]
        result.append(item)
    result.sort(key=lambda item: (-item["total"], item["key"] if item["key"] is not None else 0))
    return {"as_of": as_of, "group_by": group_by, "rows": result, "totals": totals}


def ageing_for_user(*, user, as_of: datetime.date, group_by: str = "customer") -> dict:
    return ageing(invoices_for_user(user=user), as_of=as_of, group_by=group_by, receipts=receipts_for_user(user=user))


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
