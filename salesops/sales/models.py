"""Sales documents. The order is the centre: quote → (contract) → order → deliveries →
invoices; receipts of payment live in the credit area. An invoice is paid only through
allocations of receipts or credit notes (credit.Allocation, each with its date);
`Invoice.paid_amount` is their running sum, kept by the allocation services.

VAT (增值税): each line keeps its product's rate and its tax, rounded to the cent per line;
`amount` and every document `total` are tax-inclusive (价税合计), the figure credit exposure,
receipts and ageing count. `prices_include_tax` says how the unit prices were entered (from
the customer's price list): tax-inclusive prices carry the tax inside, tax-exclusive ones get
it added on top. `tax_total` is the sum of the lines' tax; the net amount is total − tax.

Amounts kept on the order (`delivered_amount`, `invoiced_amount`) are maintained by the
delivery and invoicing services in the same transaction, so credit exposure is a sum over
orders and invoices without walking their lines.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from salesops.catalog.models import Product
from salesops.core import bounded, bounds
from salesops.core.models import OrgUnit
from salesops.crm.models import Customer, Opportunity
from salesops.inventory.models import Lot, Warehouse

MONEY = {"max_digits": 14, "decimal_places": 2}
QTY = {"max_digits": 16, "decimal_places": 3}
ZERO = Decimal("0")


# what an order waits for (SalesOrder.approval_reason): an approval, or the customer's money
APPROVAL_REASONS = {
    "special_discount": _("approval of a special discount"),
    "over_limit": _("approval above the credit limit"),
    "overdue": _("approval: the customer has overdue invoices"),
    "credit_blocked": _("approval: credit is blocked for this customer"),
    "payment": _("the customer's payment, confirmed by finance"),
}


class SalesOrder(models.Model):
    class Payment(models.TextChoices):
        CREDIT = "credit", pgettext_lazy("payment", "Credit")
        CASH = "cash", pgettext_lazy("payment", "Cash")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PENDING_APPROVAL = "pending_approval", _("Waiting for approval")
        PENDING_PAYMENT = "pending_payment", _("Waiting for payment")
        CONFIRMED = "confirmed", _("Confirmed")
        PARTIALLY_DELIVERED = "partially_delivered", _("Partially delivered")
        DELIVERED = "delivered", _("Delivered")
        CLOSED = "closed", _("Closed")
        REJECTED = "rejected", _("Rejected")
        CANCELLED = "cancelled", _("Cancelled")

    number = models.CharField(_("number"), max_length=30, unique=True)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="orders", verbose_name=_("customer"))
    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="sales_orders", verbose_name=_("sales rep")
    )
    team = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="sales_orders", verbose_name=_("team"))
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="+", verbose_name=_("warehouse"))
    payment = models.CharField(_("payment"), max_length=10, choices=Payment.choices, default=Payment.CREDIT)
    status = models.CharField(_("status"), max_length=30, choices=Status.choices, default=Status.DRAFT)
    order_date = bounded.DateField(_("order date"))
    total = bounded.DecimalField(_("total"), default=ZERO, **MONEY)
    tax_total = bounded.DecimalField(_("VAT"), default=ZERO, **MONEY)
    prices_include_tax = models.BooleanField(_("prices include VAT"), default=True)
    # what the rep says the customer will pay in advance: information for finance, never a
    # decision (only confirmed receipts count, see credit.receipts)
    expected_prepayment = bounded.DecimalField(_("expected prepayment"), default=ZERO, **MONEY)
    delivered_amount = bounded.DecimalField(_("delivered value"), default=ZERO, **MONEY)
    invoiced_amount = bounded.DecimalField(_("invoiced value"), default=ZERO, **MONEY)
    confirmed_at = bounded.DateTimeField(_("confirmed at"), null=True, blank=True)
    created_at = bounded.DateTimeField(auto_now_add=True)
    note = bounded.TextField(_("note"), blank=True)
    quote = models.ForeignKey(
        "Quote", null=True, blank=True, on_delete=models.PROTECT, related_name="orders", verbose_name=_("quote")
    )
    contract = models.ForeignKey(
        "Contract", null=True, blank=True, on_delete=models.PROTECT, related_name="orders", verbose_name=_("contract")
    )
    discount_approved = models.BooleanField(_("special discount approved"), default=False)
    approval_reason = models.CharField(_("waiting for"), max_length=30, blank=True)
    delivery_due_at = bounded.DateTimeField(_("deliver by"), null=True, blank=True)
    delivered_at = bounded.DateTimeField(_("delivered at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("sales order")
        verbose_name_plural = _("sales orders")
        ordering = ["-order_date", "-id"]
        indexes = [
            models.Index(fields=["customer", "status"], name="sales_order_customer_status"),
            models.Index(fields=["rep", "order_date"], name="sales_order_rep_date"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(total__gte=0), name="sales_order_total_not_negative"),
            models.CheckConstraint(
                condition=models.Q(expected_prepayment__gte=0), name="sales_order_expected_prepayment_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def approval_reason_label(self) -> str:
        """What the order waits for, in the reader's language (the stored code otherwise)."""
        return str(APPROVAL_REASONS.get(self.approval_reason, self.approval_reason))

    @property
    def net_total(self) -> Decimal:
        return self.total - self.tax_total

    @property
    def open_amount(self) -> Decimal:
        """Value confirmed and not yet delivered."""
        return self.total - self.delivered_amount

    @property
    def max_discount(self) -> Decimal:
        """The largest discount a person gave on a line, the one approval is about: below the
        list price, or on a line sold from a clearance lot below that lot's clearance price
        (the clearance discount itself was decided on the lot, see `OrderLine.approval_discount`)."""
        return max((line.approval_discount for line in self.lines.all()), default=ZERO)

    @property
    def is_late(self) -> bool:
        from django.utils import timezone

        return bool(
            self.delivery_due_at
            and self.status in (self.Status.CONFIRMED, self.Status.PARTIALLY_DELIVERED)
            and self.delivery_due_at < timezone.now()
        )


