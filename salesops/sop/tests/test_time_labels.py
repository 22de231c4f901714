"""Times of day on S&OP-clock pages come from the one formatting helper (|ftime): 24-hour,
the company's time zone, whatever zone is active."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from salesops.sop import services
from salesops.sop.tests.factories import at

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("language", "day"), [("en", "3 Dec 2026"), ("zh-hans", "2026年12月3日")])
def test_the_daily_report_form_lists_recent_reports_with_their_time_in_the_company_zone(org, client, language, day):
    services.daily_report_submit(
        rep=org["rep1"],
        date=datetime.date(2026, 12, 3),
        actor=org["rep1"],
        submitted_at=at(2026, 12, 3, 1, 26),  # 17:26 UTC on 2 December
        visits="visited",
    )
    user = org["rep1"]
    user.language = language
    user.save(update_fields=["language"])
    client.force_login(user)
    with timezone.override(datetime.UTC):
        html = client.get(reverse("sop-report-new"), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert f"{day}</a> · 01:26" in html
