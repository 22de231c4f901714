"""The approval flow as people use it: a rep (on a phone) sends a visit request, their
supervisor finds it in the inbox, returns it with a comment, the rep changes and resubmits,
the supervisor approves. Then the SOP compliance page with its chart, on desktop and phone."""

import datetime

import pytest
from django.utils import timezone

from salesops.crm.services import customer_create
from salesops.sop.models import Obligation
from salesops.sop.tests.factories import daily_rule, make_obligation
from tests.browser.conftest import DESKTOP, PHONE, login, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def _no_horizontal_scroll(page, viewport):
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]


def _open_from_inbox(page, title_part):
    page.goto("/approvals/")
    row = page.locator("table tbody tr", has_text=title_part)
    assert row.count() == 1
    with page.expect_navigation():
        row.locator("a").first.click()
    assert title_part in page.locator("[data-testid=approval-title]").inner_text()


def _decide(page, decision_label, comment=""):
    page.get_by_label(decision_label, exact=True).check()
    if comment:
        page.fill("#id_comment", comment)
    page.click("[data-testid=decide]")
    page.wait_for_url("**/approvals/")


def test_rep_submits_supervisor_returns_rep_resubmits_supervisor_approves(org, page_for):
    customer = customer_create(actor=org["rep1"], name="Hualian Supermarket Beta", owner=org["rep1"])

    # the rep, on a phone, writes a visit request and sends it for approval
    rep = page_for(viewport=PHONE)
    login(rep, "rep1")
    rep.goto("/visit-requests/")
    rep.click("[data-testid=new-visit-request]")
    rep.select_option("#id_customer", str(customer.pk))
    rep.fill("#id_planned_date", (timezone.localdate() + datetime.timedelta(days=7)).isoformat())
    rep.fill("#id_purpose", "Shelf review")
    with rep.expect_navigation():
        rep.click("main button[type=submit]")
    number = rep.locator("[data-testid=visit-number]").inner_text().split(" ")[0]
    with rep.expect_navigation():
        rep.click("[data-testid=submit-visit]")
    assert rep.locator("[data-testid=visit-status]").inner_text() == "Waiting for approval"
    _no_horizontal_scroll(rep, PHONE)
    screenshot(rep, "approvals-visit-submitted-phone")

    # the direct supervisor sees it in the inbox and returns it with a comment
    supervisor = page_for(viewport=DESKTOP)
    login(supervisor, "supervisor1")
    _open_from_inbox(supervisor, number)
    facts = supervisor.locator("[data-testid=facts]").inner_text()
    assert "Shelf review" in facts and "Hualian Supermarket Beta" in facts
    screenshot(supervisor, "approvals-task-desktop")
    # a return without a comment is refused next to the field, and what was chosen is kept
    supervisor.get_by_label("Return for changes", exact=True).check()
    with supervisor.expect_navigation():
        supervisor.click("[data-testid=decide]")
    assert supervisor.locator("[data-field=comment]").is_visible()
    assert supervisor.get_by_label("Return for changes", exact=True).is_checked()
    _decide(supervisor, "Return for changes", "Please add the promotion you want to discuss.")
    assert supervisor.locator("table tbody tr", has_text=number).count() == 0

    # the rep sees why, changes the request and submits it again
    rep.reload()
    assert rep.locator("[data-testid=visit-status]").inner_text() == "Returned for changes"
    assert "promotion you want to discuss" in rep.locator("[data-testid=approval-comment]").inner_text()
    rep.get_by_role("button", name="Edit").or_(rep.get_by_role("link", name="Edit")).first.click()
    rep.fill("#id_purpose", "Shelf review and the May promotion")
    with rep.expect_navigation():
        rep.click("main button[type=submit]")
    with rep.expect_navigation():
        rep.click("[data-testid=submit-visit]")
    assert rep.locator("[data-testid=visit-status]").inner_text() == "Waiting for approval"

    # the supervisor sees the new version and approves it
    _open_from_inbox(supervisor, number)
    assert "May promotion" in supervisor.locator("[data-testid=facts]").inner_text()
    _decide(supervisor, "Approve")
    assert supervisor.locator("table tbody tr", has_text=number).count() == 0

    rep.reload()
    assert rep.locator("[data-testid=visit-status]").inner_text() == "Approved"
    with rep.expect_navigation():
        rep.click("[data-testid=approval-link]")
    assert rep.locator("[data-testid=approval-status]").inner_text() == "Approved"
    assert "Supervisor1" in rep.locator("[data-testid=steps]").inner_text()
    _no_horizontal_scroll(rep, PHONE)
    screenshot(rep, "approvals-request-approved-phone")


def test_supervisor_decides_on_a_phone(org, page_for):
    customer = customer_create(actor=org["rep1"], name="Corner Shop Gamma", owner=org["rep1"])
    from salesops.approvals import visits

    visit = visits.visit_request_create(
        actor=org["rep1"],
        customer=customer,
        planned_date=timezone.localdate() + datetime.timedelta(days=3),
        purpose="Listing talk",
    )
    _visit, approval = visits.visit_request_submit(visit=visit, actor=org["rep1"])
    assert approval is not None

    page = page_for(viewport=PHONE)
    login(page, "supervisor1")
    page.goto("/approvals/")
    _no_horizontal_scroll(page, PHONE)
    screenshot(page, "approvals-inbox-phone")
    _open_from_inbox(page, visit.number)
    _no_horizontal_scroll(page, PHONE)
    screenshot(page, "approvals-task-phone")
    _decide(page, "Approve")
    visit.refresh_from_db()
    assert visit.status == visit.Status.APPROVED


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_compliance_page_shows_its_chart(org, page_for, viewport):
    rule = daily_rule()
    today = timezone.localdate()
    days = [today - datetime.timedelta(days=n) for n in range(1, 6)]
    outcomes = [Obligation.Status.MET, Obligation.Status.MET, Obligation.Status.MET_LATE, Obligation.Status.MISSED]
    for person in ("rep1", "rep2"):
        for day, status in zip(days, outcomes, strict=False):
            make_obligation(rule=rule, person=org[person], day=day, status=status)

    page = page_for(viewport=viewport)
    login(page, "supervisor1")
    page.goto("/sop/compliance/")
    chart = page.locator("[data-chart=compliance-chart]")
    chart.locator("canvas").first.wait_for()
    assert chart.bounding_box()["height"] > 100
    table = page.locator("[data-testid=compliance-table]").inner_text()
    assert "Rep1" in table and "Rep2" in table
    _no_horizontal_scroll(page, viewport)
    name = "desktop" if viewport is DESKTOP else "phone"
    screenshot(page, f"sop-compliance-{name}")
