"""Writes of the SOP area: rules, recorded events, event-started deadlines, daily reports.

Other areas reach these through `sop.hooks` only: their services start a deadline when a
document starts one (an order confirmed, a complaint registered) and record the event when a
document meets one (the customer's receipt, the answer); the matching open (or missed)
obligation is marked met or met late. Nobody declares an event by hand: there is no page or
endpoint for it. The SOP area never polls other areas' tables; the scheduled evaluation
lives in `sop.clock`.
"""

from __future__ import annotations

import dataclasses
import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from salesops.core.audit import audit_record, model_create, model_update
from salesops.core.calendar import WorkCalendar
from salesops.core.models import AuditEvent, User, UserRole
from salesops.sop.clock import sop_clock_run  # noqa: F401  (the clock is part of the area's services)
from salesops.sop.events import is_known_event_type
from salesops.sop.exceptions import (
    AlreadyReviewed,
    InvalidSopRule,
    OwnReportReview,
    RuleNotEventTriggered,
    UnknownEventType,
    UnknownRule,
)
from salesops.sop.models import ESCALATE_TO_MANAGER, DailyReport, Obligation, SopEvent, SopRule
from salesops.sop.schedule import Schedule, ScheduleError

RULE_FIELDS = [
    "code",
    "name_en",
    "name_zh",
    "description",
    "event_type",
    "roles",
    "org_unit",
    "schedule",
    "reminder_minutes",
    "escalate_to",
    "enabled",
]


# --- rules ---------------------------------------------------------------------------------------
def _validate_rule(rule: SopRule) -> None:
    """Model checks plus the checks that need the database: the rule must reach somebody."""
    try:
        rule.full_clean()
    except ValidationError as error:
        raise InvalidSopRule(fields=error.message_dict) from None
    if not rule.enabled:
        return
    holders = UserRole.objects.filter(user__is_active=True)
    if rule.roles:
        in_scope = holders.filter(role__in=rule.roles)
        if rule.org_unit_id:
            in_scope = in_scope.filter(user__org_unit__path__startswith=rule.org_unit.path)
        if not in_scope.exists():
            raise InvalidSopRule(
                fields={"roles": [_("Nobody holds these roles in the chosen unit, so the rule would apply to nobody.")]}
            )
    if rule.escalate_to != ESCALATE_TO_MANAGER and not holders.filter(role=rule.escalate_to).exists():
        raise InvalidSopRule(
            fields={
                "escalate_to": [
                    _("Nobody holds the role “%(role)s”; escalations would reach nobody.")
                    % {"role": rule.escalate_to_label}
                ]
            }
        )


@transaction.atomic
def sop_rule_create(*, actor, **fields) -> SopRule:
    rule = SopRule(**{key: value for key, value in fields.items() if key in RULE_FIELDS})
    _validate_rule(rule)
    return model_create(instance=rule, actor=actor)


def _keep_identity(rule: SopRule, code_before: str, started_by_event_before: bool) -> None:
    """Documents find a rule by its code and start it from an event or read its periods: both
    stay what they were, so no change of a rule can break the order, complaint or plan that
    relies on it."""
    errors = {}
    if rule.code != code_before:
        errors["code"] = [_("The code of a rule cannot change: documents refer to it.")]
    try:
        kind_changed = rule.parsed_schedule.is_event_triggered != started_by_event_before
    except ScheduleError:
        kind_changed = False  # not a schedule at all: the model checks say so next to the field
    if kind_changed:
        errors["schedule"] = [
            _("This rule is started by its document: keep an expression such as “after 24h” or “same-day”.")
            if started_by_event_before
            else _("This rule runs on a calendar: keep an expression such as “daily 17:30” or “monthly day 20”.")
        ]
    if errors:
        raise InvalidSopRule(fields=errors)


@transaction.atomic
def sop_rule_update(*, rule: SopRule, data: dict, actor) -> SopRule:
    was_enabled = rule.enabled
    schedule_before = rule.schedule
    code_before, started_by_event_before = rule.code, rule.parsed_schedule.is_event_triggered
    for name in RULE_FIELDS:
        if name in data:
            setattr(rule, name, data[name])
    _keep_identity(rule, code_before, started_by_event_before)
    _validate_rule(rule)
    rule.refresh_from_db(fields=RULE_FIELDS)
    rule, _changed = model_update(instance=rule, fields=RULE_FIELDS, data=data, actor=actor)
    if (rule.enabled and not was_enabled) or rule.schedule != schedule_before:
        # Start afresh from the periods running now: no backlog of periods from before.
        SopRule.objects.filter(pk=rule.pk).update(scheduled_until=None)
        rule.scheduled_until = None
    return rule


# --- events --------------------------------------------------------------------------------------
PENDING = [Obligation.Status.OPEN, Obligation.Status.MISSED]


