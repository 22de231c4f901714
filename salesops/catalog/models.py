"""Products and their families (a tree used by planning and targets)."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from salesops.core import bounded, bounds

# The VAT rates of mainland China a product can carry (增值税税率)
VAT_RATES = [
    (Decimal("13.00"), "13 %"),
    (Decimal("9.00"), "9 %"),
    (Decimal("6.00"), "6 %"),
    (Decimal("0.00"), "0 %"),
]


class ProductFamily(models.Model):
    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("parent")
    )
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")

    class Meta:
        verbose_name = _("product family")
        verbose_name_plural = _("product families")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name


UNASSIGNED_FAMILY = "UNASSIGNED"


def unassigned_family() -> int:
    """The id of the family "未分类 / Unassigned" (made when first needed): every product
    belongs to a family, and a product made by code without one lands here. Forms, the API
    and imports ask a person for the family instead."""
    family, created = ProductFamily.objects.get_or_create(
        code=UNASSIGNED_FAMILY, defaults={"name": "未分类", "name_en": "Unassigned"}
    )
    if created or not family.path:
        family.path = f"/{family.pk}/"
        family.save(update_fields=["path"])
    return family.pk


class Product(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PENDING = "pending", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    class Source(models.TextChoices):
        MAKE = "make", _("Make")
        BUY = "buy", _("Buy")

    class LotRule(models.TextChoices):
        LFL = "LFL", _("Lot for lot")
        FOQ = "FOQ", _("Fixed order quantity")

    sku = models.CharField(_("SKU"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    spec = models.CharField(_("specification"), max_length=200, blank=True)
    spec_en = models.CharField(_("English specification"), max_length=200, blank=True)
    unit = models.CharField(pgettext_lazy("measure", "unit"), max_length=20, default="pcs")
    family = models.ForeignKey(
        ProductFamily,
        default=unassigned_family,
        on_delete=models.PROTECT,
        related_name="products",
        verbose_name=_("family"),
    )
    cost = bounded.DecimalField(
        _("standard cost"), max_digits=14, decimal_places=4, default=Decimal("0"), validators=[MinValueValidator(0)]
    )
    list_price = bounded.DecimalField(
        _("list price"), max_digits=14, decimal_places=2, default=Decimal("0"), validators=[MinValueValidator(0)]
    )
    # China VAT by kind of goods: 13 % most goods, 9 % farm produce and grain, 6 % services, 0 exempt
    tax_rate = bounded.DecimalField(
        _("tax rate %"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("13"),
        choices=VAT_RATES,
        validators=bounds.PERCENT,
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    active = models.BooleanField(_("active"), default=True)
    source = models.CharField(_("make or buy"), max_length=10, choices=Source.choices, default=Source.BUY)
    lead_time_days = models.PositiveIntegerField(_("lead time (days)"), default=0, validators=bounds.DAYS)
    lot_rule = models.CharField(_("lot-size rule"), max_length=10, choices=LotRule.choices, default=LotRule.LFL)
    lot_qty = bounded.DecimalField(
        _("lot size"), max_digits=14, decimal_places=3, default=Decimal("0"), validators=bounds.NON_NEGATIVE
    )
    safety_stock = bounded.DecimalField(
        _("safety stock"), max_digits=14, decimal_places=3, default=Decimal("0"), validators=bounds.NON_NEGATIVE
    )
    # Units of measure and what an order of this item may be (planning rounds to these).
    quantity_decimals = models.PositiveSmallIntegerField(
        _("decimals of the unit"),
        default=0,
        validators=[MaxValueValidator(3)],
        help_text=_("0 for items that are counted (boxes, bags, pieces); up to 3 for weights and volumes."),
    )
    order_multiple = bounded.DecimalField(
        _("order multiple"),
        max_digits=14,
        decimal_places=3,
        default=Decimal("0"),
        validators=bounds.NON_NEGATIVE,
        help_text=_("Orders are whole multiples of this quantity (a pallet, a batch); 0: no multiple."),
    )
    min_order_qty = bounded.DecimalField(
        _("minimum order quantity"),
        max_digits=14,
        decimal_places=3,
        default=Decimal("0"),
        validators=bounds.NON_NEGATIVE,
    )
    yield_pct = bounded.DecimalField(
        _("yield %"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("100"),
        validators=[MinValueValidator(Decimal("1")), MaxValueValidator(100)],
        help_text=_("Good output per 100 units made or bought; planning orders more to cover the loss."),
    )
    # Lots and expiry.
    lot_tracked = models.BooleanField(_("tracked by lot"), default=False)
    shelf_life_days = models.PositiveIntegerField(_("shelf life (days)"), null=True, blank=True, validators=bounds.DAYS)
    expiry_warning_days = models.PositiveIntegerField(
        _("near-expiry warning (days)"), default=30, validators=bounds.DAYS
    )

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["sku"]

    def __str__(self) -> str:
        return f"{self.sku} {self.name}"

    @property
    def quantity_step(self) -> Decimal:
        """The smallest quantity of the unit: 1 for counted items, 0.001 for a 3-decimal unit."""
        return Decimal(1).scaleb(-self.quantity_decimals)

    @property
    def sellable(self) -> bool:
        return self.active and self.status == self.Status.APPROVED

    @property
    def display_name(self) -> str:
        """The name in the language of the page (English when there is one and English is active)."""
        from django.utils.translation import get_language

        if (get_language() or "").startswith("en") and self.name_en:
            return self.name_en
        return self.name

    @property
    def display_spec(self) -> str:
        from django.utils.translation import get_language

        if (get_language() or "").startswith("en") and self.spec_en:
            return self.spec_en
        return self.spec


def ean13_check_digit(first12: str) -> int:
    """The EAN-13 check digit: weights 1,3,1,3… from the left over the first twelve digits."""
    total = sum(int(digit) * (3 if index % 2 else 1) for index, digit in enumerate(first12))
    return (10 - total % 10) % 10


def ean13_is_valid(code: str) -> bool:
    return len(code) == 13 and code.isdigit() and ean13_check_digit(code[:12]) == int(code[12])


def validate_ean13(value: str) -> None:
    from django.core.exceptions import ValidationError

    if not ean13_is_valid(value):
        raise ValidationError(
            _("“%(code)s” is not a valid EAN-13 barcode (13 digits with a correct check digit)."),
            params={"code": value},
            code="ean13",
        )


class Barcode(models.Model):
    """A product may carry several barcodes (each pack size or a new label design)."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="barcodes", verbose_name=_("product"))
    code = models.CharField(_("barcode"), max_length=13, unique=True, validators=[validate_ean13])
    packaging = models.ForeignKey(
        "PackagingUnit",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="barcodes",
        verbose_name=_("packaging unit"),
    )

    class Meta:
        verbose_name = _("barcode")
        verbose_name_plural = _("barcodes")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class PackagingUnit(models.Model):
    """A pack of the base unit: a carton of 24 bags has factor 24."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="packaging", verbose_name=_("product"))
    name = models.CharField(_("name"), max_length=20)
    name_en = models.CharField(_("English name"), max_length=20, blank=True)
    factor = bounded.DecimalField(
        _("base units per pack"), max_digits=12, decimal_places=3, validators=[MinValueValidator(Decimal("0.001"))]
    )

    class Meta:
        verbose_name = _("packaging unit")
        verbose_name_plural = _("packaging units")
        ordering = ["product", "factor"]
        constraints = [models.UniqueConstraint(fields=["product", "name"], name="catalog_packaging_unique")]

    def __str__(self) -> str:
        return f"{self.name} = {self.factor.normalize():f} {self.product.unit}"

    def to_base(self, quantity: Decimal) -> Decimal:
        return Decimal(quantity) * self.factor


class BomLine(models.Model):
    """One component of a parent product: quantity per one parent unit, scrap % added on top,
    valid between two dates (valid_to empty: open-ended)."""

    parent = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="bom_lines", verbose_name=_("parent"))
    component = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="used_in", verbose_name=_("component")
    )
    quantity = bounded.DecimalField(
        _("quantity per parent"), max_digits=14, decimal_places=4, validators=[MinValueValidator(Decimal("0.0001"))]
    )
    scrap_pct = bounded.DecimalField(
        _("scrap %"), max_digits=5, decimal_places=2, default=Decimal("0"), validators=bounds.PERCENT
    )
    valid_from = bounded.DateField(_("valid from"))
    valid_to = bounded.DateField(_("valid to"), null=True, blank=True)

    class Meta:
        verbose_name = _("bill of materials line")
        verbose_name_plural = _("bill of materials lines")
        ordering = ["parent", "component__sku", "valid_from"]
        indexes = [models.Index(fields=["component"], name="catalog_bom_component")]

    def __str__(self) -> str:
        return f"{self.parent_id} ← {self.quantity} × {self.component_id}"

    @property
    def gross_quantity(self) -> Decimal:
        return self.quantity * (1 + self.scrap_pct / 100)


class PriceList(models.Model):
    """A price list valid over a period. A list with a channel applies to customers of that
    channel; the default list to everyone else."""

    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
    channel = models.CharField(_("customer channel"), max_length=20, blank=True)
    is_default = models.BooleanField(_("default list"), default=False)
    valid_from = bounded.DateField(_("valid from"))
    valid_to = bounded.DateField(_("valid to"), null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    # tax-inclusive (含税) prices carry the VAT inside; otherwise it is added on top
    prices_include_tax = models.BooleanField(_("prices include VAT"), default=True)

    class Meta:
        verbose_name = _("price list")
        verbose_name_plural = _("price lists")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class PriceListItem(models.Model):
    """The price of a product in a list from `valid_from` until the next item of the same
    product starts (or `valid_to`). Old items stay: they are the price history."""

    price_list = models.ForeignKey(
        PriceList, on_delete=models.CASCADE, related_name="items", verbose_name=_("price list")
    )
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="price_items", verbose_name=_("product")
    )
    price = bounded.DecimalField(_("price"), max_digits=14, decimal_places=2, validators=[MinValueValidator(0)])
    valid_from = bounded.DateField(_("valid from"))
    valid_to = bounded.DateField(_("valid to"), null=True, blank=True)

    class Meta:
        verbose_name = _("price list item")
        verbose_name_plural = _("price list items")
        ordering = ["price_list", "product__sku", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["price_list", "product", "valid_from"], name="catalog_price_item_unique")
        ]

    def __str__(self) -> str:
        return f"{self.product_id}: {self.price} from {self.valid_from}"


class PriceChange(models.Model):
    """变价单: new prices for some products from an effective date, approved by the manager,
    applied on that date by a periodic job."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PENDING = "pending", _("Waiting for approval")
        APPROVED = "approved", _("Approved, waiting for the effective date")
        APPLIED = "applied", _("Applied")
        REJECTED = "rejected", _("Rejected")
        CANCELLED = "cancelled", _("Cancelled")

    number = models.CharField(_("number"), max_length=30, unique=True)
    price_list = models.ForeignKey(
        PriceList,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="changes",
        verbose_name=_("price list"),
        help_text=_("Empty: the products' list price."),
    )
    effective_date = bounded.DateField(_("effective date"))
    reason = models.CharField(_("reason"), max_length=300)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = bounded.DateTimeField(_("created"), auto_now_add=True)
    applied_at = bounded.DateTimeField(_("applied"), null=True, blank=True)

    class Meta:
        verbose_name = _("price change")
        verbose_name_plural = _("price changes")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.number


