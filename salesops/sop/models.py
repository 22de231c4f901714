"""SOP rules (deadlines as data), the obligations the clock creates from them, the events
the areas' services record when their documents are done, and the daily sales report.

An obligation is one person's duty for one period of one rule ("rep1's daily report for
2026-11-20"); (rule, person, period key) is unique, which is what makes the clock idempotent.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from salesops.core import bounded
from salesops.core.models import OrgUnit
from salesops.core.roles import Role
from salesops.core.state import StateMachine
from salesops.sop.events import event_type_choices, event_type_label, is_known_event_type
from salesops.sop.schedule import ScheduleError, parse_schedule

ESCALATE_TO_MANAGER = "manager"


def escalation_choices() -> list[tuple[str, object]]:
    return [(ESCALATE_TO_MANAGER, _("The person's manager"))] + list(Role.choices)


class SopRule(models.Model):
    code = models.SlugField(_("code"), max_length=50, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    description = bounded.TextField(_("description"), blank=True)
    event_type = models.CharField(_("what must happen"), max_length=60)
    roles = models.JSONField(_("for roles"), default=list, blank=True)
    org_unit = models.ForeignKey(
        OrgUnit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("only in unit"),
        help_text=_("Empty: everyone holding the roles; otherwise only people in this unit and below it."),
    )
    schedule = models.CharField(
        pgettext_lazy("schedule", "when"),
        max_length=100,
        help_text=_(
            "E.g. daily 17:30 · weekly fri 18:00 · monthly day 20 · monthly workday 3 · month-end · "
            "quarterly · every 6 months · after 24h · after 24 working-hours · after 30 days · same-day"
        ),
    )
    reminder_minutes = models.PositiveIntegerField(
        _("remind before (minutes)"), default=60, help_text=_("0: no reminder.")
    )
    escalate_to = models.CharField(_("escalate to"), max_length=30, default=ESCALATE_TO_MANAGER)
    enabled = models.BooleanField(_("enabled"), default=True)
    scheduled_until = bounded.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("SOP rule")
        verbose_name_plural = _("SOP rules")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        language = (translation.get_language() or "en").lower()
        return self.name_zh if language.startswith("zh") and self.name_zh else self.name_en

    @property
    def event_type_label(self) -> str:
        return str(event_type_label(self.event_type))

    @property
    def escalate_to_label(self) -> str:
        return str(dict(escalation_choices()).get(self.escalate_to, self.escalate_to))

    @property
    def parsed_schedule(self):
        return parse_schedule(self.schedule)

    def clean(self):
        errors: dict[str, list] = {}
        try:
            parsed = parse_schedule(self.schedule)
            self.schedule = parsed.text
        except ScheduleError as error:
            errors["schedule"] = [str(error)]
            parsed = None
        if not is_known_event_type(self.event_type):
            errors["event_type"] = [_("Unknown event type “%(value)s”.") % {"value": self.event_type}]
        roles = self.roles if isinstance(self.roles, list) else None
        if roles is None or any(role not in Role.values for role in roles):
            errors["roles"] = [_("Choose roles from the list.")]
        elif parsed is not None and not parsed.is_event_triggered and not roles:
            errors["roles"] = [_("A scheduled rule must name the roles it applies to; as it is, it applies to nobody.")]
        if self.escalate_to not in dict(escalation_choices()):
            errors["escalate_to"] = [_("Choose whom to escalate to.")]
        if self.reminder_minutes > 60 * 24 * 31:
            errors["reminder_minutes"] = [_("A reminder can come at most 31 days before the deadline.")]
        if errors:
            raise ValidationError(errors)


class Obligation(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("process", "Open")
        MET = "met", _("Met on time")
        MET_LATE = "met_late", _("Met late")
        MISSED = "missed", _("Missed")
        CANCELLED = "cancelled", _("No longer due")

    # A missed obligation can still be done (late), or turn out met on time when its record is
    # dated before the deadline but was entered after the clock had passed it (a receipt keyed
    # in later). Met ones are final; an obligation whose document was withdrawn is cancelled.
    TRANSITIONS = StateMachine(
        {
            Status.OPEN: {Status.MET, Status.MET_LATE, Status.MISSED, Status.CANCELLED},
            Status.MISSED: {Status.MET, Status.MET_LATE},
        }
    )

    rule = models.ForeignKey(SopRule, on_delete=models.PROTECT, related_name="obligations", verbose_name=_("rule"))
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="sop_obligations", verbose_name=_("person")
    )
    period_key = models.CharField(_("period"), max_length=80)
    open_at = bounded.DateTimeField(_("opens"))
    due_at = bounded.DateTimeField(pgettext_lazy("deadline", "due"))
    remind_at = bounded.DateTimeField(null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    met_at = bounded.DateTimeField(_("done at"), null=True, blank=True)
    reminded_at = bounded.DateTimeField(_("reminded at"), null=True, blank=True)
    escalated_at = bounded.DateTimeField(_("escalated at"), null=True, blank=True)
    reminder_run = models.ForeignKey("ClockRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    escalation_run = models.ForeignKey("ClockRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reference = models.CharField(_("reference"), max_length=200, blank=True)
    url = models.CharField(_("document"), max_length=300, blank=True)
    event = models.ForeignKey("SopEvent", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = bounded.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("obligation")
        verbose_name_plural = _("obligations")
        ordering = ["-due_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "person", "period_key"], name="sop_obligation_unique_period")
        ]
        indexes = [
            models.Index(fields=["status", "due_at"], name="sop_obligation_due"),
            models.Index(fields=["status", "remind_at"], name="sop_obligation_remind"),
            models.Index(fields=["person", "status", "due_at"], name="sop_obligation_person"),
            models.Index(fields=["reminder_run"], name="sop_obligation_reminder_run"),
            models.Index(fields=["escalation_run"], name="sop_obligation_escal_run"),
        ]

    def __str__(self) -> str:
        return f"{self.rule} · {self.person} · {self.period_key}"

    @property
    def is_done(self) -> bool:
        return self.status in {self.Status.MET, self.Status.MET_LATE}


class SopEvent(models.Model):
    """Something a document recorded as done ("daily report submitted by rep1 at 17:12"),
    written by the service that wrote the document (see `sop.hooks`)."""

    event_type = models.CharField(_("event"), max_length=60, db_index=True)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="sop_events", verbose_name=_("person")
    )
    occurred_at = bounded.DateTimeField(_("occurred at"))
    reference = models.CharField(_("reference"), max_length=200, blank=True)
    period_key = models.CharField(_("period"), max_length=80, blank=True)
    url = models.CharField(_("document"), max_length=300, blank=True)
    obligation = models.ForeignKey(
        Obligation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("obligation")
    )
    recorded_at = bounded.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("SOP event")
        verbose_name_plural = _("SOP events")
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["person", "event_type", "occurred_at"], name="sop_event_person")]

    def __str__(self) -> str:
        return f"{event_type_label(self.event_type)} · {self.person} · {self.occurred_at:%Y-%m-%d %H:%M}"

    @property
    def event_type_label(self) -> str:
        return str(event_type_label(self.event_type))


class ClockRun(models.Model):
    """One evaluation of the SOP clock: for the "run now" page and to tie alerts to a run."""

    now = bounded.DateTimeField(_("evaluated at"))
    started_at = bounded.DateTimeField(_("started"), auto_now_add=True)
    finished_at = bounded.DateTimeField(_("finished"), null=True, blank=True)
    created = models.PositiveIntegerField(_("obligations created"), default=0)
    reminded = models.PositiveIntegerField(_("reminders"), default=0)
    missed = models.PositiveIntegerField(_("missed and escalated"), default=0)
    matched = models.PositiveIntegerField(_("matched to earlier events"), default=0)
    seconds = models.FloatField(_("seconds"), default=0)

    class Meta:
        verbose_name = _("clock run")
        verbose_name_plural = _("clock runs")
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.now:%Y-%m-%d %H:%M}"


class DailyReport(models.Model):
    """A rep's end-of-day report (日报): what was done today. Submitting it reports the
    `daily_report_submitted` event; the supervisor reviews it."""

    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="daily_reports", verbose_name=_("rep")
    )
    team = models.ForeignKey(
        OrgUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("team")
    )
    date = bounded.DateField(_("date"))
    visits = bounded.TextField(_("visits"), blank=True)
    calls = bounded.TextField(_("calls"), blank=True)
    orders = bounded.TextField(_("orders"), blank=True)
    collections = bounded.TextField(_("collections"), blank=True)
    feedback = bounded.TextField(_("market feedback"), blank=True)
    submitted_at = bounded.DateTimeField(_("submitted at"))
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = bounded.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_comment = bounded.TextField(_("review comment"), blank=True)

    class Meta:
        verbose_name = _("daily report")
        verbose_name_plural = _("daily reports")
        ordering = ["-date", "rep__username"]
        constraints = [models.UniqueConstraint(fields=["rep", "date"], name="sop_dailyreport_one_per_day")]

    def __str__(self) -> str:
        return f"{self.rep} · {self.date}"

    def clean(self):
        if not any([self.visits, self.calls, self.orders, self.collections, self.feedback]):
            raise ValidationError(_("Write at least one part of the report."))


__all__ = ["SopRule", "Obligation", "SopEvent", "ClockRun", "DailyReport", "event_type_choices"]
