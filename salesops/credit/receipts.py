"""Receipts of payment (回款) and their allocation to invoices: the one record of money.

An invoice is paid only through allocations (of receipts here, of credit notes below), each
dated when the money met the invoice; `Invoice.paid_amount` and `Receipt.allocated_amount`
are their running sums, moved in the same transaction.

A rep records money they handed to the cashier; finance confirms it (finance's own entries
are confirmed at once). Confirmed money is allocated oldest-first (by due date) or to the
invoices chosen; what no open invoice can take stays on the receipt as money on account.
Money paid for an order (a cash sale, the part of a credit order above the limit) names the
order: while the order is open it pays only that order's invoices, as they are issued. When
finance confirms money, the customer's orders waiting for it are released (decided again
under the credit file's lock, see `sales.services.orders_release_for_customer`).

A confirmed receipt that bounces is reversed on a date: allocations of the opposite sign,
dated then, reopen what it paid, so every report before that date still shows it paid.
Invoice rows are locked in primary-key order, so two allocations never pay one invoice twice.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Case, F, Sum, Value, When
from django.utils.translation import gettext as _

from salesops.core.audit import audit_record, model_create
from salesops.core.exceptions import PermissionDenied, ValidationFailed
from salesops.core.models import AuditEvent
from salesops.core.numbering import next_number
from salesops.core.roles import Role
from salesops.core.selectors import company_date
from salesops.credit.escalations import collection_done
from salesops.credit.exceptions import InvalidAllocation, NothingToAllocate, ReceiptNotConfirmed
from salesops.credit.models import RECEIPT_FLOW, Allocation, IdempotencyKey, Receipt
from salesops.credit.money import CENT, money_total, parse_amount
from salesops.credit.selectors import FINANCE_ROLES

ZERO = Decimal("0.00")
CONFIRMING_ROLES = frozenset({Role.FINANCE})
RECEIPT_SCOPE = "receipt"
# orders whose payment is still tied to them (once closed, cancelled or rejected, their money
# is free on the customer's account)
ORDER_HOLDS_PAYMENT = (
    "pending_approval",
    "pending_payment",
    "confirmed",
    "partially_delivered",
    "delivered",
)


def _transition(receipt: Receipt, target: str, actor, **fields) -> None:
    RECEIPT_FLOW.check(receipt.status, target)
    before = receipt.status
    receipt.status = target
    for name, value in fields.items():
        setattr(receipt, name, value)
    receipt.save(update_fields=["status", *fields])
    audit_record(
        instance=receipt,
        action=AuditEvent.Action.TRANSITION,
        actor=actor,
        changes={"status": [before, target], **{name: [None, str(value)] for name, value in fields.items()}},
    )


def _payable_order(order, customer_id: int):
    """The order a receipt pays, locked: one of the customer's orders still open."""
    from salesops.sales.models import SalesOrder

    pk = getattr(order, "pk", order)
    found = SalesOrder.objects.select_for_update().filter(pk=pk, customer_id=customer_id).first()
    if found is None or found.status not in ORDER_HOLDS_PAYMENT:
        raise ValidationFailed(fields={"order": [_("Choose an open order of this customer.")]})
    return found


def paid_for_order(order) -> Decimal:
    """The money finance confirmed for an order (its receipts, reversed ones left out)."""
    return money_total(Receipt.objects.filter(order=order, status=Receipt.Status.CONFIRMED), "amount")


