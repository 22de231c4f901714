"""Selling a discounted lot (临期折扣): an order line names a lot, is priced at the lot's
clearance price, needs no discount approval for the clearance discount itself, and the
delivery issues that lot (FEFO overridden with the reason naming the lot) or is refused."""

import datetime
import io
from decimal import Decimal as D

import openpyxl
import pytest
from django.urls import reverse

from salesops.core.exceptions import ValidationFailed
from salesops.core.selectors import company_date
from salesops.core.tests.parallel import run_at_once
from salesops.inventory import expiry
from salesops.inventory.exceptions import InsufficientStock
from salesops.inventory.lots import LotSpec
from salesops.inventory.models import Lot, LotBalance, LotReservation, StockBalance, StockMove
from salesops.inventory.services import Reference, StockLine, stock_issue, stock_receive, stock_reserve
from salesops.inventory.tests.factories import make_product
from salesops.sales import services
from salesops.sales.models import Delivery, OrderLine, SalesOrder
from salesops.sales.selectors import ship_list
from salesops.sales.tests.factories import make_warehouse
from salesops.sales.tests.helpers import decide_all


def days(n: int) -> datetime.date:
    """A day counted from the company's today (the day the services judge expiry by)."""
    return company_date() + datetime.timedelta(days=n)


def receive_lot(warehouse, product, quantity, code, produced, expires):
    stock_receive(
        warehouse=warehouse,
        lines=[StockLine(product.pk, D(quantity), D("4"), lot=LotSpec(code, produced, expires))],
        reference=Reference("test", None, code),
        actor=None,
    )
    return Lot.objects.get(product=product, code=code)


@pytest.fixture
def oil(shop):
    """Oil at 12.35 tracked by lot in the shop's warehouse: L-SOON (30 % off, expires in 10
    days, 30 units), L-FIRST (no discount, expires first, 10 units), L-GONE (expired, 50 % off)
    and in another warehouse L-FAR (20 % off)."""
    org, warehouse = shop["org"], shop["warehouse"]
    far_warehouse = make_warehouse()
    product = make_product(
        "OIL-5L", list_price=D("12.35"), lot_tracked=True, shelf_life_days=365, expiry_warning_days=30
    )
    soon = receive_lot(warehouse, product, "30", "L-SOON", days(-300), days(10))
    first = receive_lot(warehouse, product, "10", "L-FIRST", days(-300), days(5))
    gone = receive_lot(warehouse, product, "20", "L-GONE", days(-400), days(-1))
    far = receive_lot(far_warehouse, product, "15", "L-FAR", days(-300), days(12))
    soon, gone, far = (
        expiry.lot_discount_set(lot=lot, percent=percent, reason="临期", actor=org["warehouse"])
        for lot, percent in ((soon, "30"), (gone, "50"), (far, "20"))
    )
    return {
        **shop,
        "product": product,
        "soon": soon,
        "first": first,
        "gone": gone,
        "far": far,
        "far_warehouse": far_warehouse,
    }


def order_with(oil, lines, *, actor="rep1", warehouse=None):
    return services.order_create(
        actor=oil["org"][actor],
        customer=oil["customer"],
        payment="credit",
        lines=lines,
        warehouse=warehouse or oil["warehouse"],
    )


def lot_line(oil, quantity="3", lot="soon", **extra):
    return {"product": oil["product"].pk, "quantity": quantity, "lot": oil[lot].pk, **extra}


def lot_balance(lot, warehouse) -> D:
    return LotBalance.objects.get(lot=lot, warehouse=warehouse).on_hand


