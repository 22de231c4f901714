"""Outlet execution: the distribution rate (铺货率) of the channel's required SKUs, read from
the latest visit that recorded each SKU, per rep, team, outlet and SKU and scoped to the reader;
coolers placed by the office and checked at a visit."""

import datetime
import uuid
from decimal import Decimal

import pytest
from django.utils import timezone

from salesops.core.exceptions import PermissionDenied, ValidationFailed
from salesops.field import services
from salesops.field.models import CoolerCheck
from salesops.field.selectors import distribution_for_user
from salesops.field.tests.factories import make_outlets, require
from salesops.sales.tests.factories import make_product, make_warehouse

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(org):
    warehouse = make_warehouse()
    cola, water = (make_product(price="3.00", stock="100", warehouse=warehouse) for _ in range(2))
    require(cola)
    require(water)
    outlets = make_outlets(org["rep1"], 2)
    return {"org": org, "cola": cola, "water": water, "outlets": outlets}


def visit(rep, outlet, stock: dict, *, minutes_ago=10, **extra):
    now = timezone.now() - datetime.timedelta(minutes=minutes_ago)
    stored, _created = services.visit_submit(
        actor=rep,
        client_key=uuid.uuid4(),
        customer=outlet,
        check_in_at=now - datetime.timedelta(minutes=5),
        check_out_at=now,
        record={"outcome": "no_order"},
        lines=[{"product": product.pk, "stock_seen": str(seen)} for product, seen in stock.items()],
        **extra,
    )
    return stored


def rates(user, by):
    return {row.label: (row.carried, row.required, row.rate) for row in distribution_for_user(user=user, by=by)}


def test_distribution_rate_counts_the_latest_visit_of_each_required_sku(shop):
    org, cola, water = shop["org"], shop["cola"], shop["water"]
    first, second = shop["outlets"]
    visit(org["rep1"], first, {cola: 0, water: 4}, minutes_ago=60)
    visit(org["rep1"], first, {cola: 6}, minutes_ago=10)  # cola now on the shelf; water as last seen
    visit(org["rep1"], second, {cola: 0, water: 0})

    by_outlet = rates(org["supervisor1"], "outlet")
    assert by_outlet[first.name][:2] == (2, 2) and by_outlet[first.name][2] == Decimal("100.0")
    assert by_outlet[second.name][:2] == (0, 2)
    by_sku = rates(org["supervisor1"], "sku")
    assert by_sku[cola.name][:2] == (1, 2) and by_sku[water.name][:2] == (1, 2)
    assert rates(org["supervisor1"], "rep")[org["rep1"].display_name][:2] == (2, 4)
    assert rates(org["supervisor1"], "team")[org["rep1"].org_unit.name][:2] == (2, 4)
    assert rates(org["rep1"], "rep")[org["rep1"].display_name][:2] == (2, 4)
    assert rates(org["rep3"], "rep") == {}  # another team's rep sees none of it
    assert rates(org["supervisor2"], "outlet") == {}


def test_coolers_are_placed_by_the_office_and_checked_at_a_visit(shop):
    org, outlet = shop["org"], shop["outlets"][0]
    with pytest.raises(PermissionDenied):
        services.cooler_create(actor=org["rep3"], customer=outlet, asset_number="BG-001")
    cooler = services.cooler_create(actor=org["supervisor1"], customer=outlet, asset_number=" BG-001 ")
    assert cooler.asset_number == "BG-001"

    stored = visit(
        org["rep1"],
        outlet,
        {shop["cola"]: 2},
        cooler_checks=[{"cooler": str(cooler.pk), "placed": True, "powered": False, "clean": True}],
    )
    check = CoolerCheck.objects.get(visit=stored)
    assert (check.placed, check.powered, check.clean, check.right_packs) == (True, False, True, False)

    other = services.cooler_create(actor=org["supervisor1"], customer=shop["outlets"][1], asset_number="BG-002")
    visits_before = stored.__class__.objects.count()
    for bad in ([{"cooler": str(other.pk)}], [{"cooler": "x"}]):  # another outlet's cooler; not a number
        with pytest.raises(ValidationFailed) as error:
            visit(org["rep1"], outlet, {shop["cola"]: 1}, cooler_checks=bad)
        assert "cooler_checks" in error.value.fields
    assert stored.__class__.objects.count() == visits_before  # nothing half-stored


def test_the_distribution_page_charts_each_rows_rate(shop, client):
    import json

    from django.urls import reverse

    org, cola, water = shop["org"], shop["cola"], shop["water"]
    first, second = shop["outlets"]
    visit(org["rep1"], first, {cola: 3, water: 0})
    visit(org["rep1"], second, {cola: 0, water: 0})
    client.force_login(org["supervisor1"])
    response = client.get(reverse("field-distribution"), {"by": "outlet"})
    assert response.status_code == 200
    chart = json.loads(response.context["chart_json"])
    labels, data = chart["yAxis"]["data"], chart["series"][0]["data"]
    assert dict(zip(labels, data, strict=True)) == {first.name: 50.0, second.name: 0.0}
