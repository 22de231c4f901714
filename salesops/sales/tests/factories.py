"""Sales test data, made through the services."""

from __future__ import annotations

import itertools
from decimal import Decimal

from salesops.catalog.models import Product
from salesops.catalog.services import product_create, product_set_status
from salesops.credit.models import CreditFile
from salesops.crm.services import customer_create
from salesops.inventory.models import Warehouse
from salesops.inventory.services import Reference, StockLine, stock_receive

_seq = itertools.count(1)


def make_product(*, price="10.00", stock="1000", warehouse=None, actor=None) -> Product:
    n = next(_seq)
    product = product_create(sku=f"P{n:05d}", name=f"面粉 {n}", list_price=Decimal(price), actor=actor)
    product_set_status(product=product, status=Product.Status.APPROVED, actor=actor)
    product.refresh_from_db()
    if warehouse is not None and Decimal(stock) > 0:
        stock_receive(
            warehouse=warehouse,
            lines=[StockLine(product.pk, Decimal(stock), Decimal("5"))],
            reference=Reference("test"),
            actor=actor,
        )
    return product


def make_warehouse() -> Warehouse:
    n = next(_seq)
    return Warehouse.objects.create(code=f"WH{n}", name=f"仓库 {n}")


def make_customer(*, owner, limit=None, actor=None, terms=30):
    customer = customer_create(actor=actor or owner, name=f"客户{next(_seq)}", owner=owner)
    if limit is not None:
        CreditFile.objects.create(customer=customer, limit=Decimal(limit), payment_terms_days=terms)
    return customer


def make_products(n, *, warehouse, price="10.00", stock="1000"):
    return [make_product(price=price, stock=stock, warehouse=warehouse) for _ in range(n)]