# --- pricing -------------------------------------------------------------------------------------------
def test_a_line_from_a_clearance_lot_is_priced_at_the_lot_price_to_the_cent(oil):
    order = order_with(oil, [lot_line(oil)])
    line = order.lines.get()
    # 12.35 × 70 % = 8.645 → 8.65 (half up, as every amount; half-even would say 8.64)
    assert line.lot == oil["soon"] and line.clearance_pct == D("30.00")
    assert line.list_price == D("12.35") and line.unit_price == D("8.65")
    assert line.discount_percent == D("29.96")  # (12.35 − 8.65) / 12.35 = 29.959…
    assert line.amount == D("25.95") and line.tax_amount == D("2.99")  # 25.95 × 13 / 113 = 2.985…
    assert order.total == D("25.95")
    assert line.approval_discount == D("0.00") and order.max_discount == D("0.00")
    assert expiry.lot_unit_price(lot=oil["soon"], price=D("12.35")) == D("8.65")


def test_the_clearance_price_rounds_half_up_like_every_amount():
    assert expiry.clearance_price(D("0.25"), D("50")) == D("0.13")
    assert expiry.clearance_price(D("10.00"), D("0")) == D("10.00")


def test_a_price_given_for_a_lot_line_is_kept(oil):
    line = order_with(oil, [lot_line(oil, unit_price="8.00")]).lines.get()
    assert line.unit_price == D("8.00") and line.clearance_pct == D("30.00")
    assert line.approval_discount == D("7.51")  # below the lot price 8.65, not below the list price
    assert line.discount_percent == D("35.22")


def test_a_lot_without_a_discount_sells_at_the_list_price(oil):
    line = order_with(oil, [lot_line(oil, lot="first")]).lines.get()
    assert line.unit_price == D("12.35") and line.clearance_pct == 0 and line.discount_percent == 0


# --- approval ------------------------------------------------------------------------------------------
def test_the_clearance_discount_needs_no_approval_by_itself(oil):
    order = order_with(oil, [lot_line(oil)])
    order = services.order_submit(order=order, actor=oil["org"]["rep1"])
    assert order.status == SalesOrder.Status.CONFIRMED


def test_a_discount_beyond_the_clearance_price_within_the_allowance_needs_none(oil):
    # 8.30 is 4.05 % below the lot price: within a rep's 5 %
    order = order_with(oil, [lot_line(oil, unit_price="8.30")])
    assert services.order_submit(order=order, actor=oil["org"]["rep1"]).status == SalesOrder.Status.CONFIRMED


def test_a_discount_beyond_the_clearance_price_is_approved_for_that_part_only(oil):
    from salesops.approvals.models import ApprovalRequest

    # 7.80 is 9.83 % below the lot price (36.84 % below the list price): over a rep's 5 %, but
    # under the 15 % from which the director must approve too
    order = order_with(oil, [lot_line(oil, unit_price="7.80")])
    order = services.order_submit(order=order, actor=oil["org"]["rep1"])
    assert order.status == SalesOrder.Status.PENDING_APPROVAL and order.approval_reason == "special_discount"
    assert order.max_discount == D("9.83")
    request = ApprovalRequest.objects.get(doc_type="special_discount_order", object_id=order.pk)
    assert request.values["discount_pct"] == "9.83"
    assert [t.assignee.username for t in request.tasks.order_by("position")][:1] == ["supervisor1"]
    assert "director" not in [t.assignee.username for t in request.tasks.all()]


def test_the_same_discount_without_a_lot_still_needs_approval(oil):
    order = order_with(oil, [{"product": oil["product"].pk, "quantity": "3", "unit_price": "8.65"}])
    order = services.order_submit(order=order, actor=oil["org"]["rep1"])
    assert order.status == SalesOrder.Status.PENDING_APPROVAL and order.max_discount == D("29.96")


