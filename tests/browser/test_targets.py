"""Targets and scorecards in the browser, in Chinese on a 390 px phone: a rep's home page shows
the month to date against the target, the commission estimate and the visits; the rep's
scorecard shows the total score, the ranking and a trend chart drawn by ECharts, and a KPI's
figure opens the documents behind it. A manager's and the general manager's home pages show
their team's and the company's figures with a chart. No page scrolls sideways."""

import datetime
import importlib
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from salesops.core.selectors import company_date
from salesops.crm import services as crm
from salesops.sales.models import Invoice
from salesops.sales.tests.factories import make_customer, make_product, make_warehouse
from salesops.targets import services
from salesops.targets.commissions import commission_estimate
from salesops.targets.models import TargetPlan
from salesops.targets.tests.conftest import sell
from tests.browser.conftest import PHONE, login, screenshot

pytestmark = pytest.mark.django_db(transaction=True)

WAIT = 30_000  # ms: the machine running the tests may be slow
TARGETS_SEED = "salesops.targets.migrations.0002_seed_policy_weights_rules_deadlines"


@pytest.fixture(autouse=True)
def targets_seeded(seeded):
    """The performance policy, the scorecard's weights and the commission rules, restored after
    the live server's flush like the other areas' seeds."""
    from django.apps import apps

    importlib.import_module(TARGETS_SEED).seed(apps, None)


@pytest.fixture
def month(org):
    """A year's approved target split evenly to the reps, a sale by each of rep1 and rep3 today
    and a visit rep1 made this morning."""
    today = company_date()
    plan = services.target_plan_create(
        year=today.year, total=Decimal("1200000.00"), month_method="even", org_method="even", actor=org["gm"]
    )
    services.target_plan_approved(plan=TargetPlan.objects.get(pk=plan.pk))
    product = make_product(price="100.00", stock="100000", warehouse=make_warehouse())
    customer = make_customer(owner=org["rep1"], limit="100000000.00")
    other = make_customer(owner=org["rep3"], limit="100000000.00")
    order = sell(rep=org["rep1"], customer=customer, product=product, quantity="30", on=today)
    sell(rep=org["rep3"], customer=other, product=product, quantity="10", on=today)
    moment = datetime.datetime.combine(today, datetime.time(1, 0), tzinfo=datetime.UTC)
    crm.activity_log(actor=org["rep1"], customer=customer, kind="visit", subject="巡店", occurred_at=moment, done=True)
    return {"order": order, "invoice": Invoice.objects.get(customer=customer), "today": today}


def no_sideways_scroll(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width} px wide"


def no_error_page(page):
    body = page.locator("body").inner_text()
    assert "Server Error" not in body and "Traceback" not in body, body[:600]


def drawn(page, chart_id):
    """The chart's element holds what ECharts drew (a canvas or an svg)."""
    expect(page.locator(f'[data-chart="{chart_id}"]').locator("canvas, svg").first).to_be_attached(timeout=WAIT)


def test_a_rep_sees_the_month_and_the_scorecard_on_the_phone(org, month, page_for):
    page = page_for(viewport=PHONE, locale="zh-CN")
    login(page, "rep1")
    page.goto("/")
    figures = page.get_by_test_id("home-figures")
    expect(figures).to_be_visible(timeout=WAIT)
    expect(page.locator("body")).to_contain_text("我的数据")
    # month to date against the target: 3,000.00 sold, a target above nothing, an achievement
    expect(figures.locator('[data-kpi="sales"]')).to_contain_text("3,000.00")
    expect(figures.locator('[data-kpi="target"]')).to_contain_text("¥")
    expect(figures.locator('[data-kpi="achievement"]')).to_contain_text("%")
    estimate = commission_estimate(rep=org["rep1"], today=month["today"]).total
    assert estimate > 0
    expect(figures.locator('[data-kpi="commission"]')).to_contain_text(f"{estimate:,.2f}")
    expect(figures.locator('[data-kpi="visits"]')).to_contain_text("1")
    for code in ("sales", "target", "achievement", "commission", "visits"):
        expect(figures.locator(f'[data-kpi="{code}"]')).to_be_visible()
    no_sideways_scroll(page)
    screenshot(page, "targets-rep-home-phone")

    # the figure opens the scorecard: the rep's row with rank, score and a drawn trend
    with page.expect_navigation():
        figures.locator('[data-kpi="sales"] a').click()
    no_error_page(page)
    expect(page.get_by_test_id("page-title")).to_contain_text("考核表", timeout=WAIT)
    table = page.get_by_test_id("scorecard-table")
    expect(table.locator("thead")).to_contain_text("排名")
    expect(table.locator("thead")).to_contain_text("得分")
    first = table.locator("tbody tr").first
    expect(first.locator("td").first).to_have_text("1")
    expect(first).to_contain_text("Rep1")
    score = first.locator("td").last.inner_text().strip()
    assert Decimal(score.replace(",", "")) > 0, score
    expect(table.locator("tbody tr").last).to_contain_text("合计")
    drawn(page, "trend-chart")
    drawn(page, "score-chart")
    no_sideways_scroll(page)
    screenshot(page, "targets-rep-scorecard-phone")

    # drill-down: the sales figure lists the invoice behind it
    with page.expect_navigation():
        first.locator("td a").first.click()
    no_error_page(page)
    assert "/targets/kpis/" in page.url and "/documents/" in page.url
    expect(page.locator("main")).to_contain_text(month["invoice"].number, timeout=WAIT)
    no_sideways_scroll(page)
    screenshot(page, "targets-rep-drilldown-phone")


@pytest.mark.parametrize(
    "username, names",
    [("manager", ["East-1", "East-2"]), ("gm", ["East"])],
)
def test_a_manager_and_the_gm_see_their_figures_with_a_chart(org, month, page_for, username, names):
    page = page_for(viewport=PHONE, locale="zh-CN")
    login(page, username)
    page.goto("/")
    figures = page.get_by_test_id("home-figures")
    expect(figures).to_be_visible(timeout=WAIT)
    # the unit's month to date: both reps' sales (3,000 + 1,000)
    expect(figures.locator('[data-kpi="sales"]')).to_contain_text("4,000.00")
    expect(figures.locator('[data-kpi="target"]')).to_contain_text("¥")
    drawn(page, "home-targets-chart")
    page.locator("summary", has_text="数据明细").click()
    rows = page.get_by_test_id("home-figures-table")
    for name in names:
        expect(rows).to_contain_text(name)
    no_sideways_scroll(page)
    screenshot(page, f"targets-{username}-home-phone")
