"""Every page renders for the roles that use it and answers 404 to the others; the key flows
work through the pages (send and receive a transfer, enter counts and post a stocktake)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from salesops.catalog import services as catalog
from salesops.inventory import documents
from salesops.inventory import stocktake as st
from salesops.inventory.models import StockBalance, Stocktake, Transfer, Warehouse
from salesops.inventory.tests.factories import make_product, make_warehouse, receive

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(org):
    wh = make_warehouse("MAIN")
    dc = make_warehouse("DC", kind=Warehouse.Kind.DISTRIBUTION_CENTRE)
    store = make_warehouse("S01", kind=Warehouse.Kind.STORE)
    family = catalog.family_create(code="FL", name="面粉", name_en="Flour")
    flour = make_product("FLOUR", family=family, cost=Decimal("80"))
    wheat = make_product("WHEAT")
    catalog.bom_line_add(parent=flour, component=wheat, quantity=Decimal("25"), actor=None)
    receive(wh, flour, 100, "80")
    receive(dc, flour, 50, "80")
    supplier = documents.supplier_create(code="S1", name="中粮", actor=None)
    import datetime

    order = documents.purchase_order_create(
        supplier=supplier,
        warehouse=wh,
        expected_date=datetime.date.today() + datetime.timedelta(days=7),
        lines=[(wheat, 100, 2)],
        actor=org["purchasing"],
    )
    transfer = documents.transfer_create(source=wh, destination=dc, lines=[(flour, 10)], actor=org["warehouse"])
    replenishment = documents.replenishment_create(store=store, source=dc, lines=[(flour, 5)], actor=org["warehouse"])
    stocktake = st.stocktake_freeze(warehouse=wh, actor=org["warehouse"])
    change = catalog.price_change_create(
        effective_date=datetime.date(2026, 12, 1),
        reason="调价",
        lines=[(flour, Decimal("120"))],
        actor=org["purchasing"],
    )
    return locals()


def pages(world):
    return [
        reverse("stock-moves"),
        reverse("purchase-orders"),
        reverse("purchase-order-detail", args=[world["order"].pk]),
        reverse("stock-documents"),
        reverse("transfers"),
        reverse("transfer-detail", args=[world["transfer"].pk]),
        reverse("replenishments"),
        reverse("replenishment-detail", args=[world["replenishment"].pk]),
        reverse("stocktakes"),
        reverse("stocktake-detail", args=[world["stocktake"].pk]),
        reverse("stocktake-sheet", args=[world["stocktake"].pk]),
        reverse("reorder-warnings"),
        reverse("slow-moving"),
        reverse("stock-value"),
        reverse("transfer-new"),
        reverse("stocktake-new"),
        reverse("stock-document-new"),
        reverse("replenishment-new"),
    ]


def test_stock_pages_render_for_the_warehouse(org, client, world):
    client.force_login(org["warehouse"])
    for url in pages(world) + [
        reverse("stock"),
        reverse("products"),
        reverse("product-families"),
        reverse("product-detail", args=[world["flour"].pk]),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
    assert client.get(reverse("stock") + "?export=xlsx").status_code == 200
    assert client.get(reverse("slow-moving") + "?export=xlsx").status_code == 200
    assert client.get(reverse("stocktake-sheet", args=[world["stocktake"].pk]) + "?format=xlsx").status_code == 200


@pytest.mark.parametrize("who", ["rep1", "rep3", "supervisor1", "norole"])
def test_stock_pages_are_hidden_from_sales_and_no_role(org, client, world, who):
    client.force_login(org[who])
    for url in pages(world):
        assert client.get(url).status_code == 404, url


def test_rep_sees_stock_levels_page_without_costs(org, client, world):
    client.force_login(org["rep1"])
    page = client.get(reverse("stock")).content.decode()
    assert "FLOUR" in page and "80.0000" not in page
    detail = client.get(reverse("product-detail", args=[world["flour"].pk])).content.decode()
    assert "80.0000" not in detail


def test_catalog_pages_for_purchasing_and_finance(org, client, world):
    client.force_login(org["purchasing"])
    for url in [
        reverse("products"),
        reverse("product-new"),
        reverse("product-import"),
        reverse("price-lists"),
        reverse("price-changes"),
        reverse("price-change-new"),
        reverse("price-change-detail", args=[world["change"].pk]),
        reverse("price-history"),
        reverse("product-edit", args=[world["flour"].pk]),
    ]:
        assert client.get(url).status_code == 200, url
    client.force_login(org["finance"])
    assert client.get(reverse("price-history")).status_code == 200
    assert client.get(reverse("price-changes")).status_code == 200
    client.force_login(org["rep1"])
    assert client.get(reverse("price-history")).status_code == 404


def test_transfer_send_and_receive_through_the_pages(org, client, world):
    client.force_login(org["warehouse"])
    transfer = world["transfer"]
    client.post(reverse("transfer-action", args=[transfer.pk, "send"]))
    transfer.refresh_from_db()
    assert transfer.status == Transfer.Status.IN_TRANSIT
    client.post(reverse("transfer-action", args=[transfer.pk, "receive"]), {f"r_{world['flour'].pk}": "8"})
    transfer.refresh_from_db()
    assert transfer.status == Transfer.Status.RECEIVED and transfer.has_difference
    page = client.get(reverse("transfer-detail", args=[transfer.pk])).content.decode()
    assert 'data-testid="differences"' in page


def test_counts_entered_on_the_page_and_posted(org, client, world):
    client.force_login(org["warehouse"])
    stocktake = world["stocktake"]
    url = reverse("stocktake-detail", args=[stocktake.pk])
    client.post(url, {f"c_{world['flour'].pk}": "99"})
    client.post(reverse("stocktake-action", args=[stocktake.pk, "submit"]))
    stocktake.refresh_from_db()
    assert stocktake.status == Stocktake.Status.POSTED
    assert StockBalance.objects.get(product=world["flour"], warehouse=world["wh"]).on_hand == Decimal("99")


def test_new_transfer_form_reports_bad_lines_next_to_the_field(org, client, world):
    client.force_login(org["warehouse"])
    response = client.post(
        reverse("transfer-new"),
        {"source": world["wh"].pk, "destination": world["dc"].pk, "lines": "FLOUR 5\nNOPE 3\nWHEAT x"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "NOPE" in body and "Line 3" in body
    assert Transfer.objects.count() == 1


def test_count_sheet_prints_as_pdf_with_the_chinese_font_embedded(org, client, world):
    import re

    from salesops.inventory.pdf import count_sheet_pdf

    client.force_login(org["warehouse"])
    stocktake = world["stocktake"]
    response = client.get(reverse("stocktake-sheet", args=[stocktake.pk]) + "?format=pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    lines = stocktake.lines.select_related("product").order_by("product__sku")
    plain = count_sheet_pdf(stocktake, lines, uncompressed=True)
    assert b"/FontFile" in plain  # the font is embedded
    assert re.search(rb"/BaseFont\s*/[A-Z]{6}\+Noto", plain)  # and it is the CJK font of @font-face


def test_slow_moving_page_filters_by_idle_days_and_totals_by_bucket(org, client, world):
    import datetime

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    old = make_product("OLDBOX", cost=Decimal("5"))
    receive(world["wh"], old, 10, "5", at=timezone.now() - datetime.timedelta(days=400))
    client.force_login(org["warehouse"])
    url = reverse("slow-moving")
    body = client.get(url + "?min_days=365").content.decode()
    assert "OLDBOX" in body and "FLOUR" not in body
    assert 'data-testid="age-buckets"' in body and "50.00" in body  # 10 × 5 in the >365 bucket
    assert "FLOUR" in client.get(url).content.decode()
    assert client.get(url + "?min_days=7&export=xlsx").status_code == 200  # any number of days, not only chips
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(30):
        receive(world["dc"], make_product(f"MORE{i:02d}"), 1, "1")
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)  # no query per row
