"""Customers and everything a rep hangs off them: contacts, addresses, ownership keys and
history, grades, key-account files, opportunities, activities, complaints and files.

Visibility follows the owner rep and the team (see core.visibility); records other than the
customer carry their own `owner`/`team` so that selectors scope them with the same rule.
Policies (pool return days, holding limit, ABC cut-offs, stages) are rows an admin edits.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from salesops.core import bounded, bounds
from salesops.core.models import OrgUnit


class Customer(models.Model):
    class Kind(models.TextChoices):
        COMPANY = "company", _("Company")
        PERSON = "person", pgettext_lazy("customer type", "Person")

    class Channel(models.TextChoices):
        SUPERMARKET = "supermarket", _("Supermarket")
        CONVENIENCE = "convenience", _("Convenience store")
        RESTAURANT = "restaurant", _("Restaurant")
        WHOLESALE = "wholesale", _("Wholesaler")
        DISTRIBUTOR = "distributor", _("Distributor")
        INDUSTRIAL = "industrial", _("Industrial customer")
        ONLINE = "online", _("Online shop")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        PROSPECT = "prospect", _("Prospect")
        ACTIVE = "active", _("Active")
        DORMANT = "dormant", _("Dormant")
        LOST = "lost", _("Lost")

    class Via(models.TextChoices):
        MANUAL = "manual", _("Entered")
        CALL = "call", _("Inbound call")
        VISIT = "visit", _("Walk-in")
        IMPORT = "import", _("Imported")

    class Grade(models.TextChoices):
        A = "A", "A"
        B = "B", "B"
        C = "C", "C"

    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.COMPANY)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices, default=Channel.OTHER)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PROSPECT)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="customers", verbose_name=_("owner rep")
    )
    team = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="customers", verbose_name=_("team"))
    address = models.CharField(_("address"), max_length=300, blank=True)
    city = models.CharField(_("city"), max_length=60, blank=True)
    latitude = bounded.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True, validators=bounds.LATITUDE
    )
    longitude = bounded.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True, validators=bounds.LONGITUDE
    )
    search_key = models.CharField(max_length=400, blank=True, editable=False)
    created_at = bounded.DateTimeField(auto_now_add=True)
    industry = models.CharField(_("industry"), max_length=60, blank=True)
    source = models.CharField(_("source"), max_length=100, blank=True, help_text=_("Advertisement or channel"))
    tags = models.CharField(_("tags"), max_length=200, blank=True, help_text=_("Separated by commas"))
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    tax_id = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    registered_via = models.CharField(_("registered via"), max_length=10, choices=Via.choices, default=Via.MANUAL)
    in_pool = models.BooleanField(_("in the lead pool"), default=False)
    pooled_at = bounded.DateTimeField(_("returned to pool at"), null=True, blank=True)
    last_activity_at = bounded.DateTimeField(_("last activity"), null=True, blank=True)
    grade = models.CharField(_("grade"), max_length=1, choices=Grade.choices, blank=True)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["name"]
        # The list's scopes (rep: owner, supervisor: team, company-wide: none) each lead an
        # index in the default sort order, followed by the filter-chip columns: the first page
        # is an ordered index walk and the count of a filtered list reads the index only.
        indexes = [
            models.Index(fields=["owner", "name", "status", "grade", "channel"], name="crm_customer_owner_list"),
            models.Index(fields=["team", "name", "status", "grade", "channel"], name="crm_customer_team_list"),
            models.Index(fields=["name", "status", "grade", "channel"], name="crm_customer_name_list"),
            models.Index(fields=["in_pool", "status"], name="crm_customer_pool"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def tag_list(self) -> list[str]:
        return [tag.strip() for tag in self.tags.replace("，", ",").split(",") if tag.strip()]


class Contact(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=100)
    title = models.CharField(_("role"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    is_primary = models.BooleanField(_("primary contact"), default=False)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["-is_primary", "name"]

    def __str__(self) -> str:
        return self.name


class Address(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="addresses")
    label = models.CharField(_("label"), max_length=60, help_text=_("e.g. shop, warehouse, head office"))
    address = models.CharField(_("address"), max_length=300)
    city = models.CharField(_("city"), max_length=60, blank=True)
    latitude = bounded.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True, validators=bounds.LATITUDE
    )
    longitude = bounded.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True, validators=bounds.LONGITUDE
    )

    class Meta:
        verbose_name = _("address")
        verbose_name_plural = _("addresses")
        ordering = ["label", "pk"]

    def __str__(self) -> str:
        return f"{self.label}: {self.address}"


class OwnershipKey(models.Model):
    """A normalised identifier (phone, e-mail, company name, tax id) owned by exactly one
    customer. The UNIQUE constraint is what makes double registration impossible, also when
    two reps save at the same moment; lookups are index hits."""

    class Kind(models.TextChoices):
        PHONE = "phone", _("Phone")
        EMAIL = "email", _("E-mail")
        NAME = "name", _("Company name")
        TAX_ID = "tax_id", _("Tax id")

    kind = models.CharField(max_length=10, choices=Kind.choices)
    value = models.CharField(max_length=200)
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="ownership_keys")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "value"], name="crm_ownershipkey_unique")]
        indexes = [models.Index(fields=["customer"], name="crm_ownershipkey_customer")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}"


class OwnershipConflict(models.Model):
    """A rep tried to register a prospect another rep owns (撞单). The registering rep learns
    only whom to talk to; the supervisor of the owner's team sees the attempt and decides."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("process", "Open")
        KEPT = "kept", _("Kept with owner")
        ASSIGNED = "assigned", _("Assigned to requester")

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="conflicts")
    attempted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("attempted by")
    )
    owner_at_attempt = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("owner")
    )
    team = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("team"))
    matched_on = models.CharField(_("matched on"), max_length=10, choices=OwnershipKey.Kind.choices)
    attempted_name = models.CharField(_("name given"), max_length=200, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = bounded.DateTimeField(_("attempted at"), auto_now_add=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = bounded.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("ownership conflict")
        verbose_name_plural = _("ownership conflicts")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["team", "status"], name="crm_conflict_team")]

    def __str__(self) -> str:
        return f"{self.customer} · {self.attempted_by}"