@transaction.atomic
def receipt_record(
    *,
    actor,
    customer,
    amount,
    received_on: datetime.date,
    method: str = Receipt.Method.BANK_TRANSFER,
    bank_reference: str = "",
    handed_by=None,
    note: str = "",
    invoices: Sequence | None = None,
    order=None,
    released_at=None,
) -> Receipt:
    """Record money received, for `order` when given. Finance's entry is confirmed and
    allocated at once (to `invoices` when given, else oldest first); a rep's entry waits for
    finance. `released_at`: when orders this money releases count as confirmed (a cash sale
    keyed in later: the time the order was taken)."""
    amount = parse_amount(amount, field="amount", minimum=CENT)
    if received_on > company_date():
        raise ValidationFailed(fields={"received_on": [_("The date cannot be in the future.")]})
    if method not in Receipt.Method.values:
        raise ValidationFailed(fields={"method": [_("Choose how the money was paid.")]})
    if order is not None:
        order = _payable_order(order, customer.pk)
    if handed_by is None and actor.has_role(Role.SALES_REP):
        handed_by = actor
    elif handed_by is not None and handed_by.pk != actor.pk and not actor.has_role(*FINANCE_ROLES):
        # who handed the money over decides the receipt's team and whose collection it is:
        # a rep records their own; only finance names someone else
        only_finance = _("Only finance can do this.")
        raise PermissionDenied(only_finance, fields={"handed_by": [only_finance]})
    team = (handed_by.org_unit if handed_by and handed_by.org_unit_id else None) or customer.team
    receipt = Receipt(
        customer=customer,
        order=order,
        amount=amount,
        received_on=received_on,
        method=method,
        bank_reference=bank_reference.strip(),
        handed_by=handed_by,
        team=team,
        note=note,
        recorded_by=actor,
    )
    receipt.number = next_number(prefix="RC", year=received_on.year)
    model_create(instance=receipt, actor=actor)
    if actor.has_role(*CONFIRMING_ROLES):
        receipt = receipt_confirm(receipt=receipt, actor=actor, invoices=invoices, released_at=released_at)
    return receipt


def receipt_record_idempotent(*, key: str, actor, **data) -> tuple[Receipt, bool]:
    """`receipt_record` guarded by a client's Idempotency-Key: the same key from the same user
    returns the receipt the first request created (second value False) instead of a new one."""
    key = (key or "").strip()[:100]
    existing = IdempotencyKey.objects.filter(user=actor, scope=RECEIPT_SCOPE, key=key).first()
    if existing:
        return Receipt.objects.get(pk=existing.object_id), False
    try:
        with transaction.atomic():
            receipt = receipt_record(actor=actor, **data)
            IdempotencyKey.objects.create(user=actor, scope=RECEIPT_SCOPE, key=key, object_id=receipt.pk)
            return receipt, True
    except IntegrityError:
        # A concurrent request with the same key won the race; its receipt is the answer.
        existing = IdempotencyKey.objects.filter(user=actor, scope=RECEIPT_SCOPE, key=key).first()
        if existing is None:
            raise
        return Receipt.objects.get(pk=existing.object_id), False


@transaction.atomic
def receipt_confirm(
    *, receipt: Receipt, actor, invoices: Sequence | None = None, order=None, released_at=None
) -> Receipt:
    """Finance confirms the money (for `order` when given): it is allocated, then the
    customer's orders waiting for money are decided again. `released_orders` on the answer
    lists those confirmed by it."""
    from salesops.sales.services import orders_release_for_customer

    receipt = Receipt.objects.select_for_update().get(pk=receipt.pk)
    fields = {"confirmed_by": actor}
    if order is not None:
        fields["order"] = _payable_order(order, receipt.customer_id)
    _transition(receipt, Receipt.Status.CONFIRMED, actor, **fields)
    receipt_allocate(receipt=receipt, actor=actor, invoices=invoices, allow_empty=True)
    released = orders_release_for_customer(customer_id=receipt.customer_id, actor=actor, at=released_at)
    receipt.refresh_from_db()
    receipt.released_orders = released
    return receipt


@transaction.atomic
def receipt_assign_order(*, receipt: Receipt, order, actor) -> Receipt:
    """Finance says which open order a receipt pays (money not yet allocated to anything);
    confirmed money then releases the order when it covers it."""
    from salesops.sales.services import orders_release_for_customer

    receipt = Receipt.objects.select_for_update().get(pk=receipt.pk)
    if receipt.status not in (Receipt.Status.HANDED_OVER, Receipt.Status.CONFIRMED) or receipt.allocated_amount:
        raise InvalidAllocation(
            fields={"order": [_("Only money not yet allocated to invoices can be set against an order.")]}
        )
    order = _payable_order(order, receipt.customer_id)
    before = receipt.order_id
    receipt.order = order
    receipt.save(update_fields=["order"])
    audit_record(
        instance=receipt,
        action=AuditEvent.Action.UPDATE,
        actor=actor,
        changes={"order": [before, order.pk]},
        note=_("For order %(order)s") % {"order": order.number},
    )
    released = []
    if receipt.status == Receipt.Status.CONFIRMED:
        receipt_allocate(receipt=receipt, actor=actor, allow_empty=True)
        released = orders_release_for_customer(customer_id=receipt.customer_id, actor=actor)
    receipt.refresh_from_db()
    receipt.released_orders = released
    return receipt


