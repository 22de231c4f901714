"""Targets and performance: the annual target and its splits, the company's performance
policy, scorecard weights, commissions, sales expense budgets and claims, the monthly
customer profit plan and the monthly business review.

Every amount is Decimal to the cent; every policy number (default sales measure, bad-debt
days, scorecard weights, commission rates and tiers) is a row an administrator edits.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from salesops.catalog.models import ProductFamily
from salesops.core import bounded
from salesops.core.models import OrgUnit
from salesops.core.state import StateMachine
from salesops.crm.models import Customer

MONEY = {"max_digits": 14, "decimal_places": 2}
QTY = {"max_digits": 16, "decimal_places": 3}
PERCENT = {"max_digits": 7, "decimal_places": 2}
ZERO = Decimal("0.00")
MAX_MONEY = Decimal("999999999999.99")
POSITION_MAX = 1000  # the order of a scorecard line, as the page's form allows
USER = settings.AUTH_USER_MODEL


class Measure(models.TextChoices):
    """What counts as a sale: the value ordered, delivered or invoiced in the period."""

    ORDERS = "orders", _("Orders")
    DELIVERIES = "deliveries", _("Deliveries")
    INVOICES = "invoices", _("Invoices")


class PerformancePolicy(models.Model):
    """The company's performance settings (one row, seeded): the default sales measure of
    targets, KPIs and commissions, and when an unpaid invoice counts as bad debt."""

    measure = models.CharField(_("sales measure"), max_length=20, choices=Measure.choices, default=Measure.INVOICES)
    bad_debt_days = models.PositiveIntegerField(
        _("bad debt after (days overdue)"),
        default=180,
        validators=[MinValueValidator(30), MaxValueValidator(1000)],
        help_text=_("Commission paid on an invoice this many days overdue is clawed back."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("performance policy")
        verbose_name_plural = _("performance policies")

    def __str__(self) -> str:
        return str(self.get_measure_display())


# --- targets -----------------------------------------------------------------------------------------
class TargetPlan(models.Model):
    """One version of a year's target. Edited while draft, approved through the approval
    engine; a change after approval is a new version, and the approved versions are kept."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PENDING_APPROVAL = "pending_approval", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        SUPERSEDED = "superseded", _("Superseded")

    class MonthMethod(models.TextChoices):
        SEASONALITY = "seasonality", _("By last year's seasonality")
        EVEN = "even", _("Evenly")
        MANUAL = "manual", _("By hand")

    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    version = models.PositiveIntegerField(_("version"), default=1, validators=[MaxValueValidator(10_000)])
    measure = models.CharField(_("sales measure"), max_length=20, choices=Measure.choices)
    total = bounded.DecimalField(
        _("annual target"), validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(MAX_MONEY)], **MONEY
    )
    month_method = models.CharField(_("split into months"), max_length=20, choices=MonthMethod.choices)
    month_weights = models.JSONField(_("month weights"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    previous = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("revises")
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("target plan")
        verbose_name_plural = _("target plans")
        ordering = ["-year", "-version"]
        constraints = [models.UniqueConstraint(fields=["year", "version"], name="targets_plan_year_version")]

    def __str__(self) -> str:
        return f"{self.year} v{self.version}"

    @property
    def is_editable(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.REJECTED)


PLAN_FLOW = StateMachine(
    {
        TargetPlan.Status.DRAFT: {TargetPlan.Status.PENDING_APPROVAL, TargetPlan.Status.APPROVED},
        TargetPlan.Status.REJECTED: {TargetPlan.Status.PENDING_APPROVAL, TargetPlan.Status.APPROVED},
        TargetPlan.Status.PENDING_APPROVAL: {
            TargetPlan.Status.APPROVED,
            TargetPlan.Status.REJECTED,
            TargetPlan.Status.DRAFT,
        },
        TargetPlan.Status.APPROVED: {TargetPlan.Status.SUPERSEDED},
    }
)


class Target(models.Model):
    """One month of one node of the split: the company, an org unit, a rep, or one of a
    rep's customers or product families. Children of a node add up exactly to it."""

    class Level(models.TextChoices):
        COMPANY = "company", _("Company")
        UNIT = "unit", pgettext_lazy("org", "Unit")
        REP = "rep", _("Sales rep")
        CUSTOMER = "customer", _("Customer")
        FAMILY = "family", _("Product family")

    plan = models.ForeignKey(TargetPlan, on_delete=models.CASCADE, related_name="targets")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    month = models.DateField(_("month"))
    org_unit = models.ForeignKey(OrgUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    rep = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey(Customer, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    family = models.ForeignKey(ProductFamily, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    amount = bounded.DecimalField(
        _("target"), validators=[MinValueValidator(Decimal("0")), MaxValueValidator(MAX_MONEY)], **MONEY
    )

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["plan", "month", "level", "pk"]
        indexes = [
            models.Index(fields=["plan", "level", "month"], name="targets_target_level_month"),
            models.Index(fields=["plan", "rep", "month"], name="targets_target_rep_month"),
        ]

    def __str__(self) -> str:
        return f"{self.node_label} {self.month:%Y-%m}: {self.amount}"

    @property
    def node_label(self) -> str:
        for value in (self.customer, self.family, self.rep, self.org_unit):
            if value is not None:
                return str(value)
        return str(self.get_level_display())


# --- scorecards ----------------------------------------------------------------------------------------
class ScorecardWeight(models.Model):
    """One line of the scorecard (考核表): a KPI, its weight in the total score, and the value
    that earns the full weight (for lower-is-better KPIs, the value not to exceed)."""

    kpi = models.CharField(_("KPI"), max_length=40, unique=True)
    weight = bounded.DecimalField(
        _("weight %"), validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))], **PERCENT
    )
    target_value = bounded.DecimalField(
        _("full marks at"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(MAX_MONEY)],
    )
    cap_percent = bounded.DecimalField(
        _("score capped at %"),
        default=Decimal("120"),
        validators=[MinValueValidator(Decimal("100")), MaxValueValidator(Decimal("200"))],
        **PERCENT,
    )
    position = models.PositiveIntegerField(_("order"), default=10, validators=[MaxValueValidator(POSITION_MAX)])

    class Meta:
        verbose_name = _("scorecard weight")
        verbose_name_plural = _("scorecard weights")
        ordering = ["position", "kpi"]

    def __str__(self) -> str:
        return f"{self.kpi} {self.weight}%"


# --- commissions -------------------------------------------------------------------------------------
class CommissionRule(models.Model):
    """A commission rate (提成) as data: on sales (invoiced, by product family or all) or on
    money collected, for reps whose month's achievement lies in [min, max)."""

    class Base(models.TextChoices):
        SALES = "sales", _("Sales invoiced")
        COLLECTIONS = "collections", _("Money collected")

    name = models.CharField(_("name"), max_length=100)
    base = models.CharField(_("paid on"), max_length=20, choices=Base.choices)
    family = models.ForeignKey(
        ProductFamily,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("product family"),
        help_text=_("Empty: every family without a rule of its own."),
    )
    rate = bounded.DecimalField(
        _("rate %"), max_digits=5, decimal_places=2, validators=[MinValueValidator(0), MaxValueValidator(50)]
    )
    min_achievement = bounded.DecimalField(
        _("from achievement %"), default=ZERO, validators=[MinValueValidator(0), MaxValueValidator(1000)], **PERCENT
    )
    max_achievement = bounded.DecimalField(
        _("below achievement %"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(1000)],
        help_text=_("Empty: no upper bound."),
        **PERCENT,
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("commission rule")
        verbose_name_plural = _("commission rules")
        ordering = ["base", "family", "min_achievement", "pk"]

    def __str__(self) -> str:
        return self.name

    def applies_at(self, achievement: Decimal) -> bool:
        return achievement >= self.min_achievement and (
            self.max_achievement is None or achievement < self.max_achievement
        )


class CommissionRun(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PENDING_APPROVAL = "pending_approval", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    number = models.CharField(_("number"), max_length=30, unique=True)
    month = models.DateField(_("month"), unique=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    total = bounded.DecimalField(_("total commission"), default=ZERO, **MONEY)
    computed_at = models.DateTimeField(_("computed at"))
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("commission run")
        verbose_name_plural = _("commission runs")
        ordering = ["-month"]

    def __str__(self) -> str:
        return self.number


RUN_FLOW = StateMachine(
    {
        CommissionRun.Status.DRAFT: {CommissionRun.Status.PENDING_APPROVAL, CommissionRun.Status.APPROVED},
        CommissionRun.Status.REJECTED: {CommissionRun.Status.PENDING_APPROVAL, CommissionRun.Status.APPROVED},
        CommissionRun.Status.PENDING_APPROVAL: {
            CommissionRun.Status.APPROVED,
            CommissionRun.Status.REJECTED,
            CommissionRun.Status.DRAFT,
        },
    }
)


class CommissionStatement(models.Model):
    """One rep's commission of one run: what was earned, what was clawed back."""

    run = models.ForeignKey(CommissionRun, on_delete=models.CASCADE, related_name="statements")
    rep = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("sales rep"))
    team = models.ForeignKey(OrgUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    target = bounded.DecimalField(_("target"), default=ZERO, **MONEY)
    sales = bounded.DecimalField(_("sales"), default=ZERO, **MONEY)
    achievement = bounded.DecimalField(_("achievement %"), default=ZERO, **PERCENT)
    collected = bounded.DecimalField(_("collected"), default=ZERO, **MONEY)
    earned = bounded.DecimalField(_("earned"), default=ZERO, **MONEY)
    clawback = bounded.DecimalField(_("clawed back"), default=ZERO, **MONEY)
    total = bounded.DecimalField(_("commission"), default=ZERO, **MONEY)

    class Meta:
        verbose_name = _("commission statement")
        verbose_name_plural = _("commission statements")
        ordering = ["run", "-total", "rep_id"]
        constraints = [models.UniqueConstraint(fields=["run", "rep"], name="targets_statement_run_rep")]

    def __str__(self) -> str:
        return f"{self.run} · {self.rep}"


class CommissionLine(models.Model):
    class Kind(models.TextChoices):
        EARNED = "earned", _("Earned")
        RETURN = "return", _("Clawback: return")
        BAD_DEBT = "bad_debt", _("Clawback: bad debt")

    statement = models.ForeignKey(CommissionStatement, on_delete=models.CASCADE, related_name="lines")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    rule = models.ForeignKey(CommissionRule, null=True, on_delete=models.SET_NULL, related_name="+")
    rule_name = models.CharField(_("rule"), max_length=100)
    family = models.ForeignKey(ProductFamily, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reference = models.CharField(_("document"), max_length=40, blank=True)
    base = bounded.DecimalField(_("base"), **MONEY)
    rate = bounded.DecimalField(_("rate %"), max_digits=5, decimal_places=2)
    amount = bounded.DecimalField(_("amount"), **MONEY)

    class Meta:
        ordering = ["statement", "kind", "pk"]

    def __str__(self) -> str:
        return f"{self.rule_name}: {self.amount}"


# --- sales expenses ------------------------------------------------------------------------------------
class ExpenseType(models.Model):
    code = models.SlugField(_("code"), max_length=30, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=100)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("expense type")
        verbose_name_plural = _("expense types")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        zh = (translation.get_language() or "").lower().startswith("zh")
        return self.name_zh if zh and self.name_zh else self.name_en


class ExpenseBudget(models.Model):
    """What a team (or one rep of it) may spend on one expense type in one month."""

    team = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("team"))
    rep = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("sales rep")
    )
    month = models.DateField(_("month"))
    expense_type = models.ForeignKey(ExpenseType, on_delete=models.PROTECT, related_name="+", verbose_name=_("type"))
    amount = bounded.DecimalField(
        _("budget"), validators=[MinValueValidator(Decimal("0")), MaxValueValidator(MAX_MONEY)], **MONEY
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("expense budget")
        verbose_name_plural = _("expense budgets")
        ordering = ["-month", "team", "expense_type", "rep"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "month", "expense_type"],
                condition=models.Q(rep__isnull=True),
                name="targets_budget_team_month_type",
            ),
            models.UniqueConstraint(
                fields=["team", "rep", "month", "expense_type"],
                condition=models.Q(rep__isnull=False),
                name="targets_budget_rep_month_type",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rep or self.team} {self.month:%Y-%m} {self.expense_type}"


class ExpenseClaim(models.Model):
    class Status(models.TextChoices):
        PENDING_APPROVAL = "pending_approval", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        CANCELLED = "cancelled", _("Cancelled")

    number = models.CharField(_("number"), max_length=30, unique=True)
    claimant = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("claimant"))
    team = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("team"))
    expense_type = models.ForeignKey(ExpenseType, on_delete=models.PROTECT, related_name="+", verbose_name=_("type"))
    spent_on = models.DateField(_("spent on"))
    month = models.DateField(_("month"))
    amount = bounded.DecimalField(
        _("amount"), validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("9999999.99"))], **MONEY
    )
    description = models.CharField(_("what for"), max_length=500)
    customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("customer")
    )
    budget = models.ForeignKey(ExpenseBudget, null=True, blank=True, on_delete=models.PROTECT, related_name="claims")
    remaining_before = bounded.DecimalField(_("budget remaining before"), default=ZERO, **MONEY)
    over_budget = models.BooleanField(_("over budget"), default=False)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING_APPROVAL)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("expense claim")
        verbose_name_plural = _("expense claims")
        ordering = ["-spent_on", "-pk"]
        indexes = [models.Index(fields=["team", "month", "status"], name="targets_claim_team_month")]

    def __str__(self) -> str:
        return self.number

    @property
    def over_amount(self) -> Decimal:
        return max(self.amount - self.remaining_before, ZERO)


