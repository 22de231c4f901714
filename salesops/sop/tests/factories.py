"""Test helpers for the SOP area: moments in the company's time zone, obligations."""

from __future__ import annotations

import datetime
import zoneinfo

from salesops.sop.models import Obligation, SopRule

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(year, month, day, hour=0, minute=0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def daily_rule() -> SopRule:
    return SopRule.objects.get(code="daily-report")


def make_obligation(*, rule, person, day: datetime.date, status=Obligation.Status.OPEN, met_at=None) -> Obligation:
    return Obligation.objects.create(
        rule=rule,
        person=person,
        period_key=day.isoformat(),
        open_at=at(day.year, day.month, day.day),
        due_at=at(day.year, day.month, day.day, 17, 30),
        status=status,
        met_at=met_at,
    )