def _matching(event: SopEvent) -> list[Obligation]:
    """The obligations `event` meets: those started for the same document (its reference), else
    the person's obligations, for each periodic rule waiting for this event, of the period the
    event's day falls in. An event that names neither meets nothing."""
    pending = Obligation.objects.select_for_update().filter(rule__event_type=event.event_type, status__in=PENDING)
    if event.reference:
        started = list(pending.filter(reference=event.reference).order_by("due_at", "id"))
        if started:
            return started
    if not event.period_key:
        return []
    day = datetime.date.fromisoformat(event.period_key)
    periods = Q()
    for rule in SopRule.objects.filter(event_type=event.event_type):
        try:
            schedule = rule.parsed_schedule
        except ScheduleError:
            continue
        if not schedule.is_event_triggered:
            periods |= Q(rule=rule, period_key=schedule.period_key(day))
    if not periods:
        return []
    return list(pending.filter(periods, person=event.person).order_by("due_at", "id"))


def _fulfil(obligation: Obligation, event: SopEvent, actor=None) -> Obligation:
    target = Obligation.Status.MET if event.occurred_at <= obligation.due_at else Obligation.Status.MET_LATE
    before = obligation.status
    Obligation.TRANSITIONS.check(before, target)
    obligation.status = target
    obligation.met_at = event.occurred_at
    obligation.event = event
    obligation.reference = obligation.reference or event.reference
    obligation.url = obligation.url or event.url
    obligation.save(update_fields=["status", "met_at", "event", "reference", "url"])
    if event.obligation_id is None:
        event.obligation = obligation
        event.save(update_fields=["obligation"])
    audit_record(
        instance=obligation,
        action=AuditEvent.Action.TRANSITION,
        actor=actor,
        changes={"status": [before, target]},
        note=event.reference,
    )
    return obligation