class ReassignmentBatch(models.Model):
    """A bulk change of owner (客户及人员关系维护), run as a background task with progress."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    from_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("from rep")
    )
    to_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("to rep")
    )
    reason = models.CharField(_("reason"), max_length=200)
    customer_ids = models.JSONField(default=list)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = bounded.DateTimeField(auto_now_add=True)
    finished_at = bounded.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.from_owner} → {self.to_owner} ({self.done}/{self.total})"

    @property
    def percent(self) -> int:
        return 100 if not self.total else int(self.done * 100 / self.total)


class OwnershipChange(models.Model):
    """Owner history of a customer: every change of owner rep, with why and who."""

    class Reason(models.TextChoices):
        REGISTERED = "registered", _("Registered")
        REASSIGNED = "reassigned", _("Reassigned")
        POOL_RETURN = "pool_return", _("Returned to the pool")
        POOL_CLAIM = "pool_claim", _("Claimed from the pool")
        CONFLICT = "conflict", _("Conflict decided")
        INBOUND = "inbound", _("Assigned at the call desk")

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="ownership_changes")
    from_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)
    batch = models.ForeignKey(ReassignmentBatch, null=True, blank=True, on_delete=models.SET_NULL)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = bounded.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["customer", "-at"], name="crm_ownerchange_customer")]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.from_owner_id} → {self.to_owner_id}"


class CrmPolicy(models.Model):
    """The CRM's policy as data (one row): holding limit, ABC grading. The complaint answer time
    is the SOP rule "complaint-24h"."""

    max_prospects_per_rep = models.PositiveIntegerField(_("prospects a rep may hold"), default=50)
    grade_period_days = models.PositiveIntegerField(_("grading period (days)"), default=365, validators=bounds.DAYS)
    grade_cutoff_a = bounded.DecimalField(
        _("A cut-off (%)"), max_digits=5, decimal_places=2, default=Decimal(40), validators=bounds.PERCENT
    )
    grade_cutoff_b = bounded.DecimalField(
        _("B cut-off (%)"), max_digits=5, decimal_places=2, default=Decimal(80), validators=bounds.PERCENT
    )
    grade_measure = models.CharField(_("grading measure"), max_length=40, default="sales_amount")

    class Meta:
        verbose_name = _("CRM policy")
        verbose_name_plural = _("CRM policy")

    def __str__(self) -> str:
        return str(_("CRM policy"))

    @classmethod
    def current(cls) -> "CrmPolicy":
        policy = cls.objects.order_by("pk").first()
        return policy or cls.objects.create()


class PoolRule(models.Model):
    """Leads without an activity for `return_after_days` go back to the pool; per grade
    (blank grade: ungraded leads)."""

    grade = models.CharField(_("grade"), max_length=1, blank=True, unique=True, choices=Customer.Grade.choices)
    return_after_days = models.PositiveIntegerField(_("return to pool after (days)"), validators=bounds.DAYS)

    class Meta:
        verbose_name = _("pool rule")
        verbose_name_plural = _("pool rules")
        ordering = ["grade"]

    def __str__(self) -> str:
        return f"{self.grade or '-'}: {self.return_after_days}"


class GradingRun(models.Model):
    run_at = bounded.DateTimeField(_("run at"), auto_now_add=True)
    period_start = bounded.DateField(_("from"))
    period_end = bounded.DateField(_("to"))
    measure = models.CharField(_("measure"), max_length=40)
    cutoff_a = bounded.DecimalField(max_digits=5, decimal_places=2)
    cutoff_b = bounded.DecimalField(max_digits=5, decimal_places=2)
    customers = models.PositiveIntegerField(default=0)
    total = bounded.DecimalField(max_digits=18, decimal_places=2, default=Decimal(0))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)

    class Meta:
        ordering = ["-run_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.run_at:%Y-%m-%d %H:%M} {self.measure}"


class CustomerGrade(models.Model):
    run = models.ForeignKey(GradingRun, on_delete=models.CASCADE, related_name="grades")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="grade_history")
    value = bounded.DecimalField(max_digits=18, decimal_places=2)
    share = bounded.DecimalField(max_digits=9, decimal_places=4)
    cumulative_share = bounded.DecimalField(max_digits=9, decimal_places=4)
    grade = models.CharField(max_length=1, choices=Customer.Grade.choices)

    class Meta:
        ordering = ["-run_id"]
        indexes = [models.Index(fields=["customer", "-run"], name="crm_grade_customer")]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.grade}"


class KeyAccountFile(models.Model):
    """重点用户档案: what an A customer needs, who decides, what they prefer, what is planned."""

    customer = models.OneToOneField(Customer, on_delete=models.CASCADE, related_name="key_account")
    needs = bounded.TextField(_("needs"), blank=True)
    decision_makers = bounded.TextField(_("decision makers"), blank=True)
    preferences = bounded.TextField(_("preferences"), blank=True)
    plans = bounded.TextField(_("plans"), blank=True)
    updated_at = bounded.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("key-account file")
        verbose_name_plural = _("key-account files")

    def __str__(self) -> str:
        return str(self.customer)


class Stage(models.Model):
    """A pipeline stage; the list is data (order, default probability, open/won/lost)."""

    class Outcome(models.TextChoices):
        OPEN = "open", pgettext_lazy("process", "Open")
        WON = "won", _("Won")
        LOST = "lost", _("Lost")

    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=60)
    name_zh = models.CharField(_("Chinese name"), max_length=60, blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)
    probability = models.PositiveIntegerField(_("probability (%)"), validators=[MaxValueValidator(100)], default=0)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.OPEN)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        if self.name_zh and (translation.get_language() or "").startswith("zh"):
            return self.name_zh
        return self.name

    @property
    def is_closed(self) -> bool:
        return self.outcome != self.Outcome.OPEN


class Opportunity(models.Model):
    code = models.CharField(_("code"), max_length=30, unique=True)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="opportunities")
    name = models.CharField(_("name"), max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="opportunities", verbose_name=_("owner rep")
    )
    team = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("team"))
    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="opportunities", verbose_name=_("stage"))
    amount = bounded.DecimalField(
        _("amount"), max_digits=14, decimal_places=2, default=Decimal("0.00"), validators=[MinValueValidator(0)]
    )
    expected_close = bounded.DateField(_("expected close"))
    next_step = models.CharField(_("next step"), max_length=200, blank=True)
    next_step_due = bounded.DateField(_("next step due"), null=True, blank=True)
    competitors = models.CharField(_("competitors"), max_length=200, blank=True)
    loss_reason = models.CharField(_("loss reason"), max_length=300, blank=True)
    closed_at = bounded.DateTimeField(_("closed at"), null=True, blank=True)
    created_at = bounded.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("opportunity")
        verbose_name_plural = _("opportunities")
        ordering = ["expected_close", "pk"]
        indexes = [
            models.Index(fields=["owner", "stage"], name="crm_opp_owner"),
            models.Index(fields=["team", "stage"], name="crm_opp_team"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def weighted_amount(self) -> Decimal:
        return (self.amount * self.stage.probability / Decimal(100)).quantize(Decimal("0.01"))


class StageChange(models.Model):
    """Every move of an opportunity between stages."""

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.ForeignKey(Stage, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    to_stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="+")
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    at = bounded.DateTimeField(auto_now_add=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.opportunity_id}: {self.from_stage_id} → {self.to_stage_id}"


class Activity(models.Model):
    class Kind(models.TextChoices):
        CALL = "call", _("Call")
        VISIT = "visit", _("Visit")
        MEETING = "meeting", _("Meeting")
        EMAIL = "email", _("E-mail")
        TASK = "task", _("Task")

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="activities")
    opportunity = models.ForeignKey(
        Opportunity, null=True, blank=True, on_delete=models.SET_NULL, related_name="activities"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="activities", verbose_name=_("rep")
    )
    team = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    subject = models.CharField(_("subject"), max_length=200)
    occurred_at = bounded.DateTimeField(_("when"))
    duration_minutes = models.PositiveIntegerField(_("minutes"), default=30, validators=bounds.MINUTES)
    done = models.BooleanField(_("done"), default=True)
    outcome = bounded.TextField(_("outcome"), blank=True)
    next_step = models.CharField(_("next step"), max_length=200, blank=True)
    next_step_due = bounded.DateField(_("next step due"), null=True, blank=True)
    next_step_done = models.BooleanField(_("next step done"), default=False)
    entered_late = models.BooleanField(_("entered late"), default=False)
    created_at = bounded.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-occurred_at", "-pk"]
        indexes = [
            models.Index(fields=["owner", "occurred_at"], name="crm_activity_owner"),
            models.Index(fields=["owner", "next_step_done", "next_step_due"], name="crm_activity_next"),
        ]

    def __str__(self) -> str:
        return self.subject


class Complaint(models.Model):
    class Kind(models.TextChoices):
        COMPLAINT = "complaint", _("Complaint")
        AFTER_SALES = "after_sales", _("After-sales request")

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("process", "Open")
        ANSWERED = "answered", _("Answered")
        RESOLVED = "resolved", _("Resolved")
        CLOSED = "closed", _("Closed")

    code = models.CharField(_("code"), max_length=30, unique=True)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="complaints")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.COMPLAINT)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="complaints", verbose_name=_("owner")
    )
    team = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    subject = models.CharField(_("subject"), max_length=200)
    description = bounded.TextField(_("description"), blank=True)
    received_at = bounded.DateTimeField(_("received at"))
    answer_due = bounded.DateTimeField(_("answer due"))
    answered_at = bounded.DateTimeField(_("answered at"), null=True, blank=True)
    answer = bounded.TextField(_("answer"), blank=True)
    resolution = bounded.TextField(_("resolution"), blank=True)
    resolved_at = bounded.DateTimeField(_("resolved at"), null=True, blank=True)
    follow_up_at = bounded.DateTimeField(_("follow-up call at"), null=True, blank=True)
    follow_up_note = bounded.TextField(_("follow-up note"), blank=True)
    satisfaction = models.PositiveSmallIntegerField(
        _("satisfaction (1–5)"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = bounded.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        ordering = ["received_at", "pk"]
        indexes = [models.Index(fields=["status", "received_at"], name="crm_complaint_open")]

    def __str__(self) -> str:
        return f"{self.code} {self.subject}"


def _file_path(instance, filename):
    return f"crm/customers/{instance.customer_id}/{filename}"


class CustomerFile(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(_("file"), upload_to=_file_path)
    name = models.CharField(_("name"), max_length=200)
    size = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = bounded.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at", "-pk"]

    def __str__(self) -> str:
        return self.name


class PersonalDataExport(models.Model):
    """Every export containing contact details (phones, e-mails) leaves one of these."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = bounded.DateTimeField(auto_now_add=True)
    what = models.CharField(max_length=100)
    rows = models.PositiveIntegerField(default=0)
    query = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.what} · {self.user}"


