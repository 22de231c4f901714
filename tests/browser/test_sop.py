"""A supervisor on a phone: the home page names who is behind today; the SOP compliance report
by month draws its chart, and a row leads to the obligations behind it and on to the
document that met one."""

import datetime

import pytest
from django.utils import timezone

from salesops.sop import services
from salesops.sop.models import Obligation
from salesops.sop.tests.factories import daily_rule, make_obligation
from tests.browser.conftest import PHONE, login, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_supervisor_sees_who_is_behind_and_drills_down_from_compliance_to_the_report(org, page_for):
    today = timezone.localdate()
    day = today - datetime.timedelta(days=3)
    make_obligation(rule=daily_rule(), person=org["rep2"], day=day, status=Obligation.Status.MISSED)
    make_obligation(rule=daily_rule(), person=org["rep1"], day=day)
    report = services.daily_report_submit(rep=org["rep1"], date=day, actor=org["rep1"], visits="拜访三家门店")

    page = page_for(viewport=PHONE)
    login(page, "supervisor1")
    behind = page.locator("[data-testid=sop-behind]")
    assert "Rep2" in behind.inner_text() and "Rep1" not in behind.inner_text()
    assert fits(page)

    first = today.replace(day=1) - datetime.timedelta(days=40)
    page.goto(f"/sop/compliance/?date_from={first}&date_to={today}&group_by=person")
    page.wait_for_selector("[data-chart=compliance-chart] canvas")
    assert fits(page)
    screenshot(page, "sop-compliance-phone")
    page.click("[data-testid=drill-down] >> text=Rep1")
    page.wait_for_url("**/sop/obligations/**")
    page.click(f"a[href='/sop/daily-reports/{report.pk}/']")
    page.wait_for_url(f"**/sop/daily-reports/{report.pk}/")
    assert "拜访三家门店" in page.content()
