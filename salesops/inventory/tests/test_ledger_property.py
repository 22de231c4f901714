"""Whatever sequence of receipts, issues, transfers, reservations, releases and adjustments
runs, every balance equals the sum of its ledger lines and every reserved quantity equals the
sum of its reservations."""

from decimal import Decimal

import pytest
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as s

from salesops.core.exceptions import ApplicationError
from salesops.inventory import documents
from salesops.inventory.models import StockBalance, StockMove, StockReservation
from salesops.inventory.services import (
    Reference,
    StockLine,
    stock_adjust,
    stock_issue,
    stock_receive,
    stock_release,
    stock_reserve,
)
from salesops.inventory.tests.factories import make_product, make_warehouse

qty = s.integers(min_value=1, max_value=50).map(Decimal)
operation = s.one_of(
    s.tuples(s.just("receive"), s.integers(0, 1), s.integers(0, 2), qty, s.integers(1, 9).map(Decimal)),
    s.tuples(s.just("issue"), s.integers(0, 1), s.integers(0, 2), qty, s.integers(0, 3)),
    s.tuples(s.just("transfer"), s.integers(0, 1), s.integers(0, 2), qty, s.just(0)),
    s.tuples(s.just("reserve"), s.integers(0, 1), s.integers(0, 2), qty, s.integers(1, 3)),
    s.tuples(s.just("release"), s.integers(0, 1), s.integers(0, 2), qty, s.integers(1, 3)),
    s.tuples(s.just("adjust"), s.integers(0, 1), s.integers(0, 2), s.integers(-20, 20).map(Decimal), s.just(0)),
)


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(s.lists(operation, min_size=1, max_size=25))
def test_balances_always_equal_the_ledger(org, ops):
    from django.db import transaction

    with transaction.atomic():
        warehouses = [make_warehouse("PA"), make_warehouse("PB")]
        products = [make_product(f"P{i}") for i in range(3)]
        for kind, w, p, quantity, extra in ops:
            warehouse, product = warehouses[w], products[p]
            try:
                if kind == "receive":
                    stock_receive(
                        warehouse=warehouse,
                        lines=[StockLine(product.pk, quantity, extra)],
                        reference=Reference("t"),
                        actor=None,
                    )
                elif kind == "issue":
                    stock_issue(
                        warehouse=warehouse,
                        lines=[StockLine(product.pk, quantity)],
                        reference=Reference("order", extra or None),
                        actor=None,
                    )
                elif kind == "transfer":
                    transfer = documents.transfer_create(
                        source=warehouse,
                        destination=warehouses[1 - w],
                        lines=[(product, quantity)],
                        actor=org["warehouse"],
                    )
                    documents.transfer_send(transfer=transfer, actor=org["warehouse"])
                    documents.transfer_receive(
                        transfer=transfer, actor=org["warehouse"], received={product.pk: quantity - (quantity // 4)}
                    )
                elif kind == "reserve":
                    stock_reserve(
                        warehouse=warehouse,
                        lines=[StockLine(product.pk, quantity)],
                        reference=Reference("order", extra),
                    )
                elif kind == "release":
                    stock_release(reference=Reference("order", extra), warehouse=warehouse)
                elif kind == "adjust":
                    stock_adjust(
                        warehouse=warehouse, deltas={product.pk: quantity}, reference=Reference("adj"), actor=None
                    )
            except ApplicationError:
                pass  # refused operations must leave everything unchanged, which the checks below prove
        for balance in StockBalance.objects.all():
            ledger = StockMove.objects.filter(product=balance.product, warehouse=balance.warehouse).aggregate(
                t=Sum("quantity")
            )["t"] or Decimal("0")
            reserved = StockReservation.objects.filter(product=balance.product, warehouse=balance.warehouse).aggregate(
                t=Sum("quantity")
            )["t"] or Decimal("0")
            assert balance.on_hand == ledger
            assert balance.reserved == reserved
            assert balance.on_hand >= 0
        transaction.set_rollback(True)
