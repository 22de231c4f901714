"""Who sees what, per endpoint: stock roles see stock and costs; reps see available stock of
sellable products without costs; a user without a role sees nothing (404 on records); writes
need the warehouse or purchasing role."""

from decimal import Decimal

import pytest

from salesops.catalog.services import family_create
from salesops.inventory import documents
from salesops.inventory import stocktake as st
from salesops.inventory.tests.factories import make_product, make_warehouse, receive

pytestmark = pytest.mark.django_db


@pytest.fixture
def stock(org):
    wh = make_warehouse("MAIN")
    dc = make_warehouse("DC")
    flour = make_product("FLOUR", cost=Decimal("80"), list_price=Decimal("110"))
    draft = make_product("DRAFT", approved=False)
    from salesops.catalog.services import barcode_add

    barcode_add(product=flour, code="6901234567892", actor=None)
    receive(wh, flour, 100, "80")
    receive(wh, draft, 5, "1")
    transfer = documents.transfer_create(source=wh, destination=dc, lines=[(flour, 10)], actor=org["warehouse"])
    stocktake = st.stocktake_freeze(warehouse=wh, actor=org["warehouse"])
    return {"wh": wh, "dc": dc, "flour": flour, "draft": draft, "transfer": transfer, "stocktake": stocktake}


def test_stock_level_lookup_returns_decimal_strings(org, api, stock):
    response = api(org["warehouse"]).get(f"/api/v1/stock/?product={stock['flour'].pk}&warehouse={stock['wh'].pk}")
    assert response.status_code == 200
    [row] = response.json()["results"]
    assert (row["on_hand"], row["reserved"], row["available"], row["avg_cost"]) == (
        "100.000",
        "0.000",
        "100.000",
        "80.0000",
    )


STOCK_READERS = ["warehouse", "planner", "purchasing", "finance", "manager", "gm"]


@pytest.mark.parametrize("who", STOCK_READERS)
def test_stock_roles_see_stock_with_costs(org, api, stock, who):
    rows = api(org[who]).get("/api/v1/stock/").json()["results"]
    assert {r["sku"] for r in rows} == {"FLOUR", "DRAFT"}
    assert all("avg_cost" in r for r in rows)


@pytest.mark.parametrize("who", ["rep1", "rep3", "supervisor1"])
def test_sales_roles_see_available_stock_of_sellable_products_without_costs(org, api, stock, who):
    rows = api(org[who]).get("/api/v1/stock/").json()["results"]
    assert [r["sku"] for r in rows] == ["FLOUR"]
    assert rows[0]["available"] == "100.000"
    assert "avg_cost" not in rows[0] and "value" not in rows[0]
    product = api(org[who]).get(f"/api/v1/products/{stock['flour'].pk}/").json()
    assert "cost" not in product and product["list_price"] == "110.00"
    assert api(org[who]).get(f"/api/v1/products/{stock['draft'].pk}/").status_code == 404


def test_no_role_sees_nothing(org, api, stock):
    client = api(org["norole"])
    assert client.get("/api/v1/stock/").json()["results"] == []
    assert client.get(f"/api/v1/products/{stock['flour'].pk}/").status_code == 404
    assert client.get(f"/api/v1/transfers/{stock['transfer'].pk}/").status_code == 404
    assert client.get("/api/v1/products/barcode/6901234567892/").status_code == 404
    assert api(None).get("/api/v1/stock/").status_code in (401, 403)


ENDPOINTS = ["stock-moves", "transfers", "stocktakes", "purchase-orders"]
# who: (reads records, may write transfers)
MATRIX = {
    "warehouse": (True, True),
    "planner": (True, False),
    "finance": (True, False),
    "rep1": (False, False),
    "rep3": (False, False),
    "norole": (False, False),
}


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("who", list(MATRIX))
def test_permission_matrix_for_stock_documents(org, api, stock, who, endpoint):
    reads, _writes = MATRIX[who]
    response = api(org[who]).get(f"/api/v1/{endpoint}/")
    assert response.status_code == 200
    assert (response.json()["count"] > 0) == reads or endpoint == "purchase-orders"
    detail = {"transfers": stock["transfer"].pk, "stocktakes": stock["stocktake"].pk}.get(endpoint)
    if detail:
        assert api(org[who]).get(f"/api/v1/{endpoint}/{detail}/").status_code == (200 if reads else 404)


