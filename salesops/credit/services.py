"""Credit files, reviews, limit changes and the credit decision.

Exposure of a customer = what their account owes (open invoices and credit notes, less the
confirmed money not yet allocated) + what confirmed orders promise and are not invoiced yet
(total − invoiced, tax included). Money paid for an order that still waits (for payment or
an approval) is held for that order and counts only in its own decision. The figures read
the same documents and allocations as the ledger, the ageing and the statements.

`credit_check_for_order` is called by the order service inside its transaction. It locks
the customer's credit file row first (SELECT … FOR UPDATE), so parallel decisions for one
customer (orders submitted, money confirmed) are taken one after the other and can never
together exceed the limit.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import F, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from salesops.core.audit import audit_record, model_create, model_update
from salesops.core.exceptions import PermissionDenied
from salesops.core.models import AuditEvent
from salesops.core.numbering import next_number
from salesops.core.roles import Role
from salesops.credit.exceptions import CreditFileExists, CreditFileMissing, LimitApprovalMissing, LimitRequestPending
from salesops.credit.ledger import add_months, ledger_entries
from salesops.credit.models import (
    LIMIT_REQUEST_FLOW,
    Allocation,
    CreditFile,
    CreditLimitRequest,
    CreditReview,
    Receipt,
)
from salesops.credit.money import cents, money_subquery, money_total
from salesops.sop import hooks as sop

REVIEW_RULE = "credit-review-quarterly"

ZERO = Decimal("0")
CENT = Decimal("0.01")
EXPOSURE_ORDER_STATES = ("confirmed", "partially_delivered", "delivered")
WAITING_ORDER_STATES = ("draft", "pending_approval", "pending_payment")


@dataclass(frozen=True)
class CreditDecision:
    ok: bool
    reason: str  # "within_limit", "over_limit", "overdue", "credit_blocked"
    limit: Decimal
    exposure: Decimal  # before this order
    order_amount: Decimal
    excess: Decimal  # what the order takes above the limit (0 when within)
    overdue: Decimal


@dataclass(frozen=True)
class Exposure:
    unpaid: Decimal  # open on invoices and credit notes
    promised: Decimal  # confirmed orders, not invoiced yet
    on_account: Decimal  # confirmed money not allocated (and not held for a waiting order)
    overdue: Decimal

    @property
    def total(self) -> Decimal:
        return self.unpaid + self.promised - self.on_account


def credit_exposure(
    *, customer_id: int, overdue_before: datetime.date | None = None, for_order_id: int | None = None
) -> Exposure:
    """A customer's exposure in one query. `for_order_id`: the order being decided, left out
    of the promised orders while its own money counts; without `overdue_before` overdue is 0."""
    from salesops.crm.models import Customer
    from salesops.sales.models import Invoice, SalesOrder

    open_value = F("total") - F("paid_amount")
    invoices = Invoice.objects.filter(customer_id=OuterRef("pk"), status=Invoice.Status.OPEN).order_by()
    orders = SalesOrder.objects.filter(customer_id=OuterRef("pk"), status__in=EXPOSURE_ORDER_STATES).order_by()
    held_elsewhere = Q(order__status__in=WAITING_ORDER_STATES)
    if for_order_id:
        orders = orders.exclude(pk=for_order_id)
        held_elsewhere &= ~Q(order_id=for_order_id)
    money = Receipt.objects.filter(
        customer_id=OuterRef("pk"), status=Receipt.Status.CONFIRMED, allocated_amount__lt=F("amount")
    ).exclude(held_elsewhere)
    totals = {
        "unpaid": money_subquery(invoices, open_value, per="customer_id"),
        "promised": money_subquery(orders, F("total") - F("invoiced_amount"), per="customer_id"),
        "on_account": money_subquery(money, F("amount") - F("allocated_amount"), per="customer_id"),
    }
    if overdue_before is not None:
        overdue = invoices.filter(kind=Invoice.Kind.INVOICE, due_date__lt=overdue_before)
        totals["overdue"] = money_subquery(overdue, open_value, per="customer_id")
    row = Customer.objects.filter(pk=customer_id).values(**totals).first() or {}
    return Exposure(*(cents(row.get(name)) for name in ("unpaid", "promised", "on_account", "overdue")))


def exposure_for(*, customer_id: int, exclude_order_id: int | None = None) -> Decimal:
    return credit_exposure(customer_id=customer_id, for_order_id=exclude_order_id).total


def overdue_for(*, customer_id: int, as_of: datetime.date, grace_days: int = 0) -> Decimal:
    """What is open on the customer's invoices due before `as_of` less the grace days."""
    from salesops.sales.models import Invoice

    cutoff = as_of - datetime.timedelta(days=grace_days)
    overdue = Invoice.objects.filter(
        customer_id=customer_id, kind=Invoice.Kind.INVOICE, status=Invoice.Status.OPEN, due_date__lt=cutoff
    )
    return money_total(overdue, F("total") - F("paid_amount"))


