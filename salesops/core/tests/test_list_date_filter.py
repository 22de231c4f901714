"""The date filter of a list (`DateFilter` on `ListPage`): from/to dates and a month, read on a
date or a datetime field (by the company's calendar day), bad input said and not applied,
the export filtered the same way."""

import datetime
import io

import pytest
from django.contrib.auth import get_user_model
from django.test import RequestFactory
from openpyxl import load_workbook

from salesops.core.listing import Column, DateFilter, ListPage
from salesops.core.selectors import company_zone

pytestmark = pytest.mark.django_db

SPEC = DateFilter("date", "Joined", "date_joined")


def page(query: str = "", **kwargs) -> ListPage:
    request = RequestFactory().get(f"/people/{query}")
    return ListPage(
        request=request,
        queryset=get_user_model().objects.filter(username__startswith="dated-"),
        columns=[Column("username", "User", sort="username")],
        title="People",
        default_sort="username",
        date_filter=SPEC,
        **kwargs,
    )


@pytest.fixture
def people():
    """Three users who joined at 23:30 company time on 31 Oct, 1 Nov and 30 Nov 2026."""
    users = get_user_model().objects
    zone = company_zone()
    made = {}
    for name, day in (
        ("oct", datetime.date(2026, 10, 31)),
        ("nov1", datetime.date(2026, 11, 1)),
        ("nov30", datetime.date(2026, 11, 30)),
    ):
        user = users.create(username=f"dated-{name}")
        users.filter(pk=user.pk).update(date_joined=datetime.datetime.combine(day, datetime.time(23, 30), tzinfo=zone))
        made[name] = user
    return made


def names(list_page: ListPage) -> list[str]:
    return [user.username.removeprefix("dated-") for user in list_page.filtered]


def test_read_parses_dates_and_months():
    params = {"date_from": "2026-11-02", "date_to": "2026-11-20"}
    assert SPEC.read(params)["start"] == datetime.date(2026, 11, 2)
    assert SPEC.read(params)["end"] == datetime.date(2026, 11, 20)
    month = SPEC.read({"month": "2026-02"})
    assert (month["start"], month["end"], month["errors"]) == (
        datetime.date(2026, 2, 1),
        datetime.date(2026, 2, 28),
        [],
    )
    both = SPEC.read({"month": "2026-11", "date_from": "2026-11-10"})
    assert (both["start"], both["end"]) == (datetime.date(2026, 11, 10), datetime.date(2026, 11, 30))


@pytest.mark.parametrize(
    "params",
    [
        {"date_from": "2026-13-45"},
        {"date_to": "yesterday"},
        {"date_from": "9999-12-31"},
        {"date_from": "２０２６-１１-０１"},
        {"month": "abc"},
        {"month": "2026-13"},
        {"month": "2026-00"},
        {"month": "0001-01"},
        {"month": "9999-12"},
        {"month": "2026-1"},
        {"date_from": "2026-11-20", "date_to": "2026-11-02"},
    ],
)
def test_bad_input_is_said_and_not_applied(params):
    read = SPEC.read(params)
    assert (read["start"], read["end"]) == (None, None)
    assert read["errors"]


def test_a_datetime_field_is_read_by_the_company_day(people):
    assert names(page()) == ["nov1", "nov30", "oct"]
    # 23:30 on 31 Oct in the company's zone is still 31 Oct, whatever the UTC day
    assert names(page("?month=2026-10")) == ["oct"]
    assert names(page("?month=2026-11")) == ["nov1", "nov30"]
    assert names(page("?date_from=2026-11-01&date_to=2026-11-01")) == ["nov1"]
    assert names(page("?date_to=2026-11-01")) == ["nov1", "oct"]
    assert names(page("?date_from=2026-11-02")) == ["nov30"]


def test_bad_input_lists_everything_and_says_why(people):
    bad = page("?date_from=2026-13-45&month=abc")
    assert names(bad) == ["nov1", "nov30", "oct"]
    context = bad.context()
    assert len(context["dates"]["errors"]) == 2
    assert "date" not in bad.active_filters


def test_the_page_renders_the_inputs_and_the_message(people, client, settings):
    response = page("?date_from=2026-13-45&month=2026-11&q=x").response()
    response.render()
    text = response.content.decode()
    assert 'data-testid="date-filter"' in text
    assert 'name="month" value="2026-11"' in text
    assert 'data-testid="date-error"' in text
    assert '<input type="hidden" name="q" value="x">' in text  # the other filters are kept
    assert 'data-testid="date-clear"' in text


def test_the_export_is_the_filtered_list(people):
    response = page("?month=2026-11&export=xlsx").response()
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [row[0].value for row in sheet.iter_rows(min_row=2)] == ["dated-nov1", "dated-nov30"]
    assert "month=2026-11" in page("?month=2026-11").context()["export_link"]


def test_a_page_without_a_date_filter_is_unchanged(people):
    request = RequestFactory().get("/people/?month=2026-10&date_from=junk")
    plain = ListPage(
        request=request,
        queryset=get_user_model().objects.filter(username__startswith="dated-"),
        columns=[Column("username", "User")],
    )
    assert plain.filtered.count() == 3
    assert plain.context()["dates"] is None
