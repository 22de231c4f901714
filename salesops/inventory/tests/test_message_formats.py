"""Quantities in the messages people read are written with the product's decimals (the one
formatting helper); the error details the API returns keep machine-readable numbers."""

from decimal import Decimal

import pytest
from django.utils import translation

from salesops.catalog.services import product_create
from salesops.inventory.exceptions import InsufficientStock
from salesops.inventory.models import Warehouse
from salesops.inventory.services import Reference, StockLine, stock_issue, stock_receive

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize(
    ("decimals", "on_hand", "wanted", "shown", "items"),
    [
        (0, "1200", "1500", ("1,500", "1,200"), ("1500", "1200")),
        (3, "286.610", "1000.5", ("1,000.5", "286.61"), ("1000.5", "286.61")),
    ],
)
def test_a_shortage_message_shows_quantities_with_the_products_decimals(
    language, decimals, on_hand, wanted, shown, items
):
    warehouse = Warehouse.objects.create(code="WH1", name="Main")
    product = product_create(sku="P1", name="Flour", status="approved", quantity_decimals=decimals)
    stock_receive(
        warehouse=warehouse,
        lines=[StockLine(product.pk, Decimal(on_hand), Decimal("1"))],
        reference=Reference("t"),
        actor=None,
    )
    with translation.override(language), pytest.raises(InsufficientStock) as refused:
        stock_issue(
            warehouse=warehouse, lines=[StockLine(product.pk, Decimal(wanted))], reference=Reference("t"), actor=None
        )
    message = str(refused.value.message)
    assert all(text in message for text in shown), message
    assert "P1" in message
    item = refused.value.extra["items"][0]
    assert (item["requested"], item["available"]) == items