# --- refused lots ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "line, message",
    [
        (lambda oil: {"product": oil["p1"].pk, "quantity": "1", "lot": oil["soon"].pk}, "is not a lot of"),
        (lambda oil: lot_line(oil, lot="gone"), "expired on"),
        (lambda oil: lot_line(oil, lot="far"), "holds 0 in"),
        (lambda oil: lot_line(oil, quantity="31"), "holds 30 in"),
        (lambda oil: {"product": oil["product"].pk, "quantity": "1", "lot": 99999999}, "unknown lot"),
        (lambda oil: {"product": oil["product"].pk, "quantity": "1", "lot": "x"}, "choose a lot"),
    ],
    ids=["wrong-product", "expired", "other-warehouse", "too-much", "unknown", "not-a-number"],
)
def test_a_lot_the_line_cannot_be_sold_from_is_refused_and_nothing_is_written(oil, line, message):
    before = (SalesOrder.objects.count(), OrderLine.objects.count())
    with pytest.raises(ValidationFailed) as refused:
        order_with(oil, [line(oil)])
    assert refused.value.code == "invalid_lot"
    assert message in " ".join(refused.value.fields["lot"])
    assert (SalesOrder.objects.count(), OrderLine.objects.count()) == before


def test_two_lines_of_one_lot_may_not_together_exceed_it(oil):
    with pytest.raises(ValidationFailed) as refused:
        order_with(oil, [lot_line(oil, quantity="20"), lot_line(oil, quantity="11")])
    assert refused.value.code == "invalid_lot" and "Line 2" in refused.value.fields["lot"][0]


def test_the_lot_of_the_other_warehouse_sells_from_there(oil):
    order = order_with(oil, [lot_line(oil, lot="far")], warehouse=oil["far_warehouse"])
    assert order.lines.get().unit_price == D("9.88")  # 12.35 × 80 % = 9.88


def test_a_quote_line_cannot_name_a_lot(oil):
    with pytest.raises(ValidationFailed) as refused:
        services.quote_create(actor=oil["org"]["rep1"], customer=oil["customer"], lines=[lot_line(oil)])
    assert refused.value.code == "invalid_lot"


def test_a_lot_that_expired_before_submit_is_refused_then(oil):
    order = order_with(oil, [lot_line(oil)])
    Lot.objects.filter(pk=oil["soon"].pk).update(expiry_date=days(-1))
    with pytest.raises(ValidationFailed) as refused:
        services.order_submit(order=order, actor=oil["org"]["rep1"])
    assert refused.value.code == "invalid_lot"
    assert SalesOrder.objects.get(pk=order.pk).status == SalesOrder.Status.DRAFT


# --- delivery ----------------------------------------------------------------------------------------------
def confirmed(oil, lines):
    order = order_with(oil, lines)
    order = services.order_submit(order=order, actor=oil["org"]["rep1"])
    assert order.status == SalesOrder.Status.CONFIRMED
    return order


def test_the_delivery_issues_the_named_lot_not_the_first_to_expire(oil):
    order = confirmed(oil, [lot_line(oil, quantity="5"), {"product": oil["product"].pk, "quantity": "2"}])
    delivery = services.delivery_issue(order=order, actor=oil["org"]["warehouse"])
    moves = {
        (m.lot.code, m.quantity, m.reason)
        for m in StockMove.objects.filter(reference_type="sales_order", reference_id=order.pk).select_related("lot")
    }
    assert moves == {
        ("L-SOON", D("-5.000"), "sold from lot L-SOON at clearance price"),
        ("L-FIRST", D("-2.000"), ""),  # the line without a lot leaves first-expiry-first
    }
    assert lot_balance(oil["soon"], oil["warehouse"]) == D("25")
    assert lot_balance(oil["first"], oil["warehouse"]) == D("8")
    balance = StockBalance.objects.get(product=oil["product"], warehouse=oil["warehouse"])
    assert balance.reserved == 0
    assert delivery.total == D("67.95") == order.total  # 5 × 8.65 + 2 × 12.35 = 43.25 + 24.70
    order.refresh_from_db()
    assert order.status == SalesOrder.Status.DELIVERED


