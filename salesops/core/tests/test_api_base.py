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
