"""Reads of credit and collections, scoped to the user who asks.

Visibility follows the customer (its owner rep and team) for credit files, receipts,
statements and escalations; invoices follow their own rep and team. Credit reviews (the
internal assessment of a customer) are for finance, the general manager, the sales director
and administrators only; a rep sees their customers' credit summary, not the review notes.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, F, QuerySet, Sum
from django.utils import timezone

from salesops.core.roles import Role
from salesops.core.visibility import visible_to
from salesops.credit.ageing import bucket_of, invoices_for_user
from salesops.credit.models import (
    CollectionEscalation,
    CreditFile,
    CreditLimitRequest,
    CreditReview,
    Receipt,
    Reconciliation,
    Statement,
    StatementRun,
)
from salesops.credit.services import credit_exposure

CREDIT_MANAGER_ROLES = frozenset({Role.FINANCE, Role.GENERAL_MANAGER, Role.SALES_DIRECTOR, Role.SYSADMIN})
FINANCE_ROLES = frozenset({Role.FINANCE, Role.SYSADMIN})
CUSTOMER_SCOPE = {"owner_field": "customer__owner", "unit_field": "customer__team"}


def is_credit_manager(user) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or user.roles & CREDIT_MANAGER_ROLES))


def credit_file_list_for_user(*, user) -> QuerySet[CreditFile]:
    return visible_to(
        CreditFile.objects.select_related("customer__owner", "customer__team"),
        user,
        owner_field="customer__owner",
        unit_field="customer__team",
    )


def review_list_for_user(*, user) -> QuerySet[CreditReview]:
    reviews = CreditReview.objects.select_related("credit_file__customer", "reviewer")
    return reviews if is_credit_manager(user) else reviews.none()


def limit_request_list_for_user(*, user) -> QuerySet[CreditLimitRequest]:
    return visible_to(
        CreditLimitRequest.objects.select_related("credit_file__customer", "requested_by"),
        user,
        owner_field="credit_file__customer__owner",
        unit_field="credit_file__customer__team",
    )


def receipt_list_for_user(*, user) -> QuerySet[Receipt]:
    return visible_to(Receipt.objects.select_related("customer", "handed_by", "recorded_by"), user, **CUSTOMER_SCOPE)


def statement_list_for_user(*, user) -> QuerySet[Statement]:
    return visible_to(Statement.objects.select_related("customer"), user, **CUSTOMER_SCOPE)


def statement_run_list_for_user(*, user) -> QuerySet[StatementRun]:
    runs = StatementRun.objects.all()
    return runs if user.is_authenticated and (user.is_superuser or user.roles & FINANCE_ROLES) else runs.none()


def escalation_list_for_user(*, user) -> QuerySet[CollectionEscalation]:
    return visible_to(
        CollectionEscalation.objects.select_related("customer", "invoice", "notified"), user, **CUSTOMER_SCOPE
    )


def reconciliation_list_for_user(*, user) -> QuerySet[Reconciliation]:
    return visible_to(Reconciliation.objects.select_related("rep", "team"), user, owner_field="rep", unit_field="team")


# --- summaries --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CreditSummary:
    """A customer's credit figures, as the credit decision reads them (the stable read for
    order forms, approval pages and the customer page)."""

    limit: Decimal
    exposure: Decimal
    available: Decimal
    overdue: Decimal
    on_account: Decimal
    has_file: bool
    active: bool


def credit_summary_for_customer(*, customer) -> CreditSummary:
    """Limit, exposure (tax included, money on account deducted), what is still available,
    and what is overdue beyond the customer's grace days, today."""
    credit_file = CreditFile.objects.filter(customer=customer).first()
    grace = credit_file.overdue_grace_days if credit_file else 0
    figures = credit_exposure(
        customer_id=customer.pk, overdue_before=timezone.localdate() - datetime.timedelta(days=grace)
    )
    limit = credit_file.limit if credit_file else Decimal("0.00")
    return CreditSummary(
        limit=limit,
        exposure=figures.total,
        available=limit - figures.total,
        overdue=figures.overdue,
        on_account=figures.on_account,
        has_file=credit_file is not None,
        active=bool(credit_file and credit_file.active),
    )


def open_invoices_for_customer(*, user, customer) -> QuerySet:
    from salesops.sales.models import Invoice

    return (
        invoices_for_user(user=user)
        .filter(customer=customer, status=Invoice.Status.OPEN)
        .exclude(total=F("paid_amount"))
        .order_by("due_date", "pk")
    )


def overdue_collections_for_rep(*, rep, as_of: datetime.date | None = None) -> dict:
    """The rep's own overdue invoices (终身负责制: who sold on credit collects), with ageing."""
    from salesops.sales.models import Invoice

    as_of = as_of or timezone.localdate()
    invoices = list(
        Invoice.objects.filter(rep=rep, status=Invoice.Status.OPEN, kind=Invoice.Kind.INVOICE, due_date__lt=as_of)
        .exclude(total=F("paid_amount"))
        .select_related("customer")
        .order_by("due_date", "pk")
    )
    buckets = dict.fromkeys(["d1_30", "d31_60", "d61_90", "d90_plus"], Decimal("0.00"))
    rows = []
    for invoice in invoices:
        days = (as_of - invoice.due_date).days
        bucket = bucket_of(days)
        buckets[bucket] += invoice.open_amount
        rows.append({"invoice": invoice, "days": days, "bucket": bucket, "open_amount": invoice.open_amount})
    return {"rows": rows, "buckets": buckets, "total": sum(buckets.values(), Decimal("0.00"))}


def reviews_due_for_user(*, user, within_days: int = 7) -> QuerySet[CreditFile]:
    if not is_credit_manager(user):
        return CreditFile.objects.none()
    horizon = timezone.localdate() + datetime.timedelta(days=within_days)
    return (
        CreditFile.objects.filter(active=True, review_due__lte=horizon)
        .select_related("customer")
        .order_by("review_due", "pk")
    )


def collections_by_rep_and_day(*, user, date_from: datetime.date, date_to: datetime.date, rep=None) -> list[dict]:
    """Collections handed to the cashier per rep and day: the lines of the daily sales report.
    Rows: rep_id, rep name, day, count, amount (cancelled entries left out)."""
    receipts = (
        receipt_list_for_user(user=user)
        .filter(received_on__gte=date_from, received_on__lte=date_to, handed_by__isnull=False)
        .exclude(status=Receipt.Status.CANCELLED)
    )
    if rep is not None:
        receipts = receipts.filter(handed_by=rep)
    rows = (
        receipts.order_by()
        .values("handed_by_id", "handed_by__full_name", "handed_by__username", "received_on")
        .annotate(count=Count("pk"), amount=Sum("amount"))
        .order_by("received_on", "handed_by__username")
    )
    return [
        {
            "rep_id": row["handed_by_id"],
            "rep": row["handed_by__full_name"] or row["handed_by__username"],
            "day": row["received_on"],
            "count": row["count"],
            "amount": row["amount"],
        }
        for row in rows
    ]
