"""The SOP clock: one evaluation of every enabled rule at `now`.

1. Create the obligations of periods that opened since the rule was last scheduled (a newly
   enabled rule starts with the periods running now). `bulk_create(ignore_conflicts=True)`
   over the (rule, person, period) unique constraint makes this idempotent.
2. Match events reported before their obligation existed (e.g. during downtime).
3. Claim reminders and misses with one conditional UPDATE each, stamped with this run: a row
   is claimed by exactly one run, so running twice, or two workers at once, never alerts
   twice, and catching up after downtime escalates each obligation once.
4. Read back what this run claimed and send one grouped notification per recipient (in-app,
   plus e-mail on commit): a catch-up after a long stop gives each person one message.
   Notifications are written like `core.services.notify` does (in the recipient's language)
   but inserted with one bulk insert; e-mails go out in background tasks after commit.

The work is set-based: the number of queries depends on the number of rules and recipients,
never on the number of obligations. The bulk status changes are recorded on the rows
themselves (escalated_at, escalation_run) and in the `ClockRun`, not as one audit row each.
"""

from __future__ import annotations

import datetime
import logging
import time
from collections import defaultdict
from functools import partial

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from salesops.core import formatting
from salesops.core.calendar import WorkCalendar
from salesops.core.models import Notification, User, UserRole
from salesops.sop.models import ESCALATE_TO_MANAGER, ClockRun, Obligation, SopRule
from salesops.sop.schedule import ScheduleError
from salesops.sop.tasks import send_sop_mail

logger = logging.getLogger(__name__)
LINES_PER_MESSAGE = 15
MAILS_PER_TASK = 200


def sop_clock_run(*, now: datetime.datetime | None = None, send_email: bool = True) -> ClockRun:
    now = now or timezone.now()
    started = time.perf_counter()
    calendar = WorkCalendar.load()
    with transaction.atomic():
        run = ClockRun.objects.create(now=now)
        holders = _role_holders()
        rules = {rule.pk: rule for rule in SopRule.objects.select_related("org_unit").order_by("pk")}
        run.created, run.matched = _create_obligations(rules, holders, calendar, now)
        open_ = Obligation.objects.filter(status=Obligation.Status.OPEN)
        run.reminded = open_.filter(reminded_at__isnull=True, remind_at__lte=now, due_at__gt=now).update(
            reminded_at=now, reminder_run=run
        )
        run.missed = open_.filter(due_at__lte=now).update(
            status=Obligation.Status.MISSED, escalated_at=now, escalation_run=run
        )
        outbox = _Outbox(send_email)
        if run.reminded:
            _send_reminders(run, rules, calendar, outbox)
        if run.missed:
            _send_escalations(run, rules, holders, calendar, outbox)
        outbox.flush()
        run.finished_at = timezone.now()
        run.seconds = round(time.perf_counter() - started, 3)
        run.save(update_fields=["created", "matched", "reminded", "missed", "finished_at", "seconds"])
    return run


def _role_holders() -> dict[str, list[tuple[int, str]]]:
    holders: dict[str, list[tuple[int, str]]] = defaultdict(list)
    rows = UserRole.objects.filter(user__is_active=True).values_list("role", "user_id", "user__org_unit__path")
    for role, user_id, path in rows.order_by("user_id"):
        holders[role].append((user_id, path or ""))
    return holders


def _create_obligations(rules, holders, calendar, now) -> tuple[int, int]:
    from salesops.sop.services import match_pending_events

    before = Obligation.objects.count()
    earliest: dict[str, datetime.datetime] = {}
    for rule in rules.values():
        if not rule.enabled:
            continue
        try:
            schedule = rule.parsed_schedule
        except ScheduleError:  # rules are validated on save; an old bad row is skipped, not fatal
            logger.warning("SOP rule %s has an invalid schedule %r", rule.code, rule.schedule)
            continue
        if schedule.is_event_triggered:
            continue
        if rule.scheduled_until is None:
            periods = schedule.current_periods(calendar, now)
        elif rule.scheduled_until < now:
            periods = list(schedule.periods_opening(calendar, rule.scheduled_until, now))
        else:
            continue
        unit_path = rule.org_unit.path if rule.org_unit_id else ""
        people = sorted(
            {user_id for role in rule.roles for user_id, path in holders.get(role, []) if path.startswith(unit_path)}
        )
        lead = datetime.timedelta(minutes=rule.reminder_minutes)
        rows = [
            Obligation(
                rule_id=rule.pk,
                person_id=person_id,
                period_key=period.key,
                open_at=period.open_at,
                due_at=period.due_at,
                remind_at=period.due_at - lead if rule.reminder_minutes else None,
            )
            for period in periods
            for person_id in people
        ]
        if rows:
            Obligation.objects.bulk_create(rows, ignore_conflicts=True, batch_size=2000)
            first_open = min(period.open_at for period in periods)
            earliest[rule.event_type] = min(first_open, earliest.get(rule.event_type, first_open))
        SopRule.objects.filter(pk=rule.pk).update(scheduled_until=now)
    created = Obligation.objects.count() - before
    matched = match_pending_events(event_types=earliest, since=min(earliest.values())) if created else 0
    return created, matched


