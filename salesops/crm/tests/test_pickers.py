"""Type-ahead pickers and the phone actions of the customer page: customers by name, code and
pinyin initials within the user's scope; only sellable products (never raw materials or
packaging); the customer page's order, quote, visit, call and navigate actions."""

import datetime
import re
from decimal import Decimal

import pytest
from django.test import Client

from salesops.catalog import selectors as catalog
from salesops.catalog import services as catalog_services
from salesops.catalog.models import Product
from salesops.crm import services
from salesops.crm.forms import ActivityForm

pytestmark = pytest.mark.django_db


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def product(sku, name, price, status=Product.Status.APPROVED):
    made = catalog_services.product_create(sku=sku, name=name, list_price=Decimal(price))
    Product.objects.filter(pk=made.pk).update(status=status)
    return made


@pytest.fixture
def range_(org):
    return {
        "flour": product("FL-01-25KG", "高筋小麦粉", "110.00"),
        "oil": product("OIL-01-5L", "花生油", "89.00"),
        "wheat": product("RM-WHEAT", "小麦", "0"),
        "carton": product("PK-CARTON", "纸箱", "0"),
        "draft": product("FL-09-1KG", "新品小麦粉", "9.00", status=Product.Status.DRAFT),
    }


def test_only_priced_approved_products_are_sellable(org, range_):
    sellable = catalog.sellable_product_list_for_user(user=org["rep1"])
    assert sorted(p.sku for p in sellable) == ["FL-01-25KG", "OIL-01-5L"]


def test_a_raw_material_on_a_price_list_becomes_sellable(org, range_):
    price_list = catalog_services.price_list_create(
        code="STD", name="Standard", valid_from=datetime.date(2026, 1, 1), actor=org["admin"]
    )
    catalog_services.price_list_set_prices(
        price_list=price_list,
        prices={range_["wheat"].pk: Decimal("3.20")},
        valid_from=datetime.date(2026, 1, 1),
        actor=org["admin"],
    )
    assert "RM-WHEAT" in {p.sku for p in catalog.sellable_product_list_for_user(user=org["rep1"])}


@pytest.mark.parametrize(
    "query, skus",
    [
        ("gjxmf", ["FL-01-25KG"]),  # pinyin initials of 高筋小麦粉
        ("huasheng", ["OIL-01-5L"]),  # full pinyin
        ("fl-01", ["FL-01-25KG"]),  # code
        ("小麦", ["FL-01-25KG"]),  # Chinese name, raw wheat excluded
        ("xm", ["FL-01-25KG"]),
    ],
)
def test_product_search_by_code_name_and_pinyin_only_sellable(org, range_, query, skus):
    products = catalog.sellable_product_list_for_user(user=org["rep1"])
    assert [p.sku for p in catalog.product_search(products=products, query=query)] == skus


def test_product_api_answers_the_picker(org, range_, api):
    response = api(org["rep1"]).get("/api/v1/products/?sellable=true&q=xm")
    assert response.status_code == 200
    rows = response.data["results"] if isinstance(response.data, dict) else response.data
    assert [row["sku"] for row in rows] == ["FL-01-25KG"]
    everything = api(org["purchasing"]).get("/api/v1/products/?q=xm").data
    rows = everything["results"] if isinstance(everything, dict) else everything
    assert {row["sku"] for row in rows} == {"FL-01-25KG", "RM-WHEAT", "FL-09-1KG"}


def test_customer_picker_finds_by_initials_within_the_scope(org):
    services.lead_register(actor=org["rep1"], name="杭州好又多超市", phone="13800138000")
    services.lead_register(actor=org["rep3"], name="杭州华联超市", phone="13800138001")
    mine = client_for(org["rep1"]).get("/customers/pick/?q=hz").json()["results"]
    assert [row["label"] for row in mine] == ["杭州好又多超市"]
    assert "13800138000" not in str(mine)
    everyone = client_for(org["salesadmin"]).get("/customers/pick/?q=hzhl").json()["results"]
    assert [row["label"] for row in everyone] == ["杭州华联超市"]
    assert client_for(org["warehouse"]).get("/customers/pick/?q=hz").status_code == 404


def test_the_picker_widget_renders_only_the_chosen_customer(org):
    chosen = services.lead_register(actor=org["rep1"], name="甲客户", phone="13800138000")
    services.lead_register(actor=org["rep1"], name="乙客户", phone="13800138001")
    html = str(ActivityForm(initial={"customer": chosen.pk})["customer"])
    assert 'data-typeahead="/customers/pick/"' in html
    assert "甲客户" in html and "乙客户" not in html


def test_customer_page_has_the_phone_actions(org):
    customer = services.lead_register(actor=org["rep1"], name="带坐标的客户", phone="13800138000")
    services.customer_update(
        customer=customer, data={"latitude": Decimal("30.25"), "longitude": Decimal("120.16")}, actor=org["rep1"]
    )
    page = client_for(org["rep1"]).get(f"/customers/{customer.pk}/").content.decode()
    assert f"/sales/orders/new/?customer={customer.pk}" in page
    assert f"/sales/quotes/new/?customer={customer.pk}" in page
    assert f"/activities/new/?customer={customer.pk}&amp;kind=visit" in page
    assert 'href="tel:13800138000"' in page
    assert "geo:30.250000,120.160000" in page


def test_log_visit_starts_as_a_visit_now(org):
    customer = services.lead_register(actor=org["rep1"], name="拜访客户", phone="13800138000")
    page = client_for(org["rep1"]).get(f"/activities/new/?customer={customer.pk}&kind=visit").content.decode()
    assert 'value="visit" selected' in page or 'value="visit" checked' in page
    # now, in the only format a datetime-local input shows
    assert re.search(r'name="occurred_at" value="\d{4}-\d{2}-\d{2}T\d{2}:\d{2}"', page)