@transaction.atomic
def receipt_cancel(*, receipt: Receipt, actor, note: str = "") -> Receipt:
    """Only money not yet confirmed can be cancelled (a wrong entry by a rep)."""
    receipt = Receipt.objects.select_for_update().get(pk=receipt.pk)
    _transition(receipt, Receipt.Status.CANCELLED, actor, note=note or receipt.note)
    return receipt


@transaction.atomic
def receipt_reverse(*, receipt: Receipt, actor, reversed_on: datetime.date, reason: str) -> Receipt:
    """Confirmed money that did not arrive after all (a bounced cheque, a returned transfer):
    what it paid is reopened by allocations of the opposite sign dated `reversed_on`, and from
    that day on it no longer counts as received."""
    from salesops.sales.models import Invoice

    receipt = Receipt.objects.select_for_update().get(pk=receipt.pk)
    RECEIPT_FLOW.check(receipt.status, Receipt.Status.REVERSED)
    if not (reason or "").strip():
        raise ValidationFailed(fields={"reason": [_("Say why the money is reversed.")]})
    if reversed_on < receipt.received_on or reversed_on > company_date():
        raise ValidationFailed(fields={"reversed_on": [_("Give a date between the day the money came in and today.")]})
    paid = dict(receipt.allocations.values("invoice_id").annotate(net=Sum("amount")).values_list("invoice_id", "net"))
    for invoice in _lock(Invoice.objects.filter(pk__in=[pk for pk, net in paid.items() if net])):
        _move_invoice(invoice, -paid[invoice.pk], actor, _("Reversal of %(receipt)s") % {"receipt": receipt.number})
        Allocation.objects.create(
            receipt=receipt, invoice=invoice, amount=-paid[invoice.pk], allocated_on=reversed_on, created_by=actor
        )
    _transition(
        receipt,
        Receipt.Status.REVERSED,
        actor,
        reversed_on=reversed_on,
        allocated_amount=ZERO,
        note=f"{receipt.note} · {reason.strip()}"[:300] if receipt.note else reason.strip()[:300],
    )
    return receipt


def _open_invoices(customer_id: int):
    from salesops.sales.models import Invoice

    return Invoice.objects.filter(
        customer_id=customer_id, kind=Invoice.Kind.INVOICE, status=Invoice.Status.OPEN, total__gt=F("paid_amount")
    )


def _payable_invoices(receipt: Receipt):
    """The invoices a receipt may pay: its order's while that order is open, else the
    customer's."""
    invoices = _open_invoices(receipt.customer_id)
    if receipt.order_id and receipt.order.status in ORDER_HOLDS_PAYMENT:
        invoices = invoices.filter(order_id=receipt.order_id)
    return invoices


@transaction.atomic
def receipt_allocate(
    *,
    receipt: Receipt,
    actor,
    invoices: Sequence | None = None,
    amounts: dict[int, Decimal] | None = None,
    allow_empty: bool = False,
) -> list[Allocation]:
    """Apply the receipt's unallocated money to invoices: the chosen ones in the given order
    (each up to `amounts[invoice_id]` when given), otherwise the open ones oldest first. What
    is left stays on account."""
    from salesops.sales.models import Invoice

    receipt = Receipt.objects.select_for_update(of=("self",)).select_related("order").get(pk=receipt.pk)
    if receipt.status != Receipt.Status.CONFIRMED:
        raise ReceiptNotConfirmed()
    remaining = receipt.amount - receipt.allocated_amount
    if remaining <= 0:
        if allow_empty:
            return []
        raise NothingToAllocate()
    payable = _payable_invoices(receipt)
    if invoices:
        wanted = [getattr(invoice, "pk", invoice) for invoice in invoices]
        found = {invoice.pk: invoice for invoice in _lock(Invoice.objects.filter(pk__in=wanted))}
        allowed = set(payable.filter(pk__in=wanted).values_list("pk", flat=True))
        if any(pk not in found or pk not in allowed for pk in wanted):
            raise InvalidAllocation(
                fields={"invoices": [_("Only open invoices of this customer (and of its order) can take this money.")]}
            )
        ordered = [found[pk] for pk in dict.fromkeys(wanted)]
    else:
        # money paid for an order goes to that order's invoices first, even once the order is closed
        first = Case(When(order_id=receipt.order_id, then=Value(0)), default=Value(1)) if receipt.order_id else Value(0)
        candidates = list(
            payable.annotate(own_order_first=first)
            .order_by("own_order_first", "due_date", "issue_date", "pk")
            .values_list("pk", flat=True)
        )
        locked = {invoice.pk: invoice for invoice in _lock(Invoice.objects.filter(pk__in=candidates))}
        ordered = [locked[pk] for pk in candidates if pk in locked]
    made = []
    for invoice in ordered:
        if remaining <= 0:
            break
        cap = invoice.total - invoice.paid_amount
        if amounts and invoice.pk in amounts:
            cap = min(cap, parse_amount(amounts[invoice.pk], field="amounts", minimum=CENT))
        amount = min(remaining, cap)
        if amount <= 0:
            continue
        made.append(_apply(receipt, invoice, amount, actor))
        remaining -= amount
    if not made and not allow_empty:
        raise InvalidAllocation(fields={"invoices": [_("None of these invoices has anything left to pay.")]})
    return made


