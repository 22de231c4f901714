"""What the printed documents say: one title, the company's calendar day, formatted money."""

import datetime
import re

import pytest
from django.utils import timezone, translation

from salesops.sales import services
from salesops.sales.pdf import document_html

# 2026-12-02 17:26 UTC is 01:26 on 3 December in Beijing.
ISSUED = datetime.datetime(2026, 12, 2, 17, 26, tzinfo=datetime.UTC)


def _issued_delivery(shop):
    order = services.order_create(
        actor=shop["org"]["rep1"],
        customer=shop["customer"],
        payment="credit",
        lines=[{"product": shop["p1"].pk, "quantity": "5"}, {"product": shop["p2"].pk, "quantity": "100"}],
        warehouse=shop["warehouse"],
    )
    order = services.order_submit(order=order, actor=shop["org"]["rep1"])
    return order, services.delivery_issue(order=order, actor=shop["org"]["warehouse"], at=ISSUED)


def _text(html: str, testid: str) -> str:
    return re.search(rf'data-testid="{testid}">([^<]*)<', html).group(1)


@pytest.mark.parametrize(("language", "day"), [("en", "3 Dec 2026"), ("zh-hans", "2026年12月3日")])
def test_the_delivery_note_prints_the_company_day_not_the_utc_day(shop, language, day):
    order, delivery = _issued_delivery(shop)
    with translation.override(language), timezone.override(datetime.UTC):  # as a worker renders it
        html = document_html(delivery)
    assert _text(html, "document-date") == day
    assert _text(html, "document-issued-at") == f"{day} 01:26"  # the issue time, in the company's zone
    assert "2 Dec 2026" not in html and "2026年12月2日" not in html


def _headings(html: str) -> list[str]:
    return re.findall(r"<h1[^>]*>(.*?)</h1>", html, flags=re.S)


def _assert_single(title: str, html: str) -> None:
    (heading,) = _headings(html)
    assert heading.strip() == title  # not "报价单 · 报价单", not "对账函 对账函"


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_no_document_title_is_doubled(shop, language):
    from salesops.credit import statements

    order, delivery = _issued_delivery(shop)
    invoice = services.invoice_create(deliveries=[delivery], actor=shop["org"]["finance"])
    quote = services.quote_create(
        actor=shop["org"]["rep1"], customer=shop["customer"], lines=[{"product": shop["p1"].pk, "quantity": "1"}]
    )
    with translation.override(language):
        expected = {
            quote: translation.gettext("Quote"),
            order: translation.gettext("Sales order"),
            delivery: translation.gettext("Delivery note"),
            invoice: translation.gettext("Invoice"),
        }
        for document, title in expected.items():
            html = document_html(document)
            assert len(_headings(html)) == 4 if document is order else 1  # the order prints four copies
            for heading in _headings(html):
                _assert_single(title, f"<h1>{heading}</h1>")
        order_html = document_html(order)
        for copy in ("财务联", "仓库联", "业务联", "客户联"):
            assert order_html.count(copy) == 1  # never "财务联 · 财务联"
        statement = statements.statement_create(
            customer=shop["customer"], period_start=invoice.issue_date.replace(day=1), actor=shop["org"]["finance"]
        )
        _assert_single(translation.gettext("Statement of account"), statements.statement_html(statement))


def test_the_documents_print_money_and_quantities_formatted(shop):
    order, delivery = _issued_delivery(shop)
    with translation.override("en"):
        html = document_html(order)
    # 5 × 10.00 + 100 × 3.33 = 383.00; counted units print whole
    assert "¥383.00" in html and ">100<" in html and ">5<" in html
    assert not re.search(r"\d\.\d{3,}", html)
