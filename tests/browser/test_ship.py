"""The warehouse's ship list on a phone in Chinese: each order shows its lines with the lots
first-expiry-first-out picking takes, the page does not scroll sideways, its tap targets are
at least 44 px, and the pick list (拣货单) link answers a PDF."""

import datetime
from decimal import Decimal

import pytest

from salesops.core.selectors import company_date
from salesops.inventory.lots import LotSpec
from salesops.inventory.services import Reference, StockLine, stock_receive
from salesops.inventory.tests.factories import make_product as make_stock_product
from salesops.sales import services
from salesops.sales.tests.factories import make_customer, make_product, make_warehouse
from tests.browser.conftest import PHONE, login, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def test_ship_list_shows_lines_and_lots_and_the_pick_list_is_a_pdf(org, page_for):
    today = company_date()
    warehouse = make_warehouse()
    plain = make_product(price="10.00", stock="100", warehouse=warehouse)
    flour = make_stock_product(
        "FL-9", name="高筋面粉特别长的商品名称用于测试换行", lot_tracked=True, list_price=Decimal("8")
    )
    for code, expires in (("L-SOON-20261210", 10), ("L-LATE-20270301", 100)):
        stock_receive(
            warehouse=warehouse,
            lines=[
                StockLine(
                    flour.pk,
                    Decimal("10"),
                    Decimal("3"),
                    lot=LotSpec(code, today - datetime.timedelta(days=5), today + datetime.timedelta(days=expires)),
                )
            ],
            reference=Reference("test", None, code),
            actor=None,
        )
    customer = make_customer(owner=org["rep1"], limit="1000.00")
    order = services.order_create(
        actor=org["rep1"],
        customer=customer,
        payment="credit",
        lines=[{"product": flour.pk, "quantity": "15"}, {"product": plain.pk, "quantity": "2"}],
        warehouse=warehouse,
    )
    order = services.order_submit(order=order, actor=org["rep1"])

    page = page_for(viewport=PHONE, locale="zh-CN")
    login(page, "warehouse")
    page.goto("/sales/ship/")
    assert "待发货订单" in page.locator("h1").inner_text()
    card = page.locator("[data-testid=ship-order]", has_text=order.number)
    lines = card.locator("[data-testid=ship-line]")
    assert lines.count() == 2
    flour_line = lines.filter(has_text="FL-9").inner_text()
    assert "15" in flour_line and "L-SOON-20261210" in flour_line and "L-LATE-20270301" in flour_line
    assert "批次" in flour_line and warehouse.name in flour_line
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    for selector in (
        "[data-testid=pick-list-all]",
        "[data-testid=pick-list-chosen]",
        ".pick-tick",
        ".ship-issue button",
        ".ship-head a",
    ):
        box = page.locator(selector).first.bounding_box()
        assert box["height"] >= 44, selector
    screenshot(page, "sales-ship-list-phone-zh")

    link = page.locator("[data-testid=pick-list-all]")
    assert "拣货单" in link.inner_text()
    response = page.request.get(link.get_attribute("href"))
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")

    # the ticked orders go with the pick-list form (the checkboxes sit outside it, form="pick-form")
    page.locator(".pick-tick input").first.check()
    query = page.evaluate("new URLSearchParams(new FormData(document.getElementById('pick-form'))).toString()")
    assert query == f"order={order.pk}"
    chosen = page.request.get(f"/sales/ship/pick-list/?{query}")
    assert chosen.status == 200 and chosen.body().startswith(b"%PDF")
