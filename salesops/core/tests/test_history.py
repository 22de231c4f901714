"""The history a person reads, on the page and through the API: labels in the reader's
language, values as displayed, company time, and no field the reader may not see."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from salesops.catalog import services as catalog

pytestmark = pytest.mark.django_db


@pytest.fixture
def product(org):
    product = catalog.product_create(
        sku="FL-25", name="特一粉 25kg", list_price=Decimal("120.00"), cost=Decimal("83.50"), actor=org["purchasing"]
    )
    catalog.product_update(product=product, data={"cost": Decimal("85.25")}, actor=org["purchasing"])
    catalog.product_set_status(product=product, status="approved", actor=org["purchasing"])
    return product


def _history(api, user, product, language="en"):
    response = api(user).get(f"/api/v1/products/{product.pk}/history/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.json()["results"]


def test_a_rep_never_sees_product_cost_in_the_api_history(org, api, product):
    entries = _history(api, org["rep1"], product)
    fields = {change["field"] for entry in entries for change in entry["changes"]}
    assert "cost" not in fields and "list_price" in fields
    assert "83.5" not in str(entries) and "85.25" not in str(entries)
    assert [entry["action"] for entry in entries] == ["transition", "update", "create"]


def test_the_purchasing_manager_sees_cost_changes_as_money(org, api, product):
    [cost_change] = _history(api, org["purchasing"], product)[1]["changes"]
    assert cost_change == {"field": "cost", "label": "Standard cost", "before": "83.5", "after": "85.25"}


def test_the_api_history_speaks_the_readers_language_and_the_company_time(org, api, product):
    entries = _history(api, org["purchasing"], product, language="zh-hans")
    transition = entries[0]
    assert transition["action_label"] == "状态变更"
    [status] = transition["changes"]
    assert (status["label"], status["before"], status["after"]) == ("状态", "草稿", "已批准")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00", transition["at"])  # Asia/Shanghai, no microseconds
    created = {change["field"]: change for change in entries[-1]["changes"]}
    assert created["list_price"]["after"] == "120.00"
    assert created["family"]["after"] == product.family.name  # every product has a family (未分类 when none was given)


def test_the_history_panel_leaves_cost_out_for_a_rep(org, client, product):
    client.force_login(org["rep1"])
    page = client.get(reverse("product-detail", args=[product.pk])).content.decode()
    panel = page[page.index('data-testid="history"') :]
    assert "List price" in panel and "Standard cost" not in panel and "85.25" not in panel
    assert "+00:00" not in panel and not re.search(r"\d\d:\d\d:\d\d\.\d+", panel)


def test_the_history_panel_shows_names_not_ids(org, client):
    from salesops.crm.services import customer_create
    from salesops.sales import services as sales
    from salesops.sales.tests.factories import make_product, make_warehouse

    warehouse = make_warehouse()
    item = make_product(warehouse=warehouse)
    customer = customer_create(actor=org["rep1"], name="华联超市", owner=org["rep1"])
    order = sales.order_create(
        actor=org["rep1"],
        customer=customer,
        payment="credit",
        warehouse=warehouse,
        lines=[{"product": item.pk, "quantity": "2"}],
    )
    client.force_login(org["rep1"])
    client.cookies["salesops_language"] = "zh-hans"
    page = client.get(reverse("sales-order", args=[order.pk])).content.decode()
    panel = page[page.index('data-testid="history"') :]
    assert "客户: 华联超市" in panel and "赊销" in panel
    assert f"customer: — → {customer.pk}" not in panel


def test_a_reference_recorded_as_a_code_or_a_name_reads_as_recorded(org, api, product):
    """Some services record a reference by its code or a person's name, not its id: the
    history shows that text instead of failing on it."""
    from salesops.core.models import AuditEvent

    event = AuditEvent.objects.get(content_type__model="product", object_id=str(product.pk), action="update")
    event.changes = {"family": ["FLOUR", None]}
    event.save(update_fields=["changes"])

    entries = _history(api, org["purchasing"], product)

    [update] = [entry for entry in entries if entry["action"] == "update"]
    [change] = [change for change in update["changes"] if change["field"] == "family"]
    assert (change["before"], change["after"]) == ("FLOUR", "—")
