import datetime
import zoneinfo

import pytest

from salesops.core.calendar import (
    WorkCalendar,
    calendar_days_from_official,
    calendar_seed_year,
    official_schedule_known,
)
from salesops.core.models import CalendarDay

D = datetime.date
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def national_day_2026() -> WorkCalendar:
    # 1–7 Oct 2026 off (Thu 1 … Wed 7), Sat 10 Oct a make-up working day.
    exceptions = {D(2026, 10, day): False for day in range(1, 8)}
    exceptions[D(2026, 10, 10)] = True
    return WorkCalendar(exceptions=exceptions, tz=SHANGHAI)


def test_weekdays_work_weekends_rest_and_exceptions_override():
    calendar = national_day_2026()
    assert calendar.is_working_day(D(2026, 9, 30))  # Wednesday
    assert not calendar.is_working_day(D(2026, 10, 1))  # holiday on a Thursday
    assert not calendar.is_working_day(D(2026, 10, 11))  # Sunday
    assert calendar.is_working_day(D(2026, 10, 10))  # make-up Saturday


def test_nth_working_day_of_month_counts_make_up_days_and_skips_holidays():
    calendar = national_day_2026()
    assert calendar.nth_working_day(2026, 10, 1) == D(2026, 10, 8)
    assert calendar.nth_working_day(2026, 10, 3) == D(2026, 10, 10)
    assert calendar.nth_working_day(2026, 10, -1) == D(2026, 10, 30)
    with pytest.raises(ValueError):
        calendar.nth_working_day(2026, 10, 40)


def test_add_working_days_forwards_and_backwards():
    calendar = national_day_2026()
    assert calendar.add_working_days(D(2026, 9, 30), 1) == D(2026, 10, 8)
    assert calendar.add_working_days(D(2026, 10, 8), 2) == D(2026, 10, 10)
    assert calendar.add_working_days(D(2026, 10, 8), -1) == D(2026, 9, 30)
    assert calendar.working_days_between(D(2026, 9, 28), D(2026, 10, 12)) == 6


def test_add_working_hours_stops_the_clock_outside_working_hours():
    calendar = national_day_2026()  # 09:00–18:00
    friday_five_pm = datetime.datetime(2026, 11, 20, 17, 0, tzinfo=SHANGHAI)
    assert calendar.add_working_hours(friday_five_pm, 24) == datetime.datetime(2026, 11, 25, 14, 0, tzinfo=SHANGHAI)
    before_holiday = datetime.datetime(2026, 9, 30, 20, 0, tzinfo=SHANGHAI)
    assert calendar.add_working_hours(before_holiday, 2) == datetime.datetime(2026, 10, 8, 11, 0, tzinfo=SHANGHAI)
    at_start = datetime.datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI)
    assert calendar.add_working_hours(at_start, 9) == datetime.datetime(2026, 11, 23, 18, 0, tzinfo=SHANGHAI)


def test_official_2026_calendar_has_national_day_and_make_up_days():
    days = {day: working for day, working, _name in calendar_days_from_official(2026)}
    assert days[D(2026, 10, 1)] is False
    assert any(working and day.weekday() >= 5 for day, working in days.items())


@pytest.mark.django_db
def test_seeding_is_idempotent_and_keeps_administrator_edits():
    first = calendar_seed_year(year=2026)
    CalendarDay.objects.filter(date=D(2026, 10, 1)).update(name="edited")
    second = calendar_seed_year(year=2026)
    assert first > 10 and second == 0
    assert CalendarDay.objects.get(date=D(2026, 10, 1)).name == "edited"
    assert WorkCalendar.load().is_working_day(D(2026, 10, 1)) is False


def test_a_year_without_the_official_schedule_gets_its_holidays_and_a_warning(org, client):
    """chinese_calendar knows the published schedule up to a year; a later one gets the
    statutory holidays only (no 调休), and the page and the seeding say so."""
    year = 2099
    assert official_schedule_known(2026) and not official_schedule_known(year)
    days = calendar_days_from_official(year)
    assert days and all(not working for _day, working, _name in days)  # holidays only, no make-up days
    client.force_login(org["admin"])
    response = client.post("/calendar/seed/", {"year": str(year)}, follow=True)
    page = response.content.decode()
    assert "is not known yet" in page and 'data-testid="calendar-unknown-year"' in page
    assert CalendarDay.objects.filter(date__year=year).count() == len(days)
    assert 'data-testid="calendar-unknown-year"' not in client.get("/calendar/?year=2026").content.decode()


@pytest.mark.parametrize("year", ["", "abc", "1999", "20260"])
def test_seeding_a_nonsense_year_is_refused_without_an_error_page(org, client, year):
    client.force_login(org["admin"])
    response = client.post("/calendar/seed/", {"year": year}, follow=True)
    assert response.status_code == 200 and "between 2000 and 2100" in response.content.decode()
    assert not CalendarDay.objects.exists()
