"""Where unit sales meet the money flow: the one module of `units` that writes or reads the
documents of the credit and sales areas, through their services.

- A schedule line the customer owes (deposit, down payment, instalment, loan, balance) becomes
  a receivable: an invoice of the customer without an order, with the line's due date.
- Money is a receipt that finance records and allocates to that receivable
  (`credit.receipts.receipt_record`); a line is paid by the allocations of receipts, dated.
- What is no longer owed (a cancelled purchase) is closed by a credit note set against it.
- A refund is a credit note for the money given back (credit on the customer's account) and,
  when finance pays it out, a refund-payment document that the credit note settles: the
  customer's account, the ageing and the statements all come back to zero at that date.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from salesops.core import formatting
from salesops.core.audit import model_create
from salesops.core.exceptions import ValidationFailed
from salesops.core.numbering import next_number
from salesops.credit.models import Allocation, Receipt
from salesops.credit.money import money_total
from salesops.credit.receipts import credit_note_settle, receipt_record
from salesops.sales.models import Invoice
from salesops.sales.services import INVOICE_PREFIX

ZERO = Decimal("0.00")
CREDIT_NOTE_PREFIX = "CN"
REFUND_PREFIX = "RF"
METHOD_CHOICES = Receipt.Method.choices


def receivable_issue(*, customer, amount: Decimal, due_date: datetime.date, rep, team, note: str, actor) -> Invoice:
    today = timezone.localdate()
    issue_date = min(today, due_date)
    invoice = Invoice(
        number=next_number(prefix=INVOICE_PREFIX, year=issue_date.year),
        kind=Invoice.Kind.INVOICE,
        customer=customer,
        rep=rep,
        team=team,
        issue_date=issue_date,
        due_date=due_date,
        total=amount,
        note=note[:500],
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    return model_create(instance=invoice, actor=actor, note=note[:500])


def receivable_pay(
    *,
    invoice: Invoice,
    amount: Decimal,
    received_on: datetime.date,
    method: str,
    actor,
    bank_reference: str = "",
    note: str = "",
) -> Receipt:
    """Finance records money received for this receivable; it is allocated to it at once."""
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    open_amount = invoice.total - invoice.paid_amount
    if amount > open_amount:
        raise ValidationFailed(
            fields={
                "amount": [_("Only %(open)s is still open on this line.") % {"open": formatting.money(open_amount)}]
            }
        )
    if method not in Receipt.Method.values:
        raise ValidationFailed(fields={"method": [_("Choose how the money was paid.")]})
    return receipt_record(
        actor=actor,
        customer=invoice.customer,
        amount=amount,
        received_on=received_on,
        method=method,
        bank_reference=bank_reference,
        note=note[:300],
        invoices=[invoice],
    )


def open_amount(invoice: Invoice | None) -> Decimal:
    return ZERO if invoice is None else invoice.total - invoice.paid_amount


def is_paid(item) -> bool:
    """A schedule line is paid when its receivable exists and nothing is open on it."""
    if item.invoice_id is None:
        return False
    invoice = Invoice.objects.only("total", "paid_amount").get(pk=item.invoice_id)
    return invoice.paid_amount >= invoice.total


def received_for(invoice_ids: Iterable[int]) -> Decimal:
    """Money received on these receivables: receipts' allocations, not credit notes."""
    ids = [pk for pk in invoice_ids if pk]
    if not ids:
        return ZERO
    return money_total(Allocation.objects.filter(invoice_id__in=ids, receipt__isnull=False), "amount")


def receivable_close(*, invoice: Invoice, actor, note: str) -> Invoice | None:
    """What is still open on a receivable is no longer owed: a credit note of that amount,
    set against it. None when nothing was open."""
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    remaining = invoice.total - invoice.paid_amount
    if invoice.status != Invoice.Status.OPEN or remaining <= 0:
        return None
    credit_note = _credit_note(original=invoice, amount=remaining, actor=actor, note=note)
    credit_note_settle(credit_note=credit_note, actor=actor, invoices=[invoice])
    return credit_note


def refund_credit(*, original: Invoice, amount: Decimal, actor, note: str) -> Invoice:
    """Money to give back: a credit note, open (credit on the customer's account) until paid out."""
    return _credit_note(original=original, amount=amount, actor=actor, note=note)


def refund_pay(*, credit_note: Invoice, paid_on: datetime.date, actor, note: str) -> Invoice:
    """Finance pays the refund out: the payment is a debit on the customer's account, which
    the credit note settles, so both close on the day of the payment."""
    credit_note = Invoice.objects.select_for_update().get(pk=credit_note.pk)
    amount = credit_note.paid_amount - credit_note.total  # what is left to give back
    if amount <= 0:
        raise ValidationFailed(_("Nothing is left to refund."))
    if paid_on > timezone.localdate():
        raise ValidationFailed(fields={"paid_on": [_("The date cannot be in the future.")]})
    payment = Invoice(
        number=next_number(prefix=REFUND_PREFIX, year=paid_on.year),
        kind=Invoice.Kind.INVOICE,
        customer_id=credit_note.customer_id,
        rep_id=credit_note.rep_id,
        team_id=credit_note.team_id,
        issue_date=max(paid_on, credit_note.issue_date),
        due_date=max(paid_on, credit_note.issue_date),
        total=amount,
        note=note[:500],
        created_by=actor,
    )
    model_create(instance=payment, actor=actor, note=note[:500])
    credit_note_settle(credit_note=credit_note, actor=actor, invoices=[payment])
    return payment


def _credit_note(*, original: Invoice, amount: Decimal, actor, note: str) -> Invoice:
    today = timezone.localdate()
    credit_note = Invoice(
        number=next_number(prefix=CREDIT_NOTE_PREFIX, year=today.year),
        kind=Invoice.Kind.CREDIT_NOTE,
        customer_id=original.customer_id,
        rep_id=original.rep_id,
        team_id=original.team_id,
        issue_date=today,
        due_date=today,
        total=-amount,
        original=original,
        note=note[:500],
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    return model_create(instance=credit_note, actor=actor, note=note[:500])


def open_invoice_filter(prefix: str = "invoice__") -> dict:
    """Lookups of a schedule line whose receivable still has money open."""
    return {f"{prefix}status": Invoice.Status.OPEN, f"{prefix}total__gt": F(f"{prefix}paid_amount")}


def receipt_allocations():
    """Allocations of money (not credit notes) to the receivables of unit sales."""
    return Allocation.objects.filter(receipt__isnull=False, invoice__unit_payment_item__isnull=False)