@transaction.atomic
def order_payments_allocate(*, order_id: int, actor) -> list[Allocation]:
    """Set the money paid for an order against its open invoices (called when one is issued,
    possibly closing the order: the money still goes to this order's invoices only)."""
    made = []
    for receipt in Receipt.objects.filter(
        order_id=order_id, status=Receipt.Status.CONFIRMED, allocated_amount__lt=F("amount")
    ).order_by("received_on", "pk"):
        own = list(
            _open_invoices(receipt.customer_id)
            .filter(order_id=order_id)
            .order_by("due_date", "issue_date", "pk")
            .values_list("pk", flat=True)
        )
        if not own:
            break
        made += receipt_allocate(receipt=receipt, actor=actor, invoices=own, allow_empty=True)
    return made


def _lock(queryset):
    return list(queryset.select_for_update().order_by("pk"))


def _move_invoice(invoice, change: Decimal, actor, note: str) -> None:
    """Move an invoice's paid amount by `change` (its status follows), audited."""
    from salesops.sales.models import Invoice

    before_paid, before_status = invoice.paid_amount, invoice.status
    invoice.paid_amount += change
    invoice.status = Invoice.Status.PAID if invoice.paid_amount == invoice.total else Invoice.Status.OPEN
    # the row is locked: the new values are written as computed in Decimal (SQL arithmetic on
    # SQLite's REAL storage would leave 0.1 + 0.2 != 0.3 and the status wrong)
    Invoice.objects.filter(pk=invoice.pk).update(paid_amount=invoice.paid_amount, status=invoice.status)
    audit_record(
        instance=invoice,
        action=AuditEvent.Action.UPDATE,
        actor=actor if getattr(actor, "pk", None) else None,
        changes={
            "paid_amount": [str(before_paid), str(invoice.paid_amount)],
            **({"status": [before_status, invoice.status]} if before_status != invoice.status else {}),
        },
        note=note,
    )


def _apply(receipt: Receipt, invoice, amount: Decimal, actor) -> Allocation:
    from salesops.sales.models import Invoice

    allocation = Allocation.objects.create(
        receipt=receipt,
        invoice=invoice,
        amount=amount,
        allocated_on=max(receipt.received_on, invoice.issue_date),
        created_by=actor,
    )
    receipt.allocated_amount += amount  # the receipt is locked; written in Decimal as above
    Receipt.objects.filter(pk=receipt.pk).update(allocated_amount=receipt.allocated_amount)
    _move_invoice(invoice, amount, actor, _("Payment %(receipt)s") % {"receipt": receipt.number})
    if invoice.status == Invoice.Status.PAID:
        collection_done(invoice=invoice, on=allocation.allocated_on, actor=actor)
    return allocation


