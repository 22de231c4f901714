"""Sales and operations planning: forecasts and their consensus, frozen versions, S&OP review
packs, aggregate plan scenarios, the master production schedule, the monthly production plan
with its weekly buckets and fulfilment, and MRP runs with planned orders.

Months are stored as the first day of the month, weeks as their Monday. Quantities are
Decimal with three places. The engines in `planning.engine` do the arithmetic; these models
hold what they read and what they produced, and who changed what.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from salesops.catalog.models import Product, ProductFamily
from salesops.core import bounded, bounds

QTY = {"max_digits": 16, "decimal_places": 3}
ZERO = Decimal("0")
USER = settings.AUTH_USER_MODEL


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


FORECAST_MODELS = [
    ("auto", _("Automatic")),
    ("seasonal_naive", _("Seasonal naive")),
    ("ets", "ETS"),
    ("theta", "Theta"),
    ("arima", "ARIMA"),
    ("croston", "Croston"),
]


class PlanningPolicy(models.Model):
    """The planning rules an administrator may change (one row)."""

    class HistorySource(models.TextChoices):
        ORDERS = "orders", _("Orders by order date")
        SHIPMENTS = "shipments", _("Shipments by delivery date")

    class Consumption(models.TextChoices):
        MAX = "max", _("Larger of forecast and orders")
        ORDERS_IN_FENCE = "orders_in_fence", _("Orders only within the demand time fence")

    history_source = models.CharField(
        _("sales history"), max_length=20, choices=HistorySource.choices, default=HistorySource.ORDERS
    )
    forecast_horizon = models.PositiveSmallIntegerField(_("forecast horizon (months)"), default=3)
    forecast_model = models.CharField(_("forecast model"), max_length=20, choices=FORECAST_MODELS, default="auto")
    consumption = models.CharField(
        _("forecast consumption"), max_length=20, choices=Consumption.choices, default=Consumption.MAX
    )
    demand_time_fence_weeks = models.PositiveSmallIntegerField(_("demand time fence (weeks)"), default=2)
    frozen_weeks = models.PositiveSmallIntegerField(_("frozen period (weeks)"), default=2)
    planning_time_fence_weeks = models.PositiveSmallIntegerField(_("planning time fence (weeks)"), default=8)
    mps_weeks = models.PositiveSmallIntegerField(_("MPS horizon (weeks)"), default=13)
    mps_net_stock = models.BooleanField(
        _("MPS nets finished-goods stock"),
        default=True,
        help_text=_("Off: the MPS makes to demand and leaves finished-goods stock to the warehouse."),
    )
    mrp_weeks = models.PositiveSmallIntegerField(_("MRP horizon (weeks)"), default=13)
    plan_buckets = models.PositiveSmallIntegerField(_("production plan buckets per month"), default=4)

    class Meta:
        verbose_name = _("planning policy")

    def __str__(self) -> str:
        return str(_("Planning policy"))

    @classmethod
    def current(cls) -> PlanningPolicy:
        policy = cls.objects.order_by("pk").first()
        return policy or cls()


class FamilyTarget(models.Model):
    """Inventory and capacity targets of a product family used by the S&OP pack and the
    aggregate plan."""

    family = models.OneToOneField(
        ProductFamily, on_delete=models.CASCADE, related_name="planning_target", verbose_name=_("family")
    )
    target_days_of_cover = bounded.DecimalField(
        _("target days of cover"), max_digits=8, decimal_places=1, validators=bounds.NON_NEGATIVE
    )
    labour_hours_per_unit = bounded.DecimalField(
        _("labour hours per unit"),
        max_digits=10,
        decimal_places=4,
        default=Decimal("0.1"),
        validators=bounds.NON_NEGATIVE,
    )

    class Meta:
        verbose_name = _("family target")
        verbose_name_plural = _("family targets")
        ordering = ["family__path"]

    def __str__(self) -> str:
        return f"{self.family} {self.target_days_of_cover}"


# --- forecasts -----------------------------------------------------------------------------------------
class ForecastRun(models.Model):
    number = models.CharField(_("number"), max_length=30, unique=True)
    first_period = bounded.DateField(_("first forecast month"))
    horizon = models.PositiveSmallIntegerField(_("horizon (months)"), default=3)
    history_source = models.CharField(_("sales history"), max_length=20, choices=PlanningPolicy.HistorySource.choices)
    model = models.CharField(_("model"), max_length=20, default="auto")
    product_ids = models.JSONField(_("products"), default=list, blank=True)  # empty: every active product
    status = models.CharField(_("status"), max_length=20, choices=JobStatus.choices, default=JobStatus.QUEUED)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    message = bounded.TextField(_("message"), blank=True)
    n_series = models.PositiveIntegerField(_("series"), default=0)
    seconds = models.FloatField(_("seconds"), default=0)
    # Where the models ran: "local" or "dask" (engine.distributed.ENGINES), set when the run starts.
    engine = models.CharField(_("forecast engine"), max_length=20, blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by"))
    created_at = bounded.DateTimeField(_("created"), auto_now_add=True)
    finished_at = bounded.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("forecast run")
        verbose_name_plural = _("forecast runs")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.number

    @property
    def percent(self) -> int:
        if self.status == JobStatus.DONE:
            return 100
        return int(100 * self.progress_done / self.progress_total) if self.progress_total else 0


class ForecastLine(models.Model):
    """One statistical baseline value and its consensus (baseline plus overrides)."""

    class Level(models.TextChoices):
        PRODUCT = "product", _("Product")
        FAMILY = "family", _("Family")
        TOTAL = "total", _("Total")

    run = models.ForeignKey(ForecastRun, on_delete=models.CASCADE, related_name="lines")
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    product = models.ForeignKey(Product, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    family = models.ForeignKey(ProductFamily, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    period = bounded.DateField(_("month"))
    baseline = bounded.DecimalField(_("baseline"), **QTY)
    seasonal_naive = bounded.DecimalField(_("seasonal naive"), **QTY)
    model = models.CharField(_("model"), max_length=20)
    consensus = bounded.DecimalField(_("consensus"), **QTY, validators=bounds.NON_NEGATIVE)

    class Meta:
        ordering = ["run", "level", "family_id", "product_id", "period"]
        indexes = [models.Index(fields=["run", "level", "period"], name="planning_fline_run_level")]

    def __str__(self) -> str:
        return f"{self.run_id} {self.product_id or self.family_id} {self.period:%Y-%m}"


class ForecastInput(models.Model):
    """A rep's expected sales of a product (or family) to a customer in a month."""

    run = models.ForeignKey(ForecastRun, on_delete=models.CASCADE, related_name="inputs")
    rep = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("rep"))
    team = models.ForeignKey("core.OrgUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey(
        "crm.Customer", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("customer")
    )
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+", verbose_name=_("product"))
    period = bounded.DateField(_("month"))
    quantity = bounded.DecimalField(_("quantity"), **QTY)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = bounded.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("forecast input")
        verbose_name_plural = _("forecast inputs")
        ordering = ["run", "rep", "product", "period"]

    def __str__(self) -> str:
        return f"{self.rep_id} {self.product_id} {self.period:%Y-%m} {self.quantity}"


