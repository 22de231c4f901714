"""What a new sales order starts with: the warehouse (the rep's unit's default, else the
customer's team's, else the only active warehouse) and the payment (credit with the customer's
terms when they have an approved limit, else cash); the form shows them and follows the
customer chosen on the page; the product picker offers only what may be sold."""

from decimal import Decimal

import pytest
from django.urls import reverse

from salesops.catalog.models import Product
from salesops.catalog.services import product_create, product_set_status
from salesops.core.models import OrgUnit
from salesops.credit.models import CreditFile
from salesops.inventory.models import Warehouse
from salesops.sales import services
from salesops.sales.defaults import default_warehouse_for, order_defaults, payment_for
from salesops.sales.forms import OrderForm
from salesops.sales.tests.factories import make_customer, make_warehouse


def _set_default(unit: OrgUnit, warehouse) -> None:
    OrgUnit.objects.filter(pk=unit.pk).update(default_warehouse=warehouse)


def _selected(page: str, name: str) -> str:
    """The value of the option selected in the select `name` ('' when none is)."""
    import re

    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', page, re.S)
    assert select, name
    chosen = re.search(r'<option value="([^"]*)"[^>]*selected', select.group(1))
    return chosen.group(1) if chosen else ""


# --- warehouse -------------------------------------------------------------------------------------
def test_the_reps_team_default_comes_first(shop):
    org = shop["org"]
    other = make_warehouse()
    _set_default(org.units["EAST-1"], other)
    assert default_warehouse_for(user=org["rep1"], customer=shop["customer"]) == other


def test_a_default_set_higher_up_the_tree_applies_to_the_teams_below(shop):
    org = shop["org"]
    region = make_warehouse()
    _set_default(org.units["EAST"], region)
    assert default_warehouse_for(user=org["rep3"], customer=shop["other_team_customer"]) == region
    team = make_warehouse()
    _set_default(org.units["EAST-2"], team)  # the nearest unit wins
    assert default_warehouse_for(user=org["rep3"], customer=shop["other_team_customer"]) == team


def test_someone_who_is_not_a_rep_gets_the_customers_team_default(shop):
    org = shop["org"]
    east1, east2 = make_warehouse(), make_warehouse()
    _set_default(org.units["EAST-1"], east1)
    _set_default(org.units["EAST-2"], east2)
    assert default_warehouse_for(user=org["manager"], customer=shop["other_team_customer"]) == east2
    assert default_warehouse_for(user=org["manager"], customer=shop["customer"]) == east1


def test_an_inactive_default_is_skipped(shop):
    org = shop["org"]
    closed = make_warehouse()
    Warehouse.objects.filter(pk=closed.pk).update(active=False)
    _set_default(org.units["EAST-1"], closed)
    # the only active warehouse is the shop's
    assert default_warehouse_for(user=org["rep1"], customer=shop["customer"]) == shop["warehouse"]


def test_the_only_active_warehouse_without_any_default_and_none_with_two(shop):
    org = shop["org"]
    assert default_warehouse_for(user=org["rep1"], customer=shop["customer"]) == shop["warehouse"]
    make_warehouse()
    assert default_warehouse_for(user=org["rep1"], customer=shop["customer"]) is None


def test_the_order_service_applies_the_same_default_when_none_is_given(shop):
    org = shop["org"]
    other = make_warehouse()
    _set_default(org.units["EAST-1"], other)
    order = services.order_create(
        actor=org["rep1"],
        customer=shop["customer"],
        payment="credit",
        lines=[{"product": shop["p1"].pk, "quantity": 1}],
    )
    assert order.warehouse == other


# --- payment -----------------------------------------------------------------------------------------
def test_a_customer_with_an_approved_limit_buys_on_credit_with_their_terms(shop):
    CreditFile.objects.filter(customer=shop["customer"]).update(payment_terms_days=45)
    assert payment_for(shop["customer"]) == ("credit", 45)


@pytest.mark.parametrize(
    "credit_file", [None, {"limit": Decimal("0")}, {"limit": Decimal("500"), "active": False}], ids=str
)
def test_without_an_approved_limit_the_sale_is_cash(shop, credit_file):
    customer = make_customer(owner=shop["org"]["rep1"])
    if credit_file is not None:
        CreditFile.objects.create(customer=customer, **credit_file)
    assert payment_for(customer) == ("cash", None)


def test_defaults_for_no_customer_leave_the_payment_open(shop):
    defaults = order_defaults(user=shop["org"]["rep1"], customer=None)
    assert defaults.warehouse == shop["warehouse"] and defaults.payment_terms_days is None


