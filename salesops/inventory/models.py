"""Warehouses, the immutable stock ledger, and the balances derived from it.

`StockMove` is the ledger: one immutable row per movement. `StockBalance` holds on-hand,
reserved and the moving-average cost per product and warehouse; it is maintained by the
services in the same transaction as the moves, and a test proves it always equals the
ledger sum. Available = on_hand − reserved.

Products tracked by lot (`Product.lot_tracked`) also keep a `LotBalance` per lot and warehouse;
every move of such a product names its lot, and the lot balances add up to the product's
balance (a property-based test walks random move sequences to prove both).
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from salesops.catalog.models import Product
from salesops.core import bounded, bounds

QTY = {"max_digits": 16, "decimal_places": 3}
# What a person may enter on a document line: a positive quantity below a billion units and a
# unit cost that is not negative (the fields' digits bound the magnitude, full_clean checks them).
POSITIVE_QTY = [MinValueValidator(Decimal("0.001")), MaxValueValidator(Decimal("999999999"))]
NON_NEGATIVE = [MinValueValidator(Decimal("0"))]
PERCENT = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]


class Warehouse(models.Model):
    class Kind(models.TextChoices):
        WAREHOUSE = "warehouse", _("Warehouse")
        DISTRIBUTION_CENTRE = "dc", _("Distribution centre")
        STORE = "store", _("Store")

    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.WAREHOUSE)
    allow_negative = models.BooleanField(_("allow negative stock"), default=False)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("warehouse")
        verbose_name_plural = _("warehouses")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class StockBalance(models.Model):
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="balances")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="balances")
    on_hand = bounded.DecimalField(_("on hand"), default=Decimal("0"), **QTY)
    reserved = bounded.DecimalField(_("reserved"), default=Decimal("0"), **QTY)
    avg_cost = bounded.DecimalField(_("average cost"), max_digits=14, decimal_places=4, default=Decimal("0"))

    class Meta:
        verbose_name = _("stock balance")
        verbose_name_plural = _("stock balances")
        constraints = [
            models.UniqueConstraint(fields=["product", "warehouse"], name="inventory_balance_unique"),
            models.CheckConstraint(condition=models.Q(reserved__gte=0), name="inventory_reserved_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.product} @ {self.warehouse}: {self.on_hand}"

    @property
    def available(self) -> Decimal:
        return self.on_hand - self.reserved


class StockMove(models.Model):
    class Kind(models.TextChoices):
        RECEIPT = "receipt", pgettext_lazy("goods", "Receipt")
        PRODUCTION = "production", _("Production receipt")
        ISSUE = "issue", _("Issue")
        RETURN = "return", _("Customer return")
        SUPPLIER_RETURN = "supplier_return", _("Return to supplier")
        WRITE_OFF = "write_off", _("Write-off")
        TRANSFER_OUT = "transfer_out", _("Transfer out")
        TRANSFER_IN = "transfer_in", _("Transfer in")
        ADJUSTMENT = "adjustment", _("Adjustment")
        STOCKTAKE = "stocktake", _("Stocktake variance")

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="moves")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="moves")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    quantity = bounded.DecimalField(_("quantity"), **QTY)  # signed: + in, − out
    unit_cost = bounded.DecimalField(_("unit cost"), max_digits=14, decimal_places=4, default=Decimal("0"))
    reference_type = models.CharField(max_length=40, blank=True)
    reference_id = models.PositiveBigIntegerField(null=True, blank=True)
    reference_number = models.CharField(_("document"), max_length=40, blank=True)
    lot = models.ForeignKey(
        "Lot", null=True, blank=True, on_delete=models.PROTECT, related_name="moves", verbose_name=_("lot")
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    at = bounded.DateTimeField(_("time"), db_index=True)

    class Meta:
        verbose_name = _("stock move")
        verbose_name_plural = _("stock moves")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["product", "warehouse", "at"], name="inventory_move_product"),
            models.Index(fields=["reference_type", "reference_id"], name="inventory_move_reference"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.quantity} {self.product_id}"


class Lot(models.Model):
    """A production or receipt lot (批次) of a lot-tracked product, with its dates."""

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="lots", verbose_name=_("product"))
    code = models.CharField(_("lot"), max_length=40)
    production_date = models.DateField(_("production date"))
    expiry_date = models.DateField(_("expiry date"), null=True, blank=True)
    # A clearance discount on the price of this lot's goods (临期折扣), set from the near-expiry
    # list; 0 when the lot sells at the normal price.
    discount_pct = bounded.DecimalField(
        _("clearance discount %"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("90"))],
    )
    discount_reason = models.CharField(_("discount reason"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("lot")
        verbose_name_plural = _("lots")
        ordering = ["product", "expiry_date", "production_date", "id"]
        constraints = [
            models.UniqueConstraint(fields=["product", "code"], name="inventory_lot_unique"),
            models.CheckConstraint(
                condition=models.Q(expiry_date__isnull=True) | models.Q(expiry_date__gte=models.F("production_date")),
                name="inventory_lot_expiry_after_production",
            ),
        ]

    def __str__(self) -> str:
        return self.code


class LotBalance(models.Model):
    """On hand of one lot in one warehouse; the lots of a product add up to its StockBalance."""

    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="balances", verbose_name=_("lot"))
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="+", verbose_name=_("warehouse"))
    on_hand = models.DecimalField(_("on hand"), default=Decimal("0"), **QTY)

    class Meta:
        verbose_name = _("lot balance")
        verbose_name_plural = _("lot balances")
        constraints = [models.UniqueConstraint(fields=["lot", "warehouse"], name="inventory_lot_balance_unique")]
        indexes = [models.Index(fields=["product", "warehouse"], name="inventory_lot_balance_product")]

    def __str__(self) -> str:
        return f"{self.lot_id} @ {self.warehouse_id}: {self.on_hand}"


class Promise(models.Model):
    """What a document (`reference_type`, `reference_id`) holds of the stock until it is
    issued or given back."""

    quantity = bounded.DecimalField(_("quantity"), **QTY)
    reference_type = models.CharField(max_length=40)
    reference_id = models.PositiveBigIntegerField()
    created_at = bounded.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True


class StockReservation(Promise):
    """Stock promised to a document (a confirmed sales order line); reduces available stock
    until it is issued or released."""

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="reservations")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="reservations")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["reference_type", "reference_id", "product", "warehouse"], name="inventory_reservation_unique"
            ),
            models.CheckConstraint(condition=models.Q(quantity__gte=0), name="inventory_reservation_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.reference_type}#{self.reference_id}: {self.quantity}"


class LotReservation(Promise):
    """Part of a document's reservation promised from one lot (an order line sold from a
    clearance lot): first-expiry-first-out issues of other documents leave it alone, and
    other orders cannot be sold what the lot has promised. Its product's StockReservation
    counts the same quantity."""

    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="reservations", verbose_name=_("lot"))
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="+", verbose_name=_("warehouse"))

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["reference_type", "reference_id", "lot", "warehouse"], name="inventory_lot_reservation_unique"
            ),
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="inventory_lot_reservation_positive"),
        ]
        indexes = [models.Index(fields=["lot", "warehouse"], name="inventory_lot_reservation_lot")]

    def __str__(self) -> str:
        return f"{self.reference_type}#{self.reference_id} lot {self.lot_id}: {self.quantity}"


class Supplier(models.Model):
    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=200)
    contact = models.CharField(_("contact"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True, help_text=_("Purchase orders are sent here."))
    lead_time_days = models.PositiveIntegerField(_("lead time (days)"), default=0, validators=[MaxValueValidator(3660)])
    receipt_tolerance_pct = models.DecimalField(
        _("receipt tolerance %"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0"),
        validators=PERCENT,
        help_text=_("A receipt may differ from the ordered quantity by this much; within it the line is complete."),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class SupplierItem(models.Model):
    """What a supplier sells of a product and on which terms; planning orders bought items
    from their preferred supplier with its lead time, minimum and multiple."""

    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="items", verbose_name=_("supplier"))
    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="supplier_items", verbose_name=_("product")
    )
    lead_time_days = models.PositiveIntegerField(
        _("lead time (days)"), null=True, blank=True, validators=[MaxValueValidator(3660)]
    )
    min_order_qty = models.DecimalField(
        _("minimum order quantity"), default=Decimal("0"), validators=NON_NEGATIVE, **QTY
    )
    order_multiple = models.DecimalField(_("order multiple"), default=Decimal("0"), validators=NON_NEGATIVE, **QTY)
    unit_cost = models.DecimalField(
        _("unit cost"), max_digits=14, decimal_places=4, default=Decimal("0"), validators=NON_NEGATIVE
    )
    preferred = models.BooleanField(_("preferred supplier"), default=True)

    class Meta:
        verbose_name = _("supplier item")
        verbose_name_plural = _("supplier items")
        ordering = ["product", "-preferred", "supplier"]
        constraints = [models.UniqueConstraint(fields=["supplier", "product"], name="inventory_supplier_item_unique")]

    def __str__(self) -> str:
        return f"{self.supplier_id}/{self.product_id}"


class ReorderLevel(models.Model):
    """库存预警: below `level` available units in this warehouse, planning and purchasing are told."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="reorder_levels")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.CASCADE, related_name="reorder_levels")
    level = bounded.DecimalField(_("warning level"), **QTY, validators=bounds.NON_NEGATIVE)

    class Meta:
        verbose_name = _("reorder level")
        verbose_name_plural = _("reorder levels")
        constraints = [models.UniqueConstraint(fields=["product", "warehouse"], name="inventory_reorder_unique")]

    def __str__(self) -> str:
        return f"ReorderLevel {self.pk}"


