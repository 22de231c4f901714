"""Purchase orders as documents: validated lines, totals with VAT, approval above an amount
(a rule of the approval engine), ordering e-mails the supplier with the PDF, receipt within the
supplier's tolerance, cancellation; pages and API refuse bad input with field errors."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from salesops.approvals.models import ApprovalRequest
from salesops.approvals.tests.factories import make_rule
from salesops.core.exceptions import InvalidTransition, ValidationFailed
from salesops.inventory import documents
from salesops.inventory.models import PurchaseOrder, PurchaseOrderLine, StockBalance
from salesops.inventory.tests.factories import approve_all, make_product, make_warehouse

pytestmark = pytest.mark.django_db
NEXT_WEEK = timezone.localdate() + datetime.timedelta(days=7)


@pytest.fixture
def buying(org):
    warehouse = make_warehouse()
    wheat = make_product("RM-WHEAT", tax_rate=Decimal("9"), cost=Decimal("2.8"))
    bag = make_product("PK-BAG", tax_rate=Decimal("13"), cost=Decimal("0.5"))
    supplier = documents.supplier_create(
        code="S1", name="中粮", email="orders@supplier.example", receipt_tolerance_pct=Decimal("5"), actor=None
    )
    return {"org": org, "warehouse": warehouse, "wheat": wheat, "bag": bag, "supplier": supplier}


def draft(buying, lines=None, **fields):
    return documents.purchase_order_create(
        supplier=buying["supplier"],
        warehouse=buying["warehouse"],
        expected_date=fields.pop("expected_date", NEXT_WEEK),
        lines=lines or [(buying["wheat"], Decimal("1000"), Decimal("2.8")), (buying["bag"], 500, None)],
        actor=buying["org"]["purchasing"],
        **fields,
    )


def test_totals_with_vat_per_line_and_costs_defaulting_to_the_standard_cost(buying):
    order = draft(buying)
    assert order.status == PurchaseOrder.Status.DRAFT
    lines = {line.product.sku: line for line in order.lines.select_related("product")}
    assert lines["PK-BAG"].unit_cost == Decimal("0.5000")
    assert (lines["RM-WHEAT"].tax_rate, lines["PK-BAG"].tax_rate) == (Decimal("9.00"), Decimal("13.00"))
    # 2800.00 + 9 % = 252.00; 250.00 + 13 % = 32.50
    assert (order.total_net, order.total_tax, order.total) == (
        Decimal("3050.00"),
        Decimal("284.50"),
        Decimal("3334.50"),
    )


def test_supplier_price_is_the_default_cost(buying):
    documents.supplier_item_save(
        supplier=buying["supplier"], product=buying["bag"], unit_cost=Decimal("0.42"), actor=None
    )
    order = draft(buying, lines=[(buying["bag"], 100, None)])
    assert order.lines.get().unit_cost == Decimal("0.4200")


@pytest.mark.parametrize(
    "line, field",
    [
        (("RM-WHEAT", Decimal("1e30"), Decimal("1")), "lines"),
        (("RM-WHEAT", Decimal("10"), Decimal("-1")), "lines"),
        (("RM-WHEAT", Decimal("10"), Decimal("1e20")), "lines"),
        (("RM-WHEAT", Decimal("NaN"), Decimal("1")), "lines"),
        (("RM-WHEAT", Decimal("0"), Decimal("1")), "lines"),
        ((2**70, Decimal("1"), Decimal("1")), "lines"),
        ((987654, Decimal("1"), Decimal("1")), "lines"),
    ],
)
def test_bad_lines_are_refused_and_nothing_is_saved(buying, line, field):
    product = buying["wheat"] if line[0] == "RM-WHEAT" else line[0]
    with pytest.raises(ValidationFailed) as refused:
        draft(buying, lines=[(product, *line[1:])])
    assert field in refused.value.fields
    assert PurchaseOrder.objects.count() == 0 and PurchaseOrderLine.objects.count() == 0


def test_an_expected_date_in_the_past_is_refused(buying):
    with pytest.raises(ValidationFailed) as refused:
        draft(buying, expected_date=datetime.date(2020, 1, 1))
    assert "expected_date" in refused.value.fields
    assert PurchaseOrder.objects.count() == 0


def test_submit_without_a_rule_orders_and_emails_the_pdf(buying, django_capture_on_commit_callbacks):
    order = draft(buying)
    with django_capture_on_commit_callbacks(execute=True):
        order = documents.purchase_order_submit(order=order, actor=buying["org"]["purchasing"])
    assert order.status == PurchaseOrder.Status.OPEN and order.sent_at is not None
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["orders@supplier.example"] and order.number in message.subject
    name, content, mimetype = message.attachments[0]
    assert name == f"{order.number}.pdf" and mimetype == "application/pdf" and content.startswith(b"%PDF")


def test_above_the_rule_amount_the_order_waits_for_approval(buying, django_capture_on_commit_callbacks):
    make_rule(
        actor=None,
        doc_type=documents.PO_DOC_TYPE,
        steps=["general_manager"],
        conditions=[{"field": "amount", "operator": ">=", "value": "3000"}],
    )
    small = draft(buying, lines=[(buying["bag"], 100, None)])
    assert documents.purchase_order_submit(order=small, actor=buying["org"]["purchasing"]).status == "open"
    order = draft(buying)
    order = documents.purchase_order_submit(order=order, actor=buying["org"]["purchasing"])
    assert order.status == PurchaseOrder.Status.PENDING and order.sent_at is None
    request = ApprovalRequest.objects.get(doc_type=documents.PO_DOC_TYPE, object_id=str(order.pk))
    assert Decimal(request.values["amount"]) == Decimal("3334.50")
    with pytest.raises(ValidationFailed):  # not ordered yet: nothing can be received
        documents.purchase_order_receive(
            order=order, quantities={buying["bag"].pk: 1}, actor=buying["org"]["warehouse"]
        )
    with django_capture_on_commit_callbacks(execute=True):
        approve_all(request)
    order.refresh_from_db()
    assert order.status == PurchaseOrder.Status.OPEN and order.sent_at is not None
    to_supplier = [m for m in mail.outbox if m.to == ["orders@supplier.example"]]
    assert [m.subject for m in to_supplier] == [f"Purchase order {order.number}"]


def test_receipt_within_the_tolerance_closes_the_line(buying):
    order = documents.purchase_order_submit(order=draft(buying), actor=buying["org"]["purchasing"])
    warehouse, wheat, bag = buying["warehouse"], buying["wheat"], buying["bag"]
    with pytest.raises(ValidationFailed):  # 5 % above 1000 is the most
        documents.purchase_order_receive(order=order, quantities={wheat.pk: 1051}, actor=buying["org"]["warehouse"])
    assert not StockBalance.objects.filter(product=wheat).exists()
    documents.purchase_order_receive(order=order, quantities={wheat.pk: 1050}, actor=buying["org"]["warehouse"])
    order.refresh_from_db()
    assert order.status == PurchaseOrder.Status.PARTIAL
    documents.purchase_order_receive(order=order, quantities={bag.pk: 480}, actor=buying["org"]["warehouse"])
    order.refresh_from_db()
    assert order.status == PurchaseOrder.Status.RECEIVED  # 480 of 500 is within 5 %: closed short
    assert StockBalance.objects.get(product=wheat, warehouse=warehouse).on_hand == Decimal("1050")
    assert order.lines.get(product=bag).closed


def test_below_the_tolerance_the_line_stays_open(buying):
    order = documents.purchase_order_submit(order=draft(buying), actor=buying["org"]["purchasing"])
    documents.purchase_order_receive(
        order=order, quantities={buying["wheat"].pk: 900, buying["bag"].pk: 500}, actor=buying["org"]["warehouse"]
    )
    order.refresh_from_db()
    assert order.status == PurchaseOrder.Status.PARTIAL
    assert order.lines.get(product=buying["wheat"]).open_quantity == Decimal("100")


def test_cancel_a_draft_an_ordered_and_a_pending_order(buying):
    purchasing = buying["org"]["purchasing"]
    assert documents.purchase_order_cancel(order=draft(buying), actor=purchasing).status == "cancelled"
    ordered = documents.purchase_order_submit(order=draft(buying), actor=purchasing)
    assert documents.purchase_order_cancel(order=ordered, actor=purchasing).status == "cancelled"
    make_rule(actor=None, doc_type=documents.PO_DOC_TYPE, steps=["general_manager"])
    pending = documents.purchase_order_submit(order=draft(buying), actor=purchasing)
    assert pending.status == "pending"
    assert documents.purchase_order_cancel(order=pending, actor=purchasing).status == "cancelled"
    assert ApprovalRequest.objects.get(object_id=str(pending.pk)).status == "withdrawn"
    with pytest.raises(InvalidTransition):
        documents.purchase_order_cancel(order=pending, actor=purchasing)


# --- pages ---------------------------------------------------------------------------------------------
def test_new_order_page_shows_errors_next_to_the_fields(client, buying):
    client.force_login(buying["org"]["purchasing"])
    response = client.post(
        reverse("purchase-order-new"),
        {
            "supplier": buying["supplier"].pk,
            "warehouse": buying["warehouse"].pk,
            "expected_date": "2020-01-01",
            "lines": "RM-WHEAT 1e30 1",
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "expected_date" in form.errors or "lines" in form.errors
    assert PurchaseOrder.objects.count() == 0
    response = client.post(
        reverse("purchase-order-new"),
        {
            "supplier": buying["supplier"].pk,
            "warehouse": buying["warehouse"].pk,
            "expected_date": NEXT_WEEK.isoformat(),
            "lines": "RM-WHEAT 10 -1",
        },
    )
    assert response.status_code == 200 and "lines" in response.context["form"].errors
    assert PurchaseOrder.objects.count() == 0


def test_draft_submit_receive_and_pdf_through_the_pages(client, buying):
    client.force_login(buying["org"]["purchasing"])
    response = client.post(
        reverse("purchase-order-new"),
        {
            "supplier": buying["supplier"].pk,
            "warehouse": buying["warehouse"].pk,
            "expected_date": NEXT_WEEK.isoformat(),
            "lines": "RM-WHEAT 100 2.8",
        },
    )
    order = PurchaseOrder.objects.get()
    assert response.status_code == 302 and order.status == "draft"
    client.post(reverse("purchase-order-action", args=[order.pk, "submit"]))
    order.refresh_from_db()
    assert order.status == "open"
    pdf = client.get(reverse("purchase-order-pdf", args=[order.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    client.force_login(buying["org"]["warehouse"])
    page = client.get(reverse("purchase-order-detail", args=[order.pk]))
    assert page.status_code == 200 and b'name="q_' in page.content
    client.post(reverse("purchase-order-detail", args=[order.pk]), {f"q_{buying['wheat'].pk}": "NaN"})
    order.refresh_from_db()
    assert order.status == "open"
    client.post(reverse("purchase-order-detail", args=[order.pk]), {f"q_{buying['wheat'].pk}": "100"})
    order.refresh_from_db()
    assert order.status == "received"


@pytest.mark.parametrize("role, status", [("purchasing", 201), ("warehouse", 403), ("rep1", 403), ("finance", 403)])
def test_api_create_per_role(api, buying, role, status):
    body = {
        "supplier": buying["supplier"].pk,
        "warehouse": buying["warehouse"].pk,
        "expected_date": NEXT_WEEK.isoformat(),
        "lines": [{"product": buying["wheat"].pk, "quantity": "10", "unit_cost": "2.8"}],
    }
    response = api(buying["org"][role]).post("/api/v1/purchase-orders/", body, format="json")
    assert response.status_code == status
    assert PurchaseOrder.objects.count() == (1 if status == 201 else 0)


@pytest.mark.parametrize(
    "line",
    [
        {"quantity": "1e30", "unit_cost": "1"},
        {"quantity": "10", "unit_cost": "-1"},
        {"quantity": "NaN", "unit_cost": "1"},
        {"quantity": "10", "unit_cost": "1", "product": 2**63},
        {"quantity": "10", "unit_cost": "1", "product": 999999},
    ],
)
def test_api_refuses_bad_lines_with_a_field_error(api, buying, line):
    body = {
        "supplier": buying["supplier"].pk,
        "warehouse": buying["warehouse"].pk,
        "expected_date": NEXT_WEEK.isoformat(),
        "lines": [{"product": buying["wheat"].pk, **line}],
    }
    response = api(buying["org"]["purchasing"]).post("/api/v1/purchase-orders/", body, format="json")
    assert response.status_code == 400, response.content
    assert set(response.json()) >= {"code", "message", "fields"}
    assert any(key.split(".")[0] == "lines" for key in response.json()["fields"]), response.json()
    assert PurchaseOrder.objects.count() == 0


def test_api_submit_receive_with_a_lot_and_cancel(api, buying):
    from salesops.catalog.services import product_update

    product_update(product=buying["bag"], data={"lot_tracked": True}, actor=None)
    purchasing, warehouse = api(buying["org"]["purchasing"]), api(buying["org"]["warehouse"])
    order = draft(buying)
    assert purchasing.post(f"/api/v1/purchase-orders/{order.pk}/submit/").json()["status"] == "open"
    bag = buying["bag"].pk
    bad = warehouse.post(f"/api/v1/purchase-orders/{order.pk}/receive/", {"quantities": {"x": "1"}}, format="json")
    assert bad.status_code == 400 and bad.json()["code"]
    response = warehouse.post(
        f"/api/v1/purchase-orders/{order.pk}/receive/",
        {
            "quantities": {str(bag): "500"},
            "lots": {str(bag): {"code": "B2611", "production_date": "2026-11-20", "expiry_date": "2027-11-20"}},
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    lots = warehouse.get("/api/v1/lots/", {"product": bag}).json()["results"]
    assert [(lot["code"], lot["on_hand"]) for lot in lots] == [("B2611", "500.000")]
    assert purchasing.post(f"/api/v1/purchase-orders/{order.pk}/cancel/").json()["status"] == "cancelled"
