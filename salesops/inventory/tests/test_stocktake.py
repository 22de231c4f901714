import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from salesops.approvals.models import ApprovalRequest
from salesops.catalog.services import family_create
from salesops.core.exceptions import ValidationFailed
from salesops.inventory import stocktake as st
from salesops.inventory.models import StockBalance, StockMove, Stocktake
from salesops.inventory.services import Reference, StockLine, stock_issue, stock_receive
from salesops.inventory.tests.factories import approve_all, make_product, make_warehouse, receive

pytestmark = pytest.mark.django_db
T0 = timezone.make_aware(datetime.datetime(2026, 11, 1, 8, 0))


def at(minutes: int):
    return T0 + datetime.timedelta(minutes=minutes)


def balance(product, warehouse):
    return StockBalance.objects.get(product=product, warehouse=warehouse)


def test_counting_while_goods_move_gives_the_true_variance(org):
    """Book 100 at the freeze. 20 are issued before the count and 10 received after it;
    the counter finds 78 on the shelf (2 missing). The variance is −2 and the final stock 88."""
    wh = make_warehouse()
    flour = make_product("FLOUR")
    receive(wh, flour, 100, "5", at=at(-60))
    stocktake = st.stocktake_freeze(warehouse=wh, actor=org["warehouse"], at=at(0))
    stock_issue(
        warehouse=wh, lines=[StockLine(flour.pk, Decimal("20"))], reference=Reference("order", 1), actor=None, at=at(10)
    )
    st.stocktake_record_counts(
        stocktake=stocktake, counts={"FLOUR": Decimal("78")}, actor=org["warehouse"], counted_at=at(20)
    )
    stock_receive(
        warehouse=wh,
        lines=[StockLine(flour.pk, Decimal("10"), Decimal("5"))],
        reference=Reference("po"),
        actor=None,
        at=at(30),
    )
    stocktake = st.stocktake_submit(stocktake=stocktake, actor=org["warehouse"])
    assert stocktake.status == Stocktake.Status.POSTED  # 2 × 5 = 10 is below the 1000 threshold
    line = stocktake.lines.get()
    assert (line.snapshot_quantity, line.moved_quantity, line.variance) == (
        Decimal("100"),
        Decimal("-20"),
        Decimal("-2"),
    )
    assert balance(flour, wh).on_hand == Decimal("88")
    move = StockMove.objects.get(kind=StockMove.Kind.STOCKTAKE)
    assert move.quantity == Decimal("-2") and move.reference_number == stocktake.number


def test_family_freeze_covers_only_that_family(org):
    wh = make_warehouse()
    flour_family = family_create(code="FL", name="面粉")
    oil_family = family_create(code="OIL", name="食用油")
    flour = make_product("FLOUR", family=flour_family)
    oil = make_product("OIL", family=oil_family)
    receive(wh, flour, 10)
    receive(wh, oil, 10)
    stocktake = st.stocktake_freeze(warehouse=wh, family=flour_family, actor=org["warehouse"])
    assert list(stocktake.lines.values_list("product__sku", flat=True)) == ["FLOUR"]
    with pytest.raises(ValidationFailed):
        st.stocktake_record_counts(stocktake=stocktake, counts={oil.pk: 9}, actor=org["warehouse"])


def test_uncounted_lines_block_submission_unless_asked(org):
    wh = make_warehouse()
    a, b = make_product("A"), make_product("B")
    receive(wh, a, 10)
    receive(wh, b, 10)
    stocktake = st.stocktake_freeze(warehouse=wh, actor=org["warehouse"])
    st.stocktake_record_counts(stocktake=stocktake, counts={a.pk: 9}, actor=org["warehouse"])
    with pytest.raises(ValidationFailed) as error:
        st.stocktake_submit(stocktake=stocktake, actor=org["warehouse"])
    assert error.value.code == "stocktake_uncounted"
    assert balance(a, wh).on_hand == Decimal("10")
    st.stocktake_submit(stocktake=stocktake, actor=org["warehouse"], allow_uncounted=True)
    assert (balance(a, wh).on_hand, balance(b, wh).on_hand) == (Decimal("9"), Decimal("10"))


