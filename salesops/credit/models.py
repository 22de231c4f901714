"""Credit and collections: each credit customer's file (limit, grade, terms, reviews), limit
changes that only an approval ending with the general manager applies, receipts of payment
(回款) and their allocation to invoices, escalations of overdue receivables, monthly
statements (对账函) with the customer's confirmation, and the rep's monthly reconciliation.

The credit file row is also the lock that serialises credit decisions for one customer.
Money is Decimal with two places everywhere.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from salesops.core import bounded, bounds
from salesops.core.models import OrgUnit
from salesops.core.state import StateMachine
from salesops.crm.models import Customer

MONEY = {"max_digits": 14, "decimal_places": 2}
ZERO = Decimal("0")


class CreditFile(models.Model):
    class Grade(models.TextChoices):
        AAA = "AAA", "AAA"
        AA = "AA", "AA"
        A = "A", "A"
        B = "B", "B"
        C = "C", "C"
        D = "D", "D"

    customer = models.OneToOneField(
        Customer, on_delete=models.PROTECT, related_name="credit_file", verbose_name=_("customer")
    )
    limit = bounded.DecimalField(_("credit limit"), default=Decimal("0"), **MONEY, validators=bounds.NON_NEGATIVE)
    grade = models.CharField(_("credit grade"), max_length=3, choices=Grade.choices, default=Grade.B)
    payment_terms_days = models.PositiveIntegerField(_("payment terms (days)"), default=30, validators=bounds.DAYS)
    overdue_grace_days = models.PositiveIntegerField(_("overdue grace (days)"), default=0, validators=bounds.DAYS)
    review_due = bounded.DateField(_("next review due"), null=True, blank=True)
    active = models.BooleanField(_("credit allowed"), default=True)
    updated_at = bounded.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("credit file")
        verbose_name_plural = _("credit files")
        constraints = [models.CheckConstraint(condition=models.Q(limit__gte=0), name="credit_limit_not_negative")]

    def __str__(self) -> str:
        return f"{self.customer}: {self.limit}"


class CreditReview(models.Model):
    """A periodic credit review (every three months). The payment-history figures are computed
    from invoices and allocations since the previous review and stored as they were seen."""

    credit_file = models.ForeignKey(
        CreditFile, on_delete=models.PROTECT, related_name="reviews", verbose_name=_("credit file")
    )
    review_date = bounded.DateField(_("review date"))
    period_start = bounded.DateField(_("history since"))
    business_situation = bounded.TextField(_("business situation"))
    financial_situation = bounded.TextField(_("financial situation"))
    average_days_to_pay = bounded.DecimalField(_("average days to pay"), max_digits=7, decimal_places=1, default=ZERO)
    overdue_incidents = models.PositiveIntegerField(_("overdue incidents"), default=0)
    max_exposure = bounded.DecimalField(_("maximum receivable"), default=ZERO, **MONEY)
    grade = models.CharField(_("credit grade"), max_length=3, choices=CreditFile.Grade.choices)
    conclusion = bounded.TextField(_("conclusion"), blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("reviewer")
    )
    created_at = bounded.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("credit review")
        verbose_name_plural = _("credit reviews")
        ordering = ["-review_date", "-id"]

    def __str__(self) -> str:
        return f"{self.credit_file.customer} · {self.review_date}"


class CreditLimitRequest(models.Model):
    """A proposed limit (and terms); applied to the credit file only when its approval ends."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PENDING = "pending", _("Waiting for approval")
        APPROVED = "approved", _("Approved and applied")
        REJECTED = "rejected", _("Rejected")
        RETURNED = "returned", _("Returned for changes")
        CANCELLED = "cancelled", _("Cancelled")

    number = models.CharField(_("number"), max_length=30, unique=True)
    credit_file = models.ForeignKey(
        CreditFile, on_delete=models.PROTECT, related_name="limit_requests", verbose_name=_("credit file")
    )
    current_limit = bounded.DecimalField(_("current limit"), **MONEY, validators=bounds.NON_NEGATIVE)
    requested_limit = bounded.DecimalField(_("requested limit"), **MONEY, validators=bounds.NON_NEGATIVE)
    current_terms_days = models.PositiveIntegerField(_("current terms (days)"), validators=bounds.DAYS)
    requested_terms_days = models.PositiveIntegerField(_("requested terms (days)"), validators=bounds.DAYS)
    reason = bounded.TextField(_("reason"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    created_at = bounded.DateTimeField(auto_now_add=True)
    applied_at = bounded.DateTimeField(_("applied at"), null=True, blank=True)

    class Meta:
        verbose_name = _("credit limit change")
        verbose_name_plural = _("credit limit changes")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(requested_limit__gte=0), name="credit_request_limit_not_negative")
        ]

    def __str__(self) -> str:
        return self.number


