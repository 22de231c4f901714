"""Clearing near-expiry and expired lots in the browser: the list of lots to clear, a clearance
discount on the near-expiry lot, a write-off of the expired one and its line on the list of
write-offs and returns."""

import datetime
from decimal import Decimal

import pytest

from salesops.core.selectors import company_date
from salesops.inventory.lots import LotSpec
from salesops.inventory.models import Lot, LotDisposal
from salesops.inventory.services import Reference, StockLine, stock_receive
from salesops.inventory.tests.factories import make_product, make_warehouse
from tests.browser.conftest import PHONE, login, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def test_near_expiry_lot_discounted_and_expired_lot_written_off(org, page_for):
    today = company_date()
    warehouse = make_warehouse("MAIN", name="总仓 Main")
    flour = make_product("FL-25", name="高筋面粉", name_en="Bread flour", lot_tracked=True, expiry_warning_days=30)
    for code, produced, expires, quantity in [
        ("L-SOON", -170, 10, 30),
        ("L-GONE", -200, -1, 20),
        ("L-LATE", -20, 160, 40),
    ]:
        stock_receive(
            warehouse=warehouse,
            lines=[
                StockLine(
                    flour.pk,
                    Decimal(quantity),
                    Decimal("3"),
                    lot=LotSpec(
                        code, today + datetime.timedelta(days=produced), today + datetime.timedelta(days=expires)
                    ),
                )
            ],
            reference=Reference("test", None, code),
            actor=None,
        )
    page = page_for()
    page.on("dialog", lambda dialog: dialog.accept())
    login(page, "warehouse")
    page.goto("/stock/lots/?clear=1")
    table = page.locator("table tbody").inner_text()
    assert "L-SOON" in table and "L-GONE" in table and "L-LATE" not in table

    discount = page.locator("[data-testid=lot-discount-L-SOON]")
    discount.locator("input[name=percent]").fill("30")
    discount.locator("input[name=discount_reason]").fill("临期促销")
    discount.locator("button[type=submit]").click()
    page.wait_for_url("**/stock/lots/?clear=1")
    assert Lot.objects.get(code="L-SOON").discount_pct == Decimal("30")
    assert discount.locator("input[name=discount_reason]").input_value() == "临期促销"
    screenshot(page, "inventory-lot-discount")

    clear = page.locator("[data-testid=lot-clear-L-GONE]")
    clear.locator("select[name=kind]").select_option("write_off")
    clear.locator("input[name=reason]").fill("过期")
    clear.locator("button[type=submit]").click()
    page.wait_for_url("**/stock/lots/?clear=1")
    disposal = LotDisposal.objects.get()
    assert disposal.kind == LotDisposal.Kind.WRITE_OFF and disposal.quantity == Decimal("20")
    page.goto("/stock/lot-disposals/")
    assert disposal.number in page.locator("table tbody").inner_text()


def test_a_rep_sells_the_clearance_lot_on_a_phone_and_the_lot_keeps_it_for_the_order(org, page_for):
    from salesops.inventory import expiry
    from salesops.inventory.models import LotReservation
    from salesops.sales.models import SalesOrder
    from salesops.sales.tests.factories import make_customer

    today = company_date()
    warehouse = make_warehouse("MAIN", name="总仓 Main")
    oil = make_product("OIL-5L", name="花生油", list_price=Decimal("12.35"), lot_tracked=True, expiry_warning_days=30)
    for code, expires, quantity in [("L-FIRST", 5, 10), ("L-SOON", 10, 30)]:
        stock_receive(
            warehouse=warehouse,
            lines=[
                StockLine(
                    oil.pk,
                    Decimal(quantity),
                    Decimal("4"),
                    lot=LotSpec(code, today - datetime.timedelta(days=300), today + datetime.timedelta(days=expires)),
                )
            ],
            reference=Reference("test", None, code),
            actor=None,
        )
    soon = expiry.lot_discount_set(
        lot=Lot.objects.get(code="L-SOON"), percent="30", reason="临期", actor=org["warehouse"]
    )
    customer = make_customer(owner=org["rep1"], limit="10000.00")

    # the rep, on a phone in Chinese, sells 5 from the discounted lot: the lot brings its product and price
    rep = page_for(viewport=PHONE, locale="zh-CN")
    login(rep, "rep1")
    rep.goto(f"/sales/orders/new/?customer={customer.pk}")
    rep.select_option("#id_warehouse", str(warehouse.pk))
    rep.select_option("#id_lines-0-lot", str(soon.pk))
    rep.fill("#id_lines-0-quantity", "5")
    assert rep.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    with rep.expect_navigation():
        rep.click("[data-testid=document-save]")
    assert "L-SOON" in rep.locator("[data-testid=line-lot]").inner_text()
    with rep.expect_navigation():
        rep.click("[data-testid=order-submit]")
    order = SalesOrder.objects.get(customer=customer)
    assert order.status == SalesOrder.Status.CONFIRMED and order.total == Decimal("43.25")  # 5 × 8.65
    assert rep.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(rep, "sales-order-from-lot-phone-zh")

    # the lot keeps the 5 for the order: the warehouse sees them reserved on the list of lots
    assert LotReservation.objects.get(lot=soon).quantity == Decimal("5")
    keeper = page_for()
    login(keeper, "warehouse")
    keeper.goto("/stock/lots/?q=L-SOON")
    row = keeper.locator("table tbody tr", has_text="L-SOON")
    assert row.locator('td[data-label="Reserved for orders"]').inner_text().strip() == "5"
