"""List cells read the way the formatting helper writes (`Column.kind`, or the value's type),
while the Excel export keeps typed values: numbers stay numbers, datetimes are the company's
wall-clock time."""

import datetime
import io
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from openpyxl import load_workbook

from salesops.core.export import xlsx_bytes
from salesops.core.listing import Column, ListPage
from salesops.core.models import Company
from salesops.core.selectors import company_zone

pytestmark = pytest.mark.django_db  # the company's time zone is read from the database

# 01:26 on 3 Dec 2026 in Beijing is 17:26 on 2 Dec in UTC
ISSUED = datetime.datetime(2026, 12, 2, 17, 26, tzinfo=datetime.UTC)
ROW = SimpleNamespace(
    total=Decimal("286.610000000000"),
    price=Decimal("1234.5"),
    quantity=Decimal("12.500000"),
    product=SimpleNamespace(quantity_decimals=0),
    rate=Decimal("12.50"),
    issued_at=ISSUED,
    day=datetime.date(2026, 12, 3),
    paid=True,
    note=None,
    count=1200,
)


def text(column: Column, row=ROW) -> str:
    return column.text(row, column.get(row))


@pytest.mark.parametrize(
    ("column", "expected"),
    [
        (Column("total", "Total", kind="money"), "¥286.61"),
        (Column("price", "Price", kind="money"), "¥1,234.50"),
        (Column("price", "Price", kind="amount"), "1,234.50"),
        (Column("quantity", "Quantity", kind="quantity"), "12.5"),
        (Column("quantity", "Quantity", kind="quantity", unit=lambda r: r.product), "13"),
        (Column("quantity", "Quantity", kind="quantity", unit=2), "12.5"),
        (Column("rate", "Rate", kind="percent"), "12.5%"),
        (Column("issued_at", "Issued", kind="date"), "2026-12-03"),
        (Column("issued_at", "Issued", kind="datetime"), "2026-12-03 01:26"),
        # without a kind, the value's type decides
        (Column("issued_at", "Issued"), "2026-12-03 01:26"),
        (Column("day", "Day"), "2026-12-03"),
        (Column("total", "Total"), "286.61"),
        (Column("rate", "Rate"), "12.50"),
        (Column("count", "Count"), "1200"),
        (Column("note", "Note", kind="money"), ""),
        (Column("note", "Note"), ""),
        (Column("paid", "Paid"), "Yes"),
    ],
)
def test_a_cell_shows_its_formatted_text(column, expected):
    with translation.override("en"):
        assert text(column) == expected


def test_a_yes_no_cell_and_dates_in_chinese():
    with translation.override("zh-hans"):
        assert text(Column("paid", "Paid")) == "是"
        assert text(Column("paid", "Paid"), SimpleNamespace(paid=False)) == "否"
        assert text(Column("issued_at", "Issued")) == "2026-12-03 01:26"
        assert text(Column("total", "Total", kind="money")) == "¥286.61"


def test_a_text_in_a_money_column_is_shown_as_it_is():
    assert text(Column("note", "Note", kind="money", value=lambda r: "n/a")) == "n/a"


def test_an_unknown_kind_is_refused_where_the_column_is_declared():
    with pytest.raises(ValueError, match="unknown column kind"):
        Column("total", "Total", kind="currency")


def test_the_export_keeps_numbers_and_shows_the_company_wall_clock():
    columns = [
        Column("issued_at", "Issued"),
        Column("issued_at", "Issued day", kind="date"),
        Column("total", "Total", kind="money"),
        Column("quantity", "Quantity", kind="quantity", unit=lambda r: r.product),
        Column("rate", "Rate"),
    ]
    row = [column.exported(ROW) for column in columns]
    assert row[2] == Decimal("286.61")
    sheet = load_workbook(io.BytesIO(xlsx_bytes([c.label for c in columns], [row]))).active
    issued, day, total, quantity, rate = (cell.value for cell in sheet[2])
    assert issued == datetime.datetime(2026, 12, 3, 1, 26)
    assert day.date() == datetime.date(2026, 12, 3)
    assert total == 286.61 and isinstance(total, float)
    assert quantity == 13
    assert rate == 12.5


def test_a_decimal_with_many_places_stays_a_number_in_the_workbook():
    sheet = load_workbook(io.BytesIO(xlsx_bytes(["n"], [[Decimal("0.333333333333")]]))).active
    assert isinstance(sheet["A2"].value, float)


def test_the_table_shows_text_and_the_export_typed_values_with_the_same_queries():
    Company.objects.create(name="Fmt Co")
    company_zone()  # the company is read once and cached, as on every page
    users = get_user_model().objects
    users.create(username="fmt-a", date_joined=ISSUED)
    users.create(username="fmt-b", date_joined=ISSUED)
    columns = [
        Column("username", "User", sort="username"),
        Column("date_joined", "Joined"),
        Column("balance", "Balance", value=lambda u: Decimal("1234.5000000"), kind="money", numeric=True),
    ]

    def listing(query=""):
        request = RequestFactory().get(f"/people/{query}")
        queryset = users.filter(username__startswith="fmt-")
        return ListPage(request=request, queryset=queryset, columns=columns, default_sort="username")

    with translation.override("en"), CaptureQueriesContext(connection) as queries:
        context = listing().context()
        cells = [[cell["text"] for cell in row["cells"]] for row in context["rows"]]
    assert cells == [["fmt-a", "2026-12-03 01:26", "¥1,234.50"], ["fmt-b", "2026-12-03 01:26", "¥1,234.50"]]
    assert context["rows"][0]["cells"][2]["value"] == Decimal("1234.5000000")  # a cell template still gets it
    assert [cell["date"] for cell in context["rows"][0]["cells"]] == [False, True, False]  # kept on one line
    assert len(queries) == 2  # the count and the page, as before formatting

    response = listing("?export=xlsx").response()
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [cell.value for cell in sheet[2]] == ["fmt-a", datetime.datetime(2026, 12, 3, 1, 26), 1234.5]


def test_a_number_column_is_right_aligned_without_saying_so():
    assert Column("total", "Total", kind="money").numeric
    assert Column("quantity", "Quantity", kind="quantity").numeric
    assert not Column("issued_at", "Issued", kind="date").numeric