def test_a_lot_short_of_the_quantity_refuses_the_delivery_and_nothing_changes(oil):
    order = confirmed(oil, [lot_line(oil, quantity="5")])
    # another issue takes most of the lot (a write-off, say)
    stock_issue(
        warehouse=oil["warehouse"],
        lines=[StockLine(oil["product"].pk, D("27"), lot=oil["soon"].pk)],
        reference=Reference("test", None, "X"),
        actor=None,
        consume_reservation=False,
        reason="damaged",
    )
    moves = StockMove.objects.count()
    with pytest.raises(InsufficientStock) as refused:
        services.delivery_issue(order=order, actor=oil["org"]["warehouse"])
    assert refused.value.code == "insufficient_stock"
    assert "Lot L-SOON holds 3" in str(refused.value.message) and "not the 5" in str(refused.value.message)
    assert refused.value.extra["items"][0]["lot"] == "L-SOON"
    assert StockMove.objects.count() == moves and not Delivery.objects.filter(order=order).exists()
    assert lot_balance(oil["soon"], oil["warehouse"]) == D("3")
    order.refresh_from_db()
    assert order.status == SalesOrder.Status.CONFIRMED and order.lines.get().delivered_quantity == 0


def test_the_warehouse_may_not_issue_another_lot_for_a_lot_line(oil):
    order = confirmed(oil, [lot_line(oil, quantity="5")])
    line = order.lines.get()
    with pytest.raises(ValidationFailed) as refused:
        services.delivery_issue(
            order=order, actor=oil["org"]["warehouse"], lots={line.pk: oil["first"].pk}, lot_reason="older first"
        )
    assert refused.value.code == "invalid_lot"
    assert lot_balance(oil["first"], oil["warehouse"]) == D("10")


def test_a_lot_that_expired_after_the_order_is_not_delivered(oil):
    order = confirmed(oil, [lot_line(oil, quantity="5")])
    Lot.objects.filter(pk=oil["soon"].pk).update(expiry_date=days(-1))
    with pytest.raises(ValidationFailed) as refused:
        services.delivery_issue(order=order, actor=oil["org"]["warehouse"])
    assert refused.value.code == "invalid_lot" and "expired" in refused.value.fields["lots"][0]
    assert lot_balance(oil["soon"], oil["warehouse"]) == D("30")


# --- what a lot promised ------------------------------------------------------------------------------
def promises(lot) -> dict[int, D]:
    return dict(LotReservation.objects.filter(lot=lot).values_list("reference_id", "quantity"))


def test_a_confirmed_lot_line_promises_its_lot_and_the_delivery_uses_the_promise(oil):
    order = confirmed(oil, [lot_line(oil, quantity="8", lot="first")])
    assert promises(oil["first"]) == {order.pk: D("8")}
    services.delivery_issue(order=order, actor=oil["org"]["warehouse"])
    assert promises(oil["first"]) == {}


def test_another_orders_fefo_delivery_leaves_what_the_lot_promised(oil):
    # L-FIRST (10) expires first; 8 of it are promised to the first order
    promised_order = confirmed(oil, [lot_line(oil, quantity="8", lot="first")])
    other = confirmed(oil, [{"product": oil["product"].pk, "quantity": "5"}])
    planned = ship_list(user=oil["org"]["warehouse"], order_ids=[other.pk])[0].ship_lines[0]
    assert [(pick.lot.code, pick.quantity) for pick in planned.lots] == [("L-FIRST", D("2")), ("L-SOON", D("3"))]
    services.delivery_issue(order=other, actor=oil["org"]["warehouse"])
    assert lot_balance(oil["first"], oil["warehouse"]) == D("8")  # FEFO took the 2 free, then L-SOON
    assert lot_balance(oil["soon"], oil["warehouse"]) == D("27")
    services.delivery_issue(order=promised_order, actor=oil["org"]["warehouse"])  # its 8 are still there
    assert lot_balance(oil["first"], oil["warehouse"]) == D("0")


