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


@pytest.mark.django_db
def test_the_sop_step_switches_every_rule_on_and_gives_a_history_of_met_late_and_missed():
    from salesops.sop.models import Obligation, SopRule

    load_demo(progress=lambda _text: None, only=FOUNDATION | {"sop"})
    assert not SopRule.objects.filter(enabled=False).exists()
    daily = set(Obligation.objects.filter(rule__code="daily-report").values_list("status", flat=True))
    assert {Obligation.Status.MET, Obligation.Status.MET_LATE, Obligation.Status.MISSED} <= daily
    assert Obligation.objects.filter(escalated_at__isnull=False).exists()
    before = Obligation.objects.count()
    load_demo(progress=lambda _text: None, only=FOUNDATION | {"sop"})
    assert Obligation.objects.count() == before
