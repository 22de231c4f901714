import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from stdnum import ean

from salesops.approvals.models import ApprovalRequest
from salesops.catalog import services
from salesops.catalog.models import UNASSIGNED_FAMILY, BomLine, Product, ean13_check_digit, ean13_is_valid
from salesops.catalog.selectors import bom_explode, price_for, prices_for
from salesops.core.exceptions import ValidationFailed
from salesops.inventory.tests.factories import approve_all, make_product

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("code", ["6901234567892", "4006381333931", "9780201379624"])
def test_valid_ean13_agrees_with_stdnum(code):
    assert ean13_is_valid(code)
    assert ean.is_valid(code)


@pytest.mark.parametrize("code", ["6901234567891", "690123456789", "69012345678921", "69012345678X2", ""])
def test_invalid_ean13_is_refused(code):
    assert not ean13_is_valid(code)


def test_check_digit_matches_stdnum_for_many_codes():
    for n in range(0, 10**12, 7919 * 10**6 + 13):
        first12 = f"{n:012d}"
        assert str(ean13_check_digit(first12)) == ean.calc_check_digit(first12)


def test_barcode_with_wrong_check_digit_is_refused_and_nothing_saved(org):
    product = make_product("FL-1")
    with pytest.raises(ValidationFailed) as error:
        services.barcode_add(product=product, code="6901234567891", actor=org["purchasing"])
    assert "code" in error.value.fields
    assert product.barcodes.count() == 0


def test_several_barcodes_per_product_and_no_barcode_twice(org):
    product = make_product("FL-1")
    other = make_product("FL-2")
    services.barcode_add(product=product, code="6901234567892", actor=org["purchasing"])
    services.barcode_add(product=product, code="4006381333931", actor=org["purchasing"])
    assert sorted(product.barcodes.values_list("code", flat=True)) == ["4006381333931", "6901234567892"]
    with pytest.raises(ValidationFailed):
        services.barcode_add(product=other, code="6901234567892", actor=org["purchasing"])


def test_packaging_unit_converts_to_base_units(org):
    product = make_product("NO-1", unit="袋")
    carton = services.packaging_add(product=product, name="箱", name_en="carton", factor=24, actor=org["purchasing"])
    assert carton.to_base(Decimal("3")) == Decimal("72")


def test_names_follow_the_page_language():
    from django.utils import translation

    product = make_product("FL-1", name="高筋面粉", name_en="Bread flour", spec="25kg", spec_en="25 kg")
    with translation.override("zh-hans"):
        assert product.display_name == "高筋面粉"
    with translation.override("en"):
        assert product.display_name == "Bread flour"


def test_bom_cycle_is_refused_with_the_loop_named(org):
    a, b, c = make_product("A"), make_product("B"), make_product("C")
    actor = org["planner"]
    services.bom_line_add(parent=a, component=b, quantity=1, actor=actor)
    services.bom_line_add(parent=b, component=c, quantity=2, actor=actor)
    with pytest.raises(ValidationFailed) as error:
        services.bom_line_add(parent=c, component=a, quantity=1, actor=actor)
    assert "C → A → B → C" in str(error.value.message)
    assert error.value.code == "bom_cycle"
    assert BomLine.objects.count() == 2


def test_bom_cycle_message_reads_from_the_new_parent():
    a, b, c = make_product("A"), make_product("B"), make_product("C")
    services.bom_line_add(parent=b, component=c, quantity=1, actor=None)
    services.bom_line_add(parent=c, component=a, quantity=1, actor=None)
    with pytest.raises(ValidationFailed) as error:
        services.bom_line_add(parent=a, component=b, quantity=1, actor=None)
    assert "A → B → C → A" in str(error.value.message)


def test_multi_level_bom_explodes_with_scrap_and_dates():
    noodle, flour, wheat, bag = (
        make_product("NOODLE"),
        make_product("FLOUR"),
        make_product("WHEAT"),
        make_product("BAG"),
    )
    today = datetime.date(2026, 6, 1)
    services.bom_line_add(
        parent=noodle,
        component=flour,
        quantity=Decimal("0.5"),
        scrap_pct=Decimal("2"),
        valid_from=datetime.date(2026, 1, 1),
        actor=None,
    )
    services.bom_line_add(parent=noodle, component=bag, quantity=1, valid_from=datetime.date(2026, 1, 1), actor=None)
    services.bom_line_add(
        parent=flour, component=wheat, quantity=Decimal("1.25"), valid_from=datetime.date(2026, 1, 1), actor=None
    )
    services.bom_line_add(
        parent=flour,
        component=bag,
        quantity=Decimal("0.04"),
        valid_from=datetime.date(2026, 1, 1),
        valid_to=datetime.date(2026, 3, 31),
        actor=None,
    )
    nodes = bom_explode(product=noodle, on_date=today)
    assert [(n.level, n.line.component.sku, n.quantity) for n in nodes] == [
        (1, "BAG", Decimal("1.0000")),
        (1, "FLOUR", Decimal("0.5100")),
        (2, "WHEAT", Decimal("0.6375")),
    ]
    earlier = bom_explode(product=noodle, on_date=datetime.date(2026, 2, 1))
    assert ("BAG", 2) in [(n.line.component.sku, n.level) for n in earlier]