class ForecastOverride(models.Model):
    """Every change of a consensus value: who, why, and the value it replaced."""

    line = models.ForeignKey(ForecastLine, on_delete=models.CASCADE, related_name="overrides")
    old_value = bounded.DecimalField(_("replaced value"), **QTY)
    new_value = bounded.DecimalField(_("new value"), **QTY)
    reason = models.CharField(_("reason"), max_length=300)
    customer = models.ForeignKey(
        "crm.Customer", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("customer")
    )
    actor = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("by"))
    at = bounded.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("forecast override")
        verbose_name_plural = _("forecast overrides")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.line_id}: {self.old_value} → {self.new_value}"


class ForecastVersion(models.Model):
    """The submitted forecast of a month, frozen: its rows never change once written."""

    month = bounded.DateField(_("version month"), unique=True)
    run = models.ForeignKey(ForecastRun, on_delete=models.PROTECT, related_name="versions")
    submitted_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("submitted by"))
    submitted_at = bounded.DateTimeField(_("submitted"))

    class Meta:
        verbose_name = _("forecast version")
        verbose_name_plural = _("forecast versions")
        ordering = ["-month"]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"

    def save(self, *args, **kwargs):
        if self.pk and not self._state.adding:
            from salesops.planning.exceptions import VersionFrozen

            raise VersionFrozen()
        super().save(*args, **kwargs)


