"""Credit notes (from returns) settle against the invoices they credit, and every figure that
reads the account (open amounts, ageing today and at past dates, overdue, exposure, balance,
API) agrees with it to the cent."""

import datetime
from decimal import Decimal

import pytest

from salesops.credit import receipts
from salesops.credit.ageing import ageing_for_user
from salesops.credit.exceptions import InvalidAllocation
from salesops.credit.ledger import balance_at
from salesops.credit.models import Allocation
from salesops.credit.money import cents, money_total
from salesops.credit.services import exposure_for, overdue_for
from salesops.credit.tests.factories import make_credit_file, make_customer, make_invoice

D = Decimal
TODAY = datetime.date.today()


def ago(days: int) -> datetime.date:
    return TODAY - datetime.timedelta(days=days)


def make_credit_note(customer, total, *, issue_date, original=None):
    note = make_invoice(customer, total, issue_date=issue_date, due_date=issue_date, kind="credit_note")
    if original is not None:
        note.original = original
        note.save(update_fields=["original"])
    return note


def refreshed(*documents):
    for document in documents:
        document.refresh_from_db()
    return documents


def customer_row(org, as_of):
    rows = ageing_for_user(user=org["finance"], as_of=as_of, group_by="customer")["rows"]
    assert len(rows) <= 1
    return rows[0] if rows else None


@pytest.fixture
def account(org):
    customer = make_customer(org)
    make_credit_file(customer, limit="1000.00")
    invoice = make_invoice(customer, "100.00", issue_date=ago(60), due_days=30)  # 30 days overdue
    return customer, invoice


def test_credit_note_reduces_what_is_owed_on_the_invoice_it_credits(org, account):
    customer, invoice = account
    note = make_credit_note(customer, "-30.00", issue_date=ago(10), original=invoice)
    made = receipts.credit_note_settle(credit_note=note, actor=org["finance"])
    refreshed(invoice, note)
    assert [(a.credit_note_id, a.invoice_id, a.amount, a.receipt_id) for a in made] == [
        (note.pk, invoice.pk, D("30.00"), None)
    ]
    assert (invoice.paid_amount, invoice.open_amount, invoice.status) == (D("30.00"), D("70.00"), "open")
    assert (note.paid_amount, note.open_amount, note.status) == (D("-30.00"), D("0.00"), "paid")
    assert note.total == D("-30.00")  # documents are never edited, only settled
    assert exposure_for(customer_id=customer.pk) == D("70.00")
    assert overdue_for(customer_id=customer.pk, as_of=TODAY) == D("70.00")
    assert balance_at(customer_id=customer.pk, day=TODAY) == D("70.00")
    today = customer_row(org, TODAY)
    assert (today["d1_30"], today["current"], today["total"]) == (D("70.00"), D("0.00"), D("70.00"))
    before = customer_row(org, ago(20))  # the credit note did not exist yet
    assert (before["d1_30"], before["total"]) == (D("100.00"), D("100.00"))
    after = customer_row(org, ago(5))  # rebuilt from the dated allocations
    assert (after["d1_30"], after["current"], after["total"]) == (D("70.00"), D("0.00"), D("70.00"))
    # settling again does nothing: the credit note is used up
    assert receipts.credit_note_settle(credit_note=note, actor=org["finance"]) == []
    assert Allocation.objects.count() == 1


