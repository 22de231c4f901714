"""The company's working-day calendar.

A week runs Monday to Friday; `CalendarDay` rows record the exceptions: public holidays on
weekdays and make-up working days (调休) on weekends. Working hours come from the company.
`WorkCalendar` loads the exceptions once so that callers evaluating many deadlines (the SOP
clock) do not query per date.
"""

from __future__ import annotations

import datetime
import zoneinfo
from dataclasses import dataclass, field

from django.db import transaction

from salesops.core.models import CalendarDay
from salesops.core.selectors import company_current


@dataclass
class WorkCalendar:
    exceptions: dict[datetime.date, bool] = field(default_factory=dict)
    work_start: datetime.time = datetime.time(9, 0)
    work_end: datetime.time = datetime.time(18, 0)
    tz: datetime.tzinfo = zoneinfo.ZoneInfo("Asia/Shanghai")

    @classmethod
    def load(cls) -> WorkCalendar:
        company = company_current()
        calendar = cls(exceptions=dict(CalendarDay.objects.values_list("date", "is_working_day")))
        if company:
            calendar.work_start, calendar.work_end = company.work_start, company.work_end
            calendar.tz = company.zone
        return calendar

    # --- days ----------------------------------------------------------------------------------
    def is_working_day(self, day: datetime.date) -> bool:
        exception = self.exceptions.get(day)
        if exception is not None:
            return exception
        return day.weekday() < 5

    def nth_working_day(self, year: int, month: int, n: int) -> datetime.date:
        """The n-th working day of the month (n ≥ 1), or the n-th from the end when n ≤ −1."""
        if n == 0:
            raise ValueError("n must not be 0")
        days = self.working_days_in_month(year, month)
        if abs(n) > len(days):
            raise ValueError(f"{year}-{month:02d} has only {len(days)} working days")
        return days[n - 1] if n > 0 else days[n]

    def working_days_in_month(self, year: int, month: int) -> list[datetime.date]:
        day = datetime.date(year, month, 1)
        result = []
        while day.month == month:
            if self.is_working_day(day):
                result.append(day)
            day += datetime.timedelta(days=1)
        return result

    def add_working_days(self, day: datetime.date, n: int) -> datetime.date:
        """The working day n working days after (n > 0) or before (n < 0) `day`."""
        step = 1 if n >= 0 else -1
        remaining = abs(n)
        while remaining:
            day += datetime.timedelta(days=step)
            if self.is_working_day(day):
                remaining -= 1
        return day

    def next_working_day(self, day: datetime.date) -> datetime.date:
        """`day` itself when it is a working day, else the first working day after it."""
        while not self.is_working_day(day):
            day += datetime.timedelta(days=1)
        return day

    def working_days_between(self, start: datetime.date, end: datetime.date) -> int:
        """Working days in the half-open range [start, end)."""
        count, day = 0, start
        while day < end:
            count += self.is_working_day(day)
            day += datetime.timedelta(days=1)
        return count

    # --- hours ---------------------------------------------------------------------------------
    def add_working_hours(self, moment: datetime.datetime, hours: float) -> datetime.datetime:
        """The moment `hours` working hours after `moment`, counting only working hours of
        working days in the company's time zone. Returns an aware datetime."""
        if hours < 0:
            raise ValueError("hours must not be negative")
        local = moment.astimezone(self.tz)
        remaining = datetime.timedelta(hours=hours)
        day = local.date()
        cursor = local
        while True:
            start = datetime.datetime.combine(day, self.work_start, self.tz)
            end = datetime.datetime.combine(day, self.work_end, self.tz)
            if self.is_working_day(day) and cursor < end:
                cursor = max(cursor, start)
                available = end - cursor
                if remaining <= available:
                    return cursor + remaining
                remaining -= available
            day += datetime.timedelta(days=1)
            cursor = datetime.datetime.combine(day, self.work_start, self.tz)


def calendar_days_from_official(year: int) -> list[tuple[datetime.date, bool, str]]:
    """Mainland China's official exceptions for `year`: holidays and make-up working days.

    chinese_calendar carries the State Council's published schedule including 调休; for a
    year it does not know yet, the statutory holidays come from `holidays` and make-up days
    must be entered by an administrator once they are published.
    """
    import chinese_calendar

    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    try:
        holidays_ = chinese_calendar.get_holidays(start, end, include_weekends=False)
        workdays = [d for d in chinese_calendar.get_workdays(start, end, include_weekends=True) if d.weekday() >= 5]
        result = []
        for day in holidays_:
            _, name = chinese_calendar.get_holiday_detail(day)
            result.append((day, False, name or ""))
        for day in workdays:
            _, name = chinese_calendar.get_holiday_detail(day)
            result.append((day, True, f"{name} (调休)" if name else "调休"))
        return sorted(result)
    except NotImplementedError:
        import holidays

        official = holidays.China(years=year, language="zh_CN")
        return sorted((day, False, name) for day, name in official.items() if day.weekday() < 5)


@transaction.atomic
def calendar_seed_year(*, year: int) -> int:
    """Insert the official exceptions of `year` that are not in the table yet; returns how many.
    Existing rows (possibly edited by an administrator) are left alone."""
    existing = set(CalendarDay.objects.filter(date__year=year).values_list("date", flat=True))
    rows = [
        CalendarDay(date=day, is_working_day=working, name=name)
        for day, working, name in calendar_days_from_official(year)
        if day not in existing
    ]
    CalendarDay.objects.bulk_create(rows)
    return len(rows)
