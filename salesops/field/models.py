"""Field sales: the visit policy (as data), route cycles of fixed daily routes (T1…Tn), the
visits reps make with their visit records (客户访问表), outlet execution (required SKUs per
channel, coolers, new-outlet applications) and supervisors' field checks.

Visibility follows the rep and the team, as everywhere (core.visibility): every record here
carries `rep` and `team`.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from salesops.core.models import OrgUnit
from salesops.core.state import StateMachine
from salesops.crm.models import Customer

LATITUDE = [MinValueValidator(Decimal(-90)), MaxValueValidator(Decimal(90))]
LONGITUDE = [MinValueValidator(Decimal(-180)), MaxValueValidator(Decimal(180))]


class FieldPolicy(models.Model):
    """The field-sales policy as data (one row)."""

    cycle_weeks = models.PositiveSmallIntegerField(
        _("route cycle (weeks)"), default=2, validators=[MinValueValidator(1), MaxValueValidator(8)]
    )
    days_per_week = models.PositiveSmallIntegerField(
        _("route days per week"), default=5, validators=[MinValueValidator(1), MaxValueValidator(7)]
    )
    visit_minutes = models.PositiveSmallIntegerField(
        _("visit duration (minutes)"), default=20, validators=[MinValueValidator(1), MaxValueValidator(600)]
    )
    speed_kmh = models.DecimalField(
        _("travel speed (km/h)"),
        max_digits=5,
        decimal_places=1,
        default=Decimal(30),
        validators=[MinValueValidator(Decimal(1)), MaxValueValidator(Decimal(150))],
    )
    road_factor = models.DecimalField(
        _("road distance / straight line"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("1.30"),
        validators=[MinValueValidator(Decimal(1)), MaxValueValidator(Decimal(3))],
    )
    territory_km = models.PositiveSmallIntegerField(
        _("territory radius around the home base (km)"),
        default=40,
        validators=[MinValueValidator(1), MaxValueValidator(500)],
        help_text=_("Outlets farther away are left off the routes (no day trip reaches them)."),
    )
    plan_seconds = models.PositiveSmallIntegerField(
        _("planning time per rep (seconds)"), default=20, validators=[MinValueValidator(1), MaxValueValidator(600)]
    )
    target_min_visits = models.PositiveSmallIntegerField(
        _("visits a target customer gets per month"), default=5, validators=[MaxValueValidator(100)]
    )
    success_target_percent = models.DecimalField(
        _("visit success rate target (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(85),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )
    on_time_minutes = models.PositiveSmallIntegerField(
        _("on time: check-in within (minutes of the planned time)"),
        default=60,
        validators=[MaxValueValidator(24 * 60)],
    )
    check_in_radius_m = models.PositiveIntegerField(
        _("check-in distance warning (m)"), default=300, validators=[MaxValueValidator(100_000)]
    )
    photo_max_kb = models.PositiveIntegerField(
        _("largest photo (KB)"), default=3072, validators=[MinValueValidator(50), MaxValueValidator(20_480)]
    )
    photos_per_visit = models.PositiveSmallIntegerField(
        _("photos per visit"), default=6, validators=[MaxValueValidator(30)]
    )

    class Meta:
        verbose_name = _("field-sales policy")
        verbose_name_plural = _("field-sales policy")

    def __str__(self) -> str:
        return str(_("Field-sales policy"))

    @classmethod
    def current(cls) -> FieldPolicy:
        return cls.objects.order_by("pk").first() or cls.objects.create()


class VisitFrequency(models.Model):
    """How often an outlet of a class is visited: `visits` every `weeks` weeks. The most
    specific row wins: class + channel + region, then class + channel, class + region, class."""

    grade = models.CharField(_("class"), max_length=1, choices=Customer.Grade.choices)
    channel = models.CharField(_("channel"), max_length=20, choices=Customer.Channel.choices, blank=True)
    region = models.ForeignKey(
        OrgUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("region")
    )
    visits = models.PositiveSmallIntegerField(_("visits"), validators=[MinValueValidator(1), MaxValueValidator(14)])
    weeks = models.PositiveSmallIntegerField(
        _("every (weeks)"), default=1, validators=[MinValueValidator(1), MaxValueValidator(8)]
    )
    visit_minutes = models.PositiveSmallIntegerField(
        _("visit duration (minutes)"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(600)]
    )

    class Meta:
        verbose_name = _("visit frequency")
        verbose_name_plural = _("visit frequencies")
        ordering = ["grade", "channel", "region"]
        constraints = [
            models.UniqueConstraint(fields=["grade", "channel", "region"], name="field_frequency_unique"),
            models.UniqueConstraint(
                fields=["grade", "channel"], condition=models.Q(region__isnull=True), name="field_frequency_unique_any"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.grade}: {self.visits}/{self.weeks}w"


class RepWorkday(models.Model):
    """A rep's working day and home base, where every route starts and ends."""

    rep = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="workday", verbose_name=_("rep")
    )
    day_start = models.TimeField(_("day starts"), default=datetime.time(8, 30))
    day_end = models.TimeField(_("day ends"), default=datetime.time(17, 30))
    lunch_minutes = models.PositiveSmallIntegerField(
        _("lunch (minutes)"), default=60, validators=[MaxValueValidator(240)]
    )
    home_latitude = models.DecimalField(_("home base latitude"), max_digits=9, decimal_places=6, validators=LATITUDE)
    home_longitude = models.DecimalField(_("home base longitude"), max_digits=9, decimal_places=6, validators=LONGITUDE)

    class Meta:
        verbose_name = _("rep's working day")
        verbose_name_plural = _("reps' working days")

    def __str__(self) -> str:
        return str(self.rep)

    @property
    def day_minutes(self) -> int:
        start = self.day_start.hour * 60 + self.day_start.minute
        end = self.day_end.hour * 60 + self.day_end.minute
        return end - start - self.lunch_minutes

    def clean(self):
        if self.day_start and self.day_end and self.day_minutes < 60:
            raise ValidationError({"day_end": _("The working day must leave at least an hour after lunch.")})