def credit_check_for_order(*, order) -> CreditDecision:
    """Decide whether a credit order may be confirmed. Must run inside the caller's
    transaction; holds the lock on the customer's credit file until that transaction ends.
    Two queries whatever the customer's history: the locked credit file, then the exposure and
    what is overdue (read after the lock, so parallel decisions see each other's orders and
    money). Only confirmed money counts; what the rep expects to be paid does not."""
    try:
        credit = CreditFile.objects.select_for_update().get(customer_id=order.customer_id)
    except CreditFile.DoesNotExist:
        raise CreditFileMissing
    if order._meta.get_field("customer").is_cached(order):
        # the approval's conditions read the customer's grade: from the file just read
        order.customer.credit_file = credit
    cutoff = timezone.localdate() - datetime.timedelta(days=credit.overdue_grace_days)
    figures = credit_exposure(customer_id=order.customer_id, overdue_before=cutoff, for_order_id=order.pk)
    exposure = figures.total
    excess = max(exposure + order.total - credit.limit, ZERO)
    if not credit.active:
        reason, ok = "credit_blocked", False
    elif figures.overdue > 0:
        reason, ok = "overdue", False
    elif excess > 0:
        reason, ok = "over_limit", False
    else:
        reason, ok = "within_limit", True
    return CreditDecision(
        ok=ok,
        reason=reason,
        limit=credit.limit,
        exposure=exposure,
        order_amount=order.total,
        excess=excess,
        overdue=figures.overdue,
    )


# --- credit files -------------------------------------------------------------------------------
FILE_FIELDS = ["grade", "overdue_grace_days", "review_due", "active"]


@transaction.atomic
def credit_file_open(
    *,
    customer,
    actor,
    grade: str = CreditFile.Grade.B,
    payment_terms_days: int = 30,
    overdue_grace_days: int = 0,
    requested_limit: Decimal | None = None,
    reason: str = "",
) -> CreditFile:
    """Open a credit file with no limit; a requested limit goes to approval at once."""
    if CreditFile.objects.filter(customer=customer).exists():
        raise CreditFileExists()
    credit_file = CreditFile(
        customer=customer,
        limit=ZERO,
        grade=grade,
        payment_terms_days=payment_terms_days,
        overdue_grace_days=overdue_grace_days,
        review_due=next_review_due(timezone.localdate()),
    )
    model_create(instance=credit_file, actor=actor)
    _review_start(credit_file, actor)
    if requested_limit is not None:
        limit_request_create(
            credit_file=credit_file,
            actor=actor,
            requested_limit=requested_limit,
            requested_terms_days=payment_terms_days,
            reason=reason or _("New credit customer."),
        )
    return credit_file


@transaction.atomic
def credit_file_update(*, credit_file: CreditFile, data: dict, actor) -> CreditFile:
    """Grade, grace, review date and whether credit is allowed; never the limit or terms."""
    credit_file = CreditFile.objects.select_for_update().get(pk=credit_file.pk)
    credit_file, _changed = model_update(instance=credit_file, fields=FILE_FIELDS, data=data, actor=actor)
    return credit_file


# --- payment history and reviews -------------------------------------------------------------------
@dataclass(frozen=True)
class PaymentHistory:
    since: datetime.date
    until: datetime.date
    average_days_to_pay: Decimal
    overdue_incidents: int
    max_exposure: Decimal
    paid_amount: Decimal
    invoiced_amount: Decimal