class OrderLine(models.Model):
    order = models.ForeignKey(SalesOrder, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField(_("line"))
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+", verbose_name=_("product"))
    quantity = bounded.DecimalField(_("quantity"), **QTY)
    unit_price = bounded.DecimalField(_("unit price"), **MONEY)
    list_price = bounded.DecimalField(_("list price"), **MONEY)
    discount_percent = bounded.DecimalField(_("discount %"), max_digits=5, decimal_places=2, default=ZERO)
    amount = bounded.DecimalField(_("amount"), **MONEY)  # tax-inclusive
    tax_rate = bounded.DecimalField(_("VAT rate %"), max_digits=5, decimal_places=2, default=ZERO)
    tax_amount = bounded.DecimalField(_("VAT"), default=ZERO, **MONEY)
    # A line sold from one lot (a clearance lot, 临期折扣): that lot is the one issued, and the
    # lot's clearance discount when the line was priced is kept with it (`clearance_pct`).
    lot = models.ForeignKey(
        Lot, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("lot")
    )
    clearance_pct = bounded.DecimalField(
        _("clearance discount %"), max_digits=5, decimal_places=2, default=ZERO, validators=bounds.PERCENT
    )
    delivered_quantity = bounded.DecimalField(_("delivered"), default=ZERO, **QTY)
    invoiced_quantity = bounded.DecimalField(_("invoiced"), default=ZERO, **QTY)
    returned_quantity = bounded.DecimalField(_("returned"), default=ZERO, **QTY)
    cancelled_quantity = bounded.DecimalField(_("cancelled"), default=ZERO, **QTY)
    # values to the cent, so that the parts of a line always add up to the line
    delivered_value = bounded.DecimalField(_("delivered value"), default=ZERO, **MONEY)
    invoiced_value = bounded.DecimalField(_("invoiced value"), default=ZERO, **MONEY)
    returned_value = bounded.DecimalField(_("returned value"), default=ZERO, **MONEY)
    cancelled_value = bounded.DecimalField(_("cancelled value"), default=ZERO, **MONEY)

    class Meta:
        ordering = ["order", "position"]
        constraints = [
            models.UniqueConstraint(fields=["order", "position"], name="sales_orderline_position_unique"),
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="sales_orderline_quantity_positive"),
            models.CheckConstraint(condition=models.Q(unit_price__gte=0), name="sales_orderline_price_not_negative"),
        ]
        indexes = [
            # covers the sales of orders per rep (targets' KPIs): the lines of an order are read
            # from the index alone, without visiting the table rows
            models.Index(
                fields=["order", "amount", "cancelled_value", "returned_value"], name="sales_line_order_amounts"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order_id}/{self.position}"

    @property
    def open_quantity(self) -> Decimal:
        return self.quantity - self.cancelled_quantity - self.delivered_quantity

    @property
    def clearance_price(self) -> Decimal:
        """The price of the lot's goods: the list price less the lot's clearance discount."""
        from salesops.inventory.expiry import clearance_price

        return clearance_price(self.list_price, self.clearance_pct)

    @property
    def approval_discount(self) -> Decimal:
        """The discount (%) that counts against a person's allowance: below the list price, or
        for a clearance-lot line below the lot's clearance price (the clearance discount was
        decided on the lot, so selling at it needs no approval by itself)."""
        if not self.clearance_pct:
            return self.discount_percent
        from salesops.sales.services import _discount

        return _discount(self.clearance_price, self.unit_price)


class Invoice(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        PAID = "paid", _("Paid")
        CANCELLED = "cancelled", _("Cancelled")

    class Kind(models.TextChoices):
        INVOICE = "invoice", _("Invoice")
        CREDIT_NOTE = "credit_note", _("Credit note")

    number = models.CharField(_("number"), max_length=30, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.INVOICE)
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="invoices", verbose_name=_("customer")
    )
    order = models.ForeignKey(
        SalesOrder,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="invoices",
        verbose_name=pgettext_lazy("sales", "order"),
    )
    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="invoices", verbose_name=_("sales rep")
    )
    team = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="invoices", verbose_name=_("team"))
    issue_date = bounded.DateField(_("invoice date"))
    due_date = bounded.DateField(_("due date"))
    total = bounded.DecimalField(_("total"), **MONEY)  # tax-inclusive; negative for a credit note
    tax_total = bounded.DecimalField(_("VAT"), default=ZERO, **MONEY)
    paid_amount = bounded.DecimalField(_("paid"), default=ZERO, **MONEY)  # maintained by credit's allocations
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    created_at = bounded.DateTimeField(auto_now_add=True)
    original = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="credit_notes",
        verbose_name=_("credited invoice"),
    )
    sales_return = models.ForeignKey(
        "SalesReturn",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="credit_notes",
        verbose_name=_("return"),
    )
    note = bounded.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["-issue_date", "-id"]
        indexes = [
            models.Index(fields=["customer", "status", "due_date"], name="sales_invoice_customer_open"),
            models.Index(fields=["status", "due_date"], name="sales_invoice_open_due"),
            models.Index(fields=["rep", "status"], name="sales_invoice_rep_open"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def open_amount(self) -> Decimal:
        return self.total - self.paid_amount

    @property
    def net_total(self) -> Decimal:
        return self.total - self.tax_total


class InvoiceLine(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField(_("line"))
    order_line = models.ForeignKey(OrderLine, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    delivery_line = models.ForeignKey(
        "DeliveryLine", null=True, blank=True, on_delete=models.PROTECT, related_name="invoice_lines"
    )
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+", verbose_name=_("product"))
    quantity = bounded.DecimalField(_("quantity"), **QTY)  # negative on a credit note
    unit_price = bounded.DecimalField(_("unit price"), **MONEY)
    amount = bounded.DecimalField(_("amount"), **MONEY)  # tax-inclusive
    tax_rate = bounded.DecimalField(_("VAT rate %"), max_digits=5, decimal_places=2, default=ZERO)
    tax_amount = bounded.DecimalField(_("VAT"), default=ZERO, **MONEY)

    class Meta:
        ordering = ["invoice", "position"]

    def __str__(self) -> str:
        return f"{self.invoice_id}/{self.position}"


# --- quotes -----------------------------------------------------------------------------------------
class Quote(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PENDING_APPROVAL = "pending_approval", _("Waiting for approval")
        RETURNED = "returned", _("Returned for changes")
        APPROVED = "approved", _("Approved")
        ACCEPTED = "accepted", _("Accepted by the customer")
        REJECTED = "rejected", _("Rejected")
        CANCELLED = "cancelled", _("Cancelled")

    EDITABLE = (Status.DRAFT, Status.RETURNED)

    number = models.CharField(_("number"), max_length=30, unique=True)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="quotes", verbose_name=_("customer"))
    opportunity = models.ForeignKey(
        Opportunity,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="quotes",
        verbose_name=_("opportunity"),
    )
    # 1 at first; each change after the quote was returned for changes starts the next one,
    # the lines before it kept as a QuoteRevision
    revision = models.PositiveIntegerField(_("revision"), default=1)
    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="quotes", verbose_name=_("sales rep")
    )
    team = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="quotes", verbose_name=_("team"))
    status = models.CharField(_("status"), max_length=30, choices=Status.choices, default=Status.DRAFT)
    quote_date = bounded.DateField(_("quote date"))
    valid_until = bounded.DateField(_("valid until"))
    total = bounded.DecimalField(_("total"), default=ZERO, **MONEY)
    tax_total = bounded.DecimalField(_("VAT"), default=ZERO, **MONEY)
    prices_include_tax = models.BooleanField(_("prices include VAT"), default=True)
    discount_approved = models.BooleanField(_("special discount approved"), default=False)
    note = bounded.TextField(_("note"), blank=True)
    created_at = bounded.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("quote")
        verbose_name_plural = _("quotes")
        ordering = ["-quote_date", "-id"]

    def __str__(self) -> str:
        return self.number

    @property
    def max_discount(self) -> Decimal:
        return max((line.discount_percent for line in self.lines.all()), default=ZERO)

    @property
    def net_total(self) -> Decimal:
        return self.total - self.tax_total


class QuoteLine(models.Model):
    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField(_("line"))
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+", verbose_name=_("product"))
    quantity = bounded.DecimalField(_("quantity"), **QTY)
    unit_price = bounded.DecimalField(_("unit price"), **MONEY)
    list_price = bounded.DecimalField(_("list price"), **MONEY)
    discount_percent = bounded.DecimalField(_("discount %"), max_digits=5, decimal_places=2, default=ZERO)
    amount = bounded.DecimalField(_("amount"), **MONEY)  # tax-inclusive
    tax_rate = bounded.DecimalField(_("VAT rate %"), max_digits=5, decimal_places=2, default=ZERO)
    tax_amount = bounded.DecimalField(_("VAT"), default=ZERO, **MONEY)

    class Meta:
        ordering = ["quote", "position"]
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="sales_quoteline_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.quote_id}/{self.position}"


class QuoteRevision(models.Model):
    """A quote as it stood before a change made after it was returned: its totals and lines
    (product, quantity, prices, amounts) as they were, read-only."""

    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="revisions")
    revision = models.PositiveIntegerField(_("revision"))
    valid_until = bounded.DateField(_("valid until"))
    total = bounded.DecimalField(_("total"), **MONEY)
    tax_total = bounded.DecimalField(_("VAT"), default=ZERO, **MONEY)
    note = bounded.TextField(_("note"), blank=True)
    lines = models.JSONField(_("lines"), default=list)
    replaced_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    replaced_at = bounded.DateTimeField(_("replaced at"), auto_now_add=True)

    class Meta:
        verbose_name = _("quote revision")
        verbose_name_plural = _("quote revisions")
        ordering = ["quote", "-revision"]
        constraints = [
            models.UniqueConstraint(fields=["quote", "revision"], name="sales_quoterevision_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.quote_id} rev {self.revision}"


# --- contracts --------------------------------------------------------------------------------------
class Contract(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PENDING_APPROVAL = "pending_approval", _("Waiting for approval")
        ACTIVE = "active", _("Approved and in force")
        REJECTED = "rejected", _("Rejected")
        CLOSED = "closed", _("Closed")
        CANCELLED = "cancelled", _("Cancelled")

    number = models.CharField(_("number"), max_length=30, unique=True)
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="contracts", verbose_name=_("customer")
    )
    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="contracts", verbose_name=_("sales rep")
    )
    team = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="contracts", verbose_name=_("team"))
    quote = models.ForeignKey(
        Quote, null=True, blank=True, on_delete=models.PROTECT, related_name="contracts", verbose_name=_("quote")
    )
    status = models.CharField(_("status"), max_length=30, choices=Status.choices, default=Status.DRAFT)
    title = models.CharField(_("title"), max_length=200)
    start_date = bounded.DateField(_("starts"))
    end_date = bounded.DateField(_("ends"))
    total = bounded.DecimalField(_("contract value"), default=ZERO, **MONEY)
    payment_terms_days = models.PositiveIntegerField(_("payment terms (days)"), default=30, validators=bounds.DAYS)
    terms = bounded.TextField(_("additional terms"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = bounded.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        ordering = ["-start_date", "-id"]

    def __str__(self) -> str:
        return self.number


class ContractLine(models.Model):
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField(_("line"))
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+", verbose_name=_("product"))
    quantity = bounded.DecimalField(_("quantity"), **QTY)
    unit_price = bounded.DecimalField(_("unit price"), **MONEY)
    amount = bounded.DecimalField(_("amount"), **MONEY)

    class Meta:
        ordering = ["contract", "position"]

    def __str__(self) -> str:
        return f"{self.contract_id}/{self.position}"


class ContractChange(models.Model):
    """合同变更: a proposed change of an approved contract; applied only when approved."""

    class Status(models.TextChoices):
        PENDING_APPROVAL = "pending_approval", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        CANCELLED = "cancelled", _("Cancelled")

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="changes")
    number = models.CharField(_("number"), max_length=40, unique=True)
    status = models.CharField(_("status"), max_length=30, choices=Status.choices, default=Status.PENDING_APPROVAL)
    reason = bounded.TextField(_("reason for the change"))
    new_end_date = bounded.DateField(_("new end date"), null=True, blank=True)
    new_total = bounded.DecimalField(_("new contract value"), null=True, blank=True, **MONEY)
    additional_terms = bounded.TextField(_("additional terms"), blank=True)
    # a change of the lines (prices, quantities): the contract's lines when it was asked for,
    # as they were; the proposed lines are ContractChangeLine rows (none: the lines stay)
    previous_lines = models.JSONField(_("lines before the change"), default=list, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = bounded.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("contract change")
        verbose_name_plural = _("contract changes")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.number


class ContractChangeLine(models.Model):
    """A line of the contract as a change proposes it; the contract's lines become these when
    the change is approved."""

    change = models.ForeignKey(ContractChange, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField(_("line"))
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+", verbose_name=_("product"))
    quantity = bounded.DecimalField(_("quantity"), **QTY)
    unit_price = bounded.DecimalField(_("unit price"), **MONEY)
    amount = bounded.DecimalField(_("amount"), **MONEY)

    class Meta:
        ordering = ["change", "position"]
        constraints = [
            models.UniqueConstraint(fields=["change", "position"], name="sales_contractchangeline_position_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.change_id}/{self.position}"


# --- deliveries -------------------------------------------------------------------------------------
class Delivery(models.Model):
    class Status(models.TextChoices):
        ISSUED = "issued", _("Goods issued")  # 货已出库
        CONFIRMED = "confirmed", _("Receipt confirmed by the customer")
        CANCELLED = "cancelled", _("Cancelled")

    number = models.CharField(_("number"), max_length=30, unique=True)
    order = models.ForeignKey(
        SalesOrder, on_delete=models.PROTECT, related_name="deliveries", verbose_name=pgettext_lazy("sales", "order")
    )
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="+", verbose_name=_("warehouse"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ISSUED)
    total = bounded.DecimalField(_("value"), default=ZERO, **MONEY)
    issued_at = bounded.DateTimeField(_("issued at"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("issued by")
    )
    picked_up_by = models.CharField(_("picked up by"), max_length=100, blank=True)
    confirmed_at = bounded.DateTimeField(_("receipt confirmed at"), null=True, blank=True)
    received_by = models.CharField(_("received by"), max_length=100, blank=True)
    note = bounded.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-issued_at", "-id"]

    def __str__(self) -> str:
        return self.number


class DeliveryLine(models.Model):
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="delivery_lines")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+", verbose_name=_("product"))
    quantity = bounded.DecimalField(_("quantity"), **QTY)
    unit_price = bounded.DecimalField(_("unit price"), **MONEY)
    amount = bounded.DecimalField(_("amount"), **MONEY)
    invoiced_quantity = bounded.DecimalField(_("invoiced"), default=ZERO, **QTY)
    invoiced_value = bounded.DecimalField(_("invoiced value"), default=ZERO, **MONEY)

    class Meta:
        ordering = ["delivery", "order_line__position"]
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="sales_deliveryline_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.delivery_id}/{self.order_line_id}"


# --- returns and cancellations ----------------------------------------------------------------------
class SalesReturn(models.Model):
    """退货/撤单: goods coming back (return, credited by a credit note) or the undelivered rest of
    an order cancelled (reservation released). Takes effect only when approved."""

    class Kind(models.TextChoices):
        RETURN = "return", _("Return of goods")
        CANCELLATION = "cancellation", _("Cancellation of the undelivered rest")

    class Status(models.TextChoices):
        PENDING_APPROVAL = "pending_approval", _("Waiting for approval")
        COMPLETED = "completed", _("Approved and done")
        REJECTED = "rejected", _("Rejected")
        CANCELLED = "cancelled", _("Withdrawn")

    number = models.CharField(_("number"), max_length=30, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    order = models.ForeignKey(
        SalesOrder, on_delete=models.PROTECT, related_name="returns", verbose_name=pgettext_lazy("sales", "order")
    )
    status = models.CharField(_("status"), max_length=30, choices=Status.choices, default=Status.PENDING_APPROVAL)
    reason = models.TextField(_("reason"))
    total = bounded.DecimalField(_("value"), default=ZERO, **MONEY)
    refund_amount = bounded.DecimalField(_("payment to refund"), default=ZERO, **MONEY)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    completed_at = bounded.DateTimeField(_("done at"), null=True, blank=True)
    created_at = bounded.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("return or cancellation")
        verbose_name_plural = _("returns and cancellations")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.number


class SalesReturnLine(models.Model):
    sales_return = models.ForeignKey(SalesReturn, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="+")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+", verbose_name=_("product"))
    quantity = bounded.DecimalField(_("quantity"), **QTY)
    unit_price = bounded.DecimalField(_("unit price"), **MONEY)
    amount = bounded.DecimalField(_("amount"), **MONEY)

    class Meta:
        ordering = ["sales_return", "order_line__position"]

    def __str__(self) -> str:
        return f"{self.sales_return_id}/{self.order_line_id}"


# --- policy and API plumbing ------------------------------------------------------------------------
class DiscountPolicy(models.Model):
    """How far below the list price a person holding `role` may sell without approval."""

    role = models.CharField(_("role"), max_length=30, unique=True)
    max_discount_percent = bounded.DecimalField(
        _("max discount %"), max_digits=5, decimal_places=2, validators=bounds.PERCENT
    )

    class Meta:
        verbose_name = _("discount allowance")
        verbose_name_plural = _("discount allowances")
        ordering = ["role"]

    def __str__(self) -> str:
        return f"{self.role}: {self.max_discount_percent}%"


class IdempotencyKey(models.Model):
    """A retried create with the same `Idempotency-Key` returns the first response; the same
    key with another body is refused (`request_digest` is the SHA-256 of the body)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=100)
    scope = models.CharField(max_length=40)
    request_digest = models.CharField(max_length=64, blank=True)
    status_code = models.PositiveIntegerField(default=0)
    response = models.JSONField(default=dict)
    created_at = bounded.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "scope", "key"], name="sales_idempotency_unique"),
        ]

    def __str__(self) -> str:
        return self.key
