import datetime

import pytest

from salesops.core.calendar import WorkCalendar
from salesops.core.models import CalendarDay
from salesops.sop.schedule import ScheduleError, parse_schedule
from salesops.sop.tests.factories import at


@pytest.mark.parametrize(
    "text, kind, number, time",
    [
        ("daily 17:30", "daily", 0, datetime.time(17, 30)),
        ("  Daily   9:05 ", "daily", 0, datetime.time(9, 5)),
        ("weekly fri 18:00", "weekly", 4, datetime.time(18, 0)),
        ("weekly monday", "weekly", 0, None),
        ("monthly day 20", "monthly_day", 20, None),
        ("monthly day 29 12:00", "monthly_day", 29, datetime.time(12, 0)),
        ("monthly workday 3", "monthly_workday", 3, None),
        ("monthly last-workday", "monthly_last", 0, None),
        ("month-end", "monthly_last", 0, None),
        ("month-end 16:00", "monthly_last", 0, datetime.time(16, 0)),
        ("quarterly", "months", 3, None),
        ("every 3 months", "months", 3, None),
        ("every 6 months 10:00", "months", 6, datetime.time(10, 0)),
        ("after 24h", "after_hours", 24, None),
        ("after 24 hours", "after_hours", 24, None),
        ("after 24 working-hours", "after_working_hours", 24, None),
        ("after 30 days", "after_days", 30, None),
        ("after 3 working-days", "after_working_days", 3, None),
        ("same-day", "same_day", 0, None),
    ],
)
def test_good_expressions_parse(text, kind, number, time):
    schedule = parse_schedule(text)
    assert (schedule.kind, schedule.number, schedule.at) == (kind, number, time)


@pytest.mark.parametrize(
    "text, named",
    [
        ("", "Enter a calendar expression"),
        ("hourly", "“hourly”"),
        ("daily", "needs a time"),
        ("daily 25:00", "“25:00”"),
        ("daily 17:75", "“17:75”"),
        ("daily 5pm", "“5pm”"),
        ("daily 17:30 sharp", "sharp"),
        ("weekly funday 18:00", "“funday”"),
        ("monthly day 32", "32"),
        ("monthly day 0", "between 1 and 31"),
        ("monthly day twenty", "“twenty”"),
        ("monthly workday 0", "between 1 and 23"),
        ("monthly sometimes", "“sometimes”"),
        ("every 5 months", "5"),
        ("every 3 weeks", "every N months"),
        ("after", "needs a duration"),
        ("after 0h", "between 1"),
        ("after 24 fortnights", "“fortnights”"),
        ("after soon", "after N hours"),
    ],
)
def test_bad_expressions_are_rejected_with_the_problem_named(text, named):
    with pytest.raises(ScheduleError) as error:
        parse_schedule(text)
    assert named in str(error.value)


@pytest.fixture
def october_golden_week(db):
    """National Day 2026: Oct 1–7 off; make-up working days Sun Sep 27 and Sat Oct 10 (调休);
    Fri Nov 20 made a holiday to move a "by the 20th" deadline."""
    for day in range(1, 8):
        CalendarDay.objects.create(date=datetime.date(2026, 10, day), is_working_day=False, name="国庆节")
    CalendarDay.objects.create(date=datetime.date(2026, 9, 27), is_working_day=True, name="国庆节 (调休)")
    CalendarDay.objects.create(date=datetime.date(2026, 10, 10), is_working_day=True, name="国庆节 (调休)")
    CalendarDay.objects.create(date=datetime.date(2026, 11, 20), is_working_day=False, name="test holiday")
    return WorkCalendar.load()


def _periods(text, calendar, start, end):
    return list(parse_schedule(text).periods_opening(calendar, start, end))


def test_daily_skips_holidays_and_includes_make_up_days(october_golden_week):
    periods = _periods("daily 17:30", october_golden_week, at(2026, 9, 30, 12), at(2026, 10, 11, 12))
    assert [p.key for p in periods] == ["2026-10-08", "2026-10-09", "2026-10-10"]
    assert periods[-1].due_at == at(2026, 10, 10, 17, 30)
    assert periods[0].open_at == at(2026, 10, 8)


def test_monthly_workday_counts_make_up_days(october_golden_week):
    (period,) = _periods("monthly workday 3", october_golden_week, at(2026, 9, 30), at(2026, 10, 1))
    assert period.key == "2026-10"
    assert period.due_at == at(2026, 10, 10, 18, 0)  # Oct 8, Oct 9, Sat Oct 10 (调休)


