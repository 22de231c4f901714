"""Catalog pages write money, quantities and dates with the one formatting helper
(salesops.core.formatting): no stored-precision artefacts, dates in the reader's language."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from salesops.catalog import services
from salesops.core.tests.pages import read_page
from salesops.inventory.tests.factories import make_product, make_warehouse, receive

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_product_page_shows_prices_as_money_and_costs_without_artefacts(org, client, language):
    product = make_product("FL-1", list_price=Decimal("1234.50"), cost=Decimal("12.5000"))
    receive(make_warehouse(), product, "1200", cost="12.5")
    html = read_page(client, org["purchasing"], reverse("product-detail", args=[product.pk]), language)
    assert "¥1,234.50" in html  # list price and today's price
    assert "¥12.50" in html  # standard cost, stored with 4 places
    assert "12.500000" not in html and "12.5000<" not in html
    assert ">1,200<" in html  # the stock on hand


@pytest.mark.parametrize(("language", "day"), [("en", "3 Dec 2026"), ("zh-hans", "2026年12月3日")])
def test_the_price_change_page_shows_the_effective_date_and_prices(org, client, language, day):
    product = make_product("FL-2", list_price=Decimal("1000.00"))
    change = services.price_change_create(
        effective_date=datetime.date(2026, 12, 3),
        reason="wheat",
        actor=org["purchasing"],
        lines=[(product, Decimal("1234.5"))],
    )
    html = read_page(client, org["purchasing"], reverse("price-change-detail", args=[change.pk]), language)
    assert day in html
    assert ">1,000.00<" in html and ">1,234.50<" in html
    assert ">23.4<" in html  # the change in percent, 23.45 kept to one place