def test_the_orders_own_fefo_line_leaves_what_its_lot_line_was_promised(oil):
    order = confirmed(oil, [{"product": oil["product"].pk, "quantity": "5"}, lot_line(oil, quantity="8", lot="first")])
    fefo, named = order.lines.order_by("position")
    plan = {ship.line.pk: ship for ship in ship_list(user=oil["org"]["warehouse"], order_ids=[order.pk])[0].ship_lines}
    assert [(pick.lot.code, pick.quantity) for pick in plan[fefo.pk].lots] == [("L-FIRST", D("2")), ("L-SOON", D("3"))]
    assert [(pick.lot.code, pick.quantity) for pick in plan[named.pk].lots] == [("L-FIRST", D("8"))]
    services.delivery_issue(order=order, actor=oil["org"]["warehouse"], quantities={fefo.pk: "5"})
    assert lot_balance(oil["first"], oil["warehouse"]) == D("8") and promises(oil["first"]) == {order.pk: D("8")}
    services.delivery_issue(order=order, actor=oil["org"]["warehouse"], quantities={named.pk: "8"})
    assert lot_balance(oil["first"], oil["warehouse"]) == D("0") and promises(oil["first"]) == {}


def test_a_lot_promises_no_more_than_it_holds(oil):
    confirmed(oil, [lot_line(oil, quantity="8", lot="first")])
    with pytest.raises(ValidationFailed) as refused:
        order_with(oil, [lot_line(oil, quantity="3", lot="first")])
    message = " ".join(refused.value.fields["lot"])
    assert refused.value.code == "invalid_lot"
    assert "has 2 free" in message and "reserved for other orders" in message
    order_with(oil, [lot_line(oil, quantity="2", lot="first")])  # what is free may be sold


def test_two_orders_written_before_either_was_confirmed_cannot_both_take_the_lot(oil):
    first = order_with(oil, [lot_line(oil, quantity="8", lot="first")])
    second = order_with(oil, [lot_line(oil, quantity="8", lot="first")])
    services.order_submit(order=first, actor=oil["org"]["rep1"])
    with pytest.raises(ValidationFailed) as refused:
        services.order_submit(order=second, actor=oil["org"]["rep1"])
    assert "reserved for other orders" in " ".join(refused.value.fields["lot"])
    second.refresh_from_db()
    assert second.status == SalesOrder.Status.DRAFT and promises(oil["first"]) == {first.pk: D("8")}


def test_the_promise_itself_refuses_what_the_lot_cannot_hold(oil):
    """Confirming decides on the locked lot, whatever the checks before it read."""
    order = confirmed(oil, [lot_line(oil, quantity="8", lot="first")])
    with pytest.raises(InsufficientStock) as refused:
        stock_reserve(
            warehouse=oil["warehouse"],
            lines=[StockLine(oil["product"].pk, D("3"), lot=oil["first"].pk)],
            reference=Reference("sales_order", order.pk + 1000, "X"),
        )
    assert refused.value.extra["items"][0]["lot"] == "L-FIRST"
    assert "free 2" in str(refused.value.message)
    assert promises(oil["first"]) == {order.pk: D("8")}


def test_cancelling_the_rest_of_an_order_gives_the_lot_back(oil):
    order = confirmed(oil, [lot_line(oil, quantity="8", lot="first")])
    line = order.lines.get()
    services.delivery_issue(order=order, actor=oil["org"]["warehouse"], quantities={line.pk: "3"})
    assert promises(oil["first"]) == {order.pk: D("5")}
    cancellation = services.return_request(order=order, kind="cancellation", actor=oil["org"]["rep1"], reason="撤单")
    decide_all(cancellation, "refund")
    assert promises(oil["first"]) == {}
    order_with(oil, [lot_line(oil, quantity="7", lot="first")])  # the 7 left are free again