# --- credit notes ------------------------------------------------------------------------------
@transaction.atomic
def credit_note_settle(*, credit_note, actor, invoices: Sequence | None = None) -> list[Allocation]:
    """Set an open credit note against open invoices of its customer: the chosen ones in the
    given order, otherwise the invoice it credits first, then the others oldest first. Each
    invoice owes less by what it takes; what no invoice can take stays open on the credit note
    as credit on account (it lowers the exposure and is set against the next invoices)."""
    from salesops.sales.models import Invoice

    if credit_note.kind != Invoice.Kind.CREDIT_NOTE:
        raise InvalidAllocation(fields={"credit_note": [_("Only a credit note can be set against invoices.")]})
    if invoices:
        wanted = list(dict.fromkeys(getattr(invoice, "pk", invoice) for invoice in invoices))
    else:
        wanted = list(
            _open_invoices(credit_note.customer_id)
            .order_by("due_date", "issue_date", "pk")
            .values_list("pk", flat=True)
        )
        if credit_note.original_id in wanted:
            wanted.remove(credit_note.original_id)
            wanted.insert(0, credit_note.original_id)
    locked = {row.pk: row for row in _lock(Invoice.objects.filter(pk__in=[credit_note.pk, *wanted]))}
    credit_note = locked.pop(credit_note.pk)
    if invoices and any(
        pk not in locked
        or locked[pk].customer_id != credit_note.customer_id
        or locked[pk].kind != Invoice.Kind.INVOICE
        or locked[pk].status != Invoice.Status.OPEN
        for pk in wanted
    ):
        raise InvalidAllocation(
            fields={"invoices": [_("Only open invoices of this customer can take this credit note.")]}
        )
    remaining = credit_note.paid_amount - credit_note.total  # what is left to credit, positive
    if credit_note.status != Invoice.Status.OPEN or remaining <= 0:
        return []
    made = []
    for pk in wanted:
        invoice = locked.get(pk)
        if invoice is None or remaining <= 0:
            continue
        amount = min(remaining, invoice.total - invoice.paid_amount)
        if amount <= 0:
            continue
        made.append(_apply_credit(credit_note, invoice, amount, actor))
        remaining -= amount
    return made


def _apply_credit(credit_note, invoice, amount: Decimal, actor) -> Allocation:
    from salesops.sales.models import Invoice

    allocation = Allocation.objects.create(
        credit_note=credit_note,
        invoice=invoice,
        amount=amount,
        allocated_on=max(credit_note.issue_date, invoice.issue_date),
        # approved returns are carried out by the engine without a person: the credit note's author
        created_by_id=actor.pk if getattr(actor, "pk", None) else credit_note.created_by_id or credit_note.rep_id,
    )
    for document, change in ((invoice, amount), (credit_note, -amount)):
        before_paid, before_status = document.paid_amount, document.status
        document.paid_amount += change
        if document.paid_amount == document.total:
            document.status = Invoice.Status.PAID
        Invoice.objects.filter(pk=document.pk).update(paid_amount=document.paid_amount, status=document.status)
        audit_record(
            instance=document,
            action=AuditEvent.Action.UPDATE,
            actor=actor if getattr(actor, "pk", None) else None,
            changes={
                "paid_amount": [str(before_paid), str(document.paid_amount)],
                **({"status": [before_status, document.status]} if before_status != document.status else {}),
            },
            note=_("Credit note %(credit_note)s set against %(invoice)s")
            % {"credit_note": credit_note.number, "invoice": invoice.number},
        )
    if invoice.status == Invoice.Status.PAID:
        collection_done(invoice=invoice, on=allocation.allocated_on, actor=actor)
    return allocation


@transaction.atomic
def customer_apply_credit_on_account(*, customer, actor) -> list[Allocation]:
    """Apply the customer's credit on account to their open invoices: open credit notes
    first, then every confirmed receipt's unallocated money, oldest first (used when new
    invoices arrive after a return or an overpayment). Money paid for an open order stays
    for that order's invoices."""
    from salesops.sales.models import Invoice

    made = []
    for credit_note in Invoice.objects.filter(
        customer=customer, kind=Invoice.Kind.CREDIT_NOTE, status=Invoice.Status.OPEN, total__lt=F("paid_amount")
    ).order_by("issue_date", "pk"):
        made += credit_note_settle(credit_note=credit_note, actor=actor)
    for receipt in Receipt.objects.filter(
        customer=customer, status=Receipt.Status.CONFIRMED, allocated_amount__lt=F("amount")
    ).order_by("received_on", "pk"):
        made += receipt_allocate(receipt=receipt, actor=actor, allow_empty=True)
    return made
