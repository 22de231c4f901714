"""Parallel credit submits for one customer never together exceed the limit (PostgreSQL)."""

from decimal import Decimal

import pytest

from salesops.core.tests.parallel import run_at_once
from salesops.credit.services import exposure_for
from salesops.sales import services
from salesops.sales.models import SalesOrder
from salesops.sales.tests.factories import make_customer, make_product, make_warehouse


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_credit_submits_never_exceed_the_limit():
    from salesops.core.tests.factories import make_org

    org = make_org()
    rep = org["rep1"]
    warehouse = make_warehouse()
    product = make_product(price="100.00", stock="1000", warehouse=warehouse)
    customer = make_customer(owner=rep, limit="1000.00")
    orders = [
        services.order_create(
            actor=rep,
            customer=customer,
            payment="credit",
            warehouse=warehouse,
            lines=[{"product": product.pk, "quantity": "1.5"}],
        )  # 150.00 each
        for _ in range(24)
    ]
    run_at_once(lambda order: services.order_submit(order=order, actor=rep), orders)  # fails on any error
    confirmed = SalesOrder.objects.filter(customer=customer, status="confirmed")
    assert confirmed.count() == 6  # 6 × 150 = 900 ≤ 1000 < 7 × 150
    assert SalesOrder.objects.filter(customer=customer, status="pending_approval").count() == 18
    assert exposure_for(customer_id=customer.pk) == Decimal("900.00") <= Decimal("1000.00")
