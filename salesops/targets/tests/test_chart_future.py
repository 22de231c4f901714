"""Charts leave periods after the company's today empty (null), not 0 %."""

import datetime

from salesops.core.selectors import company_date
from salesops.targets import periods
from salesops.targets.scorecards import trend


def test_trend_has_no_figure_for_periods_still_to_come(org):
    today = company_date()
    this_month = periods.month(today)
    rows = trend(reps=[org["rep1"]], period=this_month.shifted(2), kpi_code="sales", periods=4)
    assert [row["period"] for row in rows] == [this_month.shifted(n).key for n in (-1, 0, 1, 2)]
    assert [row["value"] for row in rows[2:]] == [None, None]
    # the months that have begun show what was sold (nothing here), not a gap
    assert rows[0]["value"] is not None and rows[1]["value"] is not None


def test_trend_follows_the_company_day_not_utc(org):
    """At 17:00 UTC on the last day of a month it is already the next month in Shanghai."""
    from unittest import mock

    from django.utils import timezone

    moment = datetime.datetime(2026, 1, 31, 17, 0, tzinfo=datetime.UTC)
    with mock.patch.object(timezone, "now", return_value=moment):
        assert company_date() == datetime.date(2026, 2, 1)
        february = periods.month(datetime.date(2026, 2, 1))
        rows = trend(reps=[org["rep1"]], period=february, kpi_code="sales", periods=2)
    assert rows[1]["period"] == "2026-02" and rows[1]["value"] is not None