def test_found_goods_get_a_line_with_their_book_quantity_at_the_freeze(org):
    wh = make_warehouse()
    a = make_product("A")
    stocktake = st.stocktake_freeze(warehouse=wh, actor=org["warehouse"], at=at(0))
    receive(wh, a, 5, at=at(5))
    st.stocktake_record_counts(stocktake=stocktake, counts={"A": 7}, actor=org["warehouse"], counted_at=at(10))
    st.stocktake_submit(stocktake=stocktake, actor=org["warehouse"])
    line = stocktake.lines.get()
    assert (line.snapshot_quantity, line.moved_quantity, line.variance) == (Decimal("0"), Decimal("5"), Decimal("2"))
    assert balance(a, wh).on_hand == Decimal("7")


def test_variance_above_the_threshold_waits_for_approval(org):
    wh = make_warehouse()
    oil = make_product("OIL")
    receive(wh, oil, 100, "60")
    stocktake = st.stocktake_freeze(warehouse=wh, actor=org["warehouse"], approval_threshold=Decimal("500"))
    st.stocktake_record_counts(stocktake=stocktake, counts={oil.pk: 90}, actor=org["warehouse"])
    stocktake = st.stocktake_submit(stocktake=stocktake, actor=org["warehouse"])
    assert stocktake.status == Stocktake.Status.PENDING
    assert balance(oil, wh).on_hand == Decimal("100")  # nothing posted yet
    request = ApprovalRequest.objects.get(doc_type="stocktake_variance", object_id=str(stocktake.pk))
    assert Decimal(request.values["variance_amount"]) == Decimal("600.00")
    approve_all(request)
    stocktake.refresh_from_db()
    assert stocktake.status == Stocktake.Status.POSTED
    assert balance(oil, wh).on_hand == Decimal("90")


def _stocktake_queries(org, size: int, offset: int) -> tuple[int, int, int]:
    wh = make_warehouse(f"W{size}")
    products = [make_product(f"S{offset + i}") for i in range(size)]
    stock_receive(
        warehouse=wh,
        lines=[StockLine(p.pk, Decimal("10"), Decimal("1")) for p in products],
        reference=Reference("test"),
        actor=None,
    )
    with CaptureQueriesContext(connection) as freeze:
        stocktake = st.stocktake_freeze(warehouse=wh, actor=org["warehouse"], approval_threshold=Decimal("1000000"))
    with CaptureQueriesContext(connection) as count:
        st.stocktake_record_counts(
            stocktake=stocktake,
            counts={p.pk: Decimal(9 + i % 3) for i, p in enumerate(products)},
            actor=org["warehouse"],
        )
    with CaptureQueriesContext(connection) as post:
        stocktake = st.stocktake_submit(stocktake=stocktake, actor=org["warehouse"])
    assert stocktake.status == Stocktake.Status.POSTED
    return len(freeze), len(count), len(post)


def test_stocktake_query_count_does_not_depend_on_the_number_of_lines(org):
    _stocktake_queries(org, 3, 5000)  # warm-up: the first document of the year creates its number sequence
    assert _stocktake_queries(org, 10, 0) == _stocktake_queries(org, 200, 1000)


def test_counts_cannot_be_entered_after_posting(org):
    wh = make_warehouse()
    a = make_product("A")
    receive(wh, a, 10)
    stocktake = st.stocktake_freeze(warehouse=wh, actor=org["warehouse"])
    st.stocktake_record_counts(stocktake=stocktake, counts={a.pk: 10}, actor=org["warehouse"])
    st.stocktake_submit(stocktake=stocktake, actor=org["warehouse"])
    with pytest.raises(ValidationFailed):
        st.stocktake_record_counts(stocktake=stocktake, counts={a.pk: 11}, actor=org["warehouse"])
