"""Calendar expressions of SOP rules: when an obligation opens and when it is due.

An expression is parsed when an administrator saves a rule (`parse_schedule` raises
`ScheduleError` naming the problem); the clock only evaluates expressions that parsed.
All times are wall-clock times in the company's time zone; days follow `WorkCalendar`.

Periodic expressions (the clock creates one obligation per period and person):
  daily 17:30                 every working day, due at 17:30 that day (period key 2026-11-20)
  weekly fri 18:00            every week, due Friday 18:00; when Friday is not a working day,
                              the previous working day of the same week; no working day on or
                              before it in that week: no obligation that week (key 2026-W47)
  monthly day 20 [HH:MM]      by the 20th (the last day for short months); when it is not a
                              working day, the previous working day of the month, or the next one
                              when the month has none before it (key 2026-11)
  monthly workday 3 [HH:MM]   by the 3rd working day of the month
  monthly last-workday [HH:MM], month-end [HH:MM]   by the last working day of the month
  quarterly [HH:MM], every 3 months [HH:MM]         by the last working day of the quarter (2026-Q4)
  every N months [HH:MM]      N ∈ {1, 2, 3, 4, 6, 12}: by the last working day of each block
Without a time, the due time is the end of the company's working day.

Event-triggered expressions (`sop_start` creates the obligation when the triggering event is
reported; the period key is the event's reference):
  after 24h, after 24 hours   24 clock hours after the event
  after 24 working-hours      24 working hours (company calendar and working hours)
  after 30 days               30 calendar days
  after 3 months              the same time 3 calendar months later (the last day for short months)
  after 3 working-days        by the end of the 3rd working day after the event's day
  same-day                    by the end of the event's day (23:59)

Hours are calendar hours unless the expression says working-hours: the manuals' "24 hours"
(二十四小时内) is a day and a night, whatever the office hours.

An obligation opens at the start (00:00) of its period's first day; the clock creates it then.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from dataclasses import dataclass

from django.utils.translation import gettext as _

from salesops.core.calendar import WorkCalendar

WEEKDAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
MONTH_BLOCKS = {1, 2, 3, 4, 6, 12}
MAX_AFTER_HOURS = 24 * 366


class ScheduleError(ValueError):
    """The expression does not parse; the message names the problem."""


@dataclass(frozen=True)
class Period:
    key: str
    open_at: datetime.datetime
    due_at: datetime.datetime


@dataclass(frozen=True)
class Schedule:
    """A parsed expression. kind: daily, weekly, monthly_day, monthly_workday, monthly_last,
    months (every N months), after_hours, after_working_hours, after_days,
    after_working_days, after_months, same_day."""

    kind: str
    number: int = 0
    at: datetime.time | None = None
    text: str = ""

    def describe(self) -> str:
        """The expression said in the reader's language, e.g. "every working day by 17:30"."""
        at = f"{self.at:%H:%M}" if self.at else _("close of business")
        n = self.number
        sayings = {
            "daily": lambda: _("every working day by %(at)s") % {"at": at},
            "weekly": lambda: _("every %(day)s by %(at)s") % {"day": _weekday_name(n), "at": at},
            "monthly_day": lambda: _("by %(at)s on day %(n)d of each month") % {"n": n, "at": at},
            "monthly_workday": lambda: _("by %(at)s on working day %(n)d of each month") % {"n": n, "at": at},
            "monthly_last": lambda: _("by %(at)s on the last working day of each month") % {"at": at},
            "months": lambda: _("by %(at)s on the last working day of every %(n)d months") % {"n": n, "at": at},
            "after_hours": lambda: _("within %(n)d hours") % {"n": n},
            "after_working_hours": lambda: _("within %(n)d working hours") % {"n": n},
            "after_days": lambda: _("within %(n)d days") % {"n": n},
            "after_working_days": lambda: _("within %(n)d working days") % {"n": n},
            "after_months": lambda: _("within %(n)d months") % {"n": n},
            "same_day": lambda: _("the same day"),
        }
        return sayings[self.kind]() if self.kind in sayings else self.text

    @property
    def is_event_triggered(self) -> bool:
        return self.kind.startswith("after_") or self.kind == "same_day"

    @property
    def counts_on_the_calendar(self) -> bool:
        """Whether `due_after` needs the company calendar (working time, days, the time zone)."""
        return self.kind not in {"after_hours", "after_days"}

    # --- periodic ------------------------------------------------------------------------------
    def periods_opening(
        self, calendar: WorkCalendar, start: datetime.datetime, end: datetime.datetime
    ) -> Iterator[Period]:
        """Periods whose open time lies in (start, end]."""
        if self.is_event_triggered:
            return
        tz = calendar.tz
        first = start.astimezone(tz).date()
        last = end.astimezone(tz).date()
        for period in self._periods_for_days(calendar, first, last):
            if start < period.open_at <= end:
                yield period

    def current_periods(self, calendar: WorkCalendar, now: datetime.datetime) -> list[Period]:
        """Periods already open and not yet due at `now` (where a newly enabled rule starts)."""
        if self.is_event_triggered:
            return []
        local = now.astimezone(calendar.tz).date()
        lookback = {"daily": 1, "weekly": 7}.get(self.kind, 31 * max(self.number, 1) if self.kind == "months" else 31)
        candidates = self._periods_for_days(calendar, local - datetime.timedelta(days=lookback), local)
        return [period for period in candidates if period.open_at <= now < period.due_at]

    def period_key(self, day: datetime.date) -> str:
        """The key of the period this (periodic) schedule gives the day `day` belongs to: how a
        document dated that day finds the obligation it meets."""
        if self.kind == "daily":
            return day.isoformat()
        if self.kind == "weekly":
            year, week, _weekday = day.isocalendar()
            return f"{year}-W{week:02d}"
        if self.kind == "months":
            return _month_key(day.year, day.month - (day.month - 1) % self.number, self.number)
        if self.is_event_triggered:
            raise ScheduleError(_("“%(text)s” is started by an event; it has no periods.") % {"text": self.text})
        return _month_key(day.year, day.month, 1)

    def period_due(self, calendar: WorkCalendar, day: datetime.date) -> datetime.datetime | None:
        """When the period containing `day` is due (None: that period has no obligation, e.g. a
        day that is not a working day for a daily rule)."""
        key = self.period_key(day)
        start = {"daily": day, "weekly": day - datetime.timedelta(days=day.weekday())}.get(
            self.kind, day.replace(day=1)
        )
        for period in self._periods_for_days(calendar, start, day):
            if period.key == key:
                return period.due_at
        return None

    def _due_time(self, calendar: WorkCalendar) -> datetime.time:
        return self.at or calendar.work_end

    def _at(self, calendar: WorkCalendar, day: datetime.date, time: datetime.time) -> datetime.datetime:
        return datetime.datetime.combine(day, time, calendar.tz)

    def _periods_for_days(self, calendar: WorkCalendar, first: datetime.date, last: datetime.date) -> list[Period]:
        result: list[Period] = []
        midnight = datetime.time(0, 0)
        if self.kind == "daily":
            day = first
            while day <= last:
                if calendar.is_working_day(day):
                    result.append(
                        Period(day.isoformat(), self._at(calendar, day, midnight), self._at(calendar, day, self.at))
                    )
                day += datetime.timedelta(days=1)
        elif self.kind == "weekly":
            monday = first - datetime.timedelta(days=first.weekday())
            while monday <= last:
                due_day = monday + datetime.timedelta(days=self.number)
                while due_day >= monday and not calendar.is_working_day(due_day):
                    due_day -= datetime.timedelta(days=1)
                if due_day >= monday:
                    year, week, _weekday = monday.isocalendar()
                    result.append(
                        Period(
                            f"{year}-W{week:02d}",
                            self._at(calendar, monday, midnight),
                            self._at(calendar, due_day, self._due_time(calendar)),
                        )
                    )
                monday += datetime.timedelta(days=7)
        else:
            block = self.number if self.kind == "months" else 1
            year, month = first.year, first.month - (first.month - 1) % block
            while datetime.date(year, month, 1) <= last:
                due_day = self._due_day(calendar, year, month, block)
                if due_day is not None:
                    result.append(
                        Period(
                            _month_key(year, month, block),
                            self._at(calendar, datetime.date(year, month, 1), midnight),
                            self._at(calendar, due_day, self._due_time(calendar)),
                        )
                    )
                month += block
                if month > 12:
                    year, month = year + 1, month - 12
        return result

    def _due_day(self, calendar: WorkCalendar, year: int, month: int, block: int) -> datetime.date | None:
        working = calendar.working_days_in_month(year, month + block - 1 if self.kind == "months" else month)
        if not working:
            return None
        if self.kind == "monthly_day":
            target = datetime.date(year, month, min(self.number, _days_in_month(year, month)))
            before = [day for day in working if day <= target]
            return before[-1] if before else working[0]
        if self.kind == "monthly_workday":
            return working[min(self.number, len(working)) - 1]
        return working[-1]  # monthly_last, months

    # --- event-triggered ---------------------------------------------------------------------
    def due_after(self, calendar: WorkCalendar | None, started_at: datetime.datetime) -> datetime.datetime:
        """`calendar` may be None when `counts_on_the_calendar` is false."""
        if self.kind == "after_hours":
            return started_at + datetime.timedelta(hours=self.number)
        if self.kind == "after_working_hours":
            return calendar.add_working_hours(started_at, self.number)
        if self.kind == "after_days":
            return started_at + datetime.timedelta(days=self.number)
        if self.kind == "after_months":
            local = started_at.astimezone(calendar.tz)
            month = local.month - 1 + self.number
            year, month = local.year + month // 12, month % 12 + 1
            return local.replace(year=year, month=month, day=min(local.day, _days_in_month(year, month)))
        local_day = started_at.astimezone(calendar.tz).date()
        if self.kind == "after_working_days":
            day = calendar.add_working_days(local_day, self.number)
            return self._at(calendar, day, calendar.work_end)
        if self.kind == "same_day":
            return self._at(calendar, local_day, datetime.time(23, 59))
        raise ScheduleError(
            _("“%(text)s” is a periodic expression, not one started by an event.") % {"text": self.text}
        )


