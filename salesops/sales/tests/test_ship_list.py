"""The warehouse's ship list with each order's open lines and the lots first-expiry-first-out
picking takes, and the pick list (拣货单) PDF of all orders to ship or of those ticked: who may
see them, what they show, and a query count that does not grow with the orders."""

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from salesops.core.formatting import datetime_
from salesops.core.selectors import company_date
from salesops.inventory.lots import LotSpec
from salesops.inventory.services import Reference, StockLine, stock_receive
from salesops.inventory.tests.factories import make_product as make_stock_product
from salesops.sales import selectors, services
from salesops.sales.pdf import pick_list_html
from salesops.sales.tests.factories import make_product, make_warehouse

pytestmark = pytest.mark.django_db


def order(shop, lines, warehouse=None):
    made = services.order_create(
        actor=shop["org"]["rep1"],
        customer=shop["customer"],
        payment="credit",
        lines=lines,
        warehouse=warehouse or shop["warehouse"],
    )
    return services.order_submit(order=made, actor=shop["org"]["rep1"])


@pytest.fixture
def flour(shop):
    """A lot-tracked product in the shop's warehouse: 10 expiring in 10 days, 10 in 100 days,
    50 without expiry and 30 already expired (never picked)."""
    from salesops.catalog.models import Product

    product = make_stock_product(
        "FL-1", name="高筋面粉", name_en="Bread flour", lot_tracked=True, list_price=Decimal("8")
    )
    assert Product.objects.get(pk=product.pk).lot_tracked
    today = company_date()
    for code, produced, expires, quantity in [
        ("L-LATE", -10, 100, 10),
        ("L-SOON", -100, 10, 10),
        ("L-NONE", -5, None, 50),
        ("L-GONE", -200, -1, 30),
    ]:
        stock_receive(
            warehouse=shop["warehouse"],
            lines=[
                StockLine(
                    product.pk,
                    Decimal(quantity),
                    Decimal("3"),
                    lot=LotSpec(
                        code,
                        today + datetime.timedelta(days=produced),
                        today + datetime.timedelta(days=expires) if expires is not None else None,
                    ),
                )
            ],
            reference=Reference("test", None, code),
            actor=None,
        )
    return product


def lots_of(ship_line):
    return [(taken.lot.code, taken.quantity) for taken in ship_line.lots]


def test_lines_take_lots_first_expiry_first_shared_out_in_list_order(shop, flour):
    first = order(shop, [{"product": flour.pk, "quantity": "15"}, {"product": shop["p1"].pk, "quantity": "2"}])
    second = order(shop, [{"product": flour.pk, "quantity": "20"}])
    orders = selectors.ship_list(user=shop["org"]["warehouse"])
    assert [o.pk for o in orders] == [first.pk, second.pk]
    flour_first, plain = orders[0].ship_lines
    assert lots_of(flour_first) == [("L-SOON", Decimal("10")), ("L-LATE", Decimal("5"))]
    assert plain.lots == [] and plain.quantity == Decimal("2")
    (flour_second,) = orders[1].ship_lines
    assert lots_of(flour_second) == [("L-LATE", Decimal("5")), ("L-NONE", Decimal("15"))]
    assert flour_first.short == flour_second.short == Decimal("0")


def test_a_line_the_lots_cannot_cover_says_what_is_short(shop, flour):
    big = order(shop, [{"product": flour.pk, "quantity": "60"}])
    (line,) = selectors.ship_list(user=shop["org"]["warehouse"], order_ids=[big.pk])[0].ship_lines
    assert sum(q for _code, q in lots_of(line)) == Decimal("60")  # the expired lot is not counted
    assert "L-GONE" not in [code for code, _q in lots_of(line)]
    more = order(shop, [{"product": flour.pk, "quantity": "15"}])
    orders = selectors.ship_list(user=shop["org"]["warehouse"])
    assert [o.pk for o in orders] == [big.pk, more.pk]
    assert orders[1].ship_lines[0].short == Decimal("5")


def test_the_page_shows_lines_lots_and_the_pick_list_links(shop, flour, client):
    first = order(shop, [{"product": flour.pk, "quantity": "15"}, {"product": shop["p1"].pk, "quantity": "2"}])
    client.force_login(shop["org"]["warehouse"])
    text = client.get("/sales/ship/").content.decode()
    assert first.number in text
    assert text.count('data-testid="ship-line"') == 2
    assert "FL-1 Bread flour" in text and shop["p1"].sku in text
    assert "L-SOON" in text and "L-LATE" in text and "L-GONE" not in text
    assert shop["warehouse"].name in text
    assert "15 pcs" in text  # the quantity with its unit
    assert 'href="/sales/ship/pick-list/"' in text and 'form="pick-form"' in text