@pytest.mark.parametrize("who", list(MATRIX))
def test_only_warehouse_sends_a_transfer(org, api, stock, who):
    _reads, writes = MATRIX[who]
    response = api(org[who]).post(f"/api/v1/transfers/{stock['transfer'].pk}/send/")
    stock["transfer"].refresh_from_db()
    if writes:
        assert response.status_code == 200 and stock["transfer"].status == "in_transit"
    else:
        assert response.status_code in (403, 404) and stock["transfer"].status == "draft"


def test_transfer_api_send_and_receive_with_difference(org, api, stock):
    client = api(org["warehouse"])
    transfer = stock["transfer"]
    assert client.post(f"/api/v1/transfers/{transfer.pk}/send/").status_code == 200
    response = client.post(
        f"/api/v1/transfers/{transfer.pk}/receive/", {"quantities": {str(stock["flour"].pk): "9"}}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["has_difference"] is True


def test_transfer_api_refuses_more_than_available_with_a_clear_error(org, api, stock):
    client = api(org["warehouse"])
    response = client.post(
        "/api/v1/transfers/",
        {
            "source": stock["wh"].pk,
            "destination": stock["dc"].pk,
            "lines": [{"product": stock["flour"].pk, "quantity": "1000"}],
        },
        format="json",
    )
    assert response.status_code == 201
    response = client.post(f"/api/v1/transfers/{response.json()['id']}/send/")
    assert response.status_code == 409 and response.json()["code"] == "insufficient_stock"


@pytest.mark.parametrize("who,visible", [("warehouse", True), ("rep1", True), ("norole", False)])
def test_barcode_lookup(org, api, stock, who, visible):
    response = api(org[who]).get("/api/v1/products/barcode/6901234567892/")
    assert response.status_code == (200 if visible else 404)
    if visible:
        assert response.json()["sku"] == "FLOUR"
    assert api(org["warehouse"]).get("/api/v1/products/barcode/0000000000000/").status_code == 404


@pytest.mark.parametrize(
    "who,status",
    [("purchasing", 201), ("planner", 201), ("warehouse", 403), ("rep1", 403), ("finance", 403), ("norole", 403)],
)
def test_product_create_permissions(org, api, who, status):
    family = family_create(code="NEW", name="新品类")
    body = {"sku": "NEW-1", "name": "新品", "family": family.pk}
    response = api(org[who]).post("/api/v1/products/", body, format="json")
    assert response.status_code == status
    from salesops.catalog.models import Product

    assert Product.objects.filter(sku="NEW-1").exists() == (status == 201)


def test_bom_endpoint_refuses_a_loop(org, api):
    a, b = make_product("A"), make_product("B")
    client = api(org["planner"])
    assert (
        client.post(
            "/api/v1/boms/",
            {"parent": a.pk, "component": b.pk, "quantity": "1", "valid_from": "2026-01-01"},
            format="json",
        ).status_code
        == 201
    )
    response = client.post(
        "/api/v1/boms/", {"parent": b.pk, "component": a.pk, "quantity": "1", "valid_from": "2026-01-01"}, format="json"
    )
    assert response.status_code == 400 and "B → A → B" in response.json()["message"]
    assert client.get(f"/api/v1/products/{a.pk}/bom/").json()[0]["sku"] == "B"


def test_price_quote_endpoint(org, api, stock):
    response = api(org["rep1"]).get(f"/api/v1/prices/quote/?product={stock['flour'].pk}")
    assert response.json()["price"] == "110.00"


def test_stocktake_api_counts_and_submit(org, api, stock):
    client = api(org["warehouse"])
    pk = stock["stocktake"].pk
    lines = client.get(f"/api/v1/stocktakes/{pk}/lines/").json()["results"]
    counts = {str(line["product"]): line["snapshot_quantity"] for line in lines}
    assert client.post(f"/api/v1/stocktakes/{pk}/counts/", {"quantities": counts}, format="json").status_code == 200
    assert client.post(f"/api/v1/stocktakes/{pk}/submit/").json()["status"] == "posted"
    assert api(org["rep1"]).post(f"/api/v1/stocktakes/{pk}/submit/").status_code in (403, 404)