def _weekday_name(number: int) -> str:
    names = [_("Monday"), _("Tuesday"), _("Wednesday"), _("Thursday"), _("Friday"), _("Saturday"), _("Sunday")]
    return names[number]


def _days_in_month(year: int, month: int) -> int:
    following = datetime.date(year + month // 12, month % 12 + 1, 1)
    return (following - datetime.timedelta(days=1)).day


def _month_key(year: int, month: int, block: int) -> str:
    if block == 1:
        return f"{year}-{month:02d}"
    if block == 12:
        return f"{year}"
    index = (month - 1) // block + 1
    letter = {2: "B", 3: "Q", 4: "T", 6: "H"}[block]
    return f"{year}-{letter}{index}"


_TIME = re.compile(r"^(\d{1,2}):(\d{2})$")


def _parse_time(token: str) -> datetime.time:
    match = _TIME.match(token)
    if not match:
        raise ScheduleError(_("“%(token)s” is not a time; write it as HH:MM, e.g. 17:30.") % {"token": token})
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 23 or minute > 59:
        raise ScheduleError(_("“%(token)s” is not a valid time of day (00:00–23:59).") % {"token": token})
    return datetime.time(hour, minute)


def _parse_int(token: str, what: str, low: int, high: int) -> int:
    if not token.isdigit():
        raise ScheduleError(_("“%(token)s” is not a number (%(what)s).") % {"token": token, "what": what})
    value = int(token)
    if not low <= value <= high:
        raise ScheduleError(
            _("%(what)s must be between %(low)s and %(high)s, not %(value)s.")
            % {"what": what, "low": low, "high": high, "value": value}
        )
    return value


def _optional_time(tokens: list[str], text: str) -> datetime.time | None:
    if not tokens:
        return None
    time = _parse_time(tokens[0])
    if len(tokens) > 1:
        raise ScheduleError(
            _("Unexpected words at the end of “%(text)s”: %(rest)s") % {"text": text, "rest": " ".join(tokens[1:])}
        )
    return time


def parse_schedule(text: str) -> Schedule:
    """Parse a calendar expression; raises ScheduleError with a message naming the problem."""
    normalised = " ".join((text or "").lower().split())
    if not normalised:
        raise ScheduleError(_("Enter a calendar expression, e.g. “daily 17:30” or “monthly day 20”."))
    tokens = normalised.split(" ")
    head, rest = tokens[0], tokens[1:]

    def done(kind: str, number: int = 0, at: datetime.time | None = None) -> Schedule:
        return Schedule(kind=kind, number=number, at=at, text=normalised)

    if head == "daily":
        if not rest:
            raise ScheduleError(_("“daily” needs a time, e.g. “daily 17:30”."))
        return done("daily", at=_optional_time(rest, normalised))
    if head == "weekly":
        if not rest or rest[0][:3] not in WEEKDAYS or rest[0] not in _weekday_spellings():
            word = rest[0] if rest else ""
            raise ScheduleError(
                _("“weekly” needs a weekday (mon, tue, wed, thu, fri, sat, sun), not “%(word)s”.") % {"word": word}
            )
        return done("weekly", number=WEEKDAYS[rest[0][:3]], at=_optional_time(rest[1:], normalised))
    if head == "monthly":
        if not rest:
            raise ScheduleError(_("“monthly” needs “day N”, “workday N” or “last-workday”."))
        if rest[0] == "day":
            if len(rest) < 2:
                raise ScheduleError(_("“monthly day” needs the day of the month, e.g. “monthly day 20”."))
            day = _parse_int(rest[1], _("day of the month"), 1, 31)
            return done("monthly_day", number=day, at=_optional_time(rest[2:], normalised))
        if rest[0] == "workday":
            if len(rest) < 2:
                raise ScheduleError(_("“monthly workday” needs a number, e.g. “monthly workday 3”."))
            nth = _parse_int(rest[1], _("working day of the month"), 1, 23)
            return done("monthly_workday", number=nth, at=_optional_time(rest[2:], normalised))
        if rest[0] in {"last-workday", "last-working-day"}:
            return done("monthly_last", at=_optional_time(rest[1:], normalised))
        raise ScheduleError(
            _("Unknown monthly rule “%(word)s”; use “day N”, “workday N” or “last-workday”.") % {"word": rest[0]}
        )
    if head in {"month-end", "monthend"}:
        return done("monthly_last", at=_optional_time(rest, normalised))
    if head == "quarterly":
        return done("months", number=3, at=_optional_time(rest, normalised))
    if head == "every":
        if len(rest) < 2 or rest[1] not in {"month", "months"}:
            raise ScheduleError(_("Write “every N months”, e.g. “every 3 months”."))
        months = _parse_int(rest[0], _("number of months"), 1, 12)
        if months not in MONTH_BLOCKS:
            raise ScheduleError(
                _("Every %(n)s months does not divide the year; use 1, 2, 3, 4, 6 or 12.") % {"n": months}
            )
        return done("months", number=months, at=_optional_time(rest[2:], normalised))
    if head == "same-day":
        if rest:
            raise ScheduleError(
                _("Unexpected words at the end of “%(text)s”: %(rest)s") % {"text": normalised, "rest": " ".join(rest)}
            )
        return done("same_day")
    if head == "after":
        return _parse_after(rest, normalised)
    raise ScheduleError(
        _(
            "Unknown calendar expression “%(word)s”; start with daily, weekly, monthly, month-end, "
            "quarterly, every, after or same-day."
        )
        % {"word": head}
    )


def _weekday_spellings() -> set[str]:
    full = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
    return set(WEEKDAYS) | set(full)


def _parse_after(rest: list[str], text: str) -> Schedule:
    if not rest:
        raise ScheduleError(_("“after” needs a duration, e.g. “after 24h” or “after 24 working-hours”."))
    match = re.match(r"^(\d+)h$", rest[0])
    if match:
        if len(rest) > 1:
            raise ScheduleError(
                _("Unexpected words at the end of “%(text)s”: %(rest)s") % {"text": text, "rest": " ".join(rest[1:])}
            )
        hours = _parse_int(match.group(1), _("number of hours"), 1, MAX_AFTER_HOURS)
        return Schedule(kind="after_hours", number=hours, text=text)
    if len(rest) != 2:
        raise ScheduleError(
            _(
                "Write “after N hours”, “after N working-hours”, “after N days”, “after N working-days” "
                "or “after N months”."
            )
        )
    units = {
        "hour": ("after_hours", MAX_AFTER_HOURS),
        "hours": ("after_hours", MAX_AFTER_HOURS),
        "working-hour": ("after_working_hours", MAX_AFTER_HOURS),
        "working-hours": ("after_working_hours", MAX_AFTER_HOURS),
        "day": ("after_days", 366),
        "days": ("after_days", 366),
        "working-day": ("after_working_days", 250),
        "working-days": ("after_working_days", 250),
        "month": ("after_months", 36),
        "months": ("after_months", 36),
    }
    if rest[1] not in units:
        raise ScheduleError(
            _("Unknown unit “%(unit)s”; use hours, working-hours, days, working-days or months.") % {"unit": rest[1]}
        )
    kind, high = units[rest[1]]
    number = _parse_int(rest[0], _("duration"), 1, high)
    return Schedule(kind=kind, number=number, text=text)
