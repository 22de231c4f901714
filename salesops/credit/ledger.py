"""The customer's account as finance keeps it: invoices raise the balance, credit notes and
confirmed receipts lower it (whether or not they are allocated yet, so money on account is
never lost), a reversed receipt raises it again on the day it was reversed. Statements,
reviews and the AR pack read these helpers; at any day the balance equals the ageing's
balance (open documents less money on account) because both sum the same rows."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from salesops.credit.models import Receipt
from salesops.credit.money import money_total

ZERO = Decimal("0.00")


def add_months(day: datetime.date, months: int) -> datetime.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return datetime.date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise ValueError(day)


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def month_end(day: datetime.date) -> datetime.date:
    return add_months(month_start(day), 1) - datetime.timedelta(days=1)


def _documents():
    from salesops.sales.models import Invoice

    return Invoice.objects.exclude(status=Invoice.Status.CANCELLED)


def _receipts():
    """Money finance confirmed, including money reversed later (it counted until then)."""
    return Receipt.objects.filter(status__in=(Receipt.Status.CONFIRMED, Receipt.Status.REVERSED))


def balance_at(*, customer_id: int, day: datetime.date) -> Decimal:
    """What the customer owes at the end of `day` (negative: money on account)."""
    invoiced = money_total(_documents().filter(customer_id=customer_id, issue_date__lte=day), "total")
    receipts = _receipts().filter(customer_id=customer_id)
    received = money_total(receipts.filter(received_on__lte=day), "amount")
    reversed_ = money_total(receipts.filter(reversed_on__lte=day), "amount")
    return invoiced - received + reversed_


@dataclass(frozen=True)
class LedgerEntry:
    day: datetime.date
    kind: str  # invoice, credit_note, receipt, reversal
    number: str
    reference: str
    debit: Decimal
    credit: Decimal
    balance: Decimal
    due_date: datetime.date | None = None
    tax: Decimal = ZERO  # the VAT inside a document's amount (negative on a credit note)


def ledger_entries(*, customer_id: int, start: datetime.date, end: datetime.date) -> tuple[Decimal, list[LedgerEntry]]:
    """Opening balance at the start and the entries of the period with a running balance."""
    opening = balance_at(customer_id=customer_id, day=start - datetime.timedelta(days=1))
    rows = []
    for number, kind, day, due, total, tax in (
        _documents()
        .filter(customer_id=customer_id, issue_date__gte=start, issue_date__lte=end)
        .values_list("number", "kind", "issue_date", "due_date", "total", "tax_total")
    ):
        rows.append((day, 0, kind, number, "", max(total, ZERO), max(-total, ZERO), due, tax))
    for number, day, method, reference, amount in (
        _receipts()
        .filter(customer_id=customer_id, received_on__gte=start, received_on__lte=end)
        .values_list("number", "received_on", "method", "bank_reference", "amount")
    ):
        rows.append((day, 1, "receipt", number, reference or Receipt.Method(method).label, ZERO, amount, None, ZERO))
    for number, day, note, amount in (
        _receipts()
        .filter(customer_id=customer_id, reversed_on__gte=start, reversed_on__lte=end)
        .values_list("number", "reversed_on", "note", "amount")
    ):
        rows.append((day, 2, "reversal", number, note, amount, ZERO, None, ZERO))
    rows.sort(key=lambda row: (row[0], row[1], row[3]))
    balance = opening
    entries = []
    for day, _order, kind, number, reference, debit, credit, due, tax in rows:
        balance = balance + debit - credit
        entries.append(LedgerEntry(day, kind, number, str(reference), debit, credit, balance, due, tax))
    return opening, entries
