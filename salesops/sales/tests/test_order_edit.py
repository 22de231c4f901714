"""The page that changes a draft sales order: header and lines, errors next to the field,
nothing saved when anything is wrong, and only while the order is a draft."""

from decimal import Decimal

import pytest
from django.urls import reverse

from salesops.sales import services
from salesops.sales.models import OrderLine, SalesOrder

D = Decimal


@pytest.fixture
def draft(shop):
    return services.order_create(
        actor=shop["org"]["rep1"],
        customer=shop["customer"],
        payment="credit",
        lines=[{"product": shop["p1"].pk, "quantity": "5"}, {"product": shop["p2"].pk, "quantity": "2"}],
        warehouse=shop["warehouse"],
        note="first call",
    )


def form_data(order, lines, **header):
    data = {
        "payment": header.get("payment", order.payment),
        "warehouse": header.get("warehouse", order.warehouse_id),
        "note": header.get("note", order.note),
        "lines-TOTAL_FORMS": str(len(lines)),
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
    }
    for index, line in enumerate(lines):
        for name, value in line.items():
            data[f"lines-{index}-{name}"] = value
    return data


def snapshot(order):
    order.refresh_from_db()
    lines = list(order.lines.order_by("position").values_list("product_id", "quantity", "unit_price", "amount"))
    return order.payment, order.note, order.total, lines


def test_the_page_shows_the_order_as_it_is(shop, draft, client):
    client.force_login(shop["org"]["rep1"])
    response = client.get(reverse("sales-order-edit", args=[draft.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert draft.number in page and shop["customer"].name in page
    assert 'name="lines-0-quantity" value="5"' in page and 'name="lines-1-quantity" value="2"' in page
    assert 'value="first call"' in page or "first call</textarea>" in page
    detail = client.get(reverse("sales-order", args=[draft.pk])).content.decode()
    assert reverse("sales-order-edit", args=[draft.pk]) in detail


def test_saving_changes_lines_header_and_total(shop, draft, client):
    client.force_login(shop["org"]["rep1"])
    lines = [
        {"product": shop["p1"].pk, "quantity": "7", "unit_price": ""},
        {"product": shop["p2"].pk, "quantity": "3", "unit_price": "3.00"},
    ]
    response = client.post(
        reverse("sales-order-edit", args=[draft.pk]), form_data(draft, lines, payment="cash", note="changed")
    )
    assert response.status_code == 302 and response.url == reverse("sales-order", args=[draft.pk])
    payment, note, total, saved = snapshot(draft)
    assert (payment, note, total) == ("cash", "changed", D("79.00"))
    assert saved == [
        (shop["p1"].pk, D("7.000"), D("10.00"), D("70.00")),
        (shop["p2"].pk, D("3.000"), D("3.00"), D("9.00")),
    ]
    assert draft.status == SalesOrder.Status.DRAFT


@pytest.mark.parametrize(
    "line, field, message",
    [
        ({"quantity": "0"}, "quantity", "The quantity must be greater than zero."),
        ({"quantity": "-2"}, "quantity", "The quantity must be greater than zero."),
        ({"quantity": ""}, "quantity", "Enter a quantity."),
        ({"quantity": "1", "unit_price": "1.234"}, "unit_price", "decimal places"),
        ({"quantity": "1", "unit_price": "-1"}, "unit_price", "The price cannot be negative."),
        ({"quantity": "abc"}, "quantity", "Enter a number."),
    ],
)
def test_a_wrong_line_shows_the_error_next_to_the_field_and_saves_nothing(shop, draft, client, line, field, message):
    client.force_login(shop["org"]["rep1"])
    before = snapshot(draft)
    lines = [{"product": shop["p1"].pk, "quantity": "4", "unit_price": ""}, {"product": shop["p2"].pk, **line}]
    response = client.post(reverse("sales-order-edit", args=[draft.pk]), form_data(draft, lines, note="lost?"))
    assert response.status_code == 200
    errors = response.context["lines"].forms[1].errors
    assert field in errors and any(message in str(error) for error in errors[field])
    assert not response.context["lines"].forms[0].errors
    page = response.content.decode()
    assert message.split(".")[0] in page or "decimal places" in page
    assert 'value="4"' in page  # what was typed is kept
    assert snapshot(draft) == before


def test_a_line_without_product_is_an_error_on_the_product(shop, draft, client):
    client.force_login(shop["org"]["rep1"])
    before = snapshot(draft)
    lines = [{"product": "", "quantity": "4", "unit_price": ""}]
    response = client.post(reverse("sales-order-edit", args=[draft.pk]), form_data(draft, lines))
    assert response.status_code == 200
    assert "product" in response.context["lines"].forms[0].errors
    assert snapshot(draft) == before


def test_removing_every_line_is_refused(shop, draft, client):
    client.force_login(shop["org"]["rep1"])
    before = snapshot(draft)
    response = client.post(reverse("sales-order-edit", args=[draft.pk]), form_data(draft, []))
    assert response.status_code == 200
    assert "Add at least one line." in response.content.decode()
    assert snapshot(draft) == before


def test_a_submitted_order_cannot_be_changed(shop, draft, client):
    services.order_submit(order=draft, actor=shop["org"]["rep1"])
    draft.refresh_from_db()
    assert draft.status == SalesOrder.Status.CONFIRMED
    before = snapshot(draft)
    client.force_login(shop["org"]["rep1"])
    lines = [{"product": shop["p1"].pk, "quantity": "1", "unit_price": ""}]
    response = client.post(reverse("sales-order-edit", args=[draft.pk]), form_data(draft, lines))
    assert response.status_code == 302 and response.url == reverse("sales-order", args=[draft.pk])
    assert snapshot(draft) == before
    assert OrderLine.objects.filter(order=draft).count() == 2


def test_people_who_may_not_see_or_sell_get_404(shop, draft, client):
    client.force_login(shop["org"]["rep3"])  # another team
    assert client.get(reverse("sales-order-edit", args=[draft.pk])).status_code == 404
    client.force_login(shop["org"]["warehouse"])  # sees orders, does not sell
    assert client.get(reverse("sales-order-edit", args=[draft.pk])).status_code == 404