@transaction.atomic
def sop_event(
    *,
    event_type: str,
    person: User,
    occurred_at: datetime.datetime | None = None,
    reference: str = "",
    period: datetime.date | None = None,
    url: str = "",
    actor=None,
) -> SopEvent:
    """Record that `person` did `event_type` (a document's service calls this through
    `sop.hooks.done`); marks the obligations it meets met, or met late.

    Matching: the obligations started for the same `reference`; else, when `period` (a day) is
    given, the person's obligation of the period containing that day for each periodic rule
    waiting for this event."""
    if not is_known_event_type(event_type):
        raise UnknownEventType(fields={"event_type": [_("Unknown event type “%(value)s”.") % {"value": event_type}]})
    occurred_at = occurred_at or timezone.now()
    event = SopEvent(
        event_type=event_type,
        person=person,
        occurred_at=occurred_at,
        reference=reference[:200],
        period_key=period.isoformat() if period else "",
        url=url[:300],
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    event.full_clean()
    event.save()
    for obligation in _matching(event):
        _fulfil(obligation, event, actor)
    return event


def match_pending_events(*, event_types, since: datetime.datetime) -> int:
    """Events recorded before their obligation existed (e.g. during clock downtime): match them
    now. Called by the clock after it creates obligations."""
    matched = 0
    pending = SopEvent.objects.filter(obligation__isnull=True, event_type__in=list(event_types), occurred_at__gte=since)
    for event in pending.select_related("person").order_by("occurred_at", "id"):
        for obligation in _matching(event):
            _fulfil(obligation, event)
            matched += 1
    return matched


def _rule(rule_code: str) -> SopRule:
    rule = SopRule.objects.filter(code=rule_code).first()
    if rule is None:
        raise UnknownRule(fields={"rule": [_("There is no SOP rule “%(code)s”.") % {"code": rule_code}]})
    return rule


def _event_schedule(rule: SopRule, amount: int | None) -> Schedule:
    schedule = rule.parsed_schedule
    if not schedule.is_event_triggered:
        raise RuleNotEventTriggered()
    return dataclasses.replace(schedule, number=amount) if amount is not None else schedule


def _due(rule: SopRule, started_at: datetime.datetime, amount: int | None, calendar) -> datetime.datetime:
    schedule = _event_schedule(rule, amount)
    if calendar is None and schedule.counts_on_the_calendar:
        calendar = WorkCalendar.load()
    return schedule.due_after(calendar, started_at)


def sop_deadline(
    *, rule_code: str, started_at: datetime.datetime, amount: int | None = None, calendar: WorkCalendar | None = None
) -> datetime.datetime:
    """When something started at `started_at` is due under the rule, whether or not the rule is
    switched on (it is the one place the deadline lives). `amount` replaces the rule's number
    but keeps its unit, for a document that carries its own length (an approval chain's hours)."""
    return _due(_rule(rule_code), started_at, amount, calendar)


def sop_period_due(*, rule_code: str, day: datetime.date, calendar: WorkCalendar | None = None):
    """When the rule's period containing `day` is due (None: no obligation in that period)."""
    return _rule(rule_code).parsed_schedule.period_due(calendar or WorkCalendar.load(), day)


def sop_start(
    *,
    rule_code: str,
    person: User,
    started_at: datetime.datetime | None = None,
    reference: str,
    url: str = "",
    due_at: datetime.datetime | None = None,
    calendar: WorkCalendar | None = None,
) -> datetime.datetime:
    """Start an event-triggered deadline ("answer the complaint within 24 h of registration")
    and return when it is due, which the document may keep (an order's "deliver by").

    The obligation is written only when the rule is switched on; starting the same reference
    for the same person twice writes nothing more (one insert that ignores the duplicate, like
    the clock's: the row itself records when it opened and is due). `due_at` is for a document
    that carries its own deadline computed by `sop_deadline` (an approval task)."""
    if not reference:
        raise InvalidSopRule(fields={"reference": [_("An event-started deadline needs the reference of its event.")]})
    rule = _rule(rule_code)
    started_at = started_at or timezone.now()
    due_at = due_at or _due(rule, started_at, None, calendar)
    if rule.enabled:
        remind_at = due_at - datetime.timedelta(minutes=rule.reminder_minutes) if rule.reminder_minutes else None
        obligation = Obligation(
            rule=rule,
            person=person,
            period_key=reference[:80],
            open_at=started_at,
            due_at=due_at,
            remind_at=remind_at,
            reference=reference[:200],
            url=url[:300],
        )
        Obligation.objects.bulk_create([obligation], ignore_conflicts=True)
    return due_at


@transaction.atomic
def sop_cancel(*, reference: str, rule_code: str | None = None, actor=None) -> int:
    """The document behind open obligations was withdrawn or cancelled: they are no longer due.
    Missed ones stay missed (the deadline had passed before). Returns how many."""
    if not reference:
        return 0
    open_ = Obligation.objects.select_for_update().filter(reference=reference, status=Obligation.Status.OPEN)
    if rule_code:
        open_ = open_.filter(rule__code=rule_code)
    cancelled = 0
    for obligation in open_.order_by("pk"):
        Obligation.TRANSITIONS.check(obligation.status, Obligation.Status.CANCELLED)
        obligation.status = Obligation.Status.CANCELLED
        obligation.save(update_fields=["status"])
        audit_record(
            instance=obligation,
            action=AuditEvent.Action.TRANSITION,
            actor=actor if getattr(actor, "pk", None) else None,
            changes={"status": [Obligation.Status.OPEN, Obligation.Status.CANCELLED]},
            note=reference,
        )
        cancelled += 1
    return cancelled


# --- daily reports -----------------------------------------------------------------------------------
REPORT_TEXT_FIELDS = ["visits", "calls", "orders", "collections", "feedback"]


@transaction.atomic
def daily_report_submit(
    *, rep: User, date: datetime.date, actor, submitted_at: datetime.datetime | None = None, **texts
) -> DailyReport:
    """Submit (or correct, until reviewed) the rep's report for `date`; the first submission
    reports `daily_report_submitted` for that day."""
    submitted_at = submitted_at or timezone.now()
    data = {key: (texts.get(key) or "").strip() for key in REPORT_TEXT_FIELDS}
    if date > timezone.localdate(submitted_at, timezone=WorkCalendar.load().tz):
        raise InvalidSopRule(fields={"date": [_("A daily report cannot be for a future day.")]})
    existing = DailyReport.objects.select_for_update().filter(rep=rep, date=date).first()
    if existing is not None:
        if existing.reviewed_at:
            raise AlreadyReviewed()
        report, _changed = model_update(instance=existing, fields=REPORT_TEXT_FIELDS, data=data, actor=actor)
        return report
    report = DailyReport(rep=rep, team=rep.org_unit, date=date, submitted_at=submitted_at, **data)
    try:
        model_create(instance=report, actor=actor)
    except ValidationError as error:
        raise InvalidSopRule(message=_("Write at least one part of the report."), fields=error.message_dict) from None
    sop_event(
        event_type="daily_report_submitted",
        person=rep,
        occurred_at=submitted_at,
        reference=f"daily-report:{report.pk}",
        period=date,
        url=reverse("sop-report-detail", args=[report.pk]),
        actor=actor,
    )
    return report


@transaction.atomic
def daily_report_review(*, report: DailyReport, reviewer: User, comment: str = "") -> DailyReport:
    report = DailyReport.objects.select_for_update().get(pk=report.pk)
    if report.rep_id == reviewer.pk:
        raise OwnReportReview()
    if report.reviewed_at:
        raise AlreadyReviewed()
    report, _changed = model_update(
        instance=report,
        fields=["reviewed_by", "reviewed_at", "review_comment"],
        data={"reviewed_by": reviewer, "reviewed_at": timezone.now(), "review_comment": comment.strip()},
        actor=reviewer,
    )
    return report
