"""Accounts-receivable ageing at any date, as aggregate queries.

The open amount of an invoice at `as_of` is its total less the allocations (receipts and
credit notes, reversals negative) dated up to that day; a credit note's is its (negative)
total plus what it had been set against invoices by then; documents issued later do not
exist yet. Buckets by days past due: current (not yet due), 1–30, 31–60, 61–90, over 90.
Beside the buckets, the money on account at that day: confirmed receipts received by then
and not reversed by then, less what they had been allocated by then. The balance (buckets
less money on account) is what the customer's ledger and statement show at that day.

Grouping (customer, rep, team) and the sums are done by the database: one SUM per group id
and bucket (the bucket one CASE on the due date), the names read afterwards for the groups
shown; the allocations' covering indexes (invoice or receipt, date, amount) give "paid by
then" without reading the table. 200,000 invoices age at a past date in under a second of CPU
(bench/ar_ageing.py, docs/BENCHMARKS.md). For today or later the paid and allocated amounts
kept on the documents are the same figures (their running sums) and are read directly.
Invoices group by their own rep and team, money on account by the customer's owner and team.
"""

from __future__ import annotations

import datetime

from django.db.models import Case, F, IntegerField, OuterRef, QuerySet, Sum, Value, When
from django.db.models.functions import Round
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


def _label_model(group_by: str):
    """The model whose rows name the groups (customer, user or org unit)."""
    from salesops.sales.models import Invoice

    return Invoice._meta.get_field(GROUPS[group_by][0].removesuffix("_id")).related_model


def _labels(group_by: str, keys) -> dict:
    """{key: (name, code)} of the groups, one query; the sums never join the names."""
    _key, label, code = GROUPS[group_by]
    label, code = label.split("__", 1)[1], code.split("__", 1)[1]
    wanted = [key for key in keys if key is not None]
    rows = _label_model(group_by).objects.filter(pk__in=wanted).values_list("pk", label, code) if wanted else []
    return {pk: (name, code_value) for pk, name, code_value in rows}


def on_account_at(receipts: QuerySet, as_of: datetime.date, group_by: str) -> list[tuple]:
    """(key, amount) per group: the money on account at the end of `as_of`; the key is the id of
    the customer, of its owner or of its team. Summed per receipt row and per allocation row
    (UNION ALL), grouped by the key alone: the names are read once for the groups."""
    key = RECEIPT_GROUPS[group_by][0]
    if as_of >= timezone.localdate():
        rows = (
            receipts.filter(status=Receipt.Status.CONFIRMED, allocated_amount__lt=F("amount"))
            .order_by()
            .values(key)
            .annotate(value=money_sum(F("amount") - F("allocated_amount")))
            .values_list(key, "value")
        )
        return [(group_key, cents(value)) for group_key, value in rows]
    received = (
        receipts.filter(status__in=MONEY_COUNTED, received_on__lte=as_of)
        .exclude(reversed_on__lte=as_of)
        .order_by()
        .values(key)
        .annotate(value=Sum("amount", output_field=MONEY_FIELD), sign=Value(1))
        .values_list(key, "value", "sign")
    )
    # a receipt reversed by then nets to nothing: its reversal allocations are dated then too
    if receipts.query.has_filters():
        allocations = Allocation.objects.filter(receipt__in=receipts.values("pk"))
    else:
        allocations = Allocation.objects.filter(receipt__isnull=False)
    allocated = (
        allocations.filter(allocated_on__lte=as_of)
        .order_by()
        .values(f"receipt__{key}")
        .annotate(value=Sum("amount", output_field=MONEY_FIELD), sign=Value(-1))
        .values_list(f"receipt__{key}", "value", "sign")
    )
    return [(group_key, cents(value) * sign) for group_key, value, sign in received.union(allocated, all=True)]


def open_at(queryset: QuerySet, as_of: datetime.date) -> QuerySet:
    """Invoices (and credit notes) with an amount open at the end of `as_of`, annotated with
    `amount_open`, rounded to the cent by the database: SQLite subtracts and sums money as
    floating point (100.00 − 99.96 = 0.0400000000000205), and a settled document must come out
    as 0, not as a trace of a cent."""
    from salesops.sales.models import Invoice

    queryset = queryset.exclude(status=Invoice.Status.CANCELLED).filter(issue_date__lte=as_of)
    if as_of >= timezone.localdate():
        return (
            queryset.filter(status=Invoice.Status.OPEN)
            .annotate(amount_open=Round(F("total") - F("paid_amount"), 2, output_field=MONEY_FIELD))
            .exclude(amount_open=0)
        )
    settlements = Allocation.objects.filter(allocated_on__lte=as_of)
    paid = money_subquery(settlements.filter(invoice=OuterRef("pk")), "amount", per="invoice")
    credited = money_subquery(settlements.filter(credit_note=OuterRef("pk")), "amount", per="credit_note")
    # A credit note is open for what it had not yet set against invoices by then; the CASE
    # keeps the second subquery off the (many) invoice rows.
    settled = Case(When(kind=Invoice.Kind.CREDIT_NOTE, then=-credited), default=paid, output_field=MONEY_FIELD)
    return queryset.annotate(amount_open=Round(F("total") - settled, 2, output_field=MONEY_FIELD)).exclude(
        amount_open=0
    )


