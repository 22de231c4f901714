"""Lots and expiry: receipts open lots with their dates, issues leave first-expiry-first-out
(never an expired lot), a named lot needs a reason, transfers keep the lots, expired and
near-expiry lots are listed and cleared (write-off through approval, return to the supplier),
and whatever happens the lot balances equal the ledger and add up to the product's balance."""

import datetime
from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as s

from salesops.approvals.models import ApprovalRequest
from salesops.approvals.tests.factories import make_rule
from salesops.core.exceptions import ApplicationError, ValidationFailed
from salesops.core.models import AuditEvent
from salesops.inventory import documents, expiry
from salesops.inventory.exceptions import InsufficientStock
from salesops.inventory.lots import LotSpec
from salesops.inventory.models import LotBalance, LotDisposal, StockBalance, StockMove
from salesops.inventory.services import Reference, StockLine, stock_adjust, stock_issue, stock_receive
from salesops.inventory.tests.factories import approve_all, make_product, make_warehouse

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


def receive_lot(warehouse, product, quantity, code, produced, expires, cost="3"):
    stock_receive(
        warehouse=warehouse,
        lines=[StockLine(product.pk, Decimal(quantity), Decimal(cost), lot=LotSpec(code, produced, expires))],
        reference=Reference("test", None, code),
        actor=None,
    )


def lot_on_hand(product, warehouse) -> dict[str, Decimal]:
    return {
        b.lot.code: b.on_hand
        for b in LotBalance.objects.filter(product=product, warehouse=warehouse).select_related("lot")
    }


@pytest.fixture
def flour(org):
    warehouse = make_warehouse()
    product = make_product("FL-25", lot_tracked=True, shelf_life_days=180, expiry_warning_days=30)
    receive_lot(warehouse, product, 40, "L-LATE", days(-20), days(160))
    receive_lot(warehouse, product, 30, "L-SOON", days(-170), days(10))
    receive_lot(warehouse, product, 20, "L-GONE", days(-200), days(-1))
    return {"org": org, "warehouse": warehouse, "product": product}


def issue(flour, quantity, **kwargs):
    return stock_issue(
        warehouse=flour["warehouse"],
        lines=[StockLine(flour["product"].pk, Decimal(quantity), lot=kwargs.pop("lot", None))],
        reference=Reference("order", 1, "SO-1"),
        actor=None,
        **kwargs,
    )


def test_issue_takes_the_first_to_expire_and_never_an_expired_lot(flour):
    moves = issue(flour, 45)
    assert sorted((m.lot_id, m.quantity) for m in moves) == sorted(
        [
            (LotBalance.objects.get(lot__code="L-SOON").lot_id, Decimal("-30")),
            (LotBalance.objects.get(lot__code="L-LATE").lot_id, Decimal("-15")),
        ]
    )
    assert lot_on_hand(flour["product"], flour["warehouse"]) == {
        "L-LATE": Decimal("25"),
        "L-SOON": Decimal("0"),
        "L-GONE": Decimal("20"),
    }
    with pytest.raises(InsufficientStock):  # 45 on hand, but 20 of them expired
        issue(flour, 26)
    assert StockBalance.objects.get(product=flour["product"]).on_hand == Decimal("45")


def test_a_named_lot_needs_a_reason(flour):
    late = LotBalance.objects.get(lot__code="L-LATE").lot_id
    with pytest.raises(ValidationFailed) as refused:
        issue(flour, 5, lot=late)
    assert "reason" in refused.value.fields
    moves = issue(flour, 5, lot=late, reason="customer asks for the newest lot")
    assert [(m.lot_id, m.reason) for m in moves] == [(late, "customer asks for the newest lot")]


def test_receipt_without_a_lot_opens_one_named_after_the_document(flour):
    stock_receive(
        warehouse=flour["warehouse"],
        lines=[StockLine(flour["product"].pk, Decimal("10"))],
        reference=Reference("purchase_order", 7, "PO-7"),
        actor=None,
    )
    balance = LotBalance.objects.get(lot__code=f"PO-7-{TODAY:%Y%m%d}")
    assert balance.on_hand == Decimal("10")
    assert balance.lot.expiry_date == balance.lot.production_date + datetime.timedelta(days=180)


