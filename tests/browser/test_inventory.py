"""The key stock flow the way a warehouse keeper does it: create a transfer and send it on a
desktop, book the receipt at the destination on a phone with one short line, and see the stock on
hand and the difference report; print the stocktake count sheet."""

from decimal import Decimal

import pytest

from salesops.inventory.models import StockBalance, Transfer, Warehouse
from salesops.inventory.tests.factories import make_product, make_warehouse, receive
from tests.browser.conftest import PHONE, login, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def stock(org):
    main = make_warehouse("MAIN", name="总仓 Main")
    dc = make_warehouse("DC", name="配送中心 DC", kind=Warehouse.Kind.DISTRIBUTION_CENTRE)
    flour = make_product("FLOUR", name="高筋面粉", name_en="Bread flour", cost=Decimal("80"))
    sugar = make_product("SUGAR", name="白砂糖", name_en="White sugar", cost=Decimal("6"))
    receive(main, flour, 100, "80")
    receive(main, sugar, 40, "6")
    return {"main": main, "dc": dc, "flour": flour, "sugar": sugar}


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_transfer_sent_on_desktop_received_on_a_phone_shows_in_stock(org, stock, page_for):
    page = page_for()
    login(page, "warehouse")
    page.goto("/stock/transfers/new/")
    page.select_option("#id_source", str(stock["main"].pk))
    page.select_option("#id_destination", str(stock["dc"].pk))
    page.fill("#id_lines", "FLOUR 10\nSUGAR 4")
    page.click("main form button[type=submit]")
    page.wait_for_url("**/stock/transfers/*/")
    assert page.locator("[data-testid=transfer-status]").inner_text() == "Draft"
    with page.expect_navigation():
        page.click("[data-testid=send]")
    assert page.locator("[data-testid=transfer-status]").inner_text() == "In transit"
    screenshot(page, "inventory-transfer-in-transit-desktop")
    transfer = Transfer.objects.get()
    assert StockBalance.objects.get(product=stock["flour"], warehouse=stock["main"]).on_hand == 90

    # the receiving side, on a phone: 9 bags of flour arrived, the sugar in full
    phone = page_for(viewport=PHONE)
    login(phone, "warehouse")
    phone.goto("/stock/transfers/")
    phone.click(f"text={transfer.number}")
    phone.wait_for_url(f"**/stock/transfers/{transfer.pk}/")
    phone.fill(f"input[name=r_{stock['flour'].pk}]", "9")
    with phone.expect_navigation():
        phone.click("[data-testid=receive]")
    assert phone.locator("[data-testid=transfer-status]").inner_text() == "Received"
    differences = phone.locator("[data-testid=differences]").inner_text()
    assert "FLOUR" in differences and "-1" in differences
    assert "SUGAR" not in differences
    assert no_horizontal_scroll(phone)
    screenshot(phone, "inventory-transfer-received-phone")

    phone.goto(f"/stock/?warehouse={stock['dc'].pk}&q=FLOUR")
    row = phone.locator("table tbody tr").first.inner_text()
    assert "FLOUR" in row and "9" in row
    assert phone.locator("[data-testid=list-count]").inner_text().startswith("1 ")
    assert no_horizontal_scroll(phone)
    screenshot(phone, "inventory-stock-on-hand-phone")
    assert StockBalance.objects.get(product=stock["flour"], warehouse=stock["dc"]).on_hand == 9
    assert StockBalance.objects.get(product=stock["sugar"], warehouse=stock["dc"]).on_hand == 4


def test_stocktake_frozen_and_its_count_sheet_printed_as_pdf(org, stock, page_for):
    page = page_for(viewport=PHONE)
    login(page, "warehouse")
    page.goto("/stock/stocktakes/new/")
    page.select_option("#id_warehouse", str(stock["main"].pk))
    page.click("main form button[type=submit]")
    page.wait_for_url("**/stock/stocktakes/*/")
    assert page.locator("[data-testid=stocktake-status]").inner_text() == "Counting"
    assert no_horizontal_scroll(page)
    screenshot(page, "inventory-stocktake-phone")
    link = page.locator("a", has_text="Count sheet (PDF)").get_attribute("href")
    response = page.request.get(link)
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")
