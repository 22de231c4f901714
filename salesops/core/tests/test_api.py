import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from salesops.crm.services import customer_create


@pytest.fixture
def customer(org):
    return customer_create(actor=org["admin"], name="Alpha", owner=org["rep1"])


def test_token_is_issued_for_valid_credentials_and_authenticates_requests(org):
    client = APIClient()
    response = client.post("/api/v1/auth/token/", {"username": "rep1", "password": "test-password-123"}, format="json")
    assert response.status_code == 200
    token = response.json()["token"]

    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = client.get("/api/v1/me/")
    assert me.status_code == 200
    assert me.json()["username"] == "rep1" and me.json()["roles"] == ["sales_rep"]


def test_wrong_password_gets_a_stable_error_code_and_repeated_failures_are_throttled(org):
    client = APIClient()
    for _ in range(5):
        response = client.post("/api/v1/auth/token/", {"username": "rep1", "password": "nope"}, format="json")
        assert response.status_code == 400
        assert response.json()["code"] == "invalid_credentials"
    blocked = client.post("/api/v1/auth/token/", {"username": "rep1", "password": "test-password-123"}, format="json")
    assert blocked.status_code == 429
    assert blocked.json()["code"] == "throttled"
    cache.clear()


def test_unauthenticated_requests_get_401_in_the_error_shape(db):
    response = APIClient().get("/api/v1/customers/")
    assert response.status_code == 401
    assert response.json() == {"code": "not_authenticated", "message": response.json()["message"], "fields": {}}


def test_validation_errors_name_the_fields(org, api):
    response = api(org["rep1"]).post("/api/v1/customers/", {"name": ""}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "validation_error"
    assert set(body["fields"]) >= {"name", "owner"}


def test_list_endpoints_share_paging_search_and_ordering(org, api):
    for name in ["Charlie", "Alpha", "Bravo"]:
        customer_create(actor=org["admin"], name=name, owner=org["rep1"])
    client = api(org["director"])
    page = client.get("/api/v1/customers/?ordering=-name&page_size=2").json()
    assert page["count"] == 3
    assert [c["name"] for c in page["results"]] == ["Charlie", "Bravo"]
    assert page["next"].endswith("page=2&page_size=2") or "page=2" in page["next"]
    assert [c["name"] for c in client.get("/api/v1/customers/?search=alp").json()["results"]] == ["Alpha"]


@pytest.mark.parametrize("query", ["ordering=nonsense", "owner=abc", "status=nope", "page=abc", "search=%00"])
def test_bad_list_parameters_answer_4xx_never_500(org, api, query):
    response = api(org["director"]).get(f"/api/v1/customers/?{query}")
    assert 400 <= response.status_code < 500
    assert "code" in response.json()


@pytest.mark.parametrize("path", ["/api/v1/customers/abc/", "/api/v1/customers/999999/", "/api/v1/users/x/"])
def test_malformed_or_unknown_ids_answer_404(org, api, path):
    response = api(org["admin"]).get(path)
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_history_endpoint_shows_who_changed_what(org, api, customer):
    client = api(org["rep1"])
    client.patch(f"/api/v1/customers/{customer.pk}/", {"city": "上海"}, format="json")
    events = client.get(f"/api/v1/customers/{customer.pk}/history/").json()["results"]
    assert events[0]["action"] == "update"
    assert events[0]["actor"] == "Rep1"
    [city] = events[0]["changes"]
    assert (city["field"], city["before"], city["after"]) == ("city", "—", "上海")
    assert events[1]["action"] == "create"


def test_schema_and_docs_are_served_without_internet(org, client):
    client.force_login(org["rep1"])
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/auth/token/" in schema.content
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"cdn" not in docs.content.lower()
    assert b"/static/drf_spectacular_sidecar/" in docs.content


def test_errors_are_translated_for_chinese_clients(db):
    response = APIClient().get("/api/v1/customers/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.json()["code"] == "not_authenticated"
    assert response.json()["message"] != "Authentication credentials were not provided."