def test_the_lot_list_and_the_api_show_what_each_lot_promised(oil, client, api):
    confirmed(oil, [lot_line(oil, quantity="8", lot="first")])
    keeper = oil["org"]["warehouse"]
    client.force_login(keeper)
    page = client.get(reverse("lots") + "?q=L-FIRST")
    assert page.status_code == 200 and "Reserved for orders" in page.content.decode()
    assert client.get(reverse("lots") + "?sort=-promised").status_code == 200
    exported = client.get(reverse("lots") + "?sort=-promised&export=xlsx")
    assert exported.status_code == 200
    rows = list(openpyxl.load_workbook(io.BytesIO(exported.content)).active.values)
    column = rows[0].index("Reserved for orders")
    assert [row[column] for row in rows[1:] if "L-FIRST" in row][0] in (8, "8")
    rows = api(keeper).get("/api/v1/lots/").json()["results"]
    promised = {row["code"]: row["promised"] for row in rows if row["warehouse"] == oil["warehouse"].pk}
    assert promised["L-FIRST"] == "8.000" and promised["L-SOON"] == "0.000"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_confirmations_never_promise_more_than_the_lot_holds(oil):
    orders = [order_with(oil, [lot_line(oil, quantity="3", lot="first")]) for _ in range(8)]
    refusals = (InsufficientStock, ValidationFailed)
    outcomes = run_at_once(
        lambda order: services.order_submit(order=order, actor=oil["org"]["rep1"]), orders, expected=refusals
    )
    errors = [outcome for outcome in outcomes if isinstance(outcome, refusals)]
    confirmed_orders = SalesOrder.objects.filter(pk__in=[o.pk for o in orders], status=SalesOrder.Status.CONFIRMED)
    assert confirmed_orders.count() == 3 and len(errors) == 5  # 3 × 3 = 9 ≤ 10 < 12
    assert sum(promises(oil["first"]).values()) == D("9")


# --- API -----------------------------------------------------------------------------------------------------
def test_the_api_takes_a_lot_on_an_order_line_and_shows_it(oil, api):
    client = api(oil["org"]["rep1"])
    body = {
        "customer": oil["customer"].pk,
        "payment": "credit",
        "warehouse": oil["warehouse"].pk,
        "lines": [lot_line(oil)],
    }
    created = client.post("/api/v1/orders/", body, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["total"] == "25.95"
    detail = client.get(f"/api/v1/orders/{created.json()['id']}/").json()
    line = detail["lines"][0]
    assert (line["lot"], line["lot_code"], line["lot_expiry_date"]) == (
        oil["soon"].pk,
        "L-SOON",
        oil["soon"].expiry_date.isoformat(),
    )
    assert (line["unit_price"], line["clearance_pct"], line["discount_percent"]) == ("8.65", "30.00", "29.96")


@pytest.mark.parametrize("lot, status, code", [("gone", 400, "invalid_lot"), ("abc", 400, None), (0, 400, None)])
def test_the_api_refuses_a_lot_with_a_stable_code(oil, api, lot, status, code):
    client = api(oil["org"]["rep1"])
    value = oil[lot].pk if lot in ("gone",) else lot
    line = {"product": oil["product"].pk, "quantity": "1", "lot": value}
    body = {"customer": oil["customer"].pk, "payment": "credit", "warehouse": oil["warehouse"].pk, "lines": [line]}
    answer = client.post("/api/v1/orders/", body, format="json")
    assert answer.status_code == status
    if code:
        assert answer.json()["code"] == code
    assert not SalesOrder.objects.exists()


def test_the_api_refuses_a_lot_on_a_quote(oil, api):
    body = {"customer": oil["customer"].pk, "lines": [lot_line(oil)]}
    answer = api(oil["org"]["rep1"]).post("/api/v1/quotes/", body, format="json")
    assert answer.status_code == 400 and answer.json()["code"] == "invalid_lot"


# --- who sees and uses it ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "role, seen", [("rep1", True), ("supervisor1", True), ("rep3", False), ("supervisor2", False), ("norole", False)]
)
def test_the_lot_line_is_seen_by_those_who_see_the_order(oil, client, api, role, seen):
    order = order_with(oil, [lot_line(oil)])
    client.force_login(oil["org"][role])
    page = client.get(reverse("sales-order", args=[order.pk]))
    assert page.status_code == (200 if seen else 404)
    if seen:
        text = page.content.decode()
        assert "Lot L-SOON" in text and f"expires {oil['soon'].expiry_date.isoformat()}" in text
        assert "clearance −30%" in text
    answer = api(oil["org"][role]).get(f"/api/v1/orders/{order.pk}/")
    assert answer.status_code == (200 if seen else 404)


