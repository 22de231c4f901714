"""The cycle page shows each day's travel and working time against the day's limit and marks
the days that go over it, counted as the route planner counts overtime days."""

import pytest
from django.urls import reverse

from salesops.field import services
from salesops.field.models import RouteCycle
from salesops.field.tests.factories import make_outlets, published_cycle

pytestmark = pytest.mark.django_db


def _page(client, user, cycle, language):
    user.language = language
    user.save(update_fields=["language"])
    client.force_login(user)
    response = client.get(reverse("field-cycle-detail", args=[cycle.pk]), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def cycle(org):
    make_outlets(org["rep1"], 8)
    return published_cycle(org["supervisor1"], org["rep1"])


def test_the_day_figures_add_up_to_the_cycle_and_fit_the_working_day(cycle):
    figures = services.route_cycle_day_figures(cycle)
    assert sorted(figures) == list(range(1, cycle.days + 1))
    assert float(sum(day.km for day in figures.values())) == pytest.approx(float(cycle.total_km), abs=0.1 * cycle.days)
    assert abs(sum(day.travel_minutes for day in figures.values()) - cycle.travel_minutes) <= cycle.days
    assert not any(day.overtime for day in figures.values())  # the planner keeps each day within the limit
    assert all(day.limit == cycle.day_minutes for day in figures.values())


@pytest.mark.parametrize(
    ("language", "travel", "work", "over", "notice"),
    [
        ("en", "Travel ", "working time ", "over the working time", "over the working time."),
        ("zh-hans", "路程 ", "工时 ", "超出工时", "天超出工时"),
    ],
)
def test_an_overtime_day_is_marked(org, client, cycle, language, travel, work, over, notice):
    figures = services.route_cycle_day_figures(cycle)
    busiest = max(figures.values(), key=lambda day: day.work_minutes)
    limit = busiest.work_minutes - 1
    RouteCycle.objects.filter(pk=cycle.pk).update(day_minutes=limit)
    html = _page(client, org["supervisor1"], cycle, language)
    shown = html.split(f'data-testid="day-{busiest.day}-figures">')[1].split("</p>")[0]
    assert travel in shown and work in shown
    assert f"{busiest.work_minutes}" in shown and f"{limit}" in shown
    assert f'data-testid="day-{busiest.day}-overtime">{over}<' in shown
    calm = [day for day in figures.values() if day.work_minutes <= limit]
    for day in calm:
        assert f'data-testid="day-{day.day}-overtime"' not in html
    expected = sum(1 for day in figures.values() if day.work_minutes > limit)
    assert 'data-testid="overtime-days"' in html and notice in html
    assert f"{expected} " in html.split('data-testid="overtime-days">')[1].split("</p>")[0]


def test_a_cycle_within_its_limits_marks_nothing(org, client, cycle):
    html = _page(client, org["supervisor1"], cycle, "en")
    assert 'data-testid="day-1-figures">Travel ' in html
    assert "-overtime" not in html and 'data-testid="overtime-days"' not in html