class ForecastVersionRow(models.Model):
    version = models.ForeignKey(ForecastVersion, on_delete=models.PROTECT, related_name="rows")
    level = models.CharField(max_length=10, choices=ForecastLine.Level.choices)
    product = models.ForeignKey(Product, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    family = models.ForeignKey(ProductFamily, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    period = bounded.DateField()
    baseline = bounded.DecimalField(**QTY)
    consensus = bounded.DecimalField(**QTY, validators=bounds.NON_NEGATIVE)

    class Meta:
        ordering = ["version", "level", "product_id", "period"]

    def __str__(self) -> str:
        return f"{self.version_id} {self.product_id or self.family_id} {self.period:%Y-%m}"

    def save(self, *args, **kwargs):
        if self.pk and not self._state.adding:
            from salesops.planning.exceptions import VersionFrozen

            raise VersionFrozen()
        super().save(*args, **kwargs)


# --- S&OP review pack ----------------------------------------------------------------------------------
class SopPack(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("process", "Open")
        CLOSED = "closed", _("Closed (frozen)")

    month = bounded.DateField(_("month"), unique=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    data = models.JSONField(default=dict)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = bounded.DateTimeField(auto_now_add=True)
    closed_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    closed_at = bounded.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        verbose_name = _("S&OP review pack")
        verbose_name_plural = _("S&OP review packs")
        ordering = ["-month"]

    def __str__(self) -> str:
        return f"S&OP {self.month:%Y-%m}"


class SopDecision(models.Model):
    pack = models.ForeignKey(SopPack, on_delete=models.CASCADE, related_name="decisions")
    family = models.ForeignKey(
        ProductFamily, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("family")
    )
    text = models.CharField(pgettext_lazy("meeting", "decision"), max_length=500)
    owner = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("owner"))
    due_date = bounded.DateField(pgettext_lazy("deadline", "due"), null=True, blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = bounded.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pack", "id"]

    def __str__(self) -> str:
        return self.text[:60]


# --- aggregate plan -------------------------------------------------------------------------------------
class AggregatePlanScenario(models.Model):
    class Status(models.TextChoices):
        SOLVED = "solved", _("Solved")
        INFEASIBLE = "infeasible", _("Infeasible")
        INVALID = "invalid", _("Invalid input")

    name = models.CharField(_("name"), max_length=100)
    family = models.ForeignKey(
        ProductFamily, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("family")
    )
    first_period = bounded.DateField(_("first month"))
    inputs = models.JSONField(_("inputs"), default=dict)
    result = models.JSONField(_("result"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    message = bounded.TextField(_("message"), blank=True)
    total_cost = bounded.DecimalField(_("total cost"), max_digits=18, decimal_places=2, null=True, blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = bounded.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("aggregate plan scenario")
        verbose_name_plural = _("aggregate plan scenarios")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name


# --- master production schedule ---------------------------------------------------------------------------
class MasterSchedule(models.Model):
    number = models.CharField(_("number"), max_length=30, unique=True)
    first_week = bounded.DateField(_("first week"))
    weeks = models.PositiveSmallIntegerField(_("weeks"))
    consumption = models.CharField(_("forecast consumption"), max_length=20, choices=PlanningPolicy.Consumption.choices)
    frozen_weeks = models.PositiveSmallIntegerField(_("frozen period (weeks)"))
    demand_time_fence_weeks = models.PositiveSmallIntegerField(_("demand time fence (weeks)"))
    planning_time_fence_weeks = models.PositiveSmallIntegerField(_("planning time fence (weeks)"))
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = bounded.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("master production schedule")
        verbose_name_plural = _("master production schedules")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.number


class MpsLine(models.Model):
    schedule = models.ForeignKey(MasterSchedule, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+", verbose_name=_("product"))
    week = bounded.DateField(_("week"))
    forecast = bounded.DecimalField(_("forecast"), **QTY)
    orders = bounded.DecimalField(_("firm orders"), **QTY)
    demand = bounded.DecimalField(_("demand"), **QTY)
    projected = bounded.DecimalField(_("projected on hand"), **QTY)
    quantity = bounded.DecimalField(_("MPS quantity"), **QTY)

    class Meta:
        ordering = ["schedule", "product__sku", "week"]
        constraints = [models.UniqueConstraint(fields=["schedule", "product", "week"], name="planning_mps_cell")]

    def __str__(self) -> str:
        return f"{self.product_id} {self.week}"


class MpsChange(models.Model):
    """A change of an MPS quantity; inside the frozen period it waits for the sales VP."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        APPLIED = "applied", _("Applied")
        REJECTED = "rejected", _("Rejected")
        CANCELLED = "cancelled", _("Cancelled")

    number = models.CharField(_("number"), max_length=30, unique=True)
    line = models.ForeignKey(MpsLine, on_delete=models.PROTECT, related_name="changes")
    old_quantity = bounded.DecimalField(_("old quantity"), **QTY)
    new_quantity = bounded.DecimalField(_("new quantity"), **QTY)
    reason = models.CharField(_("reason"), max_length=300)
    in_frozen_period = models.BooleanField(_("in the frozen period"), default=False)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by"))
    created_at = bounded.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("production plan change")
        verbose_name_plural = _("production plan changes")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.number


# --- monthly production plan -------------------------------------------------------------------------------
class ProductionPlan(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ISSUED = "issued", _("Issued")

    number = models.CharField(_("number"), max_length=30, unique=True)
    month = bounded.DateField(_("month"), unique=True)
    schedule = models.ForeignKey(MasterSchedule, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    issued_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    issued_at = bounded.DateTimeField(_("issued"), null=True, blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = bounded.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("production plan")
        verbose_name_plural = _("production plans")
        ordering = ["-month"]

    def __str__(self) -> str:
        return self.number


class PlanBucket(models.Model):
    """A weekly or 10-day part of the monthly plan."""

    plan = models.ForeignKey(ProductionPlan, on_delete=models.CASCADE, related_name="buckets")
    position = models.PositiveSmallIntegerField()
    start = bounded.DateField(_("from"))
    end = bounded.DateField(_("to"))
    closed_at = bounded.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        ordering = ["plan", "position"]

    def __str__(self) -> str:
        return f"{self.start:%m-%d}–{self.end:%m-%d}"


class PlanBucketLine(models.Model):
    bucket = models.ForeignKey(PlanBucket, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+", verbose_name=_("product"))
    planned = bounded.DecimalField(pgettext_lazy("quantity", "planned"), **QTY)
    miss_reason = models.CharField(_("reason for the shortfall"), max_length=300, blank=True)

    class Meta:
        ordering = ["bucket", "product__sku"]
        constraints = [models.UniqueConstraint(fields=["bucket", "product"], name="planning_bucket_product")]

    def __str__(self) -> str:
        return f"{self.bucket_id} {self.product_id} {self.planned}"


class PlanAcknowledgement(models.Model):
    class Department(models.TextChoices):
        PRODUCTION = "production", _("Production")
        PURCHASING = "purchasing", _("Purchasing")
        WAREHOUSE = "warehouse", _("Warehouse")
        PACKAGING = "packaging", _("Packaging")

    plan = models.ForeignKey(ProductionPlan, on_delete=models.CASCADE, related_name="acknowledgements")
    department = models.CharField(_("department"), max_length=20, choices=Department.choices)
    user = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("by"))
    at = bounded.DateTimeField(_("at"))

    class Meta:
        ordering = ["plan", "department"]
        constraints = [models.UniqueConstraint(fields=["plan", "department"], name="planning_ack_once")]

    def __str__(self) -> str:
        return f"{self.plan_id} {self.department}"


class ProductionReport(models.Model):
    """Quantities made on one day (several reports a day add up)."""

    date = bounded.DateField(_("date"))
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+", verbose_name=_("product"))
    quantity = bounded.DecimalField(_("made"), **QTY)
    reported_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("reported by"))
    created_at = bounded.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["date", "product"], name="planning_report_day")]

    def __str__(self) -> str:
        return f"{self.date} {self.product_id} {self.quantity}"


# --- MRP ----------------------------------------------------------------------------------------------------
class WorkCentre(models.Model):
    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
    hours_per_week = bounded.DecimalField(_("capacity (hours per week)"), max_digits=10, decimal_places=2)

    class Meta:
        verbose_name = _("work centre")
        verbose_name_plural = _("work centres")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class RoutingStep(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="routing", verbose_name=_("product"))
    work_centre = models.ForeignKey(WorkCentre, on_delete=models.PROTECT, related_name="steps")
    hours_per_unit = bounded.DecimalField(
        _("hours per unit"), max_digits=10, decimal_places=4, validators=bounds.NON_NEGATIVE
    )

    class Meta:
        ordering = ["product", "work_centre"]

    def __str__(self) -> str:
        return f"{self.product_id} @ {self.work_centre_id}"


class ProductionOrder(models.Model):
    """A released production order: a scheduled receipt for MRP until it is done."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("process", "Open")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    number = models.CharField(_("number"), max_length=30, unique=True)
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+", verbose_name=_("product"))
    quantity = bounded.DecimalField(_("quantity"), **QTY)
    due_date = bounded.DateField(pgettext_lazy("deadline", "due"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = bounded.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("production order")
        verbose_name_plural = _("production orders")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.number


class MrpRun(models.Model):
    number = models.CharField(_("number"), max_length=30, unique=True)
    first_week = bounded.DateField(_("first week"))
    weeks = models.PositiveSmallIntegerField(_("weeks"))
    schedule = models.ForeignKey(MasterSchedule, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(_("status"), max_length=20, choices=JobStatus.choices, default=JobStatus.QUEUED)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    message = bounded.TextField(_("message"), blank=True)
    n_items = models.PositiveIntegerField(_("items"), default=0)
    n_planned = models.PositiveIntegerField(_("planned orders"), default=0)
    n_exceptions = models.PositiveIntegerField(_("exceptions"), default=0)
    seconds = models.FloatField(_("seconds"), default=0)
    # seconds per step of a finished run ({"read": 0.12, "engine": 1.03, ...}), shown on its page
    timings = models.JSONField(_("step timings"), default=dict, blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = bounded.DateTimeField(_("created"), auto_now_add=True)
    finished_at = bounded.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("MRP run")
        verbose_name_plural = _("MRP runs")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.number

    @property
    def percent(self) -> int:
        if self.status == JobStatus.DONE:
            return 100
        return int(100 * self.progress_done / self.progress_total) if self.progress_total else 0


class PlannedOrder(models.Model):
    class Kind(models.TextChoices):
        PURCHASE = "purchase", _("Planned purchase")
        PRODUCTION = "production", _("Planned production")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        CONVERTED = "converted", _("Converted")

    # run: indexed by the (run, kind, status) index below; the other keys are rarely searched, and
    # one index less per row matters at a million planned orders per run
    run = models.ForeignKey(MrpRun, on_delete=models.CASCADE, related_name="planned_orders", db_index=False)
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="+", verbose_name=_("product"), db_index=False
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    release_date = bounded.DateField(_("release"))
    receipt_date = bounded.DateField(pgettext_lazy("planned order", "receipt"))
    quantity = bounded.DecimalField(_("quantity"), **QTY)
    past_due = models.BooleanField(_("past due"), default=False)
    # JSON text, not a JSONField: SQLite checks JSON_VALID on every insert of a JSONField, which
    # doubles the cost of writing a million planned orders; `pegs` parses it.
    pegging = bounded.TextField(_("pegging"), blank=True, default="")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PLANNED)
    purchase_order = models.ForeignKey(
        "inventory.PurchaseOrder", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    production_order = models.ForeignKey(
        ProductionOrder, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )

    class Meta:
        verbose_name = _("planned order")
        verbose_name_plural = _("planned orders")
        ordering = ["run", "release_date", "product_id"]
        indexes = [models.Index(fields=["run", "kind", "status"], name="planning_po_run_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.product_id} {self.quantity}"

    @property
    def pegs(self) -> list:
        """[source, source item, source week, quantity] per share of the order (see engine.mrp)."""
        import json

        return json.loads(self.pegging) if self.pegging else []


class MrpExceptionRow(models.Model):
    class Kind(models.TextChoices):
        PAST_DUE = "past_due", _("Past due")
        RESCHEDULE_IN = "reschedule_in", _("Reschedule in")
        RESCHEDULE_OUT = "reschedule_out", _("Reschedule out")

    run = models.ForeignKey(MrpRun, on_delete=models.CASCADE, related_name="exceptions")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+", verbose_name=_("product"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    period = models.PositiveSmallIntegerField(_("week"))
    to_period = models.PositiveSmallIntegerField(_("to week"), null=True, blank=True)
    quantity = bounded.DecimalField(_("quantity"), **QTY)
    message = models.CharField(_("message"), max_length=300)

    class Meta:
        ordering = ["run", "kind", "product_id", "period"]

    def __str__(self) -> str:
        return self.message


class CapacityLoadRow(models.Model):
    run = models.ForeignKey(MrpRun, on_delete=models.CASCADE, related_name="capacity")
    work_centre = models.ForeignKey(WorkCentre, on_delete=models.CASCADE, related_name="+")
    period = models.PositiveSmallIntegerField(_("week"))
    load_hours = bounded.DecimalField(_("load (hours)"), max_digits=14, decimal_places=2)
    capacity_hours = bounded.DecimalField(
        _("capacity (hours)"), max_digits=14, decimal_places=2, validators=bounds.NON_NEGATIVE
    )

    class Meta:
        ordering = ["run", "work_centre", "period"]

    def __str__(self) -> str:
        return f"{self.work_centre_id} W{self.period}"
