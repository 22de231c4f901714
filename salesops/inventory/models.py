"""Warehouses, the immutable stock ledger, and the balances derived from it.

`StockMove` is the ledger: one immutable row per movement. `StockBalance` holds on-hand,
reserved and the moving-average cost per product and warehouse; it is maintained by the
services in the same transaction as the moves, and a test proves it always equals the
ledger sum. Available = on_hand − reserved.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from salesops.catalog.models import Product
from salesops.core import bounded, bounds

QTY = {"max_digits": 16, "decimal_places": 3}


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
        RECEIPT = "receipt", _("Receipt")
        PRODUCTION = "production", _("Production receipt")
        ISSUE = "issue", _("Issue")
        RETURN = "return", _("Customer return")
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


class StockReservation(models.Model):
    """Stock promised to a document (a confirmed sales order line); reduces available stock
    until it is issued or released."""

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="reservations")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="reservations")
    quantity = bounded.DecimalField(_("quantity"), **QTY)
    reference_type = models.CharField(max_length=40)
    reference_id = models.PositiveBigIntegerField()
    created_at = bounded.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["reference_type", "reference_id", "product", "warehouse"], name="inventory_reservation_unique"
            ),
            models.CheckConstraint(condition=models.Q(quantity__gte=0), name="inventory_reservation_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.reference_type}#{self.reference_id}: {self.quantity}"


class Supplier(models.Model):
    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=200)
    contact = models.CharField(_("contact"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


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
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        PARTIAL = "partial", _("Partly received")
        RECEIVED = "received", _("Received")
        CANCELLED = "cancelled", _("Cancelled")

    number = models.CharField(_("number"), max_length=30, unique=True)
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="orders", verbose_name=_("supplier"))
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="+", verbose_name=_("warehouse"))
    expected_date = bounded.DateField(_("expected date"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
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
    quantity = bounded.DecimalField(_("quantity"), **QTY)
    received_quantity = bounded.DecimalField(_("received"), default=Decimal("0"), **QTY)
    unit_cost = bounded.DecimalField(_("unit cost"), max_digits=14, decimal_places=4)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"PurchaseOrderLine {self.pk}"

    @property
    def open_quantity(self) -> Decimal:
        return max(self.quantity - self.received_quantity, Decimal("0"))


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
    source = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="+", verbose_name=_("from"))
    destination = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="+", verbose_name=_("to"))
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
