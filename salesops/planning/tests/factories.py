"""Test data for planning: products, BOMs and stock through the catalog and inventory
services; sales history as confirmed order lines (the shape the history reader reads)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from salesops.catalog import services as catalog
from salesops.inventory.documents import supplier_create, warehouse_create
from salesops.inventory.services import Reference, StockLine, stock_receive


def make_family(actor, code="FL", name="Flour"):
    return catalog.family_create(code=code, name=name, actor=actor)


def make_product(
    actor, sku, *, family=None, source="make", lead_time_days=7, lot_rule="LFL", lot_qty=0, safety_stock=0, cost="2"
):
    return catalog.product_create(
        sku=sku,
        name=sku,
        actor=actor,
        family=family,
        source=source,
        lead_time_days=lead_time_days,
        lot_rule=lot_rule,
        lot_qty=Decimal(str(lot_qty)),
        safety_stock=Decimal(str(safety_stock)),
        cost=Decimal(cost),
        list_price=Decimal("10"),
    )


def make_warehouse(actor, code="WH1"):
    return warehouse_create(code=code, name=code, actor=actor)


def make_supplier(actor):
    return supplier_create(code="S1", name="Supplier", actor=actor)


def receive(actor, warehouse, product, quantity):
    stock_receive(
        warehouse=warehouse,
        lines=[StockLine(product.pk, Decimal(str(quantity)), Decimal("1"))],
        reference=Reference(type="test", number="T"),
        actor=actor,
    )


def make_customer(org, rep):
    from salesops.crm.services import customer_create

    return customer_create(actor=rep, name=f"Customer of {rep.username}", owner=rep)


def sell(*, customer, rep, warehouse, product, day: datetime.date, quantity, status="confirmed"):
    """One confirmed order with one line (history rows; the order flow is tested in sales)."""
    from salesops.core.numbering import next_number
    from salesops.sales.models import OrderLine, SalesOrder

    order = SalesOrder.objects.create(
        number=next_number(prefix="SOT"),
        customer=customer,
        rep=rep,
        team=rep.org_unit,
        warehouse=warehouse,
        status=status,
        order_date=day,
    )
    OrderLine.objects.create(
        order=order,
        position=1,
        product=product,
        quantity=Decimal(str(quantity)),
        unit_price=Decimal("10"),
        list_price=Decimal("10"),
        amount=Decimal(str(quantity)) * 10,
    )
    return order
