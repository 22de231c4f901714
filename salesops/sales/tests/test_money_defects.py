"""One test per defect of the order-to-cash money found on the demo: each would fail if the
defect came back.

- An order over the credit limit is never confirmed on a number the rep types; it waits
  (pending_payment or pending_approval) until money finance confirmed covers it.
- A cash sale's money is its receipt, written in the same transaction as the order's submit.
- Money finance confirms while an order waits at the over-limit approval releases it; money
  paid for an order is never applied to another invoice "on account".
- Amounts that are not amounts (`abc`, `-5`) are refused with a field error, never read as 0.
- A statement is not sent to `not-an-email`; a send the mail server refuses shows as failed.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core import mail

from salesops.approvals.models import ApprovalRequest
from salesops.core.exceptions import ValidationFailed
from salesops.credit import receipts, statements
from salesops.credit.models import Allocation, Receipt, Statement
from salesops.credit.tests.factories import make_invoice
from salesops.inventory.models import StockReservation
from salesops.sales import services
from salesops.sales.models import Invoice, SalesOrder
from salesops.sales.tests.factories import make_customer, make_product

D = Decimal


@pytest.fixture
def big(shop):
    """A customer with a ¥20,000 limit and goods worth ¥134,000 in stock."""
    product = make_product(price="1340.00", stock="500", warehouse=shop["warehouse"])
    customer = make_customer(owner=shop["org"]["rep1"], limit="20000.00")
    return {**shop, "product": product, "big_customer": customer}


def order_body(big, quantity="100", payment="credit"):
    return {
        "customer": big["big_customer"].pk,
        "payment": payment,
        "lines": [{"product": big["product"].pk, "quantity": quantity}],
        "warehouse": big["warehouse"].pk,
    }


def test_the_over_limit_exploit_ends_waiting_never_confirmed(big, api):
    rep = api(big["org"]["rep1"])
    created = rep.post("/api/v1/orders/", order_body(big), format="json").json()
    assert D(created["total"]) == D("134000.00")
    url = f"/api/v1/orders/{created['id']}/submit/"
    # the reported request: a field the server does not know is refused, not ignored
    refused = rep.post(url, {"prepayment_amount": "134000.00"}, format="json")
    assert refused.status_code == 400 and "prepayment_amount" in refused.json()["fields"]
    assert SalesOrder.objects.get(pk=created["id"]).status == "draft"
    # what the rep expects the customer to pay is information: the order waits for the money
    answer = rep.post(url, {"expected_prepayment": "134000.00"}, format="json")
    assert answer.status_code == 200 and answer.json()["status"] == "pending_payment"
    assert not StockReservation.objects.exists() and not Receipt.objects.exists()
    # the same order without a stated prepayment goes to the over-limit approval
    other = rep.post("/api/v1/orders/", order_body(big, quantity="20"), format="json").json()
    assert rep.post(f"/api/v1/orders/{other['id']}/submit/", {}, format="json").json()["status"] == "pending_approval"
    # money the rep hands over does not count until finance confirms it
    handed = rep.post(
        "/api/v1/receipts/",
        {"customer": big["big_customer"].pk, "amount": "134000.00", "received_on": str(datetime.date.today())},
        format="json",
    )
    assert handed.status_code == 201 and handed.json()["status"] == "handed_over"
    assert SalesOrder.objects.get(pk=created["id"]).status == "pending_payment"
    # finance confirms it: the order it covers is released, under the credit lock
    confirmed = api(big["org"]["finance"]).post(f"/api/v1/receipts/{handed.json()['id']}/confirm/", {}, format="json")
    assert confirmed.status_code == 200
    assert SalesOrder.objects.get(pk=created["id"]).status == "confirmed"
    assert StockReservation.objects.get().quantity == D("100")


def test_cash_sale_records_its_receipt_in_the_same_transaction(big):
    finance = big["org"]["finance"]
    order = services.order_create(
        actor=finance,
        customer=big["no_credit"],
        payment="cash",
        lines=[{"product": big["p1"].pk, "quantity": "3"}],
        warehouse=big["warehouse"],
    )
    # a receipt that cannot be written leaves the order as it was, and no money recorded
    with pytest.raises(ValidationFailed) as error:
        services.order_submit(order=order, actor=finance, payment={"method": "bitcoin"})
    assert "method" in error.value.fields
    order.refresh_from_db()
    assert order.status == "draft" and not Receipt.objects.exists()
    services.order_submit(order=order, actor=finance, payment={"method": "cash"})
    order.refresh_from_db()
    receipt = Receipt.objects.get(order=order)
    assert order.status == "confirmed"
    assert (receipt.status, receipt.amount, receipt.method, receipt.recorded_by) == (
        "confirmed",
        order.total,
        "cash",
        finance,
    )
    delivery = services.delivery_issue(order=order, actor=big["org"]["warehouse"])
    invoice = services.invoice_create(deliveries=[delivery], actor=finance)
    # paid through the receipt's allocation, dated: every report at a past date sees it paid
    assert invoice.status == "paid"
    assert list(Allocation.objects.filter(invoice=invoice).values_list("receipt", "amount")) == [
        (receipt.pk, invoice.total)
    ]


def test_money_confirmed_while_the_order_waits_for_approval_releases_it(big):
    rep, finance = big["org"]["rep1"], big["org"]["finance"]
    order = services.order_create(
        actor=rep,
        customer=big["big_customer"],
        payment="credit",
        lines=[{"product": big["product"].pk, "quantity": "20"}],  # 26,800 > 20,000
        warehouse=big["warehouse"],
    )
    services.order_submit(order=order, actor=rep)
    order.refresh_from_db()
    assert (order.status, order.approval_reason) == ("pending_approval", "over_limit")
    receipts.receipt_record(
        actor=finance, customer=big["big_customer"], amount="6800.00", received_on=datetime.date.today()
    )
    order.refresh_from_db()
    assert order.status == "confirmed"
    request = ApprovalRequest.objects.get(doc_type="overlimit_shipment", object_id=str(order.pk))
    assert request.status == "cancelled"


def test_money_for_an_order_is_not_applied_to_another_invoice(big):
    rep, finance = big["org"]["rep1"], big["org"]["finance"]
    customer = big["big_customer"]
    older = make_invoice(customer, "500.00", issue_date=datetime.date.today() - datetime.timedelta(days=10))
    order = services.order_create(
        actor=rep,
        customer=customer,
        payment="credit",
        lines=[{"product": big["product"].pk, "quantity": "20"}],
        warehouse=big["warehouse"],
    )
    services.order_submit(order=order, actor=rep)
    receipt = receipts.receipt_record(
        actor=rep, customer=customer, amount="26800.00", received_on=datetime.date.today(), order=order
    )
    receipts.receipt_confirm(receipt=receipt, actor=finance)
    order.refresh_from_db()
    assert order.status == "confirmed"
    receipts.customer_apply_credit_on_account(customer=customer, actor=finance)  # "apply on account"
    older.refresh_from_db()
    receipt.refresh_from_db()
    assert older.paid_amount == D("0") and receipt.allocated_amount == D("0")
    delivery = services.delivery_issue(order=order, actor=big["org"]["warehouse"])
    invoice = services.invoice_create(deliveries=[delivery], actor=finance)
    assert invoice.status == "paid" and Allocation.objects.get(invoice=invoice).receipt == receipt


@pytest.mark.parametrize("typed", ["abc", "-5", "1.234", "NaN", "1e400"])
def test_amounts_that_are_not_amounts_are_refused_with_a_field_error(big, api, typed):
    rep = api(big["org"]["rep1"])
    created = rep.post("/api/v1/orders/", order_body(big, quantity="20"), format="json").json()
    answer = rep.post(f"/api/v1/orders/{created['id']}/submit/", {"expected_prepayment": typed}, format="json")
    assert answer.status_code == 400 and answer.json()["code"] == "validation_error"
    assert "expected_prepayment" in answer.json()["fields"]
    order = SalesOrder.objects.get(pk=created["id"])
    assert (order.status, order.expected_prepayment) == ("draft", D("0"))
    money = api(big["org"]["finance"]).post(
        "/api/v1/receipts/",
        {"customer": big["big_customer"].pk, "amount": typed, "received_on": str(datetime.date.today())},
        format="json",
    )
    assert money.status_code == 400 and "amount" in money.json()["fields"]
    assert not Receipt.objects.exists()


def test_amounts_typed_on_the_submit_page_are_refused_next_to_the_field(big, client):
    rep = big["org"]["rep1"]
    order = services.order_create(
        actor=rep,
        customer=big["big_customer"],
        payment="credit",
        lines=[{"product": big["product"].pk, "quantity": "20"}],
        warehouse=big["warehouse"],
    )
    client.force_login(rep)
    page = client.post(f"/sales/orders/{order.pk}/submit/", {"expected_prepayment": "abc"})
    assert page.status_code in (200, 400)
    assert 'data-field="expected_prepayment"' in page.content.decode()
    order.refresh_from_db()
    assert order.status == "draft"


@pytest.fixture
def statement(big):
    customer = big["big_customer"]
    make_invoice(customer, "2418.38", issue_date=datetime.date(2025, 11, 5))
    return statements.statement_create(
        customer=customer, period_start=datetime.date(2025, 11, 1), actor=big["org"]["finance"]
    )


@pytest.mark.parametrize("address", ["not-an-email", "a@b", "x@example.cn, y@example.cn", " "])
def test_statement_to_a_bad_address_is_refused(big, api, statement, address):
    answer = api(big["org"]["finance"]).post(f"/api/v1/statements/{statement.pk}/send/", {"to": address}, format="json")
    assert answer.status_code == 400 and "to" in answer.json()["fields"]
    assert answer.json()["code"] in ("invalid_email_address", "no_email_address")
    statement.refresh_from_db()
    assert (statement.status, statement.sent_to, statement.sent_at) == ("issued", "", None)
    assert not mail.outbox


def test_statement_page_shows_the_bad_address_next_to_the_field(big, client, statement):
    client.force_login(big["org"]["finance"])
    page = client.post(f"/statements/{statement.pk}/send/", {"to": "not-an-email"})
    assert page.status_code == 400
    html = page.content.decode()
    assert 'data-field="to"' in html and 'value="not-an-email"' in html
    statement.refresh_from_db()
    assert statement.status == "issued"


def test_a_send_the_mail_server_refuses_shows_as_failed(
    big, client, statement, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "salesops.sales.tests.test_money_defects.RefusingBackend"
    with django_capture_on_commit_callbacks(execute=True):
        statements.statement_send(statement=statement, actor=big["org"]["finance"], to="buyer@example.cn")
    statement.refresh_from_db()
    assert statement.status == Statement.Status.SEND_FAILED
    assert "550" in statement.send_error and statement.sent_to == "buyer@example.cn"
    client.force_login(big["org"]["finance"])
    page = client.get(f"/statements/{statement.pk}/").content.decode()
    assert 'data-testid="send-error"' in page and "550" in page
    # sent again to a working server, it shows as sent
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        statements.statement_send(statement=statement, actor=big["org"]["finance"], to="buyer@example.cn")
    statement.refresh_from_db()
    assert (statement.status, statement.send_error, len(mail.outbox)) == ("sent", "", 1)


class RefusingBackend:
    """A mail server that refuses every message."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise OSError("550 mailbox unavailable")


def test_cash_invoice_is_paid_at_every_past_date_after_its_receipt(big):
    """The demo's symptom: cash-sale invoices marked paid with no receipt were unpaid in every
    report at a past date. Now they are paid from the day the money met them."""
    from salesops.credit.ageing import ageing

    finance = big["org"]["finance"]
    order = services.order_create(
        actor=finance,
        customer=big["no_credit"],
        payment="cash",
        lines=[{"product": big["p1"].pk, "quantity": "3"}],
        warehouse=big["warehouse"],
    )
    services.order_submit(order=order, actor=finance, payment={"method": "cash"})
    delivery = services.delivery_issue(order=order, actor=big["org"]["warehouse"])
    invoice = services.invoice_create(deliveries=[delivery], actor=finance)
    yesterday = datetime.date.today() - datetime.timedelta(days=1)
    Invoice.objects.filter(pk=invoice.pk).update(issue_date=yesterday, due_date=yesterday)
    Allocation.objects.filter(invoice=invoice).update(allocated_on=yesterday)
    Receipt.objects.filter(order=order).update(received_on=yesterday)
    past = ageing(Invoice.objects.filter(pk=invoice.pk), as_of=yesterday)
    assert past["totals"]["total"] == D("0.00")