def payment_history_for(*, customer_id: int, since: datetime.date, until: datetime.date) -> PaymentHistory:
    """Payment behaviour between two dates, from the documents (nothing typed in):
    average days from invoice to payment weighted by amount, invoices that became overdue
    (paid after their due date or still open past it), and the highest balance owed."""
    from salesops.sales.models import Invoice

    weighted = total_paid = ZERO
    last_payment: dict[int, datetime.date] = {}
    for invoice_id, issued, paid_on, amount in Allocation.objects.filter(
        invoice__customer_id=customer_id, receipt__isnull=False, allocated_on__gt=since, allocated_on__lte=until
    ).values_list("invoice_id", "invoice__issue_date", "allocated_on", "amount"):
        weighted += amount * (paid_on - issued).days
        total_paid += amount
        last_payment[invoice_id] = max(paid_on, last_payment.get(invoice_id, paid_on))
    incidents = 0
    invoiced = ZERO
    for invoice_id, due, total, paid, status in (
        Invoice.objects.filter(
            customer_id=customer_id, kind=Invoice.Kind.INVOICE, due_date__gt=since, due_date__lt=until
        )
        .exclude(status=Invoice.Status.CANCELLED)
        .values_list("id", "due_date", "total", "paid_amount", "status")
    ):
        late_payment = last_payment.get(invoice_id)
        if (status == Invoice.Status.OPEN and paid < total) or (late_payment and late_payment > due):
            incidents += 1
    invoiced = money_total(
        Invoice.objects.filter(customer_id=customer_id, issue_date__gt=since, issue_date__lte=until).exclude(
            status=Invoice.Status.CANCELLED
        ),
        "total",
    )
    opening, entries = ledger_entries(customer_id=customer_id, start=since + datetime.timedelta(days=1), end=until)
    peak = max([opening, *[entry.balance for entry in entries]])
    average = (weighted / total_paid).quantize(Decimal("0.1")) if total_paid else ZERO
    return PaymentHistory(since, until, average, incidents, max(peak, ZERO), total_paid, invoiced)


def review_period_start(credit_file: CreditFile, today: datetime.date) -> datetime.date:
    last = credit_file.reviews.order_by("-review_date", "-pk").values_list("review_date", flat=True).first()
    return last or add_months(today, -12)


@transaction.atomic
def credit_review_create(
    *,
    credit_file: CreditFile,
    actor,
    business_situation: str,
    financial_situation: str,
    grade: str,
    conclusion: str = "",
    review_date: datetime.date | None = None,
    requested_limit: Decimal | None = None,
    requested_terms_days: int | None = None,
) -> CreditReview:
    """Record a review: the payment history is computed and stored, the grade and next
    review date updated, the SOP clock told, and a proposed new limit sent for approval."""
    review_date = review_date or timezone.localdate()
    credit_file = CreditFile.objects.select_for_update().get(pk=credit_file.pk)
    due_reference = _review_reference(credit_file)
    since = review_period_start(credit_file, review_date)
    history = payment_history_for(customer_id=credit_file.customer_id, since=since, until=review_date)
    review = CreditReview(
        credit_file=credit_file,
        review_date=review_date,
        period_start=since,
        business_situation=business_situation,
        financial_situation=financial_situation,
        average_days_to_pay=history.average_days_to_pay,
        overdue_incidents=history.overdue_incidents,
        max_exposure=history.max_exposure,
        grade=grade,
        conclusion=conclusion,
        reviewer=actor,
    )
    model_create(instance=review, actor=actor)
    model_update(
        instance=credit_file,
        fields=["grade", "review_due"],
        data={"grade": grade, "review_due": next_review_due(review_date)},
        actor=actor,
        note=_("Credit review of %(date)s") % {"date": review_date},
    )
    terms = requested_terms_days if requested_terms_days is not None else credit_file.payment_terms_days
    if requested_limit is not None and (
        requested_limit != credit_file.limit or terms != credit_file.payment_terms_days
    ):
        limit_request_create(
            credit_file=credit_file,
            actor=actor,
            requested_limit=requested_limit,
            requested_terms_days=terms,
            reason=conclusion or _("Proposed by the credit review of %(date)s.") % {"date": review_date},
        )
    sop.done(
        event="credit_review_done",
        person=actor,
        occurred_at=sop.end_of_day(review_date),
        reference=due_reference,
        url=reverse("credit-file-detail", args=[credit_file.pk]),
        actor=actor,
    )
    _review_start(credit_file, actor)
    return review


def next_review_due(day: datetime.date) -> datetime.date:
    """The SOP rule "credit-review-quarterly" says how long a review holds (3 months)."""
    return sop.deadline(REVIEW_RULE, sop.start_of_day(day)).date()


def _review_reference(credit_file: CreditFile) -> str:
    return f"credit-file:{credit_file.pk}:{credit_file.review_due}"