def test_a_rep_of_another_team_cannot_sell_the_lot_to_a_customer_not_theirs(oil, api):
    with pytest.raises(ValidationFailed) as refused:
        order_with(oil, [lot_line(oil)], actor="rep3")
    assert "customer" in refused.value.fields
    order = order_with(oil, [lot_line(oil)])
    answer = api(oil["org"]["rep3"]).post(f"/api/v1/orders/{order.pk}/submit/", {}, format="json")
    assert answer.status_code == 404
    assert SalesOrder.objects.get(pk=order.pk).status == SalesOrder.Status.DRAFT


# --- the order page ------------------------------------------------------------------------------------------
def test_the_order_form_offers_clearance_lots_and_sells_from_the_one_chosen(oil, client):
    client.force_login(oil["org"]["rep1"])
    page = client.get(reverse("sales-order-new")).content.decode()
    assert "L-SOON · OIL-5L · −30% · 30 free" in page and "L-FAR" in page
    assert "L-GONE" not in page  # expired
    assert "L-FIRST" not in page  # no clearance discount
    data = {
        "customer": oil["customer"].pk,
        "payment": "credit",
        "warehouse": oil["warehouse"].pk,
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-0-lot": oil["soon"].pk,  # the product comes with the lot
        "lines-0-quantity": "2",
    }
    answer = client.post(reverse("sales-order-new"), data)
    assert answer.status_code == 302
    line = OrderLine.objects.get()
    assert (line.product, line.lot, line.unit_price, line.amount) == (
        oil["product"],
        oil["soon"],
        D("8.65"),
        D("17.30"),
    )


def test_the_order_form_says_how_much_of_each_lot_is_free_and_offers_no_lot_all_reserved(oil, client):
    client.force_login(oil["org"]["rep1"])
    confirmed(oil, [lot_line(oil, quantity="25")])
    assert "L-SOON · OIL-5L · −30% · 5 free" in client.get(reverse("sales-order-new")).content.decode()
    confirmed(oil, [lot_line(oil, quantity="5")])
    assert "L-SOON" not in client.get(reverse("sales-order-new")).content.decode()
    zh = client.get(reverse("sales-order-new"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "L-FAR · OIL-5L · −20% · 可用 15" in zh


def test_the_order_form_says_what_is_wrong_with_a_lot_next_to_it(oil, client):
    client.force_login(oil["org"]["rep1"])
    data = {
        "customer": oil["customer"].pk,
        "payment": "credit",
        "warehouse": oil["warehouse"].pk,
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-0-product": oil["p1"].pk,
        "lines-0-lot": oil["soon"].pk,
        "lines-0-quantity": "2",
    }
    answer = client.post(reverse("sales-order-new"), data)
    assert answer.status_code == 200 and not SalesOrder.objects.exists()
    assert "Lot L-SOON is a lot of" in answer.content.decode()
    data.update({"lines-0-product": "", "warehouse": oil["far_warehouse"].pk})
    answer = client.post(reverse("sales-order-new"), data)
    assert answer.status_code == 200 and "holds 0 in" in answer.content.decode()
    assert not SalesOrder.objects.exists()


def test_the_edit_page_keeps_the_lot_of_a_line(oil, client):
    order = order_with(oil, [lot_line(oil)])
    expiry.lot_discount_set(lot=oil["soon"], percent="0", reason="", actor=oil["org"]["warehouse"])
    client.force_login(oil["org"]["rep1"])
    page = client.get(reverse("sales-order-edit", args=[order.pk])).content.decode()
    assert f'<option value="{oil["soon"].pk}" selected>' in page
