"""The month-end money check (`manage.py money_check`, run on the demo): agrees on consistent
books and names each inconsistency it is there to catch."""

import datetime
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from salesops.credit import receipts
from salesops.credit.checks import money_check
from salesops.credit.tests.factories import make_customer, make_invoice
from salesops.sales import services
from salesops.sales.models import Invoice
from salesops.sales.tests.factories import make_product, make_warehouse

D = Decimal


@pytest.fixture
def books(org):
    today = datetime.date.today()
    customer = make_customer(org, "rep1")
    make_invoice(customer, "1000.00", issue_date=today - datetime.timedelta(days=70))
    receipts.receipt_record(
        actor=org["finance"], customer=customer, amount="400.00", received_on=today - datetime.timedelta(days=40)
    )
    warehouse = make_warehouse()
    product = make_product(price="25.00", stock="10", warehouse=warehouse)
    order = services.order_create(
        actor=org["finance"],
        customer=make_customer(org, "rep2"),
        payment="cash",
        lines=[{"product": product.pk, "quantity": "2"}],
        warehouse=warehouse,
    )
    services.order_submit(order=order, actor=org["finance"], payment={"method": "cash"})
    delivery = services.delivery_issue(order=order, actor=org["warehouse"])
    return services.invoice_create(deliveries=[delivery], actor=org["finance"])


def test_consistent_books_agree_at_every_month_end(books, capsys):
    result = money_check()
    assert result.ok and result.problems == []
    assert len(result.months) >= 3 and all(row.agrees for row in result.months)
    assert result.months[-1].ledger_balance == D("600.00")
    call_command("money_check")
    assert "every figure agrees" in capsys.readouterr().out


def test_a_cash_sale_paid_without_a_receipt_is_reported(books):
    Invoice.objects.filter(pk=books.pk).update(paid_amount=books.total + 1)
    result = money_check()
    assert not result.ok
    assert any(books.number in problem for problem in result.problems)
    with pytest.raises(CommandError):
        call_command("money_check")