class RoutePlanRun(models.Model):
    """A planning run for one or many reps, done in the background with progress."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    rep_ids = models.JSONField(default=list)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    seconds_per_rep = models.PositiveSmallIntegerField(default=20)
    message = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.pk}: {self.done}/{self.total}"

    @property
    def percent(self) -> int:
        return 100 if not self.total else int((self.done + self.failed) * 100 / self.total)


class RouteCycle(models.Model):
    """A rep's cycle of fixed daily routes T1…Tn. A draft is reviewed and adjusted; publishing
    it retires the rep's previous published cycle. Day d of the cycle falls on the dates
    `starts_on + 7·w + k` where d = w·days_per_week + k + 1."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        RETIRED = "retired", _("Retired")

    TRANSITIONS = StateMachine({Status.DRAFT: {Status.PUBLISHED, Status.RETIRED}, Status.PUBLISHED: {Status.RETIRED}})

    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="route_cycles", verbose_name=_("rep")
    )
    team = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("team"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    weeks = models.PositiveSmallIntegerField(_("weeks"), validators=[MinValueValidator(1), MaxValueValidator(8)])
    days_per_week = models.PositiveSmallIntegerField(
        _("days per week"), validators=[MinValueValidator(1), MaxValueValidator(7)]
    )
    day_minutes = models.PositiveSmallIntegerField(_("working minutes per day"))
    starts_on = models.DateField(_("T1 falls on"))
    total_km = models.DecimalField(_("travel (km)"), max_digits=10, decimal_places=1, default=Decimal(0))
    travel_minutes = models.PositiveIntegerField(_("travel (minutes)"), default=0)
    naive_km = models.DecimalField(_("travel in list order (km)"), max_digits=10, decimal_places=1, default=Decimal(0))
    run = models.ForeignKey(RoutePlanRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="cycles")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        verbose_name = _("route cycle")
        verbose_name_plural = _("route cycles")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["rep"], condition=models.Q(status="published"), name="field_cycle_one_published"
            )
        ]
        indexes = [models.Index(fields=["rep", "status"], name="field_cycle_rep")]

    def __str__(self) -> str:
        return f"{self.rep} · {self.starts_on}"

    @property
    def days(self) -> int:
        return self.weeks * self.days_per_week

    def day_on(self, date: datetime.date) -> int | None:
        """The cycle day (1…n) that falls on `date`, None on a day off."""
        offset = (date - self.starts_on).days
        weekday = offset % 7
        if weekday >= self.days_per_week:
            return None
        week = (offset // 7) % self.weeks
        return week * self.days_per_week + weekday + 1


class RouteStop(models.Model):
    cycle = models.ForeignKey(RouteCycle, on_delete=models.CASCADE, related_name="stops")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="+", verbose_name=_("outlet"))
    grade = models.CharField(_("class"), max_length=1, choices=Customer.Grade.choices)
    day = models.PositiveSmallIntegerField(_("day"))
    sequence = models.PositiveSmallIntegerField(_("sequence"))
    arrival_minute = models.PositiveSmallIntegerField(_("planned arrival (minutes after start)"), default=0)
    visit_minutes = models.PositiveSmallIntegerField(_("visit duration (minutes)"))

    class Meta:
        ordering = ["cycle", "day", "sequence"]
        constraints = [models.UniqueConstraint(fields=["cycle", "day", "customer"], name="field_stop_once_a_day")]

    def __str__(self) -> str:
        return f"T{self.day}.{self.sequence} {self.customer_id}"