class ReorderAlert(models.Model):
    """One open alert per product and warehouse while it stays low: no repeated notifications."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.CASCADE, related_name="+")
    raised_at = bounded.DateTimeField()
    cleared_at = bounded.DateTimeField(null=True, blank=True)
    available = bounded.DecimalField(**QTY)
    level = bounded.DecimalField(**QTY, validators=bounds.NON_NEGATIVE)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["product", "warehouse"],
                condition=models.Q(cleared_at__isnull=True),
                name="inventory_alert_open",
            )
        ]

    def __str__(self) -> str:
        return f"ReorderAlert {self.pk}"


class PurchaseOrder(models.Model):
    """A purchase order: drafted (by hand or from planned purchases), submitted (approval above
    an amount, by the approval engine's rules), ordered (sent to the supplier), received against
    its lines within the supplier's tolerance."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PENDING = "pending", _("Waiting for approval")
        OPEN = "open", _("Ordered")
        PARTIAL = "partial", _("Partly received")
        RECEIVED = "received", _("Received")
        CANCELLED = "cancelled", _("Cancelled")

    number = models.CharField(_("number"), max_length=30, unique=True)
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="orders", verbose_name=_("supplier"))
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="+", verbose_name=_("warehouse"))
    expected_date = bounded.DateField(_("expected date"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    note = models.CharField(_("note"), max_length=300, blank=True)
    total_net = models.DecimalField(_("total before tax"), max_digits=16, decimal_places=2, default=Decimal("0"))
    total_tax = models.DecimalField(_("VAT"), max_digits=16, decimal_places=2, default=Decimal("0"))
    total = models.DecimalField(_("total incl. VAT"), max_digits=16, decimal_places=2, default=Decimal("0"))
    sent_at = models.DateTimeField(_("sent to the supplier"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = bounded.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("purchase order")
        verbose_name_plural = _("purchase orders")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.number


class PurchaseOrderLine(models.Model):
    order = models.ForeignKey(PurchaseOrder, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+", verbose_name=_("product"))
    quantity = bounded.DecimalField(_("quantity"), validators=POSITIVE_QTY, **QTY)
    received_quantity = bounded.DecimalField(_("received"), default=Decimal("0"), **QTY)
    unit_cost = bounded.DecimalField(_("unit cost"), max_digits=14, decimal_places=4, validators=NON_NEGATIVE)
    tax_rate = bounded.DecimalField(
        _("VAT %"), max_digits=5, decimal_places=2, default=Decimal("0"), validators=PERCENT
    )
    closed = models.BooleanField(_("closed short"), default=False)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"PurchaseOrderLine {self.pk}"

    @property
    def open_quantity(self) -> Decimal:
        if self.closed:
            return Decimal("0")
        return max(self.quantity - self.received_quantity, Decimal("0"))

    @property
    def amount(self) -> Decimal:
        return (self.quantity * self.unit_cost).quantize(Decimal("0.01"))


class StockDocument(models.Model):
    """A posted production receipt or stock adjustment (its lines are the ledger moves)."""

    class Kind(models.TextChoices):
        PRODUCTION = "production", _("Production receipt")
        ADJUSTMENT = "adjustment", _("Adjustment")

    number = models.CharField(_("number"), max_length=30, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="+", verbose_name=_("warehouse"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = bounded.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("stock document")
        verbose_name_plural = _("stock documents")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.number


class Transfer(models.Model):
    """调拨: sent (stock leaves the source and is in transit), then received at the destination.
    Received quantities that differ from sent ones are kept on the lines (difference report)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        IN_TRANSIT = "in_transit", _("In transit")
        RECEIVED = "received", _("Received")
        CANCELLED = "cancelled", _("Cancelled")

    number = models.CharField(_("number"), max_length=30, unique=True)
    source = models.ForeignKey(
        Warehouse, on_delete=models.PROTECT, related_name="+", verbose_name=pgettext_lazy("transfer", "from")
    )
    destination = models.ForeignKey(
        Warehouse, on_delete=models.PROTECT, related_name="+", verbose_name=pgettext_lazy("transfer", "to")
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = bounded.DateTimeField(_("created"), auto_now_add=True)
    sent_at = bounded.DateTimeField(_("sent"), null=True, blank=True)
    received_at = bounded.DateTimeField(_("received"), null=True, blank=True)
    has_difference = models.BooleanField(_("difference"), default=False)

    class Meta:
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.number


class TransferLine(models.Model):
    transfer = models.ForeignKey(Transfer, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+", verbose_name=_("product"))
    quantity = bounded.DecimalField(_("sent"), **QTY)
    received_quantity = bounded.DecimalField(_("received"), null=True, blank=True, **QTY)
    unit_cost = bounded.DecimalField(_("unit cost"), max_digits=14, decimal_places=4, default=Decimal("0"))

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"TransferLine {self.pk}"

    @property
    def difference(self) -> Decimal | None:
        return None if self.received_quantity is None else self.received_quantity - self.quantity


class ReplenishmentOrder(models.Model):
    """门店订货 → 配送 → 门店验收入库: a store orders from the distribution centre; the centre
    ships (a transfer in transit); the store checks and books what it received."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        SHIPPED = "shipped", _("Shipped")
        RECEIVED = "received", _("Received")
        CANCELLED = "cancelled", _("Cancelled")

    number = models.CharField(_("number"), max_length=30, unique=True)
    store = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="+", verbose_name=_("store"))
    source = models.ForeignKey(
        Warehouse, on_delete=models.PROTECT, related_name="+", verbose_name=_("distribution centre")
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.REQUESTED)
    transfer = models.OneToOneField(Transfer, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = bounded.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("store replenishment order")
        verbose_name_plural = _("store replenishment orders")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.number


class ReplenishmentLine(models.Model):
    order = models.ForeignKey(ReplenishmentOrder, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+", verbose_name=_("product"))
    quantity = bounded.DecimalField(_("ordered"), **QTY)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"ReplenishmentLine {self.pk}"


class Stocktake(models.Model):
    """盘点. See salesops.inventory.stocktake for how counting while goods move stays correct."""

    class Status(models.TextChoices):
        COUNTING = "counting", _("Counting")
        PENDING = "pending", _("Variance waiting for approval")
        APPROVED = "approved", _("Approved")
        POSTED = "posted", _("Posted")
        REJECTED = "rejected", _("Rejected")
        CANCELLED = "cancelled", _("Cancelled")

    number = models.CharField(_("number"), max_length=30, unique=True)
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="+", verbose_name=_("warehouse"))
    family = models.ForeignKey(
        "catalog.ProductFamily",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("product family"),
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.COUNTING)
    frozen_at = bounded.DateTimeField(_("frozen at"))
    approval_threshold = bounded.DecimalField(
        _("approval above (variance value)"),
        max_digits=14,
        decimal_places=2,
        default=Decimal("1000"),
        validators=bounds.NON_NEGATIVE,
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    posted_at = bounded.DateTimeField(_("posted"), null=True, blank=True)

    class Meta:
        verbose_name = _("stocktake")
        verbose_name_plural = _("stocktakes")
        ordering = ["-frozen_at", "-id"]

    def __str__(self) -> str:
        return self.number


class StocktakeLine(models.Model):
    stocktake = models.ForeignKey(Stocktake, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+", verbose_name=_("product"))
    snapshot_quantity = bounded.DecimalField(_("book at freeze"), **QTY)
    unit_cost = bounded.DecimalField(_("unit cost"), max_digits=14, decimal_places=4, default=Decimal("0"))
    counted_quantity = bounded.DecimalField(_("counted"), null=True, blank=True, **QTY, validators=bounds.NON_NEGATIVE)
    counted_at = bounded.DateTimeField(_("counted at"), null=True, blank=True)
    moved_quantity = bounded.DecimalField(_("moves after freeze"), default=Decimal("0"), **QTY)
    variance = bounded.DecimalField(_("variance"), default=Decimal("0"), **QTY)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["stocktake", "product"], name="inventory_stocktake_line_unique")]

    def __str__(self) -> str:
        return f"StocktakeLine {self.pk}"

    @property
    def expected_quantity(self) -> Decimal:
        return self.snapshot_quantity + self.moved_quantity

    @property
    def variance_value(self) -> Decimal:
        return (self.variance * self.unit_cost).quantize(Decimal("0.01"))


class LotDisposal(models.Model):
    """Clearing a near-expiry or expired lot: written off (with approval when a rule asks for
    it) or returned to its supplier. Posting it takes the quantity out of the lot's stock."""

    class Kind(models.TextChoices):
        WRITE_OFF = "write_off", _("Write-off")
        SUPPLIER_RETURN = "supplier_return", _("Return to supplier")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        POSTED = "posted", _("Posted")
        REJECTED = "rejected", _("Rejected")
        CANCELLED = "cancelled", _("Cancelled")

    number = models.CharField(_("number"), max_length=30, unique=True)
    kind = models.CharField(_("action"), max_length=20, choices=Kind.choices)
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="disposals", verbose_name=_("lot"))
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="+", verbose_name=_("warehouse"))
    quantity = models.DecimalField(_("quantity"), validators=POSITIVE_QTY, **QTY)
    value = models.DecimalField(_("value"), max_digits=16, decimal_places=2, default=Decimal("0"))
    reason = models.CharField(_("reason"), max_length=300)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    posted_at = models.DateTimeField(_("posted"), null=True, blank=True)

    class Meta:
        verbose_name = _("lot disposal")
        verbose_name_plural = _("lot disposals")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.number