def _review_start(credit_file: CreditFile, actor) -> None:
    """The next review is due by the end of `review_due`, the reviewer's duty."""
    sop.start(
        rule=REVIEW_RULE,
        person=actor,
        started_at=timezone.now(),
        reference=_review_reference(credit_file),
        url=reverse("credit-file-detail", args=[credit_file.pk]),
        due_at=sop.start_of_day(credit_file.review_due + datetime.timedelta(days=1)),
    )


# --- limit changes (only through approval) ------------------------------------------------------
LIMIT_DOC_TYPE = "credit_limit"
Status = CreditLimitRequest.Status


@transaction.atomic
def limit_request_create(
    *,
    credit_file: CreditFile,
    actor,
    requested_limit: Decimal,
    requested_terms_days: int,
    reason: str,
    submit: bool = True,
) -> CreditLimitRequest:
    if CreditLimitRequest.objects.filter(credit_file=credit_file, status=Status.PENDING).exists():
        raise LimitRequestPending()
    request = CreditLimitRequest(
        number=next_number(prefix="CL", width=5),
        credit_file=credit_file,
        current_limit=credit_file.limit,
        requested_limit=requested_limit,
        current_terms_days=credit_file.payment_terms_days,
        requested_terms_days=requested_terms_days,
        reason=reason,
        requested_by=actor,
    )
    model_create(instance=request, actor=actor)
    if submit:
        request = limit_request_submit(limit_request=request, actor=actor)
    return request


def _set_status(limit_request: CreditLimitRequest, target: str, actor=None, note: str = "") -> None:
    LIMIT_REQUEST_FLOW.check(limit_request.status, target)
    before = limit_request.status
    limit_request.status = target
    fields = ["status"]
    if target == Status.APPROVED:
        limit_request.applied_at = timezone.now()
        fields.append("applied_at")
    limit_request.save(update_fields=fields)
    audit_record(
        instance=limit_request,
        action=AuditEvent.Action.TRANSITION,
        actor=actor,
        changes={"status": [before, target]},
        note=note,
    )


@transaction.atomic
def limit_request_submit(*, limit_request: CreditLimitRequest, actor) -> CreditLimitRequest:
    """Send for approval. The chain must end with the general manager, or nothing happens."""
    from salesops.approvals.services import approval_submit

    limit_request = _own_limit_request(limit_request, actor)
    LIMIT_REQUEST_FLOW.check(limit_request.status, Status.PENDING)
    approval = approval_submit(document=limit_request, doc_type=LIMIT_DOC_TYPE, actor=actor)
    if approval is None:
        raise LimitApprovalMissing()
    last = approval.tasks.select_related("assignee").order_by("-position").first()
    if last is None or not last.assignee.has_role(Role.GENERAL_MANAGER):
        raise LimitApprovalMissing()
    _set_status(limit_request, Status.PENDING, actor)
    return limit_request


def _own_limit_request(limit_request: CreditLimitRequest, actor) -> CreditLimitRequest:
    """The request, locked; only its requester sends or withdraws it."""
    limit_request = CreditLimitRequest.objects.select_for_update().get(pk=limit_request.pk)
    if limit_request.requested_by_id != actor.pk:
        raise PermissionDenied()
    return limit_request


@transaction.atomic
def limit_request_cancel(*, limit_request: CreditLimitRequest, actor) -> CreditLimitRequest:
    limit_request = _own_limit_request(limit_request, actor)
    if limit_request.status == Status.PENDING:
        from salesops.approvals.services import approval_withdraw, pending_request_for

        approval = pending_request_for(document=limit_request, doc_type=LIMIT_DOC_TYPE)
        if approval is not None:
            approval_withdraw(request=approval, actor=actor)  # on_cancelled moves the status
            limit_request.refresh_from_db()
            return limit_request
    _set_status(limit_request, Status.CANCELLED, actor)
    return limit_request


def limit_request_apply(limit_request: CreditLimitRequest, approval) -> None:
    """Called by the approval engine inside the deciding transaction once the last step
    (the general manager) approved: the new limit and terms take effect, audited."""
    decider = approval.tasks.filter(decided_by__isnull=False).order_by("-position").first()
    actor = decider.decided_by if decider else None
    credit_file = CreditFile.objects.select_for_update().get(pk=limit_request.credit_file_id)
    model_update(
        instance=credit_file,
        fields=["limit", "payment_terms_days"],
        data={"limit": limit_request.requested_limit, "payment_terms_days": limit_request.requested_terms_days},
        actor=actor,
        note=_("Limit change %(number)s approved") % {"number": limit_request.number},
    )
    _set_status(limit_request, Status.APPROVED, actor)
