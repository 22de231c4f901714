"""S&OP-clock pages write dates and times with the one formatting helper
(salesops.core.formatting): the reader's language, the company's time zone."""

import datetime

import pytest
from django.urls import reverse

from salesops.core.tests.pages import read_page
from salesops.sop import services
from salesops.sop.tests.factories import at, daily_rule, make_obligation

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 12, 3)


@pytest.mark.parametrize(("language", "day"), [("en", "3 Dec 2026"), ("zh-hans", "2026年12月3日")])
def test_the_daily_report_page_shows_its_date_in_the_readers_language(org, client, language, day):
    report = services.daily_report_submit(
        rep=org["rep1"], date=DAY, actor=org["rep1"], submitted_at=at(2026, 12, 3, 17, 5), visits="visited"
    )
    html = read_page(client, org["rep1"], reverse("sop-report-detail", args=[report.pk]), language)
    assert f"<h1>{day}" in html or f"· {day}</h1>" in html
    assert "2026-12-03 17:05" in html  # submitted, in the company's zone


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_obligation_list_shows_due_times_in_the_company_zone(org, client, language):
    make_obligation(rule=daily_rule(), person=org["rep1"], day=DAY)  # due 17:30 in Shanghai, 09:30 UTC
    html = read_page(client, org["rep1"], "/sop/obligations/", language)
    assert "2026-12-03 17:30" in html
    assert "09:30" not in html