class CustomerImport(models.Model):
    """An uploaded customer file, checked row by row before anything is created."""

    class Status(models.TextChoices):
        PREVIEW = "preview", _("Preview")
        IMPORTED = "imported", _("Imported")

    file_name = models.CharField(max_length=200)
    rows = models.JSONField(default=list)  # [{"line": n, "data": {...}, "errors": [...]}]
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PREVIEW)
    created = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = bounded.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.file_name

    @property
    def error_rows(self) -> int:
        return sum(1 for row in self.rows if row["errors"])

    @property
    def good_rows(self) -> int:
        return len(self.rows) - self.error_rows


# --- the call desk (来电/来访登记, 接电顺序表 / 接访轮接) ----------------------------------------------
class Rotation(models.Model):
    """A line of reps who take incoming leads in turn: one for calls (接电顺序表), one for
    walk-ins (接访). `next_position` points at the seat whose turn it is; a rep who is absent
    that day is skipped and keeps their place for the next turn."""

    class Channel(models.TextChoices):
        CALL = "call", _("Inbound call")
        VISIT = "visit", _("Walk-in")

    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, unique=True)
    next_position = models.PositiveIntegerField(_("next seat"), default=0, validators=[MaxValueValidator(10_000)])
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("rotation")
        verbose_name_plural = _("rotations")
        ordering = ["channel"]

    def __str__(self) -> str:
        return str(self.get_channel_display())

    @classmethod
    def for_channel(cls, channel: str) -> "Rotation":
        rotation = cls.objects.filter(channel=channel).first()
        return rotation or cls.objects.create(channel=channel)


