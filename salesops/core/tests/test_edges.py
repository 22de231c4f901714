"""Bad input at the edges of the API answers a clear 4xx in the error shape and changes nothing
(each case was once a server error)."""

import pytest

from salesops.inventory import stocktake as stocktakes
from salesops.inventory.models import StocktakeLine
from salesops.sales.models import Quote, SalesOrder
from salesops.sales.tests.factories import make_customer, make_product, make_warehouse


@pytest.fixture
def shop(org):
    warehouse = make_warehouse()
    product = make_product(price="10.00", stock="100", warehouse=warehouse)
    customer = make_customer(owner=org["rep1"], limit="1000.00")
    return {"warehouse": warehouse, "product": product, "customer": customer}


def _order_body(shop, **line):
    return {
        "customer": shop["customer"].pk,
        "payment": "credit",
        "lines": [{"product": shop["product"].pk, "quantity": "1", **line}],
    }


@pytest.mark.parametrize(
    "line, field",
    [
        ({"quantity": "1e30"}, "quantity"),
        ({"quantity": "NaN"}, "quantity"),
        ({"quantity": "١٢"}, "quantity"),
        ({"quantity": "1_000"}, "quantity"),
        ({"unit_price": "1e30"}, "unit_price"),
        ({"product": 2**63}, "lines"),
        ({"product": "abc"}, "lines"),
    ],
)
def test_order_and_quote_lines_refuse_numbers_out_of_bounds(org, api, shop, line, field):
    client = api(org["rep1"])
    for url, model in [("/api/v1/orders/", SalesOrder), ("/api/v1/quotes/", Quote)]:
        body = _order_body(shop, **line)
        if model is Quote:
            del body["payment"]  # a quote has no payment: the field would be refused as unknown
        response = client.post(url, body, format="json")

        assert response.status_code == 400, (url, response.content)
        assert response.json()["code"] == "validation_error"
        assert _names(field, response.json()["fields"])
        assert model.objects.count() == 0


def test_order_dated_in_year_9999_is_refused(org, api, shop):
    response = api(org["rep1"]).post(
        "/api/v1/orders/", {**_order_body(shop), "order_date": "9999-01-01"}, format="json"
    )

    assert response.status_code == 400
    assert "order_date" in response.json()["fields"]
    assert SalesOrder.objects.count() == 0


@pytest.mark.parametrize(
    "path",
    ["/api/v1/orders/abc/submit/", f"/api/v1/orders/{2**63}/", "/api/v1/products/1e3/", "/api/v1/no-such-thing/"],
)
def test_unknown_addresses_under_the_api_answer_json_404(org, api, path):
    response = api(org["admin"]).post(path) if path.endswith("submit/") else api(org["admin"]).get(path)

    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize(
    "query, field",
    [("as_of=0001-01-01", "as_of"), ("as_of=9999-12-31", "as_of"), ("as_of=tomorrow", "as_of")],
)
def test_ageing_as_of_outside_the_span_is_a_field_error(org, api, query, field):
    response = api(org["finance"]).get(f"/api/v1/receivables/ageing/?{query}")

    assert response.status_code == 400
    assert field in response.json()["fields"]


@pytest.mark.parametrize("add_days", ["1e9", "1000000000", "-99999", "x"])
def test_calendar_check_bounds_add_days(org, api, add_days):
    response = api(org["rep1"]).get(f"/api/v1/calendar/check/?date=2026-01-05&add_days={add_days}")

    assert response.status_code == 400
    assert "add_days" in response.json()["fields"]


def test_calendar_check_answers_within_bounds(org, api):
    response = api(org["rep1"]).get("/api/v1/calendar/check/?date=2026-01-05&add_days=5")

    assert response.status_code == 200
    assert response.json() == {"date": "2026-01-05", "is_working_day": True, "add_days": 5, "result": "2026-01-12"}


def _names(field: str, fields: dict) -> bool:
    """Whether the error names the field, itself or a part of it (`lines.0.product`)."""
    return any(key == field or key.startswith(f"{field}.") for key in fields)


@pytest.fixture
def stocktake(org, shop):
    return stocktakes.stocktake_freeze(warehouse=shop["warehouse"], actor=org["warehouse"])


@pytest.mark.parametrize(
    "quantities, field",
    [
        ({"PID": "NaN"}, "quantities"),
        ({"PID": "1e30"}, "quantities"),
        ({"abc": "1"}, "quantities"),
        ({"PID": "-1"}, "counts"),
    ],
)
def test_stocktake_counts_refuse_nan_huge_negative_and_non_id_keys(org, api, shop, stocktake, quantities, field):
    body = {"quantities": {key.replace("PID", str(shop["product"].pk)): value for key, value in quantities.items()}}

    response = api(org["warehouse"]).post(f"/api/v1/stocktakes/{stocktake.pk}/counts/", body, format="json")

    assert response.status_code == 400, response.content
    assert _names(field, response.json()["fields"])
    assert not StocktakeLine.objects.filter(stocktake=stocktake, counted_quantity__isnull=False).exists()