# --- alerts ------------------------------------------------------------------------------------------
class _Outbox:
    """Alerts of one run: notifications inserted together, e-mails sent together on commit.
    Each message is written in its recipient's language, as `core.services.notify` does."""

    def __init__(self, send_email: bool):
        self.send_email = send_email
        self.notifications: list[Notification] = []
        self.emails: list[list] = []

    def add(self, user: User, title: str, body: str, url: str, kind: str) -> None:
        self.notifications.append(Notification(user=user, title=title[:200], body=body, url=url, kind=kind))
        if self.send_email and user.email:
            self.emails.append([f"[salesops] {title}", f"{body}\n\n{url}", user.email])

    def flush(self) -> None:
        Notification.objects.bulk_create(self.notifications, batch_size=1000)
        # E-mail goes out in background tasks after commit: a slow mail server never holds the clock.
        for start in range(0, len(self.emails), MAILS_PER_TASK):
            chunk = self.emails[start : start + MAILS_PER_TASK]
            transaction.on_commit(partial(send_sop_mail.enqueue, messages=chunk))
        self.notifications, self.emails = [], []


def _lines(items: list, render) -> str:
    """The first LINES_PER_MESSAGE items rendered, and how many more there are."""
    shown = items[:LINES_PER_MESSAGE]
    text = "\n".join(f"• {render(*item)}" for item in shown)
    if len(items) > len(shown):
        text += "\n" + _("… and %(count)s more") % {"count": len(items) - len(shown)}
    return text


def _language(user: User) -> str:
    return user.language or settings.LANGUAGE_CODE


def _send_reminders(run: ClockRun, rules, calendar, outbox: _Outbox) -> None:
    by_person: dict[int, list[tuple]] = defaultdict(list)
    rows = Obligation.objects.filter(reminder_run=run).values_list("person_id", "rule_id", "due_at")
    for person_id, rule_id, due_at in rows.order_by("due_at", "id"):
        by_person[person_id].append((rule_id, due_at))
    people = User.objects.in_bulk(list(by_person))
    url = reverse("sop-my")
    for person_id, items in by_person.items():
        person = people[person_id]
        with translation.override(_language(person)):
            title = ngettext("%(count)s deadline is due soon", "%(count)s deadlines are due soon", len(items)) % {
                "count": len(items)
            }
            line = _("%(rule)s — due %(due)s")  # translated once per message, not per line
            body = _lines(
                items,
                lambda rule_id, due_at, line=line: (
                    line % {"rule": rules[rule_id].name, "due": formatting.datetime_(due_at, short=True)}
                ),
            )
            outbox.add(person, title, body, url, "sop.reminder")


def _escalation_targets(rule: SopRule, person_id: int, manager_id, unit_path: str, holders) -> list[int]:
    if rule.escalate_to == ESCALATE_TO_MANAGER:
        return [manager_id] if manager_id else []
    candidates = [(path, user_id) for user_id, path in holders.get(rule.escalate_to, []) if user_id != person_id]
    above = [(path, user_id) for path, user_id in candidates if path and unit_path.startswith(path)]
    if above:  # the closest holder(s) above the person in the organisation tree
        deepest = max(len(path) for path, _user in above)
        return [user_id for path, user_id in above if len(path) == deepest]
    return [user_id for _path, user_id in candidates]


def _send_escalations(run: ClockRun, rules, holders, calendar, outbox: _Outbox) -> None:
    to_person: dict[int, list[tuple]] = defaultdict(list)
    to_target: dict[int, list[tuple]] = defaultdict(list)
    rows = Obligation.objects.filter(escalation_run=run).values_list(
        "person_id", "person__manager_id", "person__org_unit__path", "rule_id", "due_at"
    )
    for person_id, manager_id, unit_path, rule_id, due_at in rows.order_by("due_at", "id").iterator(chunk_size=5000):
        to_person[person_id].append((rule_id, due_at))
        for target in _escalation_targets(rules[rule_id], person_id, manager_id, unit_path or "", holders):
            to_target[target].append((person_id, rule_id, due_at))
    people = User.objects.in_bulk(list(set(to_person) | set(to_target)))
    my_url, team_url = reverse("sop-my"), reverse("sop-obligations") + "?status=missed"
    for person_id, items in to_person.items():
        person = people[person_id]
        with translation.override(_language(person)):
            title = ngettext("You missed %(count)s deadline", "You missed %(count)s deadlines", len(items)) % {
                "count": len(items)
            }
            line = _("%(rule)s — was due %(due)s")
            body = _lines(
                items,
                lambda rule_id, due_at, line=line: (
                    line % {"rule": rules[rule_id].name, "due": formatting.datetime_(due_at, short=True)}
                ),
            )
            outbox.add(person, title, body, my_url, "sop.missed")
    for target_id, items in to_target.items():
        target = people[target_id]
        with translation.override(_language(target)):
            title = ngettext(
                "%(count)s deadline missed in your area", "%(count)s deadlines missed in your area", len(items)
            ) % {"count": len(items)}
            line = _("%(person)s: %(rule)s — was due %(due)s")
            body = _lines(
                items,
                lambda person_id, rule_id, due_at, line=line: (
                    line
                    % {
                        "person": people[person_id].display_name,
                        "rule": rules[rule_id].name,
                        "due": formatting.datetime_(due_at, short=True),
                    }
                ),
            )
            outbox.add(target, title, body, team_url, "sop.escalation")