class RotationSeat(models.Model):
    """A rep's place in a rotation; `position` orders the line (0 first)."""

    rotation = models.ForeignKey(Rotation, on_delete=models.CASCADE, related_name="seats")
    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="rotation_seats", verbose_name=_("rep")
    )
    position = models.PositiveIntegerField(_("position"), default=0, validators=[MaxValueValidator(10_000)])

    class Meta:
        verbose_name = _("rotation seat")
        verbose_name_plural = _("rotation seats")
        ordering = ["rotation", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["rotation", "rep"], name="crm_rotationseat_unique_rep")]

    def __str__(self) -> str:
        return f"{self.rotation_id}#{self.position}: {self.rep_id}"


class RepAbsence(models.Model):
    """A rep away (leave, training, sick) from `start` to `end` inclusive: the rotations skip them."""

    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="absences", verbose_name=_("rep")
    )
    start = bounded.DateField(_("from"))
    end = bounded.DateField(_("to"))
    reason = models.CharField(_("reason"), max_length=100, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = bounded.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("absence")
        verbose_name_plural = _("absences")
        ordering = ["-start", "pk"]
        indexes = [models.Index(fields=["rep", "start", "end"], name="crm_absence_rep")]

    def __str__(self) -> str:
        return f"{self.rep_id}: {self.start}…{self.end}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": _("The last day cannot be before the first.")})


