"""Months and times of day from the one formatting helper: ``Dec 2026`` / ``2026年12月`` and
``14:05`` in the company's time zone."""

import datetime

import pytest
from django.template import Context, Template
from django.utils import translation

from salesops.core import formatting

pytestmark = pytest.mark.django_db

LATE_UTC = datetime.datetime(2026, 12, 31, 16, 5, tzinfo=datetime.UTC)  # 1 Jan 2027 00:05 in Shanghai


@pytest.mark.parametrize(
    ("language", "value", "text"),
    [
        ("en", datetime.date(2026, 12, 3), "Dec 2026"),
        ("zh-hans", datetime.date(2026, 12, 3), "2026年12月"),
        ("en", "2026-12", "Dec 2026"),
        ("zh-hans", "2026-12-01", "2026年12月"),
        ("en", LATE_UTC, "Jan 2027"),
        ("zh-hans", LATE_UTC, "2027年1月"),
        ("en", None, "—"),
        ("en", "not a month", "not a month"),
    ],
)
def test_month(language, value, text):
    with translation.override(language):
        assert formatting.month(value) == text


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_time_of_day_in_the_company_zone(language):
    with translation.override(language):
        assert formatting.time(LATE_UTC) == "00:05"
        assert formatting.time(datetime.time(14, 5, 59)) == "14:05"
        assert formatting.time(None) == "—"


@pytest.mark.parametrize(("language", "month"), [("en", "Dec 2026"), ("zh-hans", "2026年12月")])
def test_the_filters(language, month):
    template = Template("{% load fmt %}{{ day|fmonth }} {{ moment|ftime }}")
    with translation.override(language):
        text = template.render(Context({"day": datetime.date(2026, 12, 3), "moment": LATE_UTC}))
    assert text == f"{month} 00:05"


@pytest.mark.parametrize(("language", "due"), [("en", "1 Jan 2027 00:05"), ("zh-hans", "2027年1月1日 00:05")])
def test_a_lazy_datetime_is_written_in_the_language_active_when_it_is_shown(language, due):
    with translation.override("en"):
        lazy = formatting.datetime_lazy(LATE_UTC)
    with translation.override(language):
        assert str(lazy) == due
