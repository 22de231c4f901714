import pytest
from django.apps import apps

from salesops.demo.loader import demo_steps, load_demo

FOUNDATION = {"core", "crm"}


def test_steps_are_discovered_from_each_area_in_order():
    names = [name for _order, name, _build in demo_steps()]
    assert names[:2] == ["core", "crm"]
    orders = [order for order, _name, _build in demo_steps()]
    assert orders == sorted(orders)


def row_counts() -> dict[str, int]:
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label in {"core", "crm"}
    }


@pytest.mark.django_db
def test_loading_the_demo_twice_adds_nothing():
    load_demo(progress=lambda _text: None, only=FOUNDATION)
    first = row_counts()
    load_demo(progress=lambda _text: None, only=FOUNDATION)

    assert row_counts() == first
    assert first["crm.Customer"] >= 300
    assert first["core.User"] >= 20
    from salesops.core.models import User

    for username in [
        "admin",
        "gm",
        "director",
        "manager",
        "supervisor1",
        "rep1",
        "rep2",
        "rep3",
        "finance",
        "warehouse",
        "planner",
    ]:
        assert User.objects.get(username=username).check_password("salesops-demo")
