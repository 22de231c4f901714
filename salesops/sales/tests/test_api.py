from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from salesops.sales import services
from salesops.sales.models import IdempotencyKey, Invoice, SalesOrder

D = Decimal


def order_body(shop, **extra):
    return {
        "customer": shop["customer"].pk,
        "payment": "credit",
        "lines": [
            {"product": shop["p1"].pk, "quantity": "5"},
            {"product": shop["p2"].pk, "quantity": "2", "unit_price": "3.33"},
        ],
        "warehouse": shop["warehouse"].pk,
        **extra,
    }


def test_create_and_submit_through_the_api(shop, api):
    client = api(shop["org"]["rep1"])
    response = client.post("/api/v1/orders/", order_body(shop), format="json")
    assert response.status_code == 201, response.data
    body = response.json()
    assert body["status"] == "draft" and body["total"] == "56.66" and body["number"].startswith("SO-")
    assert {"id", "number", "status", "total"} <= set(body)
    response = client.post(f"/api/v1/orders/{body['id']}/submit/", {}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "confirmed"
    response = client.post(f"/api/v1/orders/{body['id']}/submit/", {}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "invalid_transition"


def test_create_and_submit_stay_within_their_statements(shop, api):
    """The statements of the everyday credit order, BEGIN and COMMIT included: a create reads the
    customer, warehouse, products and prices and writes number, order, lines and audit; a submit
    checks visibility, locks the order, reads the lines, decides credit, opens the delivery
    deadline on the SOP clock (its rule, one insert) and reserves stock."""
    client = api(shop["org"]["rep1"])
    client.get("/api/v1/me/")  # the caller's session and roles are read once, as on any first call
    with CaptureQueriesContext(connection) as create:
        response = client.post("/api/v1/orders/", order_body(shop), format="json")
    with CaptureQueriesContext(connection) as submit:
        client.post(f"/api/v1/orders/{response.json()['id']}/submit/", {}, format="json")
    assert SalesOrder.objects.get().status == "confirmed"
    assert len(create.captured_queries) <= 12, [q["sql"][:80] for q in create.captured_queries]
    assert len(submit.captured_queries) <= 16, [q["sql"][:80] for q in submit.captured_queries]


def test_idempotency_key_returns_the_first_response_and_creates_nothing(shop, api):
    client = api(shop["org"]["rep1"])
    first = client.post("/api/v1/orders/", order_body(shop), format="json", HTTP_IDEMPOTENCY_KEY="abc-1")
    again = client.post("/api/v1/orders/", order_body(shop), format="json", HTTP_IDEMPOTENCY_KEY="abc-1")
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert SalesOrder.objects.count() == 1 and IdempotencyKey.objects.count() == 1
    other = client.post("/api/v1/orders/", order_body(shop), format="json", HTTP_IDEMPOTENCY_KEY="abc-2")
    assert other.json()["id"] != first.json()["id"]
    # the same key of another user is another request
    sup = api(shop["org"]["supervisor1"]).post(
        "/api/v1/orders/", order_body(shop), format="json", HTTP_IDEMPOTENCY_KEY="abc-1"
    )
    assert sup.status_code == 201 and sup.json()["id"] != first.json()["id"]


def test_failed_create_with_a_key_stores_nothing(shop, api):
    client = api(shop["org"]["rep1"])
    bad = order_body(shop, lines=[{"product": shop["p1"].pk, "quantity": "0"}])
    response = client.post("/api/v1/orders/", bad, format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert response.status_code == 400 and response.json()["code"] == "validation_error"
    assert not IdempotencyKey.objects.exists() and not SalesOrder.objects.exists()
    response = client.post("/api/v1/orders/", order_body(shop), format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert response.status_code == 201


@pytest.mark.parametrize(
    "lines, code",
    [
        ([{"product": "P1", "quantity": "-1"}], "validation_error"),
        ([{"product": "P1", "quantity": "1", "unit_price": "1.005"}], "validation_error"),
        ([], "validation_error"),
    ],
)
def test_bad_input_codes(shop, api, lines, code):
    for line in lines:
        line["product"] = shop["p1"].pk
    response = api(shop["org"]["rep1"]).post("/api/v1/orders/", order_body(shop, lines=lines), format="json")
    assert response.status_code == 400 and response.json()["code"] == code
    assert not SalesOrder.objects.exists()


def test_submit_error_codes(shop, api):
    client = api(shop["org"]["rep1"])
    no_credit = client.post("/api/v1/orders/", order_body(shop, customer=shop["no_credit"].pk), format="json")
    response = client.post(f"/api/v1/orders/{no_credit.json()['id']}/submit/", {}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "credit_file_missing"
    too_much = order_body(shop, lines=[{"product": shop["p2"].pk, "quantity": "200"}])  # within the limit
    created = client.post("/api/v1/orders/", too_much, format="json")
    response = client.post(f"/api/v1/orders/{created.json()['id']}/submit/", {}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "insufficient_stock"
    assert set(SalesOrder.objects.values_list("status", flat=True)) == {"draft"}


def test_over_limit_answers_pending_approval(shop, api):
    client = api(shop["org"]["rep1"])
    created = client.post(
        "/api/v1/orders/",
        order_body(
            shop, lines=[{"product": shop["p1"].pk, "quantity": "100"}, {"product": shop["p2"].pk, "quantity": "1"}]
        ),
        format="json",
    )
    response = client.post(f"/api/v1/orders/{created.json()['id']}/submit/", {}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "pending_approval"


def test_deliveries_invoices_returns_endpoints(shop, api):
    rep = api(shop["org"]["rep1"])
    order_id = rep.post("/api/v1/orders/", order_body(shop), format="json").json()["id"]
    rep.post(f"/api/v1/orders/{order_id}/submit/", {}, format="json")
    line = SalesOrder.objects.get(pk=order_id).lines.get(position=1)
    wh = api(shop["org"]["warehouse"])
    response = wh.post(
        "/api/v1/deliveries/",
        {"order": order_id, "quantities": {str(line.pk): "2"}, "picked_up_by": "司机 张"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    delivery = response.json()
    assert delivery["total"] == "20.00" and delivery["picked_up_by"] == "司机 张"
    response = rep.post(f"/api/v1/deliveries/{delivery['id']}/confirm/", {"received_by": "店长"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "confirmed"
    response = api(shop["org"]["finance"]).post("/api/v1/invoices/", {"deliveries": [delivery["id"]]}, format="json")
    assert response.status_code == 201 and response.json()["total"] == "20.00"
    response = rep.post("/api/v1/returns/", {"order": order_id, "kind": "return", "reason": "质量问题"}, format="json")
    assert response.status_code == 201 and response.json()["status"] == "pending_approval"
    assert api(shop["org"]["rep1"]).get(f"/api/v1/orders/{order_id}/pdf/").content.startswith(b"%PDF")
    assert rep.get(f"/api/v1/orders/{order_id}/history/").status_code == 200


# --- permission matrix ---------------------------------------------------------------------------------
ROLES = ["rep1", "supervisor1", "rep3", "finance", "warehouse", "norole"]


@pytest.fixture
def docs(shop):
    org = shop["org"]
    rep = org["rep1"]
    order = services.order_create(
        actor=rep,
        customer=shop["customer"],
        payment="credit",
        lines=[{"product": shop["p1"].pk, "quantity": "5"}],
        warehouse=shop["warehouse"],
    )
    shipped = services.order_create(
        actor=rep,
        customer=shop["customer"],
        payment="credit",
        lines=[{"product": shop["p1"].pk, "quantity": "5"}],
        warehouse=shop["warehouse"],
    )
    services.order_submit(order=shipped, actor=rep)
    delivery = services.delivery_issue(order=shipped, actor=org["warehouse"])
    delivery2 = services.delivery_issue(
        order=services.order_submit(
            order=services.order_create(
                actor=rep,
                customer=shop["customer"],
                payment="credit",
                lines=[{"product": shop["p2"].pk, "quantity": "1"}],
                warehouse=shop["warehouse"],
            ),
            actor=rep,
        ),
        actor=org["warehouse"],
    )
    invoice = services.invoice_create(deliveries=[delivery], actor=org["finance"])
    quote = services.quote_create(
        actor=rep, customer=shop["customer"], lines=[{"product": shop["p1"].pk, "quantity": "1"}]
    )
    import datetime

    contract = services.contract_create(
        actor=rep,
        customer=shop["customer"],
        title="T",
        start_date=datetime.date.today(),
        end_date=datetime.date.today(),
        lines=[{"product": shop["p1"].pk, "quantity": "1"}],
    )
    return {
        "order": order,
        "shipped": shipped,
        "delivery": delivery,
        "delivery2": delivery2,
        "invoice": invoice,
        "quote": quote,
        "contract": contract,
        **shop,
    }


# endpoint → (method, url template, body factory, expected status per role)
MATRIX = {
    "order list": (
        "get",
        "/api/v1/orders/{order}/",
        None,
        {"rep1": 200, "supervisor1": 200, "rep3": 404, "finance": 200, "warehouse": 200, "norole": 404},
    ),
    "order create": (
        "post",
        "/api/v1/orders/",
        lambda d: order_body(d),
        {"rep1": 201, "supervisor1": 201, "rep3": 404, "finance": 403, "warehouse": 403, "norole": 403},
    ),
    "order submit": (
        "post",
        "/api/v1/orders/{order}/submit/",
        lambda d: {},
        {"rep1": 200, "supervisor1": 200, "rep3": 404, "finance": 403, "warehouse": 403, "norole": 403},
    ),
    "order pdf": (
        "get",
        "/api/v1/orders/{order}/pdf/",
        None,
        {"rep1": 200, "supervisor1": 200, "rep3": 404, "finance": 200, "warehouse": 200, "norole": 404},
    ),
    "order history": (
        "get",
        "/api/v1/orders/{order}/history/",
        None,
        {"rep1": 200, "supervisor1": 200, "rep3": 404, "finance": 200, "warehouse": 200, "norole": 404},
    ),
    "order cancel": (
        "post",
        "/api/v1/orders/{order}/cancel/",
        lambda d: {},
        {"rep1": 200, "supervisor1": 200, "rep3": 404, "finance": 403, "warehouse": 403, "norole": 403},
    ),
    "delivery detail": (
        "get",
        "/api/v1/deliveries/{delivery}/",
        None,
        {"rep1": 200, "supervisor1": 200, "rep3": 404, "finance": 200, "warehouse": 200, "norole": 404},
    ),
    "delivery issue": (
        "post",
        "/api/v1/deliveries/",
        lambda d: {"order": d["delivery2"].order_id},
        {"rep1": 403, "supervisor1": 403, "rep3": 403, "finance": 403, "warehouse": 409, "norole": 403},
    ),
    "delivery confirm": (
        "post",
        "/api/v1/deliveries/{delivery}/confirm/",
        lambda d: {},
        {"rep1": 200, "supervisor1": 200, "rep3": 404, "finance": 403, "warehouse": 200, "norole": 403},
    ),
    "invoice detail": (
        "get",
        "/api/v1/invoices/{invoice}/",
        None,
        {"rep1": 200, "supervisor1": 200, "rep3": 404, "finance": 200, "warehouse": 404, "norole": 404},
    ),
    "invoice create": (
        "post",
        "/api/v1/invoices/",
        lambda d: {"deliveries": [d["delivery2"].pk]},
        {"rep1": 403, "supervisor1": 403, "rep3": 403, "finance": 201, "warehouse": 403, "norole": 403},
    ),
    "return create": (
        "post",
        "/api/v1/returns/",
        lambda d: {"order": d["shipped"].pk, "kind": "cancellation", "reason": "x"},
        {"rep1": 409, "supervisor1": 409, "rep3": 404, "finance": 403, "warehouse": 403, "norole": 403},
    ),
    "quote detail": (
        "get",
        "/api/v1/quotes/{quote}/",
        None,
        {"rep1": 200, "supervisor1": 200, "rep3": 404, "finance": 200, "warehouse": 404, "norole": 404},
    ),
    "quote create": (
        "post",
        "/api/v1/quotes/",
        lambda d: {"customer": d["customer"].pk, "lines": [{"product": d["p1"].pk, "quantity": "1"}]},
        {"rep1": 201, "supervisor1": 201, "rep3": 404, "finance": 403, "warehouse": 403, "norole": 403},
    ),
    "quote submit": (
        "post",
        "/api/v1/quotes/{quote}/submit/",
        lambda d: {},
        {"rep1": 200, "supervisor1": 200, "rep3": 404, "finance": 403, "warehouse": 403, "norole": 403},
    ),
    "contract detail": (
        "get",
        "/api/v1/contracts/{contract}/",
        None,
        {"rep1": 200, "supervisor1": 200, "rep3": 404, "finance": 200, "warehouse": 404, "norole": 404},
    ),
    "contract submit": (
        "post",
        "/api/v1/contracts/{contract}/submit/",
        lambda d: {},
        {"rep1": 200, "supervisor1": 200, "rep3": 404, "finance": 403, "warehouse": 403, "norole": 403},
    ),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", list(MATRIX))
def test_permission_matrix(docs, api, endpoint, role):
    method, template, body, expected = MATRIX[endpoint]
    url = template.format(**{k: getattr(v, "pk", None) for k, v in docs.items() if k != "org"})
    client = api(docs["org"][role])
    counts = (SalesOrder.objects.count(), Invoice.objects.count())
    response = client.get(url) if method == "get" else client.post(url, body(docs), format="json")
    assert response.status_code == expected[role], (endpoint, role, getattr(response, "data", None))
    if expected[role] in (403, 404):
        assert (SalesOrder.objects.count(), Invoice.objects.count()) == counts


@pytest.mark.parametrize("role", ROLES)
def test_lists_are_scoped(docs, api, role):
    response = api(docs["org"][role]).get("/api/v1/orders/")
    assert response.status_code == 200
    seen = {row["id"] for row in response.json()["results"]}
    can_see = role in {"rep1", "supervisor1", "finance", "warehouse"}
    assert (docs["order"].pk in seen) == can_see


def _api_submit_and_read_queries(shop, api, count):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from salesops.sales.tests.factories import make_products

    products = make_products(count, warehouse=shop["warehouse"], price="1.00", stock="10")
    client = api(shop["org"]["rep1"])
    body = {
        "customer": shop["customer"].pk,
        "payment": "credit",
        "lines": [{"product": p.pk, "quantity": "1"} for p in products],
    }
    order_id = client.post("/api/v1/orders/", body, format="json").json()["id"]
    with CaptureQueriesContext(connection) as submit:
        response = client.post(f"/api/v1/orders/{order_id}/submit/", {}, format="json")
    assert response.status_code == 200 and len(response.json()["lines"]) == count
    with CaptureQueriesContext(connection) as read:
        response = client.get(f"/api/v1/orders/{order_id}/")
    assert response.status_code == 200 and response.json()["lines"][0]["sku"] == products[0].sku
    return len(submit.captured_queries), len(read.captured_queries)


def test_submit_and_detail_queries_do_not_grow_with_lines(shop, api):
    assert _api_submit_and_read_queries(shop, api, 3) == _api_submit_and_read_queries(shop, api, 30)


def test_an_idempotency_key_reused_with_another_body_is_refused(shop, api):
    client = api(shop["org"]["rep1"])
    first = client.post("/api/v1/orders/", order_body(shop), format="json", HTTP_IDEMPOTENCY_KEY="abc-1")
    other_body = order_body(shop, lines=[{"product": shop["p1"].pk, "quantity": "7"}])
    reused = client.post("/api/v1/orders/", other_body, format="json", HTTP_IDEMPOTENCY_KEY="abc-1")
    assert first.status_code == 201
    assert reused.status_code == 422 and reused.json()["code"] == "idempotency_key_reused"
    assert SalesOrder.objects.count() == 1