def test_new_product_goes_through_the_approval_engine(org):
    product = services.product_create(sku="NEW-1", name="新品", actor=org["purchasing"])
    assert product.status == Product.Status.DRAFT and not product.sellable
    product = services.product_submit(product=product, actor=org["purchasing"])
    assert product.status == Product.Status.PENDING
    request = ApprovalRequest.objects.get(doc_type="new_product", object_id=str(product.pk))
    approve_all(request)
    product.refresh_from_db()
    assert product.status == Product.Status.APPROVED and product.sellable


def test_price_change_applies_on_its_date_keeps_history_and_tells_finance(org):
    from salesops.catalog.models import PriceHistory
    from salesops.core.models import Notification

    product = make_product("FL-1", list_price=Decimal("40.00"))
    effective = datetime.date.today() + datetime.timedelta(days=3)
    change = services.price_change_create(
        effective_date=effective, reason="小麦涨价", actor=org["purchasing"], lines=[(product, Decimal("42.50"))]
    )
    assert change.lines.get().old_price == Decimal("40.00")
    services.price_change_submit(change=change, actor=org["purchasing"])
    approve_all(ApprovalRequest.objects.get(doc_type="price_change", object_id=str(change.pk)))
    change.refresh_from_db()
    assert change.status == "approved"
    product.refresh_from_db()
    assert product.list_price == Decimal("40.00")  # not yet

    assert services.price_changes_apply_due(now=None) == 0
    later = datetime.datetime.combine(effective, datetime.time(1), tzinfo=datetime.UTC)
    assert services.price_changes_apply_due(now=later) == 1
    product.refresh_from_db()
    change.refresh_from_db()
    assert product.list_price == Decimal("42.50") and change.status == "applied"
    history = PriceHistory.objects.get()
    assert (history.old_price, history.new_price, history.effective_date) == (
        Decimal("40.00"),
        Decimal("42.50"),
        effective,
    )
    assert Notification.objects.filter(user=org["finance"], kind="price_change").count() == 1
    assert services.price_changes_apply_due(now=later) == 0  # idempotent


def test_price_for_uses_channel_list_then_default_list_then_list_price(org):
    product = make_product("FL-1", list_price=Decimal("40"))
    day = datetime.date(2026, 5, 1)
    assert price_for(product=product, on_date=day) == Decimal("40")
    default = services.price_list_create(
        code="STD", name="标准价", valid_from=datetime.date(2026, 1, 1), is_default=True, actor=None
    )
    services.price_list_set_prices(
        price_list=default, prices={product.pk: Decimal("39")}, valid_from=datetime.date(2026, 1, 1), actor=None
    )
    supermarket = services.price_list_create(
        code="KA", name="商超价", channel="supermarket", valid_from=datetime.date(2026, 1, 1), actor=None
    )
    services.price_list_set_prices(
        price_list=supermarket, prices={product.pk: Decimal("37")}, valid_from=datetime.date(2026, 4, 1), actor=None
    )

    class Customer:
        channel = "supermarket"

    class Other:
        channel = "restaurant"

    assert price_for(product=product, on_date=day) == Decimal("39")
    assert price_for(product=product, customer=Customer(), on_date=day) == Decimal("37")
    assert price_for(product=product, customer=Customer(), on_date=datetime.date(2026, 3, 1)) == Decimal("39")
    assert price_for(product=product, customer=Other(), on_date=day) == Decimal("39")


