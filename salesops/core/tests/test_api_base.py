"""The model serializer base: fields derived once per class, a fresh copy per serializer."""

from rest_framework.test import APIRequestFactory

from salesops.catalog.serializers import ProductSerializer
from salesops.inventory.tests.factories import make_product


def _fields_for(user) -> set[str]:
    request = APIRequestFactory().get("/")
    request.user = user
    return set(ProductSerializer(context={"request": request}).fields)


def test_fields_are_copied_so_one_callers_changes_do_not_reach_the_next(org):
    product = make_product("FL-1")
    first, second = ProductSerializer(product), ProductSerializer(product)
    assert first.fields["sku"] is not second.fields["sku"]
    assert "_model_fields" in ProductSerializer.__dict__  # derived once, kept on the class

    # costs are dropped per request for roles that may not see them, and only for them
    assert "cost" not in _fields_for(org["rep1"])
    assert "cost" in _fields_for(org["purchasing"])
    assert "cost" not in _fields_for(org["rep1"])
    assert ProductSerializer(product).data["sku"] == "FL-1"


def test_read_only_and_unknown_fields_are_refused_not_silently_ignored(org, api):
    from salesops.crm.services import customer_create

    customer = customer_create(actor=org["admin"], name="Alpha", owner=org["rep1"])
    client = api(org["rep1"])
    response = client.patch(
        f"/api/v1/customers/{customer.pk}/", {"code": "C-HACKED", "nmae": "typo", "city": "杭州"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["fields"] == {"code": ["This field cannot be changed."], "nmae": ["Unknown field."]}
    customer.refresh_from_db()
    assert customer.code != "C-HACKED" and customer.city == ""  # nothing of the request was applied
    assert client.patch(f"/api/v1/customers/{customer.pk}/", {"city": "杭州"}, format="json").status_code == 200


def test_nested_errors_are_flat_messages_keyed_by_the_fields_path(org, api):
    from salesops.crm.services import customer_create

    customer = customer_create(actor=org["admin"], name="Alpha", owner=org["rep1"])
    body = {"customer": customer.pk, "payment": "cash", "lines": [{"product": "x", "quantity": "1"}]}
    response = api(org["rep1"]).post("/api/v1/orders/", body, format="json")
    assert response.status_code == 400
    fields = response.json()["fields"]
    assert fields["lines.0.product"] == ["A valid integer is required."]
    assert all(isinstance(m, str) and "ErrorDetail" not in m for ms in fields.values() for m in ms)


def test_a_request_with_too_many_fields_gets_a_stable_code_and_writes_nothing(org, api, settings):
    from salesops.crm.models import Customer

    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 50
    body = "&".join(f"field{k}=x" for k in range(60)) + "&name=Alpha"
    response = api(org["rep1"]).post("/api/v1/customers/", body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert response.json()["code"] == "too_many_fields"
    assert not Customer.objects.filter(name="Alpha").exists()


def test_a_request_too_large_gets_a_stable_code(org, api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000
    body = "name=" + "x" * 2_000
    response = api(org["rep1"]).post("/api/v1/customers/", body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert response.json()["code"] == "request_too_large"