class Visit(models.Model):
    """One visit to an outlet: planned from the route (or off-route), then checked in, recorded
    and checked out. `client_key` is the idempotency key the phone generates, so a record sent
    twice (a retry after a lost answer) is stored once."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("Checked in")
        DONE = "done", _("Done")
        SKIPPED = "skipped", _("Skipped")

    class Outcome(models.TextChoices):
        ORDERED = "ordered", _("Order taken")
        NO_ORDER = "no_order", _("No order")
        CLOSED = "closed", _("Outlet closed")
        NOT_MET = "not_met", _("Decision maker not there")

    TRANSITIONS = StateMachine(
        {
            Status.PLANNED: {Status.IN_PROGRESS, Status.SKIPPED},
            Status.IN_PROGRESS: {Status.DONE},
        }
    )

    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="visits", verbose_name=_("rep")
    )
    team = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("team"))
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="visits", verbose_name=_("outlet"))
    date = models.DateField(_("date"))
    planned = models.BooleanField(_("on the route"), default=False)
    stop = models.ForeignKey(RouteStop, null=True, blank=True, on_delete=models.SET_NULL, related_name="visits")
    sequence = models.PositiveSmallIntegerField(_("sequence"), default=0)
    planned_at = models.DateTimeField(_("planned time"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PLANNED)
    check_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    check_in_latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True, validators=LATITUDE)
    check_in_longitude = models.DecimalField(
        max_digits=9, decimal_places=6, null=True, blank=True, validators=LONGITUDE
    )
    check_in_distance_m = models.PositiveIntegerField(_("distance from the outlet (m)"), null=True, blank=True)
    check_out_at = models.DateTimeField(_("checked out at"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices, blank=True)
    price_tags_ok = models.BooleanField(_("price tags shown"), null=True, blank=True)
    shelf_ok = models.BooleanField(_("shelf as agreed"), null=True, blank=True)
    competitor_info = models.TextField(_("competitor information"), blank=True, max_length=2000)
    next_step = models.CharField(_("next step"), max_length=200, blank=True)
    next_step_due = models.DateField(_("next step due"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True, max_length=2000)
    skip_reason = models.CharField(_("reason for skipping"), max_length=200, blank=True)
    order = models.ForeignKey(
        "sales.SalesOrder",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=pgettext_lazy("sales", "order"),
    )
    client_key = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-date", "rep_id", "sequence", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["rep", "customer", "date"], condition=models.Q(planned=True), name="field_visit_planned_once"
            )
        ]
        indexes = [
            models.Index(fields=["rep", "date"], name="field_visit_rep_date"),
            models.Index(fields=["team", "date"], name="field_visit_team_date"),
            models.Index(fields=["customer", "date"], name="field_visit_customer"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.customer}"


class VisitLine(models.Model):
    """Stock seen of one product at the outlet, and the quantity the rep suggests ordering."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(
        "catalog.Product", on_delete=models.PROTECT, related_name="+", verbose_name=_("product")
    )
    stock_seen = models.DecimalField(
        _("stock seen"), max_digits=12, decimal_places=3, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    suggested_quantity = models.DecimalField(
        _("suggested order"), max_digits=12, decimal_places=3, default=Decimal(0), validators=[MinValueValidator(0)]
    )

    class Meta:
        ordering = ["visit", "pk"]
        constraints = [models.UniqueConstraint(fields=["visit", "product"], name="field_visitline_once")]

    def __str__(self) -> str:
        return f"{self.visit_id}: {self.product_id}"


def _photo_path(instance, filename):
    return f"field/visits/{instance.visit_id}/{filename}"


class VisitPhoto(models.Model):
    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(_("photo"), upload_to=_photo_path)
    size = models.PositiveIntegerField(default=0)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["visit", "pk"]

    def __str__(self) -> str:
        return self.file.name


class RequiredSku(models.Model):
    """A product every outlet of a channel must carry (铺货 standard)."""

    channel = models.CharField(_("channel"), max_length=20, choices=Customer.Channel.choices)
    product = models.ForeignKey(
        "catalog.Product", on_delete=models.PROTECT, related_name="+", verbose_name=_("product")
    )

    class Meta:
        verbose_name = _("required SKU")
        verbose_name_plural = _("required SKUs")
        ordering = ["channel", "product"]
        constraints = [models.UniqueConstraint(fields=["channel", "product"], name="field_requiredsku_unique")]

    def __str__(self) -> str:
        return f"{self.channel}: {self.product_id}"


class Cooler(models.Model):
    """A cooler (冰柜) placed at an outlet: a company asset checked at every visit."""

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="coolers", verbose_name=_("outlet"))
    asset_number = models.CharField(_("asset number"), max_length=30, unique=True)
    model_name = models.CharField(pgettext_lazy("equipment", "model"), max_length=60, blank=True)
    placed_on = models.DateField(_("placed on"))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("cooler")
        verbose_name_plural = _("coolers")
        ordering = ["asset_number"]

    def __str__(self) -> str:
        return self.asset_number