def test_prices_for_many_products_in_one_query(org):
    channel_priced, default_priced, unpriced = (
        make_product(code, list_price=Decimal("40")) for code in ("FL-1", "FL-2", "FL-3")
    )
    start = datetime.date(2026, 1, 1)
    default = services.price_list_create(code="STD", name="标准价", valid_from=start, is_default=True, actor=None)
    services.price_list_set_prices(
        price_list=default,
        prices={channel_priced.pk: Decimal("39"), default_priced.pk: Decimal("38")},
        valid_from=start,
        actor=None,
    )
    supermarket = services.price_list_create(
        code="KA", name="商超价", channel="supermarket", valid_from=start, actor=None
    )
    services.price_list_set_prices(
        price_list=supermarket, prices={channel_priced.pk: Decimal("37")}, valid_from=start, actor=None
    )

    class Customer:
        channel = "supermarket"

    products = [channel_priced, default_priced, unpriced]
    with CaptureQueriesContext(connection) as context:
        prices = prices_for(products=products, customer=Customer(), on_date=datetime.date(2026, 5, 1))
    assert prices == {channel_priced.pk: Decimal("37"), default_priced.pk: Decimal("38"), unpriced.pk: Decimal("40")}
    assert len(context.captured_queries) == 1
    assert prices_for(products=products, on_date=datetime.date(2026, 5, 1))[channel_priced.pk] == Decimal("39")


def test_price_list_change_closes_the_old_item_and_keeps_it(org):
    product = make_product("FL-1", list_price=Decimal("40"))
    plist = services.price_list_create(
        code="STD", name="标准价", valid_from=datetime.date(2026, 1, 1), is_default=True, actor=None
    )
    services.price_list_set_prices(
        price_list=plist, prices={product.pk: Decimal("39")}, valid_from=datetime.date(2026, 1, 1), actor=None
    )
    change = services.price_change_create(
        effective_date=datetime.date(2026, 7, 1),
        reason="调价",
        price_list=plist,
        lines=[(product, Decimal("41"))],
        actor=org["purchasing"],
    )
    change.status = "approved"
    change.save()
    services.price_change_apply(change=change)
    items = list(plist.items.order_by("valid_from").values_list("price", "valid_from", "valid_to"))
    assert items == [
        (Decimal("39.00"), datetime.date(2026, 1, 1), datetime.date(2026, 6, 30)),
        (Decimal("41.00"), datetime.date(2026, 7, 1), None),
    ]
    assert price_for(product=product, on_date=datetime.date(2026, 6, 30)) == Decimal("39")
    assert price_for(product=product, on_date=datetime.date(2026, 7, 1)) == Decimal("41")


# --- every product belongs to a family ---------------------------------------------------------------
def test_a_product_made_by_code_without_a_family_lands_in_unassigned(org):
    product = services.product_create(sku="NF-1", name="无分类", actor=org["purchasing"], family=None)
    assert product.family.code == UNASSIGNED_FAMILY and product.family.name == "未分类"
    assert product.family.path == f"/{product.family.pk}/"
    again = services.product_create(sku="NF-2", name="无分类2", actor=org["purchasing"])
    assert again.family_id == product.family_id
    with pytest.raises(ValidationFailed) as error:
        services.product_update(product=product, data={"family": None}, actor=org["purchasing"])
    assert "family" in error.value.fields


def test_the_product_form_refuses_a_product_without_a_family(org, client):
    family = services.family_create(code="FLOUR", name="面粉")
    client.force_login(org["purchasing"])
    page = client.get(reverse("product-new")).content.decode()
    assert 'name="initial-family"' not in page and "selected>未分类" not in page
    data = {"sku": "NF-1", "name": "新品", "unit": "袋", "cost": "1", "list_price": "2", "tax_rate": "13.00"}
    data.update(source="buy", lead_time_days="0", lot_rule="LFL", lot_qty="0", safety_stock="0")
    data.update(quantity_decimals="0", order_multiple="0", min_order_qty="0", yield_pct="100")
    data.update(expiry_warning_days="30", active="on")
    refused = client.post(reverse("product-new"), data)
    assert refused.status_code == 200 and refused.context["form"].errors.keys() == {"family"}
    assert not Product.objects.filter(sku="NF-1").exists()
    client.post(reverse("product-new"), {**data, "family": family.pk})
    assert Product.objects.get(sku="NF-1").family == family


def test_the_api_refuses_a_product_without_a_family(org, api):
    family = services.family_create(code="FLOUR", name="面粉")
    client = api(org["purchasing"])
    for body in [{"sku": "NF-1", "name": "新品"}, {"sku": "NF-1", "name": "新品", "family": None}]:
        response = client.post("/api/v1/products/", body, format="json")
        assert response.status_code == 400 and "family" in str(response.json())
    assert not Product.objects.filter(sku="NF-1").exists()
    made = client.post("/api/v1/products/", {"sku": "NF-1", "name": "新品", "family": family.pk}, format="json")
    assert made.status_code == 201
    product_id = made.json()["id"]
    cleared = client.patch(f"/api/v1/products/{product_id}/", {"family": None}, format="json")
    assert cleared.status_code == 400 and Product.objects.get(pk=product_id).family == family