def test_the_page_in_chinese(shop, flour, client):
    order(shop, [{"product": flour.pk, "quantity": "15"}])
    client.force_login(shop["org"]["warehouse"])
    text = client.get("/sales/ship/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "拣货单" in text and "发货" in text


def test_query_count_does_not_grow_with_the_orders(shop, flour, client):
    client.force_login(shop["org"]["warehouse"])
    order(shop, [{"product": flour.pk, "quantity": "1"}, {"product": shop["p1"].pk, "quantity": "1"}])
    with CaptureQueriesContext(connection) as one:
        assert client.get("/sales/ship/").status_code == 200
    other = make_warehouse()
    p3 = make_product(stock="50", warehouse=other)
    for _ in range(4):
        order(shop, [{"product": flour.pk, "quantity": "1"}, {"product": shop["p2"].pk, "quantity": "1"}])
    order(shop, [{"product": p3.pk, "quantity": "1"}], warehouse=other)
    with CaptureQueriesContext(connection) as many:
        text = client.get("/sales/ship/").content.decode()
    assert text.count('data-testid="ship-order"') == 6
    assert len(many.captured_queries) == len(one.captured_queries), [q["sql"] for q in many.captured_queries]


@pytest.mark.parametrize("who", ["rep1", "supervisor1", "manager", "finance", "salesadmin", "planner", "norole"])
def test_only_the_warehouse_sees_the_ship_list_and_the_pick_list(shop, client, who):
    client.force_login(shop["org"][who])
    assert client.get("/sales/ship/").status_code == 404
    assert client.get("/sales/ship/pick-list/").status_code == 404


@pytest.mark.parametrize("who", ["warehouse", "admin"])
def test_the_warehouse_roles_get_the_pick_list_pdf(shop, flour, client, who):
    order(shop, [{"product": flour.pk, "quantity": "3"}])
    client.force_login(shop["org"][who])
    response = client.get("/sales/ship/pick-list/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert 'filename="pick-list-' in response["Content-Disposition"]


@pytest.mark.parametrize(
    "query", ["?order=abc", "?warehouse=abc", "?order=99999999999", "?warehouse=-1&order=0", "?order=1&order=x"]
)
def test_bad_parameters_answer_a_pdf_not_an_error(shop, client, query):
    client.force_login(shop["org"]["warehouse"])
    response = client.get("/sales/ship/pick-list/" + query)
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert client.get("/sales/ship/" + query).status_code == 200


def test_the_pick_list_groups_by_product_with_lots_and_each_order(shop, flour):
    first = order(shop, [{"product": flour.pk, "quantity": "15"}, {"product": shop["p1"].pk, "quantity": "2"}])
    second = order(shop, [{"product": flour.pk, "quantity": "20"}])
    printed = timezone.make_aware(datetime.datetime(2026, 12, 2, 17, 26), datetime.UTC)  # 01:26 on 3 Dec in Beijing
    places = selectors.pick_list(selectors.ship_list(user=shop["org"]["warehouse"], limit=None))
    (place,) = places
    assert [item.product.pk for item in place.products] == sorted(
        [flour.pk, shop["p1"].pk], key=lambda pk: {flour.pk: "FL-1", shop["p1"].pk: shop["p1"].sku}[pk]
    )
    flour_item = next(item for item in place.products if item.product.pk == flour.pk)
    assert flour_item.quantity == Decimal("35")
    assert [(t.lot.code, t.quantity) for t in flour_item.lots] == [
        ("L-SOON", Decimal("10")),
        ("L-LATE", Decimal("10")),
        ("L-NONE", Decimal("15")),
    ]
    assert [ship.order.pk for ship in flour_item.lines] == [first.pk, second.pk]
    html = pick_list_html(places, printed_at=printed)
    assert html.count('data-testid="pick-product"') == 2
    assert datetime_(printed) in html and "2026" in html
    assert re.search(r"L-SOON \(\d{4}-\d{2}-\d{2}\) × 10", html)
    assert first.number in html and second.number in html
    assert 'class="box"' in html  # the checkbox column


def test_the_pick_list_of_ticked_orders_or_of_one_warehouse(shop, flour):
    first = order(shop, [{"product": flour.pk, "quantity": "15"}])
    order(shop, [{"product": shop["p1"].pk, "quantity": "20"}])
    other = make_warehouse()
    p3 = make_product(stock="50", warehouse=other)
    elsewhere = order(shop, [{"product": p3.pk, "quantity": "1"}], warehouse=other)
    user = shop["org"]["warehouse"]
    ticked = selectors.pick_list(selectors.ship_list(user=user, order_ids=[first.pk], limit=None))
    assert [[o.pk for o in place.orders] for place in ticked] == [[first.pk]]
    one_place = selectors.pick_list(selectors.ship_list(user=user, warehouse_id=other.pk, limit=None))
    assert [[o.pk for o in place.orders] for place in one_place] == [[elsewhere.pk]]
    every = selectors.pick_list(selectors.ship_list(user=user, limit=None))
    assert {place.warehouse.pk for place in every} == {shop["warehouse"].pk, other.pk}


def test_the_pick_list_prints_in_chinese(shop, flour, client):
    from django.utils import translation

    order(shop, [{"product": flour.pk, "quantity": "3"}])
    places = selectors.pick_list(selectors.ship_list(user=shop["org"]["warehouse"], limit=None))
    with translation.override("zh-hans"):
        html = pick_list_html(places, printed_at=timezone.now())
    assert "拣货单" in html and "批次" in html
