"""Writes of the SOP area: rules, reported events, event-started deadlines, daily reports.

Areas call `sop_event(...)` when something a rule waits for happens (a report submitted, a
complaint answered); the matching open (or missed) obligation is marked met or met late. The
SOP area never polls other areas' tables. The scheduled evaluation lives in `sop.clock`.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
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
)
from salesops.sop.models import ESCALATE_TO_MANAGER, DailyReport, Obligation, SopEvent, SopRule

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


@transaction.atomic
def sop_rule_update(*, rule: SopRule, data: dict, actor) -> SopRule:
    was_enabled = rule.enabled
    schedule_before = rule.schedule
    for name in RULE_FIELDS:
        if name in data:
            setattr(rule, name, data[name])
    _validate_rule(rule)
    rule.refresh_from_db(fields=RULE_FIELDS)
    rule, _changed = model_update(instance=rule, fields=RULE_FIELDS, data=data, actor=actor)
    if (rule.enabled and not was_enabled) or rule.schedule != schedule_before:
        # Start afresh from the periods running now: no backlog of periods from before.
        SopRule.objects.filter(pk=rule.pk).update(scheduled_until=None)
        rule.scheduled_until = None
    return rule


# --- events --------------------------------------------------------------------------------------
def _candidate_obligation(*, event_type, person, occurred_at, reference, period_key) -> Obligation | None:
    base = Obligation.objects.select_for_update().filter(
        rule__event_type=event_type, status__in=[Obligation.Status.OPEN, Obligation.Status.MISSED]
    )
    if reference:
        # Event-started deadlines carry the reference of the event that started them.
        started = base.filter(reference=reference).order_by("due_at", "id").first()
        if started is not None:
            return started
    mine = base.filter(person=person)
    if period_key:
        return mine.filter(period_key=period_key).order_by("due_at", "id").first()
    pending = mine.filter(status=Obligation.Status.OPEN, open_at__lte=occurred_at).order_by("due_at", "id").first()
    if pending is not None:
        return pending
    return mine.filter(status=Obligation.Status.MISSED, open_at__lte=occurred_at).order_by("-due_at", "-id").first()


def _fulfil(obligation: Obligation, event: SopEvent, actor=None) -> Obligation:
    target = Obligation.Status.MET if event.occurred_at <= obligation.due_at else Obligation.Status.MET_LATE
    before = obligation.status
    Obligation.TRANSITIONS.check(before, target)
    obligation.status = target
    obligation.met_at = event.occurred_at
    obligation.event = event
    obligation.save(update_fields=["status", "met_at", "event"])
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
    period_key: str = "",
    actor=None,
) -> SopEvent:
    """Record that `person` did `event_type`; marks the matching obligation met (or met late).

    Matching: an event-started obligation with the same reference; else the person's obligation
    for `period_key` when given; else their earliest-due open obligation already opened, else
    their most recent missed one (done late)."""
    if not is_known_event_type(event_type):
        raise UnknownEventType(fields={"event_type": [_("Unknown event type “%(value)s”.") % {"value": event_type}]})
    occurred_at = occurred_at or timezone.now()
    event = SopEvent(
        event_type=event_type,
        person=person,
        occurred_at=occurred_at,
        reference=reference[:200],
        period_key=period_key[:80],
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    event.full_clean()
    event.save()
    obligation = _candidate_obligation(
        event_type=event_type, person=person, occurred_at=occurred_at, reference=reference, period_key=period_key
    )
    if obligation is not None:
        _fulfil(obligation, event, actor)
    return event


def match_pending_events(*, event_types, since: datetime.datetime) -> int:
    """Events reported before their obligation existed (e.g. reported during clock downtime):
    match them now. Called by the clock after it creates obligations."""
    matched = 0
    pending = SopEvent.objects.filter(obligation__isnull=True, event_type__in=list(event_types), occurred_at__gte=since)
    for event in pending.select_related("person").order_by("occurred_at", "id"):
        obligation = _candidate_obligation(
            event_type=event.event_type,
            person=event.person,
            occurred_at=event.occurred_at,
            reference=event.reference,
            period_key=event.period_key,
        )
        if obligation is not None:
            _fulfil(obligation, event)
            matched += 1
    return matched


def sop_start(
    *,
    rule_code: str,
    person: User,
    started_at: datetime.datetime | None = None,
    reference: str,
    calendar: WorkCalendar | None = None,
) -> Obligation | None:
    """Start an event-triggered deadline ("answer the complaint within 24 h of registration").
    Returns None when the rule is switched off or not defined (one query, nothing written).
    Starting the same reference twice is a no-op."""
    if not reference:
        raise InvalidSopRule(fields={"reference": [_("An event-started deadline needs the reference of its event.")]})
    rule = SopRule.objects.filter(code=rule_code).first()
    if rule is None or not rule.enabled:
        return None
    schedule = rule.parsed_schedule
    if not schedule.is_event_triggered:
        raise RuleNotEventTriggered()
    started_at = started_at or timezone.now()
    due_at = schedule.due_after(calendar or WorkCalendar.load(), started_at)
    remind_at = due_at - datetime.timedelta(minutes=rule.reminder_minutes) if rule.reminder_minutes else None
    with transaction.atomic():
        obligation, created = Obligation.objects.get_or_create(
            rule=rule,
            person=person,
            period_key=reference[:80],
            defaults={"open_at": started_at, "due_at": due_at, "remind_at": remind_at, "reference": reference[:200]},
        )
        if created:
            audit_record(instance=obligation, action=AuditEvent.Action.CREATE, changes={"due_at": [None, str(due_at)]})
    return obligation


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
        period_key=date.isoformat(),
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
