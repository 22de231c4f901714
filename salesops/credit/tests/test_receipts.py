import datetime
from decimal import Decimal
from unittest import mock

import pytest
from django.db.models import F
from django.utils import timezone

from salesops.core.exceptions import PermissionDenied, ValidationFailed
from salesops.credit import receipts
from salesops.credit.exceptions import InvalidAllocation, ReceiptNotConfirmed
from salesops.credit.models import Allocation, IdempotencyKey, Receipt
from salesops.credit.tests.factories import make_credit_file, make_customer, make_invoice
from salesops.sales.models import Invoice

D = Decimal
TODAY = datetime.date.today()


@pytest.fixture
def account(org):
    customer = make_customer(org)
    make_credit_file(customer)
    old = make_invoice(customer, "100.00", issue_date=TODAY - datetime.timedelta(days=60))
    middle = make_invoice(customer, "200.00", issue_date=TODAY - datetime.timedelta(days=40))
    new = make_invoice(customer, "300.00", issue_date=TODAY - datetime.timedelta(days=10))
    return customer, old, middle, new


def refreshed(*invoices):
    for invoice in invoices:
        invoice.refresh_from_db()
    return invoices


def test_finance_receipt_is_allocated_oldest_first(org, account):
    customer, old, middle, new = account
    receipt = receipts.receipt_record(actor=org["finance"], customer=customer, amount="250.00", received_on=TODAY)
    refreshed(old, middle, new)
    assert receipt.status == Receipt.Status.CONFIRMED
    assert (old.paid_amount, old.status) == (D("100.00"), "paid")
    assert (middle.paid_amount, middle.status) == (D("150.00"), "open")
    assert (new.paid_amount, new.status) == (D("0.00"), "open")
    assert receipt.allocated_amount == D("250.00")
    assert receipt.unallocated_amount == D("0.00")


def test_chosen_invoices_are_paid_in_the_given_order(org, account):
    customer, old, middle, new = account
    receipt = receipts.receipt_record(
        actor=org["finance"], customer=customer, amount="350.00", received_on=TODAY, invoices=[new.pk, middle.pk]
    )
    refreshed(old, middle, new)
    assert (new.paid_amount, new.status) == (D("300.00"), "paid")
    assert middle.paid_amount == D("50.00")
    assert old.paid_amount == D("0.00")
    assert receipt.unallocated_amount == D("0.00")


def test_overpayment_stays_on_account_and_pays_the_next_invoice(org, account):
    customer, old, middle, new = account
    receipt = receipts.receipt_record(actor=org["finance"], customer=customer, amount="1000.00", received_on=TODAY)
    refreshed(old, middle, new)
    assert [i.status for i in (old, middle, new)] == ["paid", "paid", "paid"]
    assert receipt.unallocated_amount == D("400.00")
    later = make_invoice(customer, "150.00", issue_date=TODAY)
    made = receipts.customer_apply_credit_on_account(customer=customer, actor=org["finance"])
    later.refresh_from_db()
    receipt.refresh_from_db()
    assert len(made) == 1 and later.status == "paid"
    assert receipt.unallocated_amount == D("250.00")
    assert sum(a.amount for a in Allocation.objects.filter(receipt=receipt)) + receipt.unallocated_amount == D(
        "1000.00"
    )


def test_cents_that_do_not_add_up_in_binary_still_settle_exactly(org):
    """0.10 + 0.20 is 0.30 in Decimal but not in floating point (SQLite stores REAL): the
    invoice is paid and each receipt fully allocated, never a rounding hair over or under."""
    customer = make_customer(org)
    invoice = make_invoice(customer, "0.30", issue_date=TODAY)
    first = receipts.receipt_record(actor=org["finance"], customer=customer, amount="0.10", received_on=TODAY)
    second = receipts.receipt_record(actor=org["finance"], customer=customer, amount="0.20", received_on=TODAY)
    (invoice,) = refreshed(invoice)
    assert (invoice.paid_amount, invoice.status) == (D("0.30"), "paid")
    assert Invoice.objects.filter(pk=invoice.pk, status="paid", paid_amount=F("total")).exists()
    for receipt in (first, second):
        receipt.refresh_from_db()
        assert receipt.allocated_amount == receipt.amount
        assert Receipt.objects.filter(pk=receipt.pk, allocated_amount=F("amount")).exists()


def test_rep_entry_waits_for_finance_then_allocates(org, account):
    customer, old, *_ = account
    receipt = receipts.receipt_record(
        actor=org["rep1"], customer=customer, amount="100.00", received_on=TODAY, method=Receipt.Method.CASH
    )
    old.refresh_from_db()
    assert receipt.status == Receipt.Status.HANDED_OVER and receipt.handed_by == org["rep1"]
    assert old.paid_amount == 0
    with pytest.raises(ReceiptNotConfirmed):
        receipts.receipt_allocate(receipt=receipt, actor=org["finance"])
    receipts.receipt_confirm(receipt=receipt, actor=org["finance"])
    old.refresh_from_db()
    assert old.status == "paid"


