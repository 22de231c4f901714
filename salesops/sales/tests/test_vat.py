"""VAT on sales documents: the product's rate, prices entered tax-inclusive or exclusive as
the customer's price list says, tax rounded per line, tax-inclusive totals counted by credit,
tax lines on the pages, the API and the PDFs, and invoice numbers of their own."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from salesops.catalog.models import PriceList, PriceListItem, Product
from salesops.credit.services import credit_exposure
from salesops.sales import services
from salesops.sales.pdf import document_html
from salesops.sales.tests.factories import make_customer, make_product

D = Decimal
TODAY = datetime.date.today()


def with_rate(product, rate: str):
    Product.objects.filter(pk=product.pk).update(tax_rate=D(rate))
    product.refresh_from_db()
    return product


@pytest.fixture
def goods(shop):
    warehouse = shop["warehouse"]
    return {
        **shop,
        "flour": with_rate(make_product(price="113.00", stock="100", warehouse=warehouse), "9"),
        "tools": with_rate(make_product(price="0.05", stock="100", warehouse=warehouse), "13"),
        "service": with_rate(make_product(price="10.00", stock="100", warehouse=warehouse), "6"),
        "exempt": with_rate(make_product(price="7.77", stock="100", warehouse=warehouse), "0"),
    }


def order(goods, lines, customer=None, actor=None):
    return services.order_create(
        actor=actor or goods["org"]["rep1"],
        customer=customer or goods["customer"],
        payment="credit",
        lines=lines,
        warehouse=goods["warehouse"],
    )


def exclusive_list(*products_prices):
    price_list = PriceList.objects.create(
        code="NET",
        name="Net prices",
        is_default=True,
        valid_from=TODAY - datetime.timedelta(days=30),
        prices_include_tax=False,
    )
    for product, price in products_prices:
        PriceListItem.objects.create(
            price_list=price_list, product=product, price=D(price), valid_from=TODAY - datetime.timedelta(days=30)
        )
    return price_list


def test_tax_inclusive_prices_carry_the_tax_inside_rounded_per_line(goods):
    made = order(
        goods,
        [
            {"product": goods["flour"].pk, "quantity": "1"},  # 113.00 at 9 %: 9.33
            {"product": goods["tools"].pk, "quantity": "3"},  # 0.15 at 13 %: 0.0173 → 0.02
            {"product": goods["service"].pk, "quantity": "1"},  # 10.00 at 6 %: 0.566 → 0.57
            {"product": goods["exempt"].pk, "quantity": "1"},
        ],
    )
    lines = list(made.lines.order_by("position"))
    assert [(line.tax_rate, line.amount, line.tax_amount) for line in lines] == [
        (D("9"), D("113.00"), D("9.33")),
        (D("13"), D("0.15"), D("0.02")),
        (D("6"), D("10.00"), D("0.57")),
        (D("0"), D("7.77"), D("0.00")),
    ]
    assert made.prices_include_tax is True
    assert (made.total, made.tax_total, made.net_total) == (D("130.92"), D("9.92"), D("121.00"))


def test_tax_exclusive_price_list_adds_the_tax_and_credit_counts_it(goods):
    exclusive_list((goods["flour"], "100.00"), (goods["tools"], "0.05"), (goods["service"], "40.00"))
    customer = make_customer(owner=goods["org"]["rep1"], limit="150.00")
    made = order(
        goods,
        [{"product": goods["flour"].pk, "quantity": "1"}, {"product": goods["tools"].pk, "quantity": "3"}],
        customer=customer,
    )
    lines = list(made.lines.order_by("position"))
    assert [(line.unit_price, line.tax_amount, line.amount) for line in lines] == [
        (D("100.00"), D("9.00"), D("109.00")),
        (D("0.05"), D("0.02"), D("0.17")),
    ]
    assert (made.prices_include_tax, made.total, made.tax_total) == (False, D("109.17"), D("9.02"))
    services.order_submit(order=made, actor=goods["org"]["rep1"])
    # the exposure is the tax-inclusive amount: a second order of 40 net (42.40 with VAT)
    # would pass the limit of 150 if VAT were left out (100.15 + 40 < 150)
    assert credit_exposure(customer_id=customer.pk).total == D("109.17")
    second = order(goods, [{"product": goods["service"].pk, "quantity": "1"}], customer=customer)
    assert second.total == D("42.40")  # 109.17 + 42.40 > 150
    services.order_submit(order=second, actor=goods["org"]["rep1"])
    second.refresh_from_db()
    assert second.status == "pending_approval"


def test_invoices_and_credit_notes_carry_the_tax_of_their_lines(goods):
    exclusive_list((goods["flour"], "100.00"))
    made = order(goods, [{"product": goods["flour"].pk, "quantity": "3"}])  # 300 + 27 VAT
    services.order_submit(order=made, actor=goods["org"]["rep1"])
    line = made.lines.get()
    delivery = services.delivery_issue(order=made, actor=goods["org"]["warehouse"], quantities={line.pk: "1"})
    first = services.invoice_create(deliveries=[delivery], actor=goods["org"]["finance"])
    assert (first.total, first.tax_total) == (D("109.00"), D("9.00"))
    rest = services.delivery_issue(order=made, actor=goods["org"]["warehouse"])
    second = services.invoice_create(deliveries=[rest], actor=goods["org"]["finance"])
    assert (second.total, second.tax_total) == (D("218.00"), D("18.00"))
    assert first.total + second.total == made.total
    assert first.number.startswith("INV-") and second.number.startswith("INV-")
    sales_return = services.return_request(
        order=made, kind="return", actor=goods["org"]["rep1"], reason="damaged", quantities={line.pk: "1"}
    )
    if sales_return.status != "completed":
        from salesops.sales.tests.helpers import decide_all

        decide_all(sales_return, "refund")
    note = made.invoices.get(kind="credit_note")
    assert (note.total, note.tax_total) == (D("-109.00"), D("-9.00"))
    assert note.lines.get().tax_amount == D("-9.00")


def test_vat_on_the_api_the_pages_and_the_pdfs(goods, api, client):
    made = order(goods, [{"product": goods["flour"].pk, "quantity": "2"}])  # 226.00, VAT 18.66
    body = api(goods["org"]["rep1"]).get(f"/api/v1/orders/{made.pk}/").json()
    assert (body["total"], body["tax_total"], body["net_total"]) == ("226.00", "18.66", "207.34")
    assert (body["lines"][0]["tax_rate"], body["lines"][0]["tax_amount"]) == ("9.00", "18.66")
    client.force_login(goods["org"]["rep1"])
    page = client.get(f"/sales/orders/{made.pk}/").content.decode()
    assert 'data-testid="vat-totals"' in page and "18.66" in page and "207.34" in page
    html = document_html(made)
    assert "18.66" in html and "207.34" in html and "9%" in html


def test_product_rates_are_the_chinese_vat_rates(goods):
    product = goods["flour"]
    for rate in ("13", "9", "6", "0"):
        product.tax_rate = D(rate)
        product.full_clean()
    product.tax_rate = D("10")
    with pytest.raises(ValidationError) as error:
        product.full_clean()
    assert "tax_rate" in error.value.message_dict


def test_the_migration_takes_the_tax_out_of_earlier_tax_inclusive_documents(goods):
    import importlib

    from django.apps import apps

    from salesops.sales.models import OrderLine, SalesOrder

    made = order(
        goods, [{"product": goods["flour"].pk, "quantity": "1"}, {"product": goods["service"].pk, "quantity": "1"}]
    )
    OrderLine.objects.filter(order=made).update(tax_rate=0, tax_amount=0)  # as written before VAT
    SalesOrder.objects.filter(pk=made.pk).update(tax_total=0)
    migration = importlib.import_module("salesops.sales.migrations.0008_vat_of_existing_documents")
    migration.fill(apps, None)
    made.refresh_from_db()
    assert (made.total, made.tax_total) == (D("123.00"), D("9.90"))  # 9.33 + 0.57, total unchanged


def test_invoice_numbers_have_a_prefix_no_other_document_uses():
    """Every number prefix in the code: the invoice's is used only to number invoices."""
    root = Path(__file__).resolve().parents[2]
    literal = re.compile(r'next_number\(\s*prefix=["\']([A-Z]+)["\']')
    constant = re.compile(r'^([A-Z_]*PREFIX)\s*=\s*["\']([A-Z]+)["\']', re.M)
    users: dict[str, set[str]] = {}
    for path in root.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        for prefix in literal.findall(text):
            users.setdefault(prefix, set()).add(f"{path.relative_to(root)}")
        for name, prefix in constant.findall(text):
            users.setdefault(prefix, set()).add(f"{path.relative_to(root)}:{name}")
    assert services.INVOICE_PREFIX == "INV"
    assert users["INV"] == {"sales/services.py:INVOICE_PREFIX"}  # units.money imports it
    assert users["SOA"] == {"credit/statements.py:STATEMENT_PREFIX"}


def test_statements_show_the_vat_of_their_documents(goods):
    from salesops.credit import statements

    made = order(goods, [{"product": goods["flour"].pk, "quantity": "1"}])  # 113.00, VAT 9.33
    services.order_submit(order=made, actor=goods["org"]["rep1"])
    delivery = services.delivery_issue(order=made, actor=goods["org"]["warehouse"])
    invoice = services.invoice_create(deliveries=[delivery], actor=goods["org"]["finance"])
    start = invoice.issue_date.replace(day=1)
    figures = statements.statement_figures(customer_id=made.customer_id, start=start, end=invoice.issue_date)
    assert (figures["invoiced"], figures["invoiced_tax"], figures["credited_tax"]) == (D("113.00"), D("9.33"), D("0"))
    assert [entry.tax for entry in figures["entries"]] == [D("9.33")]
    statement = statements.statement_create(customer=made.customer, period_start=start, actor=goods["org"]["finance"])
    assert "9.33" in statements.statement_html(statement)
