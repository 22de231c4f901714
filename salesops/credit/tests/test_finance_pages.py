"""The finance lists on a phone and by period: the ageing table scrolls inside its own box
(`table-wrap`), receipts and statements filter by month (the last six) and by a date range,
the ageing jumps to a month end; the Excel export follows the filters."""

import datetime
import io
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from salesops.credit import receipts, statements
from salesops.credit.ledger import month_start
from salesops.credit.tests.factories import make_customer, make_invoice

pytestmark = pytest.mark.django_db


def months_back(count: int) -> datetime.date:
    day = month_start(timezone.localdate())
    for _ in range(count):
        day = month_start(day - datetime.timedelta(days=1))
    return day


@pytest.fixture
def books(org):
    """Receipts received this month, two months ago and fifteen months ago; statements of the
    last month and of two months ago."""
    customer = make_customer(org, "rep1", name="Alpha")
    finance = org["finance"]
    made = {}
    for label, back in (("now", 0), ("two", 2), ("old", 15)):
        day = months_back(back) + datetime.timedelta(days=3)
        make_invoice(customer, "100.00", issue_date=day - datetime.timedelta(days=1))
        made[label] = receipts.receipt_record(
            actor=finance, customer=customer, amount=Decimal("40.00"), received_on=min(day, timezone.localdate())
        )
    for back in (1, 2):
        statements.statement_create(customer=customer, period_start=months_back(back), actor=finance)
    return made


def numbers(response) -> set[str]:
    return set(re.findall(r"RC-\d{4}-\d{6}|SOA-\d{4}-\d{6}", response.content.decode()))


def test_the_ageing_table_scrolls_inside_its_own_box(org, books, client):
    client.force_login(org["finance"])
    page = client.get(f"/receivables/ageing/?as_of={months_back(1) + datetime.timedelta(days=5)}")
    text = page.content.decode()
    assert re.search(r'<div class="table-wrap">\s*<table class="responsive striped" data-testid="ageing-table">', text)
    key = re.search(r"key=(\d+)#detail", text).group(1)
    detail = client.get(f"/receivables/ageing/?as_of={timezone.localdate()}&key={key}").content.decode()
    assert re.search(
        r'<div class="table-wrap">\s*<table class="responsive striped" data-testid="ageing-detail">', detail
    )


def test_the_ageing_jumps_to_a_month_end(org, books, client):
    client.force_login(org["finance"])
    text = client.get("/receivables/ageing/?group_by=rep").content.decode()
    last_month_end = month_start(timezone.localdate()) - datetime.timedelta(days=1)
    assert f'href="?as_of={last_month_end}&group_by=rep"' in text
    assert text.count('data-testid="ageing-month-ends"') == 1
    chosen = client.get(f"/receivables/ageing/?as_of={last_month_end}&group_by=rep").content.decode()
    assert re.search(rf'class="chip active" href="\?as_of={last_month_end}&group_by=rep"', chosen)


def test_receipts_filter_by_month_and_by_dates(org, books, client):
    client.force_login(org["finance"])
    everything = numbers(client.get("/receipts/"))
    assert {books["now"].number, books["two"].number, books["old"].number} <= everything
    month = f"{months_back(2):%Y-%m}"
    by_month = client.get(f"/receipts/?month={month}")
    assert numbers(by_month) == {books["two"].number}
    assert re.search(rf'class="chip active" href="[^"]*">{month}</a>', by_month.content.decode())
    # fifteen months back is beyond the chips: the date range reaches it
    old_day = books["old"].received_on
    by_dates = client.get(f"/receipts/?date_from={old_day}&date_to={old_day}")
    assert numbers(by_dates) == {books["old"].number}
    assert f'value="{old_day}"' in by_dates.content.decode()
    # the export is the filtered list
    export = client.get(f"/receipts/?date_from={old_day}&date_to={old_day}&export=xlsx")
    sheet = load_workbook(io.BytesIO(export.content)).active
    assert [row[0].value for row in sheet.iter_rows(min_row=2)] == [books["old"].number]
    # a date that does not parse is ignored, not an error
    assert numbers(client.get("/receipts/?date_from=2026-13-45")) == everything
    nothing = client.get(f"/receipts/?date_from={timezone.localdate() + datetime.timedelta(days=1)}")
    assert "Nothing matches" in nothing.content.decode()


def test_statements_filter_by_month_and_by_dates(org, books, client):
    from salesops.credit.models import Statement

    client.force_login(org["finance"])
    last, before = (Statement.objects.get(period_start=months_back(back)) for back in (1, 2))
    assert numbers(client.get("/statements/")) >= {last.number, before.number}
    assert numbers(client.get(f"/statements/?month={months_back(1):%Y-%m}")) == {last.number}
    ranged = client.get(f"/statements/?date_from={months_back(2)}&date_to={months_back(2)}")
    assert numbers(ranged) == {before.number}
    assert 'data-testid="date-range"' in ranged.content.decode()


def test_the_filters_read_in_chinese(org, books, client):
    client.force_login(org["finance"])
    receipts_page = client.get("/receipts/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "收款月份" in receipts_page
    ageing_page = client.get("/receivables/ageing/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "月末" in ageing_page
    statements_page = client.get("/statements/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "对账月份" in statements_page
