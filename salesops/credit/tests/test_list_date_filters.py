"""The finance lists built on ListPage carry the shared date filter (from/to and a month): it
narrows the list and its export, and bad input answers the page with a message, never a 500."""

import datetime
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from salesops.core.selectors import company_zone
from salesops.credit import services
from salesops.credit.models import CreditLimitRequest
from salesops.credit.tests.factories import make_credit_file, make_customer, make_invoice

pytestmark = pytest.mark.django_db

LISTS = ["/credit/", "/credit/reviews/", "/credit/limit-changes/", "/reconciliations/"]


@pytest.fixture
def requests_made(org):
    """Two limit changes, created at 23:30 company time on 31 Oct and on 1 Nov 2026."""
    made = []
    for day in (datetime.date(2026, 10, 31), datetime.date(2026, 11, 1)):
        credit_file = make_credit_file(make_customer(org, "rep1"))
        request = services.limit_request_create(
            credit_file=credit_file,
            actor=org["rep1"],
            requested_limit=Decimal("200000.00"),
            requested_terms_days=45,
            reason="more business",
        )
        moment = datetime.datetime.combine(day, datetime.time(23, 30), tzinfo=company_zone())
        CreditLimitRequest.objects.filter(pk=request.pk).update(created_at=moment)
        made.append(request)
    return made


@pytest.mark.parametrize("url", LISTS)
@pytest.mark.parametrize(
    "query", ["?date_from=2026-13-45", "?month=abc", "?date_to=2026-02-30&month=2026-13", "?from=2026-13-45"]
)
def test_bad_dates_answer_the_page_not_an_error(org, client, url, query):
    client.force_login(org["admin"])
    response = client.get(url + query)
    assert response.status_code == 200
    text = response.content.decode()
    assert 'data-testid="date-filter"' in text
    if "date_" in query or "month" in query:
        assert 'data-testid="date-error"' in text


def test_limit_changes_by_month_and_dates_follow_the_company_day(org, client, requests_made):
    october, november = (r.number for r in requests_made)
    client.force_login(org["finance"])
    everything = client.get("/credit/limit-changes/").content.decode()
    assert october in everything and november in everything
    by_month = client.get("/credit/limit-changes/?month=2026-10").content.decode()
    assert october in by_month and november not in by_month
    by_dates = client.get("/credit/limit-changes/?date_from=2026-11-01&date_to=2026-11-30").content.decode()
    assert november in by_dates and october not in by_dates
    assert 'value="2026-11-01"' in by_dates
    nothing = client.get("/credit/limit-changes/?month=2025-01").content.decode()
    assert "Nothing matches" in nothing


def test_the_export_is_what_the_dates_show(org, client, requests_made):
    client.force_login(org["finance"])
    export = client.get("/credit/limit-changes/?month=2026-11&export=xlsx")
    sheet = load_workbook(io.BytesIO(export.content)).active
    assert [row[0].value for row in sheet.iter_rows(min_row=2)] == [requests_made[1].number]
    page = client.get("/credit/limit-changes/?month=2026-11").content.decode()
    assert "month=2026-11&amp;export=xlsx" in page or "export=xlsx&amp;month=2026-11" in page


def test_the_filter_reads_in_chinese(org, client):
    client.force_login(org["finance"])
    text = client.get("/credit/limit-changes/?month=abc", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "月份" in text and "不是月份" in text


def test_who_may_not_read_the_list_still_may_not(org, client):
    client.force_login(org["warehouse"])
    assert client.get("/credit/limit-changes/?month=2026-11").status_code == 404


def test_invoices_filter_by_month_and_dates_and_export_what_is_filtered(org, client):
    customer = make_customer(org, "rep1")
    october = make_invoice(customer, "100.00", issue_date=datetime.date(2026, 10, 31))
    november = make_invoice(customer, "200.00", issue_date=datetime.date(2026, 11, 1))
    client.force_login(org["finance"])
    by_month = client.get("/sales/invoices/?month=2026-10").content.decode()
    assert october.number in by_month and november.number not in by_month
    by_dates = client.get("/sales/invoices/?date_from=2026-11-01&date_to=2026-11-30").content.decode()
    assert november.number in by_dates and october.number not in by_dates
    sheet = load_workbook(io.BytesIO(client.get("/sales/invoices/?month=2026-11&export=xlsx").content)).active
    numbers = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert numbers == [november.number]
    assert client.get("/sales/invoices/?month=2026-13").status_code == 200
