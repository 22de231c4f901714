"""Many submits against one customer's limit at once: the credit file row lock serialises the
decisions, so the confirmed credit never exceeds the limit (PostgreSQL only)."""

import datetime
from decimal import Decimal

import pytest
from django.db import transaction

from salesops.core.tests.parallel import run_at_once
from salesops.credit.services import credit_check_for_order, exposure_for
from salesops.credit.tests.factories import make_credit_file, make_customer

THREADS = 16
LIMIT = Decimal("1000.00")
ORDER_TOTAL = Decimal("150.00")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_submits_never_exceed_the_limit(org):
    from salesops.inventory.models import Warehouse
    from salesops.sales.models import SalesOrder

    customer = make_customer(org, "rep1")
    make_credit_file(customer, limit=str(LIMIT))
    warehouse = Warehouse.objects.create(code="W-CC", name="Main")
    orders = [
        SalesOrder.objects.create(
            number=f"SO-CC-{index:03d}",
            customer=customer,
            rep=org["rep1"],
            team=org["rep1"].org_unit,
            warehouse=warehouse,
            payment=SalesOrder.Payment.CREDIT,
            order_date=datetime.date.today(),
            total=ORDER_TOTAL,
        )
        for index in range(THREADS * 2)
    ]

    def submit(batch):
        for order in batch:
            with transaction.atomic():
                decision = credit_check_for_order(order=order)
                if decision.ok:  # what order_submit does in the same transaction
                    SalesOrder.objects.filter(pk=order.pk).update(status=SalesOrder.Status.CONFIRMED)

    run_at_once(submit, [orders[i::THREADS] for i in range(THREADS)])  # fails on any error

    confirmed = SalesOrder.objects.filter(customer=customer, status=SalesOrder.Status.CONFIRMED).count()
    assert confirmed == int(LIMIT // ORDER_TOTAL)  # 6 × 150 = 900; a 7th would be 1050
    assert exposure_for(customer_id=customer.pk) == confirmed * ORDER_TOTAL <= LIMIT
