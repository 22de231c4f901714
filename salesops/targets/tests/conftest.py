import datetime
from decimal import Decimal

import pytest

from salesops.sales import services as sales
from salesops.sales.tests.factories import make_customer, make_product, make_warehouse


def sell(*, rep, customer, product, quantity, on: datetime.date, price=None, invoice=True):
    """One order through the sales services: taken, confirmed, delivered and invoiced on `on`."""
    at = datetime.datetime.combine(on, datetime.time(10, 0), tzinfo=datetime.UTC)
    line = {"product": product, "quantity": Decimal(quantity)}
    if price is not None:
        line["unit_price"] = Decimal(price)
    order = sales.order_create(actor=rep, customer=customer, payment="credit", lines=[line], order_date=on)
    sales.order_submit(order=order, actor=rep, at=at)
    delivery = sales.delivery_issue(order=order, actor=rep, at=at)
    if invoice:
        sales.invoice_create(deliveries=[delivery], actor=rep, issue_date=on)
    order.refresh_from_db()
    return order


@pytest.fixture
def shop(org):
    warehouse = make_warehouse()
    product = make_product(price="100.00", stock="100000", warehouse=warehouse)
    return {
        "org": org,
        "product": product,
        "c1": make_customer(owner=org["rep1"], limit="100000000.00"),
        "c2": make_customer(owner=org["rep2"], limit="100000000.00"),
        "c3": make_customer(owner=org["rep3"], limit="100000000.00"),
    }