def bucket_number(as_of: datetime.date, due_date: str = "due_date") -> Case:
    """The index in BUCKETS of a document due on `due_date` (a field path), aged at `as_of`:
    one CASE per row instead of one conditional SUM per bucket."""
    day = datetime.timedelta(days=1)
    return Case(
        When(**{f"{due_date}__gte": as_of}, then=Value(0)),
        When(**{f"{due_date}__gte": as_of - 30 * day}, then=Value(1)),
        When(**{f"{due_date}__gte": as_of - 60 * day}, then=Value(2)),
        When(**{f"{due_date}__gte": as_of - 90 * day}, then=Value(3)),
        default=Value(4),
        output_field=IntegerField(),
    )


def _grouped(rows: QuerySet, as_of: datetime.date, key: str, value, *, sign: int, prefix: str = "") -> QuerySet:
    """(bucket, key, sum, sign) rows of `rows`. The bucket leads the GROUP BY: no index can
    give that order, so SQLite reads the rows in one scan and sorts them, instead of walking
    an index of the key and fetching every row by it (three to four times slower)."""
    return (
        rows.order_by()
        .annotate(bucket=bucket_number(as_of, f"{prefix}due_date"), group_key=F(prefix + key))
        .values("bucket", "group_key")
        .annotate(value=Sum(value, output_field=MONEY_FIELD), sign=Value(sign))
        .values_list("bucket", "group_key", "value", "sign")
    )


def _grouped_today(queryset: QuerySet, as_of: datetime.date, group_by: str) -> QuerySet:
    return _grouped(open_at(queryset, as_of), as_of, GROUPS[group_by][0], "amount_open", sign=1)


def _grouped_past(queryset: QuerySet, as_of: datetime.date, group_by: str) -> QuerySet:
    """Three grouped sums in one statement (UNION ALL): the totals of the documents issued by
    `as_of`, less the allocations dated by then on invoices, plus those drawn from credit
    notes, each in the bucket of the document it settles. No per-document subquery, no join
    beyond the allocation's document."""
    from salesops.sales.models import Invoice

    key = GROUPS[group_by][0]
    documents = queryset.exclude(status=Invoice.Status.CANCELLED).filter(issue_date__lte=as_of)
    parts = [_grouped(documents, as_of, key, "total", sign=1)]
    for side, sign in (("invoice", -1), ("credit_note", 1)):
        if queryset.query.has_filters():  # scoped or narrowed: the same documents
            allocations = Allocation.objects.filter(**{f"{side}__in": documents.values("pk")})
        else:  # everything: the join already reaches the document, no IN list of every id
            allocations = Allocation.objects.filter(**{f"{side}__isnull": False}).exclude(
                **{f"{side}__status": Invoice.Status.CANCELLED}
            )
        allocations = allocations.filter(allocated_on__lte=as_of)
        parts.append(_grouped(allocations, as_of, key, "amount", sign=sign, prefix=f"{side}__"))
    return parts[0].union(*parts[1:], all=True)


def ageing(
    queryset: QuerySet, *, as_of: datetime.date, group_by: str = "customer", receipts: QuerySet | None = None
) -> dict:
    """Rows per group with the five buckets and their total, the money on account (of
    `receipts`, when given) and the balance, largest total first, plus totals. The database
    sums per group and bucket; Python adds up those few rows and names the groups."""
    names = [name for name, _label in BUCKETS]
    if as_of >= timezone.localdate():
        rows = _grouped_today(queryset, as_of, group_by)
    else:
        rows = _grouped_past(queryset, as_of, group_by)
    groups: dict = {}

    def group(group_key) -> dict:
        item = groups.get(group_key)
        if item is None:
            item = groups[group_key] = {
                "key": group_key,
                "name": None,  # named below, once per group that is shown
                "code": None,
                **dict.fromkeys([*names, "on_account"], ZERO),
            }
        return item

    for bucket, group_key, amount, sign in rows:
        group(group_key)[names[bucket]] += cents(amount) * sign
    for group_key, amount in on_account_at(receipts, as_of, group_by) if receipts is not None else []:
        group(group_key)["on_account"] += amount
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
    labels = _labels(group_by, [item["key"] for item in result])
    for item in result:
        name, code = labels.get(item["key"], (None, None))
        item.update(name=name or code, code=code)
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