def test_a_lot_received_again_with_other_dates_is_refused(flour):
    with pytest.raises(ValidationFailed):
        receive_lot(flour["warehouse"], flour["product"], 5, "L-LATE", days(-21), days(160))


def test_transfer_keeps_the_lots(flour, org):
    dc = make_warehouse("DC")
    transfer = documents.transfer_create(
        source=flour["warehouse"], destination=dc, lines=[(flour["product"], 35)], actor=org["warehouse"]
    )
    documents.transfer_send(transfer=transfer, actor=org["warehouse"])
    documents.transfer_receive(transfer=transfer, actor=org["warehouse"])
    assert lot_on_hand(flour["product"], dc) == {"L-SOON": Decimal("30"), "L-LATE": Decimal("5")}


def test_negative_adjustment_takes_expired_goods_first(flour):
    stock_adjust(
        warehouse=flour["warehouse"], deltas={flour["product"].pk: Decimal("-25")}, reference=Reference("t"), actor=None
    )
    assert lot_on_hand(flour["product"], flour["warehouse"])["L-GONE"] == Decimal("0")
    assert lot_on_hand(flour["product"], flour["warehouse"])["L-SOON"] == Decimal("25")


def test_lots_to_clear_are_the_expired_and_near_expiry_ones(flour):
    rows = list(expiry.lots_to_clear(queryset=LotBalance.objects.all()))
    assert [r.lot.code for r in rows] == ["L-GONE", "L-SOON"]
    assert rows[0].value == Decimal("60")  # 20 at the average cost 3


def test_write_off_waits_for_approval_then_posts(flour, org):
    make_rule(
        actor=None,
        doc_type=expiry.DOC_TYPE,
        steps=["general_manager"],
        conditions=[{"field": "value", "operator": ">=", "value": "50"}],
    )
    gone = LotBalance.objects.get(lot__code="L-GONE")
    disposal = expiry.lot_disposal_create(
        balance=gone, kind="write_off", quantity=Decimal("20"), reason="expired", actor=org["warehouse"]
    )
    assert disposal.status == LotDisposal.Status.PENDING and disposal.value == Decimal("60.00")
    assert lot_on_hand(flour["product"], flour["warehouse"])["L-GONE"] == Decimal("20")
    approve_all(ApprovalRequest.objects.get(doc_type=expiry.DOC_TYPE))
    disposal.refresh_from_db()
    assert disposal.status == LotDisposal.Status.POSTED
    assert lot_on_hand(flour["product"], flour["warehouse"])["L-GONE"] == Decimal("0")
    assert StockMove.objects.get(kind=StockMove.Kind.WRITE_OFF).quantity == Decimal("-20")


def test_return_to_supplier_posts_at_once_and_bad_input_changes_nothing(flour, org):
    soon = LotBalance.objects.get(lot__code="L-SOON")
    for quantity, reason in [("31", "back"), ("-1", "back"), ("NaN", "back"), ("5", " ")]:
        with pytest.raises(ValidationFailed):
            expiry.lot_disposal_create(
                balance=soon, kind="supplier_return", quantity=quantity, reason=reason, actor=org["warehouse"]
            )
    assert LotDisposal.objects.count() == 0
    disposal = expiry.lot_disposal_create(
        balance=soon, kind="supplier_return", quantity="30", reason="short dated", actor=org["warehouse"]
    )
    assert disposal.status == LotDisposal.Status.POSTED
    assert lot_on_hand(flour["product"], flour["warehouse"])["L-SOON"] == Decimal("0")


def test_lot_pages_list_and_clear(client, flour, org):
    client.force_login(org["warehouse"])
    page = client.get(reverse("lots"), {"clear": "1"})
    assert page.status_code == 200
    assert b"L-GONE" in page.content and b"L-SOON" in page.content and b"L-LATE" not in page.content
    gone = LotBalance.objects.get(lot__code="L-GONE")
    client.post(reverse("lot-dispose", args=[gone.pk]), {"kind": "write_off", "quantity": "1e30", "reason": "x"})
    assert LotDisposal.objects.count() == 0
    client.post(reverse("lot-dispose", args=[gone.pk]), {"kind": "write_off", "quantity": "20", "reason": "过期"})
    assert LotDisposal.objects.get().status == LotDisposal.Status.POSTED
    assert client.get(reverse("lot-disposals")).status_code == 200