LIMIT_REQUEST_FLOW = StateMachine(
    {
        CreditLimitRequest.Status.DRAFT: {CreditLimitRequest.Status.PENDING, CreditLimitRequest.Status.CANCELLED},
        CreditLimitRequest.Status.RETURNED: {CreditLimitRequest.Status.PENDING, CreditLimitRequest.Status.CANCELLED},
        CreditLimitRequest.Status.PENDING: {
            CreditLimitRequest.Status.APPROVED,
            CreditLimitRequest.Status.REJECTED,
            CreditLimitRequest.Status.RETURNED,
            CreditLimitRequest.Status.CANCELLED,
        },
    }
)


class Receipt(models.Model):
    """Money received from a customer (回款). A rep records what they handed to the cashier
    (status handed over); finance confirms it, and only confirmed money is allocated or counts
    in a credit decision. Money paid for one order (a cash sale, the part of a credit order
    above the limit) names that order: while the order is open it pays only that order's
    invoices. A confirmed receipt that bounces is reversed on a date, never deleted."""

    class Method(models.TextChoices):
        BANK_TRANSFER = "bank_transfer", _("Bank transfer")
        CASH = "cash", _("Cash")
        CHEQUE = "cheque", _("Cheque")
        ACCEPTANCE_BILL = "acceptance_bill", _("Bank acceptance bill")

    class Status(models.TextChoices):
        HANDED_OVER = "handed_over", _("Handed to the cashier")
        CONFIRMED = "confirmed", _("Confirmed by finance")
        CANCELLED = "cancelled", _("Cancelled")
        REVERSED = "reversed", _("Reversed")

    number = models.CharField(_("number"), max_length=30, unique=True)
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="receipts", verbose_name=_("customer")
    )
    order = models.ForeignKey(
        "sales.SalesOrder",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="receipts",
        verbose_name=_("for order"),
    )
    amount = bounded.DecimalField(_("amount"), **MONEY)
    allocated_amount = bounded.DecimalField(_("allocated"), default=ZERO, **MONEY)
    received_on = bounded.DateField(_("received on"))
    method = models.CharField(_("method"), max_length=20, choices=Method.choices, default=Method.BANK_TRANSFER)
    bank_reference = models.CharField(_("bank reference"), max_length=100, blank=True)
    handed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="receipts_handed",
        verbose_name=_("handed over by"),
    )
    team = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("team"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.HANDED_OVER)
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("confirmed by"),
    )
    reversed_on = bounded.DateField(_("reversed on"), null=True, blank=True)
    created_at = bounded.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("receipt")
        verbose_name_plural = _("receipts")
        ordering = ["-received_on", "-id"]
        indexes = [
            models.Index(fields=["customer", "status", "received_on"], name="credit_receipt_customer"),
            models.Index(fields=["handed_by", "received_on"], name="credit_receipt_rep_day"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="credit_receipt_amount_positive"),
            models.CheckConstraint(
                condition=models.Q(allocated_amount__gte=0, allocated_amount__lte=models.F("amount")),
                name="credit_receipt_allocated_within_amount",
            ),
            models.CheckConstraint(
                condition=models.Q(reversed_on__isnull=True) | models.Q(reversed_on__gte=models.F("received_on")),
                name="credit_receipt_reversed_after_received",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def unallocated_amount(self) -> Decimal:
        return self.amount - self.allocated_amount


RECEIPT_FLOW = StateMachine(
    {
        Receipt.Status.HANDED_OVER: {Receipt.Status.CONFIRMED, Receipt.Status.CANCELLED},
        Receipt.Status.CONFIRMED: {Receipt.Status.REVERSED},
    }
)


class Allocation(models.Model):
    """Part of a receipt, or of a credit note, set against one invoice, dated when the money
    (or the credit) met the invoice. The invoice's paid amount rises by `amount`; a credit
    note's paid amount falls by it (its total is negative), so each document's open amount
    stays `total - paid_amount`. A reversed receipt takes its money back with allocations of
    the opposite sign dated on the reversal, so the open amount at any date is the total less
    the allocations dated up to that day."""

    receipt = models.ForeignKey(Receipt, null=True, blank=True, on_delete=models.PROTECT, related_name="allocations")
    credit_note = models.ForeignKey(
        "sales.Invoice",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="credit_allocations",
        verbose_name=_("credit note"),
    )
    invoice = models.ForeignKey("sales.Invoice", on_delete=models.PROTECT, related_name="allocations")
    amount = bounded.DecimalField(_("amount"), **MONEY)
    allocated_on = bounded.DateField(_("date"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = bounded.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        ordering = ["allocated_on", "id"]
        # Covering indexes of the reports at a date: what an invoice had been paid by a day, what
        # a receipt had been allocated by a day, read from the index alone (see ageing.py).
        indexes = [
            models.Index(fields=["invoice", "allocated_on", "amount"], name="credit_allocation_invoice_paid"),
            models.Index(fields=["receipt", "allocated_on", "amount"], name="credit_allocation_receipt_used"),
        ]
        constraints = [
            models.CheckConstraint(condition=~models.Q(amount=0), name="credit_allocation_not_zero"),
            models.CheckConstraint(
                condition=models.Q(receipt__isnull=False, credit_note__isnull=True)
                | models.Q(receipt__isnull=True, credit_note__isnull=False),
                name="credit_allocation_one_source",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.receipt_id or self.credit_note_id} → {self.invoice_id}: {self.amount}"


class IdempotencyKey(models.Model):
    """A client's Idempotency-Key for one kind of write: a retried request finds the document
    the first one created instead of creating a second one."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    scope = models.CharField(max_length=40)
    key = models.CharField(max_length=100)
    object_id = models.PositiveBigIntegerField()
    created_at = bounded.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "scope", "key"], name="credit_idempotency_unique")]

    def __str__(self) -> str:
        return f"{self.scope}:{self.key}"


class CollectionEscalation(models.Model):
    """An overdue invoice brought to a manager: 30 days → the department manager, 60 days →
    the general manager. One row per invoice and level, so the job never notifies twice."""

    class Level(models.IntegerChoices):
        DEPARTMENT_MANAGER = 30, _("30 days: department manager")
        GENERAL_MANAGER = 60, _("60 days: general manager")

    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="collection_escalations", verbose_name=_("customer")
    )
    invoice = models.ForeignKey("sales.Invoice", on_delete=models.PROTECT, related_name="+", verbose_name=_("invoice"))
    level = models.PositiveSmallIntegerField(pgettext_lazy("escalation", "level"), choices=Level.choices)
    notified = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("notified"),
    )
    days_overdue = models.PositiveIntegerField(_("days overdue"))
    open_amount = bounded.DecimalField(_("open amount"), **MONEY)
    created_at = bounded.DateTimeField(pgettext_lazy("collection", "escalated at"), auto_now_add=True)

    class Meta:
        verbose_name = _("collection escalation")
        verbose_name_plural = _("collection escalations")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["invoice", "level"], name="credit_escalation_once")]

    def __str__(self) -> str:
        return f"{self.invoice_id}@{self.level}"


class Statement(models.Model):
    """The monthly statement of account (对账函) sent to a customer, with the figures as issued."""

    class Status(models.TextChoices):
        ISSUED = "issued", pgettext_lazy("statement", "Issued")
        SENT = "sent", _("Sent")
        SEND_FAILED = "send_failed", _("Sending failed")
        CONFIRMED = "confirmed", _("Confirmed by the customer")
        DISPUTED = "disputed", _("Disputed")

    number = models.CharField(_("number"), max_length=30, unique=True)
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="statements", verbose_name=_("customer")
    )
    period_start = bounded.DateField(_("from"))
    period_end = bounded.DateField(_("to"))
    opening_balance = bounded.DecimalField(_("opening balance"), **MONEY)
    invoiced = bounded.DecimalField(_("invoiced"), **MONEY)
    credited = bounded.DecimalField(_("credit notes"), **MONEY)
    received = bounded.DecimalField(pgettext_lazy("statement", "received"), **MONEY)
    closing_balance = bounded.DecimalField(_("closing balance"), **MONEY)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ISSUED)
    sent_at = bounded.DateTimeField(_("sent at"), null=True, blank=True)
    sent_to = models.CharField(_("sent to"), max_length=200, blank=True)
    send_error = models.CharField(_("why sending failed"), max_length=500, blank=True)
    confirmed_on = bounded.DateField(_("confirmed on"), null=True, blank=True)
    signed_copy = models.FileField(_("signed copy"), upload_to="statements/%Y/%m/", blank=True)
    customer_note = bounded.TextField(_("customer's remark"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = bounded.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("statement")
        verbose_name_plural = _("statements")
        ordering = ["-period_start", "customer__name"]
        constraints = [
            models.UniqueConstraint(fields=["customer", "period_start"], name="credit_statement_once_per_period")
        ]

    def __str__(self) -> str:
        return self.number


STATEMENT_FLOW = StateMachine(
    {
        Statement.Status.ISSUED: {Statement.Status.SENT, Statement.Status.CONFIRMED, Statement.Status.DISPUTED},
        Statement.Status.SENT: {
            Statement.Status.SENT,
            Statement.Status.SEND_FAILED,
            Statement.Status.CONFIRMED,
            Statement.Status.DISPUTED,
        },
        Statement.Status.SEND_FAILED: {Statement.Status.SENT, Statement.Status.CONFIRMED, Statement.Status.DISPUTED},
        Statement.Status.DISPUTED: {Statement.Status.CONFIRMED, Statement.Status.SENT},
    }
)


class StatementRun(models.Model):
    """Statements of all customers for one month, made by a background task with progress."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    period_start = bounded.DateField(_("month"))
    send_email = models.BooleanField(_("send by e-mail"), default=False)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    error = bounded.TextField(blank=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = bounded.DateTimeField(auto_now_add=True)
    finished_at = bounded.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.period_start:%Y-%m} ({self.status})"

    @property
    def percent(self) -> int:
        return 100 if not self.total else int(self.done * 100 / self.total)


class Reconciliation(models.Model):
    """A rep's monthly reconciliation of their receivables against finance's ledger (对账),
    signed off by the rep and then by finance."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        REP_SIGNED = "rep_signed", _("Signed by the rep")
        CLOSED = "closed", _("Signed off by finance")

    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reconciliations", verbose_name=_("sales rep")
    )
    team = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("team"))
    period_start = bounded.DateField(_("month"))
    ledger_balance = bounded.DecimalField(_("finance ledger balance"), **MONEY)
    rep_balance = bounded.DecimalField(_("rep's balance"), null=True, blank=True, **MONEY)
    note = bounded.TextField(_("explanation of differences"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    rep_signed_at = bounded.DateTimeField(_("rep signed at"), null=True, blank=True)
    finance_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    finance_signed_at = bounded.DateTimeField(_("finance signed at"), null=True, blank=True)
    created_at = bounded.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("reconciliation")
        verbose_name_plural = _("reconciliations")
        ordering = ["-period_start", "rep__username"]
        constraints = [models.UniqueConstraint(fields=["rep", "period_start"], name="credit_reconciliation_once")]

    def __str__(self) -> str:
        return f"{self.rep} {self.period_start:%Y-%m}"

    @property
    def difference(self):
        return None if self.rep_balance is None else self.rep_balance - self.ledger_balance


RECONCILIATION_FLOW = StateMachine(
    {
        Reconciliation.Status.OPEN: {Reconciliation.Status.REP_SIGNED},
        Reconciliation.Status.REP_SIGNED: {Reconciliation.Status.CLOSED, Reconciliation.Status.OPEN},
    }
)
