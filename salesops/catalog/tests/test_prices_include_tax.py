"""`PriceList.prices_include_tax` (含税价 or not) through the API, the price-list page and the
price import and export."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from salesops.catalog import importing, services
from salesops.catalog.models import ImportBatch, PriceChange, PriceList
from salesops.inventory.tests.factories import make_product

pytestmark = pytest.mark.django_db

PRICE_HEADER = "sku,price,effective_date,price_list,prices_include_tax\n"


def price_file(*rows: str) -> bytes:
    return (PRICE_HEADER + "\n".join(rows) + "\n").encode("utf-8")


@pytest.fixture
def lists():
    gross = services.price_list_create(code="STD", name="标准价", valid_from="2026-01-01", actor=None)
    net = services.price_list_create(
        code="NET", name="不含税价", valid_from="2026-01-01", prices_include_tax=False, actor=None
    )
    return gross, net


def test_the_api_reads_and_writes_the_flag(org, api):
    client = api(org["salesadmin"])
    created = client.post(
        "/api/v1/price-lists/",
        {"code": "EXP", "name": "Export", "valid_from": "2026-01-01", "prices_include_tax": False},
        format="json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["prices_include_tax"] is False
    assert PriceList.objects.get(code="EXP").prices_include_tax is False
    default = client.post("/api/v1/price-lists/", {"code": "DOM", "name": "Domestic", "valid_from": "2026-01-01"})
    assert default.json()["prices_include_tax"] is True  # 含税价 unless said otherwise
    listed = {row["code"]: row["prices_include_tax"] for row in client.get("/api/v1/price-lists/").json()["results"]}
    assert listed == {"EXP": False, "DOM": True}


def test_the_price_list_page_sets_and_shows_the_flag(org, client):
    client.force_login(org["salesadmin"])
    page = client.get("/prices/lists/")
    assert 'name="prices_include_tax"' in page.content.decode()
    response = client.post(
        "/prices/lists/", {"code": "NET", "name": "Net prices", "valid_from": "2026-01-01", "currency": "CNY"}
    )
    assert response.status_code == 302
    assert PriceList.objects.get(code="NET").prices_include_tax is False  # an unticked box: without VAT
    client.post(
        "/prices/lists/",
        {"code": "GROSS", "name": "Gross", "valid_from": "2026-01-01", "currency": "CNY", "prices_include_tax": "on"},
    )
    assert PriceList.objects.get(code="GROSS").prices_include_tax is True
    text = client.get("/prices/lists/").content.decode()
    assert "incl. VAT" in text and "excl. VAT" in text


def test_the_page_shows_the_flag_in_chinese(org, client, lists):
    client.force_login(org["salesadmin"])
    text = client.get("/prices/lists/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "不含税" in text and "含税" in text


def test_a_price_file_that_agrees_with_its_lists_imports(org, lists):
    make_product("FL-001", list_price=Decimal("110"))
    content = price_file(
        "FL-001,115,2026-12-01,STD,yes", "FL-001,101.77,2026-12-01,NET,不含税", "FL-001,116,2026-12-01,,含税"
    )
    batch = importing.import_batch_create(kind="prices", filename="p.csv", content=content, actor=org["purchasing"])
    assert batch.bad_rows == []
    importing.import_batch_commit(batch=batch, actor=org["purchasing"])
    changes = {str(change.price_list or ""): change for change in PriceChange.objects.all()}
    assert changes["不含税价"].lines.get().new_price == Decimal("101.77")
    assert set(changes) == {"标准价", "不含税价", ""}


def test_a_price_with_the_other_tax_treatment_than_its_list_is_refused(org, lists):
    make_product("FL-001", list_price=Decimal("110"))
    content = price_file(
        "FL-001,115,2026-12-01,NET,yes",  # gross price into a net list
        "FL-001,101.77,2026-12-01,STD,no",  # net price into a gross list
        "FL-001,101.77,2026-12-02,,no",  # net price as the list price, which includes VAT
        "FL-001,101.77,2026-12-03,NET,maybe",
        "FL-001,101.77,2026-12-04,NET,",  # no answer: the list's own treatment
    )
    batch = importing.import_batch_create(kind="prices", filename="p.csv", content=content, actor=org["purchasing"])
    errors = [row["errors"] for row in batch.rows]
    assert "without VAT" in errors[0][0] and "NET" in errors[0][0]
    assert "include VAT" in errors[1][0] and "STD" in errors[1][0]
    assert "include VAT" in errors[2][0]
    assert "yes or no" in errors[3][0]
    assert errors[4] == []
    importing.import_batch_commit(batch=batch, actor=org["purchasing"], only_good_rows=True)
    assert PriceChange.objects.get().lines.get().new_price == Decimal("101.77")


def test_a_file_without_the_column_still_imports(org):
    make_product("FL-001", list_price=Decimal("110"))
    content = b"sku,price,effective_date,price_list\nFL-001,115,2026-12-01,\n"
    batch = importing.import_batch_create(kind="prices", filename="p.csv", content=content, actor=org["purchasing"])
    assert batch.bad_rows == []
    assert batch.rows[0]["data"]["prices_include_tax"] == ""


def test_the_price_export_fills_the_column_and_reads_back(org, client):
    make_product("FL-001", list_price=Decimal("110"))
    client.force_login(org["purchasing"])
    response = client.get("/products/export/prices.xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [cell.value for cell in sheet[1]]
    assert header == importing.PRICE_COLUMNS
    assert sheet[2][header.index("prices_include_tax")].value == "yes"
    upload = SimpleUploadedFile("prices.xlsx", response.content)
    client.post("/products/import/", {"kind": "prices", "file": upload})
    assert ImportBatch.objects.get().bad_rows == []