@pytest.mark.parametrize("role, seen", [("warehouse", True), ("finance", True), ("rep1", False), ("norole", False)])
def test_lot_api_per_role(api, flour, role, seen):
    response = api(flour["org"][role]).get("/api/v1/lots/", {"clear": "1"})
    assert response.status_code == (200 if seen else 403) or (not seen and response.json()["count"] == 0)
    if seen:
        assert [row["code"] for row in response.json()["results"]] == ["L-GONE", "L-SOON"]


# --- the third action: a clearance discount on the lot --------------------------------------------------
def test_discount_a_near_expiry_lot_and_its_price(flour, org):
    soon = LotBalance.objects.get(lot__code="L-SOON")
    lot = expiry.lot_discount_set(lot=soon.lot, percent="30", reason="short dated", actor=org["warehouse"])
    assert lot.discount_pct == Decimal("30.00") and lot.discount_reason == "short dated"
    assert expiry.lot_unit_price(lot=lot, price=Decimal("10.00")) == Decimal("7.00")
    late = LotBalance.objects.get(lot__code="L-LATE").lot
    assert expiry.lot_unit_price(lot=late, price=Decimal("10.00")) == Decimal("10.00")
    assert AuditEvent.objects.filter(object_id=str(lot.pk), changes__discount_pct=["0.00", "30.00"]).exists()
    # removing is always allowed and clears the reason
    lot = expiry.lot_discount_set(lot=lot, percent="0", reason="", actor=org["warehouse"])
    assert lot.discount_pct == 0 and lot.discount_reason == ""


@pytest.mark.parametrize(
    "code, percent, reason, field",
    [
        ("L-LATE", "10", "why", "percent"),  # not near expiry
        ("L-SOON", "95", "why", "percent"),
        ("L-SOON", "-1", "why", "percent"),
        ("L-SOON", "NaN", "why", "percent"),
        ("L-SOON", "abc", "why", "percent"),
        ("L-SOON", "1e30", "why", "percent"),
        ("L-SOON", "２０", "why", "percent"),  # full-width digits
        ("L-SOON", "12.345", "why", "percent"),
        ("L-SOON", "20", "  ", "reason"),
    ],
)
def test_a_bad_discount_is_refused_on_its_field(flour, org, code, percent, reason, field):
    lot = LotBalance.objects.get(lot__code=code).lot
    with pytest.raises(ValidationFailed) as error:
        expiry.lot_discount_set(lot=lot, percent=percent, reason=reason, actor=org["warehouse"])
    assert field in error.value.fields
    lot.refresh_from_db()
    assert lot.discount_pct == 0


def test_discount_from_the_lot_page(client, flour, org):
    client.force_login(org["warehouse"])
    gone = LotBalance.objects.get(lot__code="L-GONE")
    response = client.post(reverse("lot-discount", args=[gone.pk]), {"percent": "1e30", "discount_reason": "x"})
    assert response.status_code == 302
    gone.lot.refresh_from_db()
    assert gone.lot.discount_pct == 0
    client.post(reverse("lot-discount", args=[gone.pk]), {"percent": "50", "discount_reason": "过期折价"})
    gone.lot.refresh_from_db()
    assert gone.lot.discount_pct == Decimal("50")
    page = client.get(reverse("lots"), {"clear": "1"})
    assert b'data-testid="lot-discount-L-GONE"' in page.content and "过期折价".encode() in page.content
    client.force_login(org["rep1"])
    assert client.post(reverse("lot-discount", args=[gone.pk]), {"percent": "10"}).status_code in {403, 404}