class InboundContact(models.Model):
    """One line of the call and walk-in register (来电登记表 / 来访登记表): who called or came,
    which customer it is, to whom it went and how, and whether it was entered the same day."""

    class Assignment(models.TextChoices):
        ROTATION = "rotation", _("Next in the rotation")
        CHOSEN = "chosen", _("Chosen rep")
        POOL = "pool", _("Lead pool")
        OWNER = "owner", _("Existing owner")

    via = models.CharField(_("registered via"), max_length=10, choices=Rotation.Channel.choices)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    name = models.CharField(_("company or person"), max_length=200)
    interest = models.CharField(_("what they want"), max_length=200, blank=True)
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="inbound_contacts", verbose_name=_("customer")
    )
    is_new = models.BooleanField(_("new lead"), default=True)
    assignment = models.CharField(_("assigned by"), max_length=10, choices=Assignment.choices)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inbound_contacts",
        verbose_name=_("assigned to"),
    )
    team = models.ForeignKey(OrgUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    rotation = models.ForeignKey(Rotation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    skipped = models.JSONField(default=list, blank=True)  # ids of reps passed over as absent
    occurred_at = bounded.DateTimeField(_("when"))
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("registered by")
    )
    registered_at = bounded.DateTimeField(_("registered at"), auto_now_add=True)
    entered_late = models.BooleanField(_("entered late"), default=False)

    class Meta:
        verbose_name = _("inbound call or walk-in")
        verbose_name_plural = _("inbound calls and walk-ins")
        ordering = ["-occurred_at", "-pk"]
        indexes = [
            models.Index(fields=["occurred_at"], name="crm_inbound_day"),
            models.Index(fields=["assigned_to", "occurred_at"], name="crm_inbound_rep"),
        ]

    def __str__(self) -> str:
        return f"{self.get_via_display()} {self.name}"