def test_credit_larger_than_the_invoice_goes_to_the_next_oldest_then_stays_on_account(org, account):
    customer, invoice = account
    receipts.receipt_record(actor=org["finance"], customer=customer, amount="80.00", received_on=ago(1))
    later = make_invoice(customer, "50.00", issue_date=ago(5))
    note = make_credit_note(customer, "-100.00", issue_date=TODAY, original=invoice)
    receipts.credit_note_settle(credit_note=note, actor=org["finance"])
    refreshed(invoice, later, note)
    assert (invoice.open_amount, invoice.status) == (D("0.00"), "paid")
    assert (later.open_amount, later.status) == (D("0.00"), "paid")
    assert (note.open_amount, note.status) == (D("-30.00"), "open")  # 100 - 20 - 50 on account
    assert exposure_for(customer_id=customer.pk) == D("-30.00")
    assert balance_at(customer_id=customer.pk, day=TODAY) == D("-30.00")
    assert customer_row(org, TODAY)["total"] == D("-30.00")
    # the next invoice takes the credit on account
    fresh = make_invoice(customer, "45.55", issue_date=TODAY)
    made = receipts.customer_apply_credit_on_account(customer=customer, actor=org["finance"])
    refreshed(fresh, note)
    assert [a.amount for a in made] == [D("30.00")]
    assert (fresh.open_amount, note.open_amount, note.status) == (D("15.55"), D("0.00"), "paid")
    assert exposure_for(customer_id=customer.pk) == D("15.55")
    assert balance_at(customer_id=customer.pk, day=TODAY) == D("15.55")
    assert customer_row(org, TODAY)["total"] == D("15.55")


def test_chosen_invoice_of_another_customer_changes_nothing(org, account):
    customer, invoice = account
    other = make_customer(org)
    foreign = make_invoice(other, "40.00", issue_date=ago(3))
    note = make_credit_note(customer, "-10.00", issue_date=TODAY, original=invoice)
    with pytest.raises(InvalidAllocation):
        receipts.credit_note_settle(credit_note=note, actor=org["finance"], invoices=[foreign])
    refreshed(invoice, foreign, note)
    assert (invoice.paid_amount, foreign.paid_amount, note.paid_amount) == (D("0.00"), D("0.00"), D("0.00"))
    assert Allocation.objects.count() == 0
    with pytest.raises(InvalidAllocation):  # an invoice is not a credit note
        receipts.credit_note_settle(credit_note=invoice, actor=org["finance"])


def test_receipt_after_a_credit_note_pays_only_what_is_left(org, account):
    customer, invoice = account
    note = make_credit_note(customer, "-33.33", issue_date=ago(2), original=invoice)
    receipts.credit_note_settle(credit_note=note, actor=org["finance"])
    receipt = receipts.receipt_record(actor=org["finance"], customer=customer, amount="100.00", received_on=TODAY)
    refreshed(invoice)
    assert (invoice.status, invoice.paid_amount) == ("paid", D("100.00"))
    assert receipt.allocated_amount == D("66.67") and receipt.unallocated_amount == D("33.33")
    assert balance_at(customer_id=customer.pk, day=TODAY) == D("-33.33")
    row = customer_row(org, TODAY)  # nothing open on any document, the rest of the money on account
    assert (row["total"], row["on_account"], row["balance"]) == (D("0.00"), D("33.33"), D("-33.33"))


def test_credit_api_reflects_the_credit_note(org, account, api):
    customer, invoice = account
    note = make_credit_note(customer, "-12.34", issue_date=TODAY, original=invoice)
    receipts.credit_note_settle(credit_note=note, actor=org["finance"])
    body = api(org["finance"]).get(f"/api/v1/customers/{customer.pk}/credit/").json()
    assert (body["exposure"], body["overdue"], body["available"]) == ("87.66", "87.66", "912.34")


def test_money_aggregates_are_decimals_to_the_cent(org, account):
    from salesops.sales.models import Invoice

    customer, _invoice = account
    for amount in ("0.10", "0.20", "0.70", "1000.01"):
        make_invoice(customer, amount, issue_date=TODAY)
    total = money_total(Invoice.objects.filter(customer=customer), "total")
    assert total == D("1101.01") and total.as_tuple().exponent == -2
    assert money_total(Invoice.objects.none(), "total") == D("0.00")
    assert cents(0.1 + 0.2) == D("0.30") and cents(None) == D("0.00") and cents(D("1.005")) == D("1.01")
    exposure = exposure_for(customer_id=customer.pk)
    assert exposure == D("1101.01") and exposure.as_tuple().exponent == -2
