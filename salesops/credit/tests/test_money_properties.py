"""Property: whatever happens to a customer's account — invoices, receipts, credit notes,
reversals, money applied on account, in any order and amounts — every report reads the same
allocations, so at every date:

- the ageing's open total equals the documents issued by then less the receipts' allocations
  dated by then (a credit note's allocation moves money between two documents, nothing more),
  and each document's open amount is its total less its allocations dated by then;
- the ageing's balance (open less money on account) equals the ledger's balance, the closing
  balance of the statement and of the AR pack ending that day;
- the rep's reconciliation figure equals the ageing of the rep's invoices;
- today, the paid amounts kept on the documents equal the sum of their allocations, the credit
  exposure equals the ageing's balance, and the ageing of today (read from the paid amounts)
  equals the same figures rebuilt from the allocations.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from salesops.credit import receipts
from salesops.credit.ageing import ageing, open_at
from salesops.credit.ledger import balance_at
from salesops.credit.models import Allocation, Receipt
from salesops.credit.services import credit_exposure
from salesops.credit.statements import ar_pack_rows, rep_ledger_balance, statement_figures
from salesops.credit.tests.factories import make_customer, make_invoice
from salesops.sales.models import Invoice

ZERO = Decimal("0.00")
HORIZON = 150  # days of history; everything happens in the past, today closes it

amounts = st.integers(min_value=1, max_value=500_000).map(lambda cents: Decimal(cents) / 100)
operation = st.one_of(
    st.tuples(st.just("invoice"), amounts, st.sampled_from([0, 15, 30, 60])),
    st.tuples(st.just("receipt"), amounts, st.booleans()),  # True: for the oldest invoices chosen
    st.tuples(st.just("credit_note"), amounts, st.booleans()),  # True: against the newest invoice
    st.tuples(st.just("reversal"), st.integers(min_value=0, max_value=20), st.integers(min_value=0, max_value=10)),
    st.tuples(st.just("apply_on_account"), st.just(0), st.just(0)),
)
histories = st.lists(
    st.tuples(st.integers(min_value=0, max_value=HORIZON - 1), operation), min_size=1, max_size=14
).map(lambda items: sorted(items, key=lambda item: item[0]))  # the account's history in date order


def run_history(org, customer, history, start: datetime.date) -> None:
    finance = org["finance"]
    for offset, (kind, value, option) in history:
        day = start + datetime.timedelta(days=offset)
        if kind == "invoice":
            make_invoice(customer, value, issue_date=day, due_days=option)
        elif kind == "receipt":
            chosen = None
            if option:
                chosen = list(
                    Invoice.objects.filter(customer=customer, kind="invoice", status="open", issue_date__lte=day)
                    .order_by("issue_date", "pk")
                    .values_list("pk", flat=True)[:1]
                )
            receipts.receipt_record(
                actor=finance, customer=customer, amount=value, received_on=day, invoices=chosen or None
            )
        elif kind == "credit_note":
            target = (
                Invoice.objects.filter(customer=customer, kind="invoice", issue_date__lte=day)
                .order_by("-issue_date", "-pk")
                .first()
            )
            note = make_invoice(customer, -value, issue_date=day, kind="credit_note")
            if option and target is not None:
                note.original = target
                note.save(update_fields=["original"])
            receipts.credit_note_settle(credit_note=note, actor=finance)
        elif kind == "reversal":
            confirmed = list(
                Receipt.objects.filter(customer=customer, status="confirmed", received_on__lte=day).order_by("pk")
            )
            if confirmed:
                receipt = confirmed[value % len(confirmed)]
                reversed_on = min(max(day, receipt.received_on), start + datetime.timedelta(days=HORIZON - 1))
                receipts.receipt_reverse(receipt=receipt, actor=finance, reversed_on=reversed_on, reason="bounced")
        else:
            receipts.customer_apply_credit_on_account(customer=customer, actor=finance)


def expected_open(customer, as_of: datetime.date) -> Decimal:
    """Documents issued by `as_of` less the receipts' allocations dated by then, summed in
    Python from the rows (independent of the ageing's SQL)."""
    issued = sum(
        (t for t in Invoice.objects.filter(customer=customer, issue_date__lte=as_of).values_list("total", flat=True)),
        ZERO,
    )
    allocated = sum(
        Allocation.objects.filter(
            invoice__customer=customer, receipt__isnull=False, allocated_on__lte=as_of
        ).values_list("amount", flat=True),
        ZERO,
    )
    return issued - allocated


def expected_document_open(document: Invoice, as_of: datetime.date) -> Decimal:
    on_it = sum(
        Allocation.objects.filter(invoice=document, allocated_on__lte=as_of).values_list("amount", flat=True), ZERO
    )
    drawn = sum(
        Allocation.objects.filter(credit_note=document, allocated_on__lte=as_of).values_list("amount", flat=True),
        ZERO,
    )
    return document.total - on_it + drawn


def check_date(customer, as_of: datetime.date, month_start: datetime.date) -> None:
    documents = Invoice.objects.filter(customer=customer)
    money = Receipt.objects.filter(customer=customer)
    report = ageing(documents, as_of=as_of, group_by="customer", receipts=money)
    totals = report["totals"]
    assert totals["total"] == expected_open(customer, as_of), as_of
    assert sum((totals[name] for name in ("current", "d1_30", "d31_60", "d61_90", "d90_plus")), ZERO) == totals["total"]
    # each document, as the drill-down lists it
    listed = {row.pk: row.amount_open for row in open_at(documents, as_of)}
    for document in documents.filter(issue_date__lte=as_of):
        assert listed.get(document.pk, ZERO) == expected_document_open(document, as_of), (document.number, as_of)
    balance = balance_at(customer_id=customer.pk, day=as_of)
    assert totals["balance"] == balance, as_of
    figures = statement_figures(customer_id=customer.pk, start=month_start, end=as_of)
    assert figures["closing"] == balance
    assert figures["opening"] == balance_at(customer_id=customer.pk, day=month_start - datetime.timedelta(days=1))
    rows = ar_pack_rows(invoices=documents, receipts=money, start=month_start, end=as_of)
    pack = {row["customer_id"]: row for row in rows}
    assert pack.get(customer.pk, {"closing": ZERO})["closing"] == balance
    # the rep's reconciliation (all the rep's customers: examples share the rep) against the ageing by rep
    by_rep = ageing(Invoice.objects.filter(rep=customer.owner), as_of=as_of, group_by="rep")
    assert rep_ledger_balance(rep=customer.owner, as_of=as_of) == by_rep["totals"]["total"]


@pytest.mark.django_db
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(history=histories)
def test_every_report_agrees_with_the_allocations_at_every_date(org, history):
    today = datetime.date.today()
    start = today - datetime.timedelta(days=HORIZON)
    customer = make_customer(org, "rep2")  # a customer of its own for each example
    run_history(org, customer, history, start)

    dates = sorted({start + datetime.timedelta(days=offset) for offset, _op in history})
    dates += [dates[-1] + datetime.timedelta(days=1), today - datetime.timedelta(days=1)]
    for as_of in dates:
        check_date(customer, as_of, as_of.replace(day=1))

    # today: the running sums kept on the documents are their allocations
    for document in Invoice.objects.filter(customer=customer):
        assert document.paid_amount == expected_document_open(document, today).__neg__() + document.total
        expected_status = "paid" if document.paid_amount == document.total else "open"
        assert document.status == expected_status, document.number
    for receipt in Receipt.objects.filter(customer=customer, status="confirmed"):
        assert receipt.allocated_amount == sum(receipt.allocations.values_list("amount", flat=True), ZERO)
    for receipt in Receipt.objects.filter(customer=customer, status="reversed"):
        assert sum(receipt.allocations.values_list("amount", flat=True), ZERO) == ZERO
    today_report = ageing(
        Invoice.objects.filter(customer=customer),
        as_of=today,
        group_by="customer",
        receipts=Receipt.objects.filter(customer=customer),
    )
    yesterday = today - datetime.timedelta(days=1)
    assert today_report["totals"]["total"] == expected_open(customer, yesterday)
    assert today_report["totals"]["balance"] == balance_at(customer_id=customer.pk, day=today)
    exposure = credit_exposure(customer_id=customer.pk)
    assert exposure.total == today_report["totals"]["balance"]
