import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from salesops.core.exceptions import ValidationFailed
from salesops.inventory import documents
from salesops.inventory.exceptions import InsufficientStock
from salesops.inventory.models import PurchaseOrder, StockBalance, StockMove, Transfer, Warehouse
from salesops.inventory.tests.factories import make_product, make_warehouse, receive

pytestmark = pytest.mark.django_db


def on_hand(product, warehouse) -> Decimal:
    return StockBalance.objects.get(product=product, warehouse=warehouse).on_hand


def test_purchase_order_partial_receipts(org):
    warehouse = make_warehouse()
    wheat, bag = make_product("WHEAT"), make_product("BAG")
    supplier = documents.supplier_create(code="S1", name="中粮", actor=org["purchasing"])
    order = documents.purchase_order_create(
        supplier=supplier,
        warehouse=warehouse,
        expected_date=timezone.localdate() + datetime.timedelta(days=7),
        actor=org["purchasing"],
        lines=[(wheat, Decimal("1000"), Decimal("2.8")), (bag.pk, 500, "0.5")],
    )
    order = documents.purchase_order_submit(order=order, actor=org["purchasing"])
    documents.purchase_order_receive(order=order, quantities={wheat.pk: Decimal("600")}, actor=org["warehouse"])
    order.refresh_from_db()
    assert order.status == PurchaseOrder.Status.PARTIAL
    assert on_hand(wheat, warehouse) == Decimal("600")
    with pytest.raises(ValidationFailed):
        documents.purchase_order_receive(order=order, quantities={wheat.pk: Decimal("401")}, actor=org["warehouse"])
    assert on_hand(wheat, warehouse) == Decimal("600")
    documents.purchase_order_receive(order=order, quantities={wheat.pk: 400, bag.pk: 500}, actor=org["warehouse"])
    order.refresh_from_db()
    assert order.status == PurchaseOrder.Status.RECEIVED
    assert StockBalance.objects.get(product=wheat, warehouse=warehouse).avg_cost == Decimal("2.8000")


def test_transfer_send_then_receive_with_a_difference(org):
    main, dc = make_warehouse("MAIN"), make_warehouse("DC", kind=Warehouse.Kind.DISTRIBUTION_CENTRE)
    flour, oil = make_product("FLOUR"), make_product("OIL")
    receive(main, flour, 100, "80")
    receive(main, oil, 50, "60")
    transfer = documents.transfer_create(
        source=main, destination=dc, lines=[(flour, 40), (oil, 10)], actor=org["warehouse"]
    )
    transfer = documents.transfer_send(transfer=transfer, actor=org["warehouse"])
    assert transfer.status == Transfer.Status.IN_TRANSIT
    assert on_hand(flour, main) == Decimal("60")
    assert documents.in_transit_quantities(warehouse=dc) == {flour.pk: Decimal("40"), oil.pk: Decimal("10")}
    transfer = documents.transfer_receive(transfer=transfer, actor=org["warehouse"], received={flour.pk: Decimal("38")})
    assert transfer.status == Transfer.Status.RECEIVED and transfer.has_difference
    assert on_hand(flour, dc) == Decimal("38") and on_hand(oil, dc) == Decimal("10")
    line = transfer.lines.get(product=flour)
    assert (line.quantity, line.received_quantity, line.difference, line.unit_cost) == (
        Decimal("40"),
        Decimal("38"),
        Decimal("-2"),
        Decimal("80"),
    )
    assert StockBalance.objects.get(product=flour, warehouse=dc).avg_cost == Decimal("80")
    with pytest.raises(Exception):
        documents.transfer_receive(transfer=transfer, actor=org["warehouse"])


def test_transfer_of_more_than_available_is_refused_and_nothing_moves(org):
    main, dc = make_warehouse("MAIN"), make_warehouse("DC")
    flour = make_product("FLOUR")
    receive(main, flour, 5)
    transfer = documents.transfer_create(source=main, destination=dc, lines=[(flour, 6)], actor=org["warehouse"])
    with pytest.raises(InsufficientStock):
        documents.transfer_send(transfer=transfer, actor=org["warehouse"])
    transfer.refresh_from_db()
    assert transfer.status == Transfer.Status.DRAFT and on_hand(flour, main) == Decimal("5")
    assert StockMove.objects.filter(kind=StockMove.Kind.TRANSFER_OUT).count() == 0


def _transfer_queries(org, size: int, offset: int) -> int:
    main, dc = make_warehouse(f"M{size}"), make_warehouse(f"D{size}")
    products = [make_product(f"T{offset + i}") for i in range(size)]
    from salesops.inventory.services import Reference, StockLine, stock_receive

    stock_receive(
        warehouse=main,
        lines=[StockLine(p.pk, Decimal("10"), Decimal("1")) for p in products],
        reference=Reference("test"),
        actor=None,
    )
    transfer = documents.transfer_create(
        source=main, destination=dc, lines=[(p, 3) for p in products], actor=org["warehouse"]
    )
    with CaptureQueriesContext(connection) as sent:
        documents.transfer_send(transfer=transfer, actor=org["warehouse"])
    with CaptureQueriesContext(connection) as received:
        documents.transfer_receive(transfer=transfer, actor=org["warehouse"])
    assert StockBalance.objects.filter(warehouse=dc).aggregate(t=Sum("on_hand"))["t"] == 3 * size
    return len(sent), len(received)


def test_transfer_query_count_does_not_depend_on_the_number_of_lines(org):
    assert _transfer_queries(org, 10, 0) == _transfer_queries(org, 200, 1000)


def test_store_replenishment_order_ship_and_receive(org):
    dc = make_warehouse("DC", kind=Warehouse.Kind.DISTRIBUTION_CENTRE)
    store = make_warehouse("S01", kind=Warehouse.Kind.STORE)
    noodles = make_product("NOODLE")
    receive(dc, noodles, 100, "3")
    order = documents.replenishment_create(store=store, source=dc, lines=[(noodles, 30)], actor=org["warehouse"])
    order = documents.replenishment_ship(order=order, actor=org["warehouse"], shipped={noodles.pk: Decimal("25")})
    assert on_hand(noodles, dc) == Decimal("75") and order.transfer.status == Transfer.Status.IN_TRANSIT
    order = documents.replenishment_receive(order=order, actor=org["warehouse"], received={noodles.pk: Decimal("24")})
    assert order.status == "received" and on_hand(noodles, store) == Decimal("24")
    with pytest.raises(ValidationFailed):
        documents.replenishment_create(store=dc, source=store, lines=[(noodles, 1)], actor=org["warehouse"])


def test_production_receipt_and_adjustment(org):
    main = make_warehouse()
    flour = make_product("FLOUR")
    documents.production_receipt_post(warehouse=main, lines=[(flour, 100, "70")], actor=org["warehouse"])
    assert StockMove.objects.get().kind == StockMove.Kind.PRODUCTION
    with pytest.raises(ValidationFailed):
        documents.adjustment_post(warehouse=main, deltas={flour.pk: -3}, note="", actor=org["warehouse"])
    documents.adjustment_post(warehouse=main, deltas={flour.pk: -3}, note="破损 damaged", actor=org["warehouse"])
    assert on_hand(flour, main) == Decimal("97")
    with pytest.raises(InsufficientStock):
        documents.adjustment_post(warehouse=main, deltas={flour.pk: -98}, note="x", actor=org["warehouse"])
    assert on_hand(flour, main) == Decimal("97")
