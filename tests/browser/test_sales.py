"""Order to cash in the browser: a rep takes a credit order above the customer's limit on a
phone and sees it stop for approval; once approved, the warehouse issues the goods."""

import pytest

from salesops.sales.models import SalesOrder
from salesops.sales.tests.factories import make_customer, make_product, make_warehouse
from salesops.sales.tests.helpers import decide_all
from tests.browser.conftest import DESKTOP, PHONE, login, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def shop(org):
    warehouse = make_warehouse()
    product = make_product(price="10.00", stock="500", warehouse=warehouse)
    customer = make_customer(owner=org["rep1"], limit="100.00")
    return {"warehouse": warehouse, "product": product, "customer": customer}


def no_horizontal_scroll(page, viewport):
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]


def take_credit_order(page, shop, quantity: str) -> int:
    page.goto("/sales/orders/new/")
    page.select_option("#id_customer", str(shop["customer"].pk))
    page.select_option("#id_payment", "credit")
    page.select_option("#id_lines-0-product", str(shop["product"].pk))
    page.fill("#id_lines-0-quantity", quantity)
    with page.expect_navigation():
        page.click("[data-testid=document-save]")
    page.wait_for_selector("[data-testid=order-number]")
    return int(page.url.rstrip("/").split("/")[-1])


def test_over_limit_credit_order_stops_for_approval_then_the_warehouse_issues_it(org, shop, page_for):
    # one database for both widths: each run with a customer of its own
    for name, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        shop["customer"] = make_customer(owner=org["rep1"], limit="100.00")
        over_limit_order_flow(org, shop, page_for, viewport, name)


def over_limit_order_flow(org, shop, page_for, viewport, name):
    rep = page_for(viewport=viewport)
    login(rep, "rep1")
    order_id = take_credit_order(rep, shop, "5")
    assert rep.locator("[data-testid=order-status]").inner_text() == str(SalesOrder.Status.DRAFT.label)
    no_horizontal_scroll(rep, viewport)

    # the rep raises the quantity on the draft: 25 × 10.00 = 250.00, above the 100.00 limit
    with rep.expect_navigation():
        rep.click("[data-testid=order-edit]")
    rep.fill("#id_lines-0-quantity", "0")
    with rep.expect_navigation():
        rep.click("[data-testid=document-save]")
    row = rep.locator("tr", has=rep.locator("#id_lines-0-quantity"))
    assert "The quantity must be greater than zero." in row.inner_text()  # next to the field
    no_horizontal_scroll(rep, viewport)
    rep.fill("#id_lines-0-quantity", "25")
    with rep.expect_navigation():
        rep.click("[data-testid=document-save]")
    rep.wait_for_selector("[data-testid=order-submit]")
    assert "250.00" in rep.content()

    with rep.expect_navigation():
        rep.click("[data-testid=order-submit]")
    rep.wait_for_selector("[data-testid=order-status]")
    status = rep.locator("[data-testid=order-status]").inner_text()
    assert status == str(SalesOrder.Status.PENDING_APPROVAL.label), rep.locator("body").inner_text()[:600]
    assert "Waiting for:" in rep.locator(".card", has=rep.locator("[data-testid=order-status]")).inner_text()
    screenshot(rep, f"sales-order-over-limit-{name}")
    no_horizontal_scroll(rep, viewport)
    order = SalesOrder.objects.get(pk=order_id)
    assert order.status == SalesOrder.Status.PENDING_APPROVAL
    assert order.approval_reason  # why it stopped is recorded on the order

    decide_all(order, "overlimit_shipment")  # the sales VP / director approves
    rep.reload()
    assert rep.locator("[data-testid=order-status]").inner_text() == str(SalesOrder.Status.CONFIRMED.label)

    warehouse = page_for(viewport=viewport)
    login(warehouse, "warehouse")
    warehouse.goto("/sales/ship/")
    assert order.number in warehouse.content()
    warehouse.goto(f"/sales/orders/{order_id}/")
    warehouse.fill("input[name=picked_up_by]", "王师傅")
    with warehouse.expect_navigation():
        warehouse.click("[data-testid=order-ship]")
    warehouse.wait_for_selector("[data-testid=order-status]")
    assert warehouse.locator("[data-testid=order-status]").inner_text() == str(SalesOrder.Status.DELIVERED.label)
    screenshot(warehouse, f"sales-order-issued-{name}")
    no_horizontal_scroll(warehouse, viewport)
    order.refresh_from_db()
    assert order.status == SalesOrder.Status.DELIVERED
    assert order.deliveries.get().picked_up_by == "王师傅"