def test_discount_by_the_api(api, flour, org):
    soon = LotBalance.objects.get(lot__code="L-SOON")
    url = f"/api/v1/lots/{soon.pk}/discount/"
    assert api(org["finance"]).post(url, {"percent": "20", "reason": "x"}, format="json").status_code == 403
    bad = api(org["warehouse"]).post(url, {"percent": "200", "reason": "x"}, format="json")
    assert bad.status_code == 400 and "percent" in str(bad.json())
    no_reason = api(org["warehouse"]).post(url, {"percent": "20"}, format="json")
    assert no_reason.status_code == 400 and "reason" in str(no_reason.json())
    late = LotBalance.objects.get(lot__code="L-LATE")
    refused = api(org["warehouse"]).post(f"/api/v1/lots/{late.pk}/discount/", {"percent": "20", "reason": "x"})
    assert refused.status_code == 400
    ok = api(org["warehouse"]).post(url, {"percent": "25.5", "reason": "clearance"}, format="json")
    assert ok.status_code == 200 and ok.json()["discount_pct"] == "25.50"
    listed = api(org["warehouse"]).get("/api/v1/lots/", {"clear": "1"}).json()["results"]
    assert {row["code"]: row["discount_pct"] for row in listed} == {"L-GONE": "0.00", "L-SOON": "25.50"}


# --- the ledger stays the one truth, per lot ------------------------------------------------------------
qty = s.integers(min_value=1, max_value=30).map(Decimal)
operation = s.one_of(
    s.tuples(s.just("receive"), s.integers(0, 1), s.integers(-5, 5), qty),
    s.tuples(s.just("issue"), s.integers(0, 1), s.just(0), qty),
    s.tuples(s.just("issue_named"), s.integers(0, 1), s.integers(0, 3), qty),
    s.tuples(s.just("transfer"), s.integers(0, 1), s.just(0), qty),
    s.tuples(s.just("adjust"), s.integers(0, 1), s.just(0), s.integers(-20, 20).map(Decimal)),
    s.tuples(s.just("write_off"), s.integers(0, 1), s.integers(0, 3), qty),
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(s.lists(operation, min_size=1, max_size=20))
def test_lot_balances_always_equal_the_ledger(org, ops):
    with transaction.atomic():
        warehouses = [make_warehouse("LA"), make_warehouse("LB")]
        product = make_product("LOT-P", lot_tracked=True, shelf_life_days=30)
        for step, (kind, w, extra, quantity) in enumerate(ops):
            warehouse = warehouses[w]
            lots = list(LotBalance.objects.filter(warehouse=warehouse).order_by("pk"))
            try:
                with transaction.atomic():
                    if kind == "receive":
                        receive_lot(warehouse, product, quantity, f"L{extra}", days(-40), days(extra * 10))
                    elif kind in {"issue", "issue_named"}:
                        lot = lots[extra % len(lots)].lot_id if kind == "issue_named" and lots else None
                        stock_issue(
                            warehouse=warehouse,
                            lines=[StockLine(product.pk, quantity, lot=lot)],
                            reference=Reference("order", step + 1),
                            actor=None,
                            reason="test",
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
                            transfer=transfer, actor=org["warehouse"], received={product.pk: quantity - quantity // 3}
                        )
                    elif kind == "adjust":
                        stock_adjust(
                            warehouse=warehouse, deltas={product.pk: quantity}, reference=Reference("t"), actor=None
                        )
                    elif kind == "write_off" and lots:
                        balance = lots[extra % len(lots)]
                        if balance.on_hand > 0:
                            expiry.lot_disposal_create(
                                balance=balance,
                                kind="write_off",
                                quantity=min(quantity, balance.on_hand),
                                reason="expired",
                                actor=org["warehouse"],
                            )
            except ApplicationError:
                pass
        for balance in LotBalance.objects.all():
            moved = StockMove.objects.filter(lot=balance.lot, warehouse=balance.warehouse).aggregate(t=Sum("quantity"))
            assert balance.on_hand == (moved["t"] or 0) and balance.on_hand >= 0
        for stock in StockBalance.objects.all():
            lots_total = LotBalance.objects.filter(product=stock.product, warehouse=stock.warehouse).aggregate(
                t=Sum("on_hand")
            )["t"]
            assert stock.on_hand == (lots_total or 0)
            assert not StockMove.objects.filter(product=stock.product, lot__isnull=True).exists()
        transaction.set_rollback(True)