# --- the page ------------------------------------------------------------------------------------------
def test_the_new_order_from_the_customer_page_starts_with_their_defaults(shop, client):
    org = shop["org"]
    CreditFile.objects.filter(customer=shop["customer"]).update(payment_terms_days=60)
    other = make_warehouse()
    _set_default(org.units["EAST-1"], other)
    client.force_login(org["rep1"])
    page = client.get(reverse("sales-order-new") + f"?customer={shop['customer'].pk}").content.decode()
    assert _selected(page, "customer") == str(shop["customer"].pk)
    assert _selected(page, "payment") == "credit"
    assert _selected(page, "warehouse") == str(other.pk)
    assert "payment terms: 60 days" in page


def test_a_cash_customer_page_preselects_cash_and_says_why(shop, client):
    client.force_login(shop["org"]["rep1"])
    page = client.get(reverse("sales-order-new") + f"?customer={shop['no_credit'].pk}").content.decode()
    assert _selected(page, "payment") == "cash"
    assert "no approved credit limit" in page


def test_a_customer_one_may_not_sell_to_gives_no_defaults(shop, client):
    client.force_login(shop["org"]["rep1"])
    page = client.get(reverse("sales-order-new") + f"?customer={shop['other_team_customer'].pk}").content.decode()
    assert _selected(page, "customer") == ""
    assert _selected(page, "payment") == ""


def test_choosing_the_customer_on_the_page_fetches_their_defaults(shop, client):
    client.force_login(shop["org"]["rep1"])
    form = OrderForm(user=shop["org"]["rep1"])
    assert form.fields["customer"].widget.attrs["hx-get"] == reverse("sales-order-defaults")
    answer = client.get(reverse("sales-order-defaults"), {"customer": shop["no_credit"].pk}, HTTP_HX_REQUEST="true")
    assert answer.status_code == 200 and answer["HX-Trigger-After-Swap"] == "orderDefaults"
    fragment = answer.content.decode()
    assert _selected(fragment, "payment") == "cash"
    assert _selected(fragment, "warehouse") == str(shop["warehouse"].pk)
    answer = client.get(reverse("sales-order-defaults"), {"customer": shop["customer"].pk})
    assert _selected(answer.content.decode(), "payment") == "credit"
    assert "payment terms: 30 days" in answer.content.decode()


@pytest.mark.parametrize("customer", ["other_team_customer", "x", "99999999999"])
def test_the_defaults_fragment_never_tells_about_a_customer_one_may_not_see(shop, client, customer):
    client.force_login(shop["org"]["rep1"])
    value = shop[customer].pk if customer in shop else customer
    answer = client.get(reverse("sales-order-defaults"), {"customer": value})
    assert answer.status_code == 200
    assert _selected(answer.content.decode(), "payment") == ""
    assert "payment terms" not in answer.content.decode()


def test_the_defaults_fragment_is_for_sellers_only(shop, client):
    client.force_login(shop["org"]["finance"])
    assert client.get(reverse("sales-order-defaults"), {"customer": shop["customer"].pk}).status_code == 404


def test_the_edit_page_shows_the_customers_terms(shop, client):
    order = services.order_create(
        actor=shop["org"]["rep1"],
        customer=shop["customer"],
        payment="credit",
        lines=[{"product": shop["p1"].pk, "quantity": 1}],
        warehouse=shop["warehouse"],
    )
    client.force_login(shop["org"]["rep1"])
    page = client.get(reverse("sales-order-edit", args=[order.pk])).content.decode()
    assert "payment terms: 30 days" in page and _selected(page, "payment") == "credit"


def test_the_admin_sets_a_units_default_warehouse_on_its_page(shop, client):
    org = shop["org"]
    unit = org.units["EAST-1"]
    client.force_login(org["admin"])
    answer = client.post(
        reverse("org-unit-edit", args=[unit.pk]),
        {
            "name": unit.name,
            "code": unit.code,
            "kind": unit.kind,
            "parent": unit.parent_id,
            "active": "on",
            "default_warehouse": shop["warehouse"].pk,
        },
    )
    assert answer.status_code == 302
    unit.refresh_from_db()
    assert unit.default_warehouse == shop["warehouse"]


# --- the product picker ----------------------------------------------------------------------------------
def test_the_product_pickers_offer_only_sellable_products(shop, client):
    raw = product_create(sku="RM-TEST", name="小麦", list_price=Decimal("0"))
    product_set_status(product=raw, status=Product.Status.APPROVED, actor=None)
    client.force_login(shop["org"]["rep1"])
    for url in (reverse("sales-order-new"), reverse("sales-quote-new")):
        page = client.get(url).content.decode()
        assert f'value="{shop["p1"].pk}"' in page
        assert "RM-TEST" not in page
