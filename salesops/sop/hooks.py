"""How a document tells the SOP clock that it starts or meets a deadline: the only SOP
functions other areas call. The signatures are stable.

A deadline is met only by the real record that meets it, so these are called by the service
that writes that record, in its transaction (the obligation and the document commit or roll
back together):

    from salesops.sop import hooks

    # a complaint registered starts "answer within 24 h" for its owner; returns when it is due
    complaint.answer_due = hooks.start(rule="complaint-24h", person=owner, started_at=received_at,
                                       reference=f"complaint:{complaint.pk}", url=complaint_url)
    # the answer meets it
    hooks.done(event="complaint_answered", person=owner, reference=f"complaint:{complaint.pk}")
    # a periodic duty ("the production plan by the 29th") is met by the document of its period
    hooks.done(event="production_plan_issued", person=planner, period=some_day_of_the_period,
               reference=f"production-plan:{plan.pk}", url=plan_url)
    # the document was withdrawn: its open obligations are no longer due
    hooks.cancel(reference=f"complaint:{complaint.pk}")

and, where a document needs the deadline itself, it reads it from the rule instead of keeping
its own number (one source of truth per deadline):

    hooks.deadline("delivery-24h", confirmed_at)          # → the moment it is due
    hooks.period_due("production-plan-29th", some_day)    # → when that month's plan is due
    hooks.length_in_days("overdue-30", today)             # → 30

`reference` names the document ("complaint:12", "invoice:INV-2026-00042"); an event with the
same reference meets the obligations started with it. `period` is a day: the event meets the
person's obligation of the period containing it, for each periodic rule waiting for the event.
`url` is where a reader of the compliance report finds the document.

A new kind of event is added with `salesops.sop.events.register_event_type(code, label)` from
the area's AppConfig.ready(); a new rule is data (the SOP rules page or a data migration).
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from salesops.sop import services


def start(
    *,
    rule: str,
    person,
    reference: str,
    started_at: datetime.datetime | None = None,
    url: str = "",
    due_at: datetime.datetime | None = None,
) -> datetime.datetime:
    """Open the person's obligation under an event-started rule (when the rule is on) and return
    when it is due (whether the rule is on or off), for the document to keep."""
    return services.sop_start(
        rule_code=rule, person=person, started_at=started_at, reference=reference, url=url, due_at=due_at
    )


def done(
    *,
    event: str,
    person,
    occurred_at: datetime.datetime | None = None,
    reference: str = "",
    period: datetime.date | None = None,
    url: str = "",
    actor=None,
):
    """Record that a document did `event`; the obligations it meets are marked met (or late)."""
    return services.sop_event(
        event_type=event,
        person=person,
        occurred_at=occurred_at,
        reference=reference,
        period=period,
        url=url,
        actor=actor,
    )


def cancel(*, reference: str, rule: str | None = None, actor=None) -> int:
    """The document was withdrawn or cancelled: its open obligations are no longer due."""
    return services.sop_cancel(reference=reference, rule_code=rule, actor=actor)


def deadline(rule: str, started_at: datetime.datetime, *, amount: int | None = None) -> datetime.datetime:
    """The moment something started at `started_at` is due under an event-started rule."""
    return services.sop_deadline(rule_code=rule, started_at=started_at, amount=amount)


def period_due(rule: str, day: datetime.date) -> datetime.datetime | None:
    """When the period of a periodic rule containing `day` is due (None: no obligation then)."""
    return services.sop_period_due(rule_code=rule, day=day)


def length_in_days(rule: str, day: datetime.date) -> int:
    """How many whole days an event-started rule gives something started at the start of
    `day` (the 30 of "overdue 30 days")."""
    start = start_of_day(day)
    return (deadline(rule, start) - start).days


def start_of_day(day: datetime.date) -> datetime.datetime:
    """Midnight at the start of `day` in the company's time zone (a dated document's moment)."""
    from salesops.core.calendar import WorkCalendar

    return datetime.datetime.combine(day, datetime.time(0), WorkCalendar.load().tz)


def end_of_day(day: datetime.date, *, now: datetime.datetime | None = None) -> datetime.datetime:
    """The last moment of `day` in the company's time zone, or `now` when that is earlier: when
    a document dated `day` (a receipt) counts as done."""
    moment = start_of_day(day + datetime.timedelta(days=1)) - datetime.timedelta(microseconds=1)
    return min(moment, now or timezone.now())