def test_monthly_day_moves_to_previous_working_day(october_golden_week):
    (november,) = _periods("monthly day 20", october_golden_week, at(2026, 10, 31), at(2026, 11, 1))
    assert november.due_at == at(2026, 11, 19, 18, 0)  # Fri 20th is a holiday
    (december,) = _periods("monthly day 20 12:00", october_golden_week, at(2026, 11, 30), at(2026, 12, 1))
    assert december.due_at == at(2026, 12, 18, 12, 0)  # Sun 20th → Fri 18th


def test_monthly_day_beyond_month_length_is_the_last_day():
    calendar = WorkCalendar()
    (february,) = _periods("monthly day 31", calendar, at(2027, 1, 31), at(2027, 2, 1))
    assert february.due_at == at(2027, 2, 26, 18, 0)  # Feb 28 2027 is a Sunday


def test_month_end_and_quarterly(october_golden_week):
    (october,) = _periods("month-end", october_golden_week, at(2026, 9, 30), at(2026, 10, 1))
    assert october.due_at == at(2026, 10, 30, 18, 0)
    (quarter,) = _periods("quarterly", october_golden_week, at(2026, 9, 30), at(2026, 10, 1))
    assert (quarter.key, quarter.due_at) == ("2026-Q4", at(2026, 12, 31, 18, 0))
    assert _periods("every 3 months", october_golden_week, at(2026, 10, 1, 1), at(2026, 12, 31)) == []


def test_weekly_moves_back_within_the_week(october_golden_week):
    (week,) = _periods("weekly fri 18:00", october_golden_week, at(2026, 9, 27), at(2026, 9, 28))
    assert (week.key, week.due_at) == ("2026-W40", at(2026, 9, 30, 18, 0))  # Oct 1–2 are holidays


def test_weekly_without_a_working_day_before_the_weekday_has_no_period(october_golden_week):
    assert _periods("weekly mon 18:00", october_golden_week, at(2026, 10, 4), at(2026, 10, 5, 1)) == []


def test_after_working_hours_skips_holidays(october_golden_week):
    schedule = parse_schedule("after 24 working-hours")
    # Wed Sep 30 16:00: 2 h that day, then Oct 1–7 off, Oct 8 9 h, Oct 9 9 h, Sat Oct 10 4 h.
    assert schedule.due_after(october_golden_week, at(2026, 9, 30, 16)) == at(2026, 10, 10, 13, 0)
    assert parse_schedule("after 24h").due_after(october_golden_week, at(2026, 9, 30, 16)) == at(2026, 10, 1, 16)
    assert parse_schedule("same-day").due_after(october_golden_week, at(2026, 9, 30, 16)) == at(2026, 9, 30, 23, 59)
    assert parse_schedule("after 1 working-days").due_after(october_golden_week, at(2026, 9, 30, 16)) == at(
        2026, 10, 8, 18
    )


def test_current_periods_are_open_and_not_yet_due():
    calendar = WorkCalendar()
    schedule = parse_schedule("daily 17:30")
    assert [p.key for p in schedule.current_periods(calendar, at(2026, 11, 16, 8))] == ["2026-11-16"]
    assert schedule.current_periods(calendar, at(2026, 11, 16, 18)) == []
    monthly = parse_schedule("monthly day 20")
    assert [p.key for p in monthly.current_periods(calendar, at(2026, 11, 5))] == ["2026-11"]


@pytest.mark.parametrize(
    "text, english, chinese",
    [
        ("daily 17:30", "every working day by 17:30", "每个工作日17:30前"),
        ("weekly fri 18:00", "every Friday by 18:00", "每周五18:00前"),
        ("monthly day 20", "by close of business on day 20 of each month", "每月20日下班前"),
        ("after 24h", "within 24 hours", "24 小时内"),
        ("after 24 working-hours", "within 24 working hours", "24 个工作小时内"),
        ("same-day", "the same day", "当天"),
    ],
)
def test_a_schedule_is_said_in_the_readers_language(text, english, chinese):
    from django.utils import translation

    schedule = parse_schedule(text)
    with translation.override("en"):
        assert schedule.describe() == english
    with translation.override("zh-hans"):
        assert schedule.describe() == chinese