class CoolerCheck(models.Model):
    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="cooler_checks")
    cooler = models.ForeignKey(Cooler, on_delete=models.PROTECT, related_name="checks")
    placed = models.BooleanField(_("in its place"), default=True)
    powered = models.BooleanField(_("powered"), default=True)
    clean = models.BooleanField(_("clean"), default=True)
    right_packs = models.BooleanField(_("only our packs"), default=True)

    class Meta:
        ordering = ["visit", "cooler"]
        constraints = [models.UniqueConstraint(fields=["visit", "cooler"], name="field_coolercheck_once")]

    def __str__(self) -> str:
        return f"{self.cooler} @ {self.visit_id}"

    @property
    def passed(self) -> bool:
        return self.placed and self.powered and self.clean and self.right_packs


class OutletApplication(models.Model):
    """A rep's application to open a new outlet (新网点), approved through the approval engine;
    approval creates the customer."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        RETURNED = "returned", _("Returned")

    number = models.CharField(_("number"), max_length=30, unique=True)
    rep = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("rep"))
    team = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("team"))
    name = models.CharField(_("outlet name"), max_length=200)
    channel = models.CharField(_("channel"), max_length=20, choices=Customer.Channel.choices)
    grade = models.CharField(_("class"), max_length=1, choices=Customer.Grade.choices, default=Customer.Grade.C)
    address = models.CharField(_("address"), max_length=300)
    city = models.CharField(_("city"), max_length=60, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, validators=LATITUDE)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, validators=LONGITUDE)
    contact_name = models.CharField(_("contact"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    reason = models.TextField(_("why this outlet"), max_length=2000, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    customer = models.ForeignKey(Customer, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("new-outlet application")
        verbose_name_plural = _("new-outlet applications")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"


class FieldCheckCriterion(models.Model):
    """One scored point of a supervisor's field check (policy as data)."""

    class Kind(models.TextChoices):
        COACHING = "coaching", _("Ride-along coaching")
        DELIVERY = "delivery", _("Delivery spot check")
        OUTLET = "outlet", _("Outlet spot check")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    code = models.SlugField(_("code"), max_length=40)
    name_en = models.CharField(_("name (English)"), max_length=120)
    name_zh = models.CharField(_("name (Chinese)"), max_length=120)
    position = models.PositiveSmallIntegerField(pgettext_lazy("sequence", "order"), default=10)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("field-check criterion")
        verbose_name_plural = _("field-check criteria")
        ordering = ["kind", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["kind", "code"], name="field_criterion_unique")]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_zh if (translation.get_language() or "").startswith("zh") else self.name_en


class FieldCheck(models.Model):
    """A supervisor's field check (跟线 coaching, spot check of a delivery or an outlet) of a
    rep, scored 1–5 per criterion; `score` is the mean on a 0–100 scale."""

    kind = models.CharField(_("kind"), max_length=10, choices=FieldCheckCriterion.Kind.choices)
    checker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("checked by")
    )
    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="field_checks", verbose_name=_("rep")
    )
    team = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("team"))
    date = models.DateField(_("date"))
    customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("outlet")
    )
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=1, default=Decimal(0))
    comment = models.TextField(_("comment"), blank=True, max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("field check")
        verbose_name_plural = _("field checks")
        ordering = ["-date", "-pk"]

    def __str__(self) -> str:
        return f"{self.date} {self.rep} {self.kind}"


class FieldCheckScore(models.Model):
    check_record = models.ForeignKey(FieldCheck, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(FieldCheckCriterion, on_delete=models.PROTECT, related_name="+")
    score = models.PositiveSmallIntegerField(_("score"), validators=[MinValueValidator(1), MaxValueValidator(5)])

    class Meta:
        ordering = ["check_record", "criterion__position"]
        constraints = [models.UniqueConstraint(fields=["check_record", "criterion"], name="field_score_once")]

    def __str__(self) -> str:
        return f"{self.criterion_id}: {self.score}"
