"""Reporting periods: a week (2026-W48), a month (2026-11), a quarter (2026-Q4) or a year
(2026), each a span of whole days in the company's calendar."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from salesops.core.exceptions import ValidationFailed
from salesops.planning.periods import add_months, days_in_month, month_start

_PATTERNS = {
    "week": re.compile(r"^(\d{4})-W(\d{2})$"),
    "month": re.compile(r"^(\d{4})-(\d{2})$"),
    "quarter": re.compile(r"^(\d{4})-Q([1-4])$"),
    "year": re.compile(r"^(\d{4})$"),
}


@dataclass(frozen=True)
class Period:
    kind: str
    start: datetime.date
    end: datetime.date  # inclusive

    @property
    def key(self) -> str:
        if self.kind == "week":
            year, week, _day = self.start.isocalendar()
            return f"{year}-W{week:02d}"
        if self.kind == "month":
            return f"{self.start:%Y-%m}"
        if self.kind == "quarter":
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        return f"{self.start.year}"

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def months(self) -> list[datetime.date]:
        months, month = [], month_start(self.start)
        while month <= self.end:
            months.append(month)
            month = add_months(month, 1)
        return months

    def shifted(self, count: int) -> Period:
        """The period `count` periods later (earlier when negative), of the same kind."""
        if self.kind == "week":
            return week(self.start + datetime.timedelta(days=7 * count))
        length = {"month": 1, "quarter": 3, "year": 12}[self.kind]
        first = add_months(self.start, length * count)
        return Period(self.kind, first, add_months(first, length) - datetime.timedelta(days=1))

    def previous(self) -> Period:
        return self.shifted(-1)

    def last_year(self) -> Period:
        return self.shifted(-{"week": 52, "month": 12, "quarter": 4, "year": 1}[self.kind])

    def month_share(self, month: datetime.date) -> tuple[int, int]:
        """(days of `month` inside the period, days of `month`): how much of a monthly target
        falls in this period."""
        last = add_months(month, 1) - datetime.timedelta(days=1)
        inside = (min(last, self.end) - max(month, self.start)).days + 1
        return max(inside, 0), days_in_month(month)


def month(day: datetime.date) -> Period:
    first = month_start(day)
    return Period("month", first, add_months(first, 1) - datetime.timedelta(days=1))


def quarter(day: datetime.date) -> Period:
    first = datetime.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    return Period("quarter", first, add_months(first, 3) - datetime.timedelta(days=1))


def year(day: datetime.date) -> Period:
    return Period("year", datetime.date(day.year, 1, 1), datetime.date(day.year, 12, 31))


def week(day: datetime.date) -> Period:
    monday = day - datetime.timedelta(days=day.weekday())
    return Period("week", monday, monday + datetime.timedelta(days=6))


def parse_period(text: str, *, field: str = "period") -> Period:
    """A period from its key (years 2000–2100); a clear field error otherwise."""
    text = (text or "").strip()
    if not text:
        raise ValidationFailed(fields={field: [_("Choose a period.")]})
    found = None
    try:
        if match := _PATTERNS["month"].match(text):
            found = month(datetime.date(int(match[1]), int(match[2]), 1))
        elif match := _PATTERNS["quarter"].match(text):
            found = quarter(datetime.date(int(match[1]), (int(match[2]) - 1) * 3 + 1, 1))
        elif match := _PATTERNS["week"].match(text):
            found = week(datetime.date.fromisocalendar(int(match[1]), int(match[2]), 1))
        elif match := _PATTERNS["year"].match(text):
            found = year(datetime.date(int(match[1]), 1, 1))
    except ValueError:
        found = None
    if found is None or not (2000 <= found.start.year <= 2100):
        raise ValidationFailed(
            fields={
                field: [
                    _("“%(text)s” is not a period between 2000 and 2100; write 2026-11, 2026-Q4, 2026-W48 or 2026.")
                    % {"text": text[:20]}
                ]
            }
        )
    return found
