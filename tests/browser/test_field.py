"""Today's route on a 390 px phone in Chinese: check in with the phone's position, record the
visit, turn the suggested order into a draft order with one tap, check out; then a visit
recorded offline waits on the phone and is stored exactly once when the network returns, also
after the page is reloaded."""

import pytest
from playwright.sync_api import expect

from salesops.core.selectors import company_date
from salesops.field import services
from salesops.field.models import Visit, VisitLine
from salesops.field.tests.factories import make_outlets, published_on_busiest_day, require
from salesops.sales.models import SalesOrder
from salesops.sales.tests.factories import make_product, make_warehouse
from tests.browser.conftest import PHONE, login, screenshot

pytestmark = pytest.mark.django_db(transaction=True)

WAIT = 30_000  # ms: the machine running the tests may be slow


@pytest.fixture
def route(org):
    product = make_product(price="5.00", stock="500", warehouse=make_warehouse())
    require(product)
    make_outlets(org["rep1"], 6)
    # today is the cycle's busiest day, whatever the weekday and however the solver spread the stops
    published_on_busiest_day(org["supervisor1"], org["rep1"])
    visits = services.visits_plan_day(rep=org["rep1"], date=company_date())
    assert len(visits) >= 2
    return {"product": product, "first": visits[0], "second": visits[1]}


def phone(page_for, live_server, visit):
    page = page_for(viewport=PHONE, locale="zh-CN")
    page.context.grant_permissions(["geolocation"], origin=live_server.url)
    page.context.set_geolocation(
        {"latitude": float(visit.customer.latitude), "longitude": float(visit.customer.longitude), "accuracy": 20}
    )
    return page


def open_today(page):
    page.goto("/field/today/")
    expect(page.locator("h1")).to_contain_text("今日线路", timeout=WAIT)


def check_in(page, visit):
    card = page.locator(f'[data-visit="{visit.pk}"]')
    card.get_by_test_id("check-in").click()
    # the phone's position is shown once the browser gives it
    expect(card.locator("[data-role=checked-in]")).to_contain_text(
        f"{float(visit.customer.latitude):.5f}", timeout=WAIT
    )
    return card


def test_a_rep_runs_todays_route_on_the_phone_online_and_offline(org, route, page_for, live_server):
    first, second, sku = route["first"], route["second"], route["product"].sku
    page = phone(page_for, live_server, first)
    login(page, "rep1")
    open_today(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    # first outlet: check in, stock seen, suggested order, one tap for the order, check out
    card = check_in(page, first)
    card.get_by_test_id(f"stock-{sku}").fill("3")
    card.get_by_test_id(f"suggest-{sku}").fill("12")
    card.get_by_test_id("make-order").check()
    card.get_by_test_id("check-out").click()
    expect(card).to_have_attribute("data-status", "sent", timeout=WAIT)
    order_link = card.get_by_test_id("visit-order")
    expect(order_link).to_contain_text("订单", timeout=WAIT)
    screenshot(page, "field-today-phone")

    first.refresh_from_db()
    assert first.status == Visit.Status.DONE
    assert first.check_in_latitude is not None and first.check_in_distance_m is not None
    assert first.check_in_distance_m < 50
    line = VisitLine.objects.get(visit=first, product=route["product"])
    assert line.stock_seen == 3 and line.suggested_quantity == 12
    order = SalesOrder.objects.get(pk=first.order_id)
    assert order.customer_id == first.customer_id
    assert order.status == SalesOrder.Status.DRAFT
    assert [(o.product_id, o.quantity) for o in order.lines.all()] == [(route["product"].pk, 12)]

    # the rep sees the draft order
    order_link.click()
    page.wait_for_url(f"**/sales/orders/{order.pk}/", timeout=WAIT)
    expect(page.locator("body")).to_contain_text(order.number, timeout=WAIT)
    expect(page.locator("body")).to_contain_text("草稿", timeout=WAIT)
    open_today(page)
    expect(page.locator(f'[data-visit="{first.pk}"]').get_by_test_id("visit-order")).to_contain_text(order.number)

    # second outlet with no network: the record waits on the phone
    page.context.set_geolocation(
        {"latitude": float(second.customer.latitude), "longitude": float(second.customer.longitude), "accuracy": 20}
    )
    page.context.set_offline(True)
    card = check_in(page, second)
    card.get_by_test_id(f"stock-{sku}").fill("7")
    card.get_by_test_id("outcome").select_option("no_order")
    card.get_by_test_id("check-out").click()
    expect(card).to_have_attribute("data-status", "queued", timeout=WAIT)
    expect(page.get_by_test_id("queue-status")).to_contain_text("1", timeout=WAIT)
    expect(page.get_by_test_id("queue-status")).to_contain_text("离线", timeout=WAIT)
    assert page.evaluate("JSON.parse(localStorage.getItem('salesops.field.queue')).length") == 1
    second.refresh_from_db()
    assert second.status == Visit.Status.PLANNED

    # the network returns: sent once, the queue is empty
    page.context.set_offline(False)
    expect(card).to_have_attribute("data-status", "sent", timeout=WAIT)
    expect(page.get_by_test_id("queue-status")).to_have_text("", timeout=WAIT)
    assert page.evaluate("JSON.parse(localStorage.getItem('salesops.field.queue')).length") == 0

    # a reload neither loses nor repeats it
    page.reload()
    expect(page.locator(f'[data-visit="{second.pk}"]')).to_have_attribute("data-status", "done", timeout=WAIT)
    assert page.evaluate("JSON.parse(localStorage.getItem('salesops.field.queue') || '[]').length") == 0
    visits = Visit.objects.filter(rep=org["rep1"], customer=second.customer, date=company_date())
    assert visits.count() == 1
    stored = visits.get()
    assert stored.pk == second.pk and stored.status == Visit.Status.DONE
    assert stored.outcome == Visit.Outcome.NO_ORDER and stored.order_id is None
    assert VisitLine.objects.filter(visit=stored).count() == 1
    assert Visit.objects.filter(rep=org["rep1"], status=Visit.Status.DONE).count() == 2
    assert SalesOrder.objects.filter(customer=second.customer).count() == 0
