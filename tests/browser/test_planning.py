"""The planner's key flows in the browser: an MRP run started from the page shows its progress
while it is queued and running, then the planned orders; a forecast run started from the
page on a phone shows the baseline per product."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from salesops.planning.models import MasterSchedule, MpsLine, MrpRun
from salesops.planning.periods import add_months, month_start, week_start
from salesops.planning.tests import factories as f
from tests.browser.conftest import PHONE, login, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def _mrp_world(org):
    """A (made, 1 week) = 2 x C (bought, 1 week, 5 on hand); the MPS asks for 10 A in week 3."""
    from salesops.catalog.services import bom_line_add

    admin = org["admin"]
    a = f.make_product(admin, "BRW-A")
    c = f.make_product(admin, "BRW-C", source="buy")
    bom_line_add(
        parent=a, component=c, quantity=2, valid_from=timezone.localdate() - datetime.timedelta(days=30), actor=admin
    )
    f.receive(admin, f.make_warehouse(admin), c, 5)
    schedule = MasterSchedule.objects.create(
        number="MPS-BRW",
        first_week=week_start(timezone.localdate()),
        weeks=6,
        consumption="max",
        frozen_weeks=1,
        demand_time_fence_weeks=1,
        planning_time_fence_weeks=4,
        created_by=admin,
    )
    zero = Decimal("0")
    MpsLine.objects.create(
        schedule=schedule,
        product=a,
        week=schedule.first_week + datetime.timedelta(weeks=2),
        forecast=zero,
        orders=zero,
        demand=zero,
        projected=zero,
        quantity=Decimal("10"),
    )
    return a, c


def test_planner_runs_mrp_from_the_page_sees_progress_then_the_planned_orders(org, page_for, settings):
    from salesops.planning.mrp_db import mrp_run_execute

    # Queue the run without a worker, so the page is seen while the run waits and runs.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    _mrp_world(org)
    page = page_for()
    login(page, "planner")
    page.goto("/planning/mrp/")
    page.get_by_role("button", name="Run MRP now").click()
    page.wait_for_url("**/planning/mrp/*/")
    progress = page.locator("[data-testid=job-progress]")
    assert "Queued" in progress.inner_text()
    assert progress.get_attribute("hx-trigger") == "every 1s"  # the page polls the run's state
    screenshot(page, "planning-mrp-queued-desktop")

    run = MrpRun.objects.get()
    MrpRun.objects.filter(pk=run.pk).update(status="running", progress_done=1, progress_total=2)
    expect(page.locator("[data-testid=job-progress]")).to_contain_text("50%", timeout=10_000)
    assert page.locator("[data-testid=job-progress] progress").get_attribute("value") == "50"

    run = mrp_run_execute(run=run)
    assert run.status == "done", run.message
    expect(page.locator("[data-testid=job-progress]")).to_contain_text("100%", timeout=10_000)
    with page.expect_navigation():
        page.get_by_role("link", name="Show the results").click()
    text = page.content()
    assert "Planned orders (2)" in text  # 10 A in week 3; 20 C in week 2 less the 5 on hand
    assert "BRW-A" in text and "BRW-C" in text
    screenshot(page, "planning-mrp-done-desktop")

    phone = page_for(viewport=PHONE)
    login(phone, "planner")
    phone.goto(f"/planning/mrp/{run.pk}/")
    assert "BRW-C" in phone.content()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(phone, "planning-mrp-done-phone")


def test_planner_runs_a_forecast_on_a_phone_and_sees_the_baseline(org, page_for):
    admin = org["admin"]
    product = f.make_product(admin, "BRW-F", family=f.make_family(admin))
    warehouse = f.make_warehouse(admin)
    customer = f.make_customer(org, org["rep1"])
    next_month = add_months(month_start(timezone.localdate()), 1)
    for k in range(1, 13):
        f.sell(
            customer=customer,
            rep=org["rep1"],
            warehouse=warehouse,
            product=product,
            day=add_months(next_month, -k) + datetime.timedelta(days=3),
            quantity=10,
        )
    page = page_for(viewport=PHONE)
    login(page, "planner")
    page.goto("/planning/forecasts/")
    page.locator("main summary").first.click()
    page.get_by_role("button", name="Start the run").click()
    page.wait_for_url("**/planning/forecasts/*/")
    progress = page.locator("[data-testid=job-progress]")
    assert "100%" in progress.inner_text()  # tasks run in-process in the test settings
    with page.expect_navigation():
        page.get_by_role("link", name="Show the results").click()
    assert "Flour" in page.locator("[data-testid=family-grid]").inner_text()
    with page.expect_navigation():
        page.locator(".chips a.chip", has_text="Flour").click()  # the family's products
    products = page.locator("[data-testid=product-grid]").inner_text()
    assert "BRW-F" in products and "10" in products  # ten a month for a year: ten a month ahead
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "planning-forecast-done-phone")
