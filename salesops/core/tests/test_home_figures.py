"""The home page shows money as money: no value with more than two decimals (SQLite's REAL
arithmetic once printed an open invoice as 286.610000000000)."""

import re
from decimal import Decimal

from django.utils import translation

from salesops.core.selectors import company_date
from salesops.credit.tests.factories import make_customer, make_invoice
from salesops.sales.models import Invoice


def test_the_home_page_shows_no_value_with_more_than_two_decimals(org, client):
    customer = make_customer(org, "rep1")
    invoice = make_invoice(customer, "1286.61", issue_date=company_date())
    Invoice.objects.filter(pk=invoice.pk).update(paid_amount=Decimal("1000.00"))
    client.force_login(org["rep1"])
    with translation.override("en"):
        page = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="home-sales-open-invoices"' in page
    assert "¥286.61" in page
    numbers = re.findall(r"\d[\d,]*\.(\d+)", re.sub(r"<(script|style)\b.*?</\1>", "", page, flags=re.S))
    assert numbers and all(len(decimals) <= 2 for decimals in numbers), numbers
