from decimal import Decimal

import pytest
from django.db.models import Sum

from salesops.catalog.services import product_create
from salesops.core.tests.parallel import run_at_once
from salesops.inventory.exceptions import InsufficientStock
from salesops.inventory.models import StockBalance, StockMove, StockReservation, Warehouse
from salesops.inventory.services import Reference, StockLine, stock_issue, stock_receive, stock_release, stock_reserve


@pytest.fixture
def stock(db):
    warehouse = Warehouse.objects.create(code="WH1", name="Main")
    product = product_create(sku="P1", name="Flour 25kg", status="approved")
    return warehouse, product


def balance(product, warehouse):
    return StockBalance.objects.get(product=product, warehouse=warehouse)


def test_receipts_set_moving_average_cost_and_balance_equals_ledger(stock):
    warehouse, product = stock
    stock_receive(
        warehouse=warehouse,
        lines=[StockLine(product.pk, Decimal("10"), Decimal("5"))],
        reference=Reference("test"),
        actor=None,
    )
    stock_receive(
        warehouse=warehouse,
        lines=[StockLine(product.pk, Decimal("30"), Decimal("9"))],
        reference=Reference("test"),
        actor=None,
    )
    stock_issue(
        warehouse=warehouse, lines=[StockLine(product.pk, Decimal("15"))], reference=Reference("test"), actor=None
    )

    row = balance(product, warehouse)
    assert row.on_hand == Decimal("25")
    assert row.avg_cost == Decimal("8.0000")  # (10*5 + 30*9) / 40
    ledger = StockMove.objects.filter(product=product, warehouse=warehouse).aggregate(total=Sum("quantity"))
    assert ledger["total"] == row.on_hand
    assert StockMove.objects.filter(kind="issue").get().unit_cost == Decimal("8.0000")


def test_issue_beyond_available_is_refused_and_changes_nothing(stock):
    warehouse, product = stock
    stock_receive(
        warehouse=warehouse,
        lines=[StockLine(product.pk, Decimal("5"), Decimal("1"))],
        reference=Reference("test"),
        actor=None,
    )
    stock_reserve(warehouse=warehouse, lines=[StockLine(product.pk, Decimal("3"))], reference=Reference("order", 1))

    with pytest.raises(InsufficientStock) as error:
        stock_issue(
            warehouse=warehouse,
            lines=[StockLine(product.pk, Decimal("3"))],
            reference=Reference("other", 2),
            actor=None,
        )

    assert error.value.code == "insufficient_stock"
    assert error.value.extra["items"][0]["available"] == "2"
    assert balance(product, warehouse).on_hand == Decimal("5")
    assert StockMove.objects.count() == 1


def test_issue_consumes_own_reservation_and_release_returns_the_rest(stock):
    warehouse, product = stock
    stock_receive(
        warehouse=warehouse,
        lines=[StockLine(product.pk, Decimal("5"), Decimal("1"))],
        reference=Reference("test"),
        actor=None,
    )
    stock_reserve(warehouse=warehouse, lines=[StockLine(product.pk, Decimal("5"))], reference=Reference("order", 1))

    stock_issue(
        warehouse=warehouse, lines=[StockLine(product.pk, Decimal("2"))], reference=Reference("order", 1), actor=None
    )
    assert balance(product, warehouse).reserved == Decimal("3")
    stock_release(reference=Reference("order", 1))

    row = balance(product, warehouse)
    assert (row.on_hand, row.reserved) == (Decimal("3"), Decimal("0"))
    assert not StockReservation.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_issues_of_the_last_units_issue_exactly_what_is_available():
    warehouse = Warehouse.objects.create(code="WH1", name="Main")
    product = product_create(sku="P1", name="Flour", status="approved")
    stock_receive(
        warehouse=warehouse,
        lines=[StockLine(product.pk, Decimal("10"), Decimal("1"))],
        reference=Reference("test"),
        actor=None,
    )

    def issue_three(_index):
        stock_issue(
            warehouse=warehouse, lines=[StockLine(product.pk, Decimal("3"))], reference=Reference("t"), actor=None
        )
        return "ok"

    outcomes = [
        "refused" if isinstance(outcome, InsufficientStock) else outcome
        for outcome in run_at_once(issue_three, range(8), expected=InsufficientStock)
    ]

    assert outcomes.count("ok") == 3 and outcomes.count("refused") == 5
    assert balance(product, warehouse).on_hand == Decimal("1")