CLAIM_FLOW = StateMachine(
    {
        ExpenseClaim.Status.PENDING_APPROVAL: {
            ExpenseClaim.Status.APPROVED,
            ExpenseClaim.Status.REJECTED,
            ExpenseClaim.Status.CANCELLED,
        },
    }
)


# --- customer profit plan ------------------------------------------------------------------------------
class ProfitPlan(models.Model):
    """A rep's monthly customer profit plan (客户利润计划), due by the 20th of the month before."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PENDING_APPROVAL = "pending_approval", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    number = models.CharField(_("number"), max_length=30, unique=True)
    rep = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("sales rep"))
    team = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("team"))
    month = models.DateField(_("plan month"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    revenue = bounded.DecimalField(_("expected revenue"), default=ZERO, **MONEY)
    profit = bounded.DecimalField(_("expected profit"), default=ZERO, **MONEY)
    note = models.CharField(_("note"), max_length=500, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("customer profit plan")
        verbose_name_plural = _("customer profit plans")
        ordering = ["-month", "rep_id"]
        constraints = [models.UniqueConstraint(fields=["rep", "month"], name="targets_profit_plan_rep_month")]

    def __str__(self) -> str:
        return self.number

    @property
    def is_editable(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.REJECTED)


PROFIT_PLAN_FLOW = StateMachine(
    {
        ProfitPlan.Status.DRAFT: {ProfitPlan.Status.PENDING_APPROVAL, ProfitPlan.Status.APPROVED},
        ProfitPlan.Status.REJECTED: {ProfitPlan.Status.PENDING_APPROVAL, ProfitPlan.Status.APPROVED},
        ProfitPlan.Status.PENDING_APPROVAL: {
            ProfitPlan.Status.APPROVED,
            ProfitPlan.Status.REJECTED,
            ProfitPlan.Status.DRAFT,
        },
    }
)


class ProfitPlanLine(models.Model):
    """One key customer of the plan: volume, price, promotion and expenses → expected profit
    (revenue × gross margin % − promotion − expenses)."""

    plan = models.ForeignKey(ProfitPlan, on_delete=models.CASCADE, related_name="lines")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="+", verbose_name=_("customer"))
    volume = bounded.DecimalField(
        _("volume"), validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("99999999"))], **QTY
    )
    price = bounded.DecimalField(
        _("average price"), validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("9999999"))], **MONEY
    )
    margin_percent = bounded.DecimalField(
        _("gross margin %"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("-100")), MaxValueValidator(Decimal("100"))],
    )
    promotion = bounded.DecimalField(
        _("promotion"), default=ZERO, validators=[MinValueValidator(0), MaxValueValidator(MAX_MONEY)], **MONEY
    )
    expenses = bounded.DecimalField(
        _("sales expenses"), default=ZERO, validators=[MinValueValidator(0), MaxValueValidator(MAX_MONEY)], **MONEY
    )
    revenue = bounded.DecimalField(_("expected revenue"), default=ZERO, **MONEY)
    profit = bounded.DecimalField(_("expected profit"), default=ZERO, **MONEY)

    class Meta:
        ordering = ["plan", "pk"]
        constraints = [models.UniqueConstraint(fields=["plan", "customer"], name="targets_profit_line_customer")]

    def __str__(self) -> str:
        return f"{self.plan_id} {self.customer_id}"


# --- business review -------------------------------------------------------------------------------------
class BusinessReview(models.Model):
    """The monthly business review (生意回顾) of one unit, held within the first three working
    days of the next month. Its pack is computed while open and frozen when it is held."""

    class Status(models.TextChoices):
        OPEN = "open", _("Being prepared")
        HELD = "held", _("Held")

    number = models.CharField(_("number"), max_length=30, unique=True)
    month = models.DateField(_("month reviewed"))
    unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=pgettext_lazy("org", "unit")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    data = models.JSONField(default=dict, blank=True)
    summary = models.TextField(_("summary and issues"), blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    held_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    held_at = models.DateTimeField(_("held at"), null=True, blank=True)

    class Meta:
        verbose_name = _("business review")
        verbose_name_plural = _("business reviews")
        ordering = ["-month", "unit_id"]
        constraints = [models.UniqueConstraint(fields=["month", "unit"], name="targets_review_month_unit")]

    def __str__(self) -> str:
        return self.number


class ReviewAction(models.Model):
    """An issue found at a review and what will be done about it, by whom, by when; open
    actions come back on the unit's later reviews until they are done."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")

    review = models.ForeignKey(BusinessReview, on_delete=models.CASCADE, related_name="actions")
    issue = models.CharField(_("issue"), max_length=300)
    action = models.CharField(pgettext_lazy("corrective action", "action"), max_length=500)
    owner = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("owner"))
    due_date = models.DateField(pgettext_lazy("deadline", "due"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=500, blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("review action")
        verbose_name_plural = _("review actions")
        ordering = ["due_date", "pk"]

    def __str__(self) -> str:
        return self.action[:60]