@pytest.mark.parametrize("amount", ["0", "-5.00", "10.001"])
def test_bad_amounts_change_nothing(org, account, amount):
    customer, *_ = account
    with pytest.raises(ValidationFailed):
        receipts.receipt_record(actor=org["finance"], customer=customer, amount=amount, received_on=TODAY)
    assert Receipt.objects.count() == 0 and Allocation.objects.count() == 0


def test_allocating_to_another_customers_invoice_changes_nothing(org, account):
    customer, old, *_ = account
    other = make_customer(org, "rep2")
    foreign = make_invoice(other, "50.00", issue_date=TODAY)
    with pytest.raises(InvalidAllocation):
        receipts.receipt_record(
            actor=org["finance"], customer=customer, amount="50.00", received_on=TODAY, invoices=[foreign.pk]
        )
    foreign.refresh_from_db()
    assert foreign.paid_amount == 0 and Receipt.objects.count() == 0


def test_idempotency_key_returns_the_first_receipt(org, account, api):
    customer, old, *_ = account
    client = api(org["finance"])
    body = {"customer": customer.pk, "amount": "100.00", "received_on": TODAY.isoformat(), "method": "bank_transfer"}
    first = client.post("/api/v1/receipts/", body, format="json", HTTP_IDEMPOTENCY_KEY="abc-1")
    second = client.post("/api/v1/receipts/", body, format="json", HTTP_IDEMPOTENCY_KEY="abc-1")
    assert first.status_code == 201, first.content
    assert second.status_code == 200
    assert first.json()["id"] == second.json()["id"]
    assert Receipt.objects.count() == 1 and IdempotencyKey.objects.count() == 1
    old.refresh_from_db()
    assert old.paid_amount == D("100.00")
    third = client.post("/api/v1/receipts/", body, format="json", HTTP_IDEMPOTENCY_KEY="abc-2")
    assert third.status_code == 201 and Receipt.objects.count() == 2


def test_api_allocate_chosen_with_amounts(org, account, api):
    customer, old, middle, new = account
    receipt = receipts.receipt_record(actor=org["rep1"], customer=customer, amount="120.00", received_on=TODAY)
    client = api(org["finance"])
    assert (
        client.post(f"/api/v1/receipts/{receipt.pk}/confirm/", {"invoices": [new.pk]}, format="json").status_code == 200
    )
    new.refresh_from_db()
    assert new.paid_amount == D("120.00")
    rep_try = api(org["rep1"]).post(f"/api/v1/receipts/{receipt.pk}/allocate/", {}, format="json")
    assert rep_try.status_code == 403


def test_daily_collections_per_rep(org, account):
    from salesops.credit.selectors import collections_by_rep_and_day

    customer, *_ = account
    receipts.receipt_record(actor=org["rep1"], customer=customer, amount="10.00", received_on=TODAY)
    receipts.receipt_record(actor=org["rep1"], customer=customer, amount="15.50", received_on=TODAY)
    cancelled = receipts.receipt_record(actor=org["rep1"], customer=customer, amount="99.00", received_on=TODAY)
    receipts.receipt_cancel(receipt=cancelled, actor=org["rep1"])
    rows = collections_by_rep_and_day(user=org["supervisor1"], date_from=TODAY, date_to=TODAY)
    assert rows == [
        {"rep_id": org["rep1"].pk, "rep": org["rep1"].display_name, "day": TODAY, "count": 2, "amount": D("25.50")}
    ]
    assert collections_by_rep_and_day(user=org["rep3"], date_from=TODAY, date_to=TODAY) == []


def test_money_received_on_the_companys_today_is_not_in_the_future_for_a_job(org):
    """Outside a request (a job, an import) the active zone is UTC; at 17:00 UTC it is already
    the next day in Shanghai, and money received that day is not refused as future."""
    customer = make_customer(org)
    evening = datetime.datetime(2026, 12, 2, 17, 0, tzinfo=datetime.UTC)
    with timezone.override(datetime.UTC), mock.patch("django.utils.timezone.now", return_value=evening):
        receipt = receipts.receipt_record(
            actor=org["finance"], customer=customer, amount="10.00", received_on=datetime.date(2026, 12, 3)
        )
        receipts.receipt_reverse(
            receipt=receipt, actor=org["finance"], reversed_on=datetime.date(2026, 12, 3), reason="bounced"
        )
    receipt.refresh_from_db()
    assert (receipt.received_on, receipt.status) == (datetime.date(2026, 12, 3), Receipt.Status.REVERSED)


def test_only_finance_names_someone_else_as_the_one_who_handed_the_money_over(org):
    customer = make_customer(org)
    with pytest.raises(PermissionDenied) as refused:
        receipts.receipt_record(
            actor=org["rep1"], customer=customer, amount="10.00", received_on=TODAY, handed_by=org["rep3"]
        )
    assert "handed_by" in refused.value.fields and not Receipt.objects.filter(customer=customer).exists()
    own = receipts.receipt_record(
        actor=org["rep1"], customer=customer, amount="10.00", received_on=TODAY, handed_by=org["rep1"]
    )
    named = receipts.receipt_record(
        actor=org["finance"], customer=customer, amount="10.00", received_on=TODAY, handed_by=org["rep3"]
    )
    assert (own.handed_by, named.handed_by) == (org["rep1"], org["rep3"])
