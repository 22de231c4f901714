"""Products, warehouses and stock made through the services, for the tests of both areas."""

from __future__ import annotations

from decimal import Decimal

from salesops.catalog.models import Product
from salesops.catalog.services import product_create, product_set_status
from salesops.inventory.documents import warehouse_create
from salesops.inventory.models import Warehouse
from salesops.inventory.services import Reference, StockLine, stock_receive


def make_product(sku: str, *, actor=None, approved: bool = True, **fields) -> Product:
    fields.setdefault("name", f"Product {sku}")
    product = product_create(sku=sku, actor=actor, **fields)
    if approved:
        product = product_set_status(product=product, status=Product.Status.APPROVED, actor=actor)
    return product


def make_warehouse(code: str = "WH1", *, kind: str = Warehouse.Kind.WAREHOUSE, actor=None, **fields) -> Warehouse:
    return warehouse_create(code=code, name=fields.pop("name", f"Warehouse {code}"), kind=kind, actor=actor, **fields)


def receive(warehouse, product, quantity, cost="1", *, actor=None, at=None):
    return stock_receive(
        warehouse=warehouse,
        lines=[StockLine(product.pk, Decimal(str(quantity)), Decimal(str(cost)))],
        reference=Reference("test"),
        actor=actor,
        at=at,
    )


def approve_all(request):
    """Decide every step of an approval request as its assignee."""
    from salesops.approvals.models import ApprovalTask
    from salesops.approvals.services import approval_decide

    while True:
        task = ApprovalTask.objects.filter(request=request, status=ApprovalTask.Status.OPEN).first()
        if task is None:
            break
        approval_decide(task=task, actor=task.assignee, decision="approve")
    request.refresh_from_db()
    return request