class PriceChangeLine(models.Model):
    change = models.ForeignKey(PriceChange, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+", verbose_name=_("product"))
    old_price = bounded.DecimalField(_("old price"), max_digits=14, decimal_places=2)
    new_price = bounded.DecimalField(_("new price"), max_digits=14, decimal_places=2, validators=[MinValueValidator(0)])

    class Meta:
        ordering = ["product__sku"]
        constraints = [models.UniqueConstraint(fields=["change", "product"], name="catalog_price_change_line_unique")]

    def __str__(self) -> str:
        return f"PriceChangeLine {self.pk}"

    @property
    def change_pct(self) -> Decimal | None:
        if not self.old_price:
            return None
        return ((self.new_price - self.old_price) / self.old_price * 100).quantize(Decimal("0.1"))


class PriceHistory(models.Model):
    """Every applied price change, kept forever; finance reads this."""

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="price_history")
    price_list = models.ForeignKey(PriceList, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    change = models.ForeignKey(PriceChange, null=True, blank=True, on_delete=models.PROTECT, related_name="history")
    old_price = bounded.DecimalField(_("old price"), max_digits=14, decimal_places=2)
    new_price = bounded.DecimalField(_("new price"), max_digits=14, decimal_places=2)
    effective_date = bounded.DateField(_("effective date"))
    applied_at = bounded.DateTimeField(_("applied"))

    class Meta:
        verbose_name = _("price history")
        verbose_name_plural = _("price history")
        ordering = ["-applied_at", "-id"]

    def __str__(self) -> str:
        return f"PriceHistory {self.pk}"


class ImportBatch(models.Model):
    """An uploaded products or prices file, parsed and checked; imported only on request."""

    class Kind(models.TextChoices):
        PRODUCTS = "products", _("Products")
        PRICES = "prices", _("Prices")

    class Status(models.TextChoices):
        PREVIEW = "preview", _("Preview")
        IMPORTED = "imported", _("Imported")
        PARTIAL = "partial", _("Good rows imported")
        DISCARDED = "discarded", _("Discarded")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    filename = models.CharField(_("file"), max_length=200)
    rows = models.JSONField(default=list)  # [{"line": n, "data": {...}, "errors": [...]}]
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PREVIEW)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = bounded.DateTimeField(auto_now_add=True)
    result = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"ImportBatch {self.pk}"

    @property
    def bad_rows(self) -> list[dict]:
        return [row for row in self.rows if row["errors"]]

    @property
    def good_rows(self) -> list[dict]:
        return [row for row in self.rows if not row["errors"]]
