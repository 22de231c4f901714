"""Stock pages write money, quantities and times with the one formatting helper
(salesops.core.formatting): no stored-precision artefacts (a cost stored to 4 places), times in
the company's zone and the reader's language."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from salesops.core.tests.pages import read_page
from salesops.inventory import documents
from salesops.inventory import stocktake as stocktakes
from salesops.inventory.tests.factories import make_product, make_warehouse, receive

pytestmark = pytest.mark.django_db

# 2026-12-02 17:26 UTC is 01:26 on 3 December in Beijing.
FROZEN = datetime.datetime(2026, 12, 2, 17, 26, tzinfo=datetime.UTC)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_purchase_order_page_shows_costs_totals_and_quantities_formatted(org, client, language):
    wheat = make_product("RM-WHEAT", tax_rate=Decimal("9"), cost=Decimal("2.8"))
    supplier = documents.supplier_create(code="S1", name="中粮", email="s@supplier.example", actor=None)
    order = documents.purchase_order_create(
        supplier=supplier,
        warehouse=make_warehouse(),
        expected_date=datetime.date.today() + datetime.timedelta(days=7),
        lines=[(wheat, Decimal("1000"), Decimal("2.8"))],
        actor=org["purchasing"],
    )
    html = read_page(client, org["purchasing"], reverse("purchase-order-detail", args=[order.pk]), language)
    assert ">2.80<" in html and "2.8000" not in html  # the unit cost, stored to 4 places
    assert ">2,800.00<" in html  # the line amount
    assert 'data-testid="po-total">¥3,052.00<' in html  # 2,800.00 + 9 % VAT
    assert ">1,000 " in html  # the ordered quantity, with its unit after it


@pytest.mark.parametrize(("language", "moment"), [("en", "3 Dec 2026 01:26"), ("zh-hans", "2026年12月3日 01:26")])
def test_the_stocktake_page_shows_the_freeze_time_in_the_company_zone(org, client, language, moment):
    warehouse = make_warehouse()
    receive(warehouse, make_product("FL-1"), "12.5", cost="3")
    stocktake = stocktakes.stocktake_freeze(warehouse=warehouse, actor=org["warehouse"], at=FROZEN)
    html = read_page(client, org["warehouse"], reverse("stocktake-detail", args=[stocktake.pk]), language)
    assert moment in html
    sheet = read_page(client, org["warehouse"], reverse("stocktake-sheet", args=[stocktake.pk]), language)
    assert moment in sheet


def test_the_slow_moving_page_shows_the_filtered_value_as_money(org, client):
    receive(make_warehouse(), make_product("FL-1"), "1000", cost="1.2345")
    html = read_page(client, org["warehouse"], reverse("slow-moving"), "en")
    assert "Value of what is filtered: ¥1,234.50" in html
