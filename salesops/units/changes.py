"""Refunds and changes of a purchase (退认购, 退房, 换房) and list price changes (调价), both
decided by the approval engine.

A refund request fixes, by the project's rule for the reason given, what the seller keeps and
what goes back; approvers see those amounts. Once approved, in the deciding transaction: what
was still owed is closed by credit notes, the refund becomes a credit note on the customer's
account, the unit is free and goes to the first on its waitlist. Finance then pays the refund
out (`refund_pay`), which closes the credit note on the day of the payment.

A change to another unit keeps the target unit held while the request waits, so nobody else
takes it; the money paid moves with the purchase.
"""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from salesops.core.audit import model_create, model_update
from salesops.core.exceptions import NotFound, ValidationFailed
from salesops.core.numbering import next_number
from salesops.units import money as unit_money
from salesops.units.exceptions import (
    ApprovalRuleMissing,
    ChangeNotAllowed,
    ChangePending,
    RefundAlreadyPaid,
    UnitNotAvailable,
)
from salesops.units.models import (
    CHANGE_FLOW,
    CONTRACT_FLOW,
    PRICE_CHANGE_FLOW,
    RESERVATION_FLOW,
    UNIT_FLOW,
    PaymentItem,
    PriceChange,
    PriceChangeLine,
    PurchaseContract,
    Reservation,
    Unit,
    UnitChange,
)
from salesops.units.permissions import require
from salesops.units.services import free_unit, money, transition

CHANGE_DOC_TYPE = "unit_change"
PRICE_DOC_TYPE = "unit_price_change"
ZERO = Decimal("0.00")
CENT = Decimal("0.01")
Kind = UnitChange.Kind
Reason = UnitChange.Reason


def _lock(unit_ids, reservation_id: int | None = None) -> tuple[dict[int, Unit], Reservation | None]:
    """Lock the units in primary-key order, then the purchase."""
    units = {
        unit.pk: unit
        for unit in Unit.objects.select_for_update()
        .select_related("project")
        .filter(pk__in=set(unit_ids))
        .order_by("pk")
    }
    reservation = None
    if reservation_id is not None:
        reservation = (
            Reservation.objects.select_for_update().select_related("customer", "project").get(pk=reservation_id)
        )
        reservation.unit = units[reservation.unit_id]
    return units, reservation


def _invoice_ids(reservation: Reservation) -> list[int]:
    return list(reservation.payment_items.filter(invoice__isnull=False).values_list("invoice_id", flat=True))


def refund_terms(reservation: Reservation, kind: str, reason: str) -> tuple[Decimal, Decimal, Decimal]:
    """(paid, kept, refund) by the project's rule: a buyer who withdraws loses the deposit share
    (退认购) or the contract penalty (退房), never more than was paid; a refused loan or a cause on
    the seller's side refunds everything; a change of unit refunds nothing (the money moves)."""
    paid = unit_money.received_for(_invoice_ids(reservation))
    if kind == Kind.TRANSFER:
        return paid, ZERO, ZERO
    kept = ZERO
    if reason == Reason.BUYER_WITHDRAWS:
        project = reservation.project
        if kind == Kind.CANCEL_RESERVATION:
            kept = reservation.deposit_amount * project.forfeit_percent / 100
        else:
            kept = reservation.price * project.contract_penalty_percent / 100
        kept = min(paid, kept.quantize(CENT, rounding=ROUND_HALF_UP))
    return paid, kept, paid - kept


def _check_stage(reservation: Reservation, kind: str) -> None:
    contract = PurchaseContract.objects.filter(reservation=reservation).first()
    signed = contract is not None and contract.status in (
        PurchaseContract.Status.SIGNED,
        PurchaseContract.Status.COMPLETED,
    )
    if kind == Kind.CANCEL_RESERVATION and not (reservation.status == Reservation.Status.RESERVED and not signed):
        raise ChangeNotAllowed(_("A reservation is cancelled while its deposit is paid and no contract is signed."))
    if kind == Kind.CANCEL_CONTRACT and not signed:
        raise ChangeNotAllowed(_("Only a signed contract is cancelled this way."))
    if kind == Kind.TRANSFER and not (reservation.status == Reservation.Status.RESERVED and contract is None):
        raise ChangeNotAllowed(_("A reserved unit without a contract can be changed for another one."))


@transaction.atomic
def change_request(
    *, reservation: Reservation, kind: str, reason: str, actor, note: str = "", target_unit: Unit | None = None
) -> UnitChange:
    from salesops.approvals.services import approval_submit

    require(actor, "change.request")
    if kind not in Kind.values:
        raise ValidationFailed(fields={"kind": [_("Choose what to change.")]})
    if reason not in Reason.values:
        raise ValidationFailed(fields={"reason": [_("Choose the reason.")]})
    if kind == Kind.TRANSFER and target_unit is None:
        raise ValidationFailed(fields={"target_unit": [_("Choose the new unit.")]})
    unit_ids = [reservation.unit_id] + ([target_unit.pk] if kind == Kind.TRANSFER else [])
    units, reservation = _lock(unit_ids, reservation.pk)
    if UnitChange.objects.filter(reservation=reservation, status=UnitChange.Status.PENDING).exists():
        raise ChangePending()
    _check_stage(reservation, kind)
    target = None
    if kind == Kind.TRANSFER:
        target = units[target_unit.pk]
        if target.project_id != reservation.project_id or target.pk == reservation.unit_id:
            raise ValidationFailed(fields={"target_unit": [_("Choose another unit of the same project.")]})
        if target.status != Unit.Status.AVAILABLE:
            raise UnitNotAvailable(fields={"target_unit": [_("This unit is not available.")]})
    paid, kept, refund = refund_terms(reservation, kind, reason)
    change = UnitChange(
        number=next_number(prefix="UCH"),
        reservation=reservation,
        kind=kind,
        reason=reason,
        note=note.strip()[:2000],
        target_unit=target,
        paid_amount=paid,
        kept_amount=kept,
        refund_amount=refund,
        requested_by=actor,
        requested_at=timezone.now(),
    )
    model_create(instance=change, actor=actor)
    if target is not None:
        transition(target, UNIT_FLOW, Unit.Status.HELD, actor=actor, note=change.number)
    if approval_submit(document=change, doc_type=CHANGE_DOC_TYPE, actor=actor) is None:
        raise ApprovalRuleMissing()
    return change


def change_approved(change: UnitChange, approval=None) -> None:
    """Carry out an approved change, inside the deciding transaction."""
    decider = approval.tasks.filter(decided_by__isnull=False).order_by("-position").first() if approval else None
    actor = decider.decided_by if decider else None
    reservation = change.reservation
    unit_ids = [reservation.unit_id] + ([change.target_unit_id] if change.target_unit_id else [])
    units, reservation = _lock(unit_ids, reservation.pk)
    change = UnitChange.objects.select_for_update().get(pk=change.pk)
    if change.status != UnitChange.Status.PENDING:
        return
    now = timezone.now()
    if change.kind == Kind.TRANSFER:
        _transfer(change, reservation, units[change.target_unit_id], actor, now)
    else:
        _cancel(change, reservation, actor, now)
    transition(change, CHANGE_FLOW, UnitChange.Status.DONE, actor=actor, decided_at=now)


def _cancel(change: UnitChange, reservation: Reservation, actor, now) -> None:
    note = f"{change.number} · {change.get_kind_display()}"
    contract = PurchaseContract.objects.select_for_update().filter(reservation=reservation).first()
    if contract is not None and contract.status != PurchaseContract.Status.CANCELLED:
        transition(contract, CONTRACT_FLOW, PurchaseContract.Status.CANCELLED, actor=actor, note=change.number)
    items = list(reservation.payment_items.select_related("invoice").order_by("position"))
    for item in items:
        if item.invoice_id:
            unit_money.receivable_close(invoice=item.invoice, actor=actor, note=note)
    PaymentItem.objects.filter(pk__in=[item.pk for item in items]).update(cancelled=True)
    if change.refund_amount > 0:
        paid = [item.invoice for item in items if item.invoice_id]
        change.credit_note = unit_money.refund_credit(
            original=paid[0], amount=change.refund_amount, actor=actor, note=note
        )
        change.save(update_fields=["credit_note"])
    transition(
        reservation, RESERVATION_FLOW, Reservation.Status.CANCELLED, actor=actor, note=change.number, closed_at=now
    )
    unit = reservation.unit
    if unit.status in (Unit.Status.RESERVED, Unit.Status.SIGNED, Unit.Status.SOLD):
        free_unit(unit=unit, actor=actor, now=now, note=change.number)


def _transfer(change: UnitChange, reservation: Reservation, target: Unit, actor, now) -> None:
    old = reservation.unit
    transition(target, UNIT_FLOW, Unit.Status.RESERVED, actor=actor, note=change.number)
    model_update(
        instance=reservation,
        fields=["unit", "price"],
        data={"unit": target, "price": target.list_price},
        actor=actor,
        note=change.number,
    )
    free_unit(unit=old, actor=actor, now=now, note=change.number)


def change_closed(change: UnitChange, target: str) -> None:
    """Rejected, returned or withdrawn: nothing changes; a target unit kept for it is free again."""
    change = UnitChange.objects.select_for_update().get(pk=change.pk)
    if change.status != UnitChange.Status.PENDING:
        return
    transition(change, CHANGE_FLOW, target, decided_at=timezone.now())
    if change.target_unit_id:
        units, _reservation = _lock([change.target_unit_id])
        unit = units[change.target_unit_id]
        if unit.status == Unit.Status.HELD and not unit.reservations.filter(status__in=Reservation.ACTIVE).exists():
            free_unit(unit=unit, actor=None, now=timezone.now(), note=change.number)


@transaction.atomic
def change_withdraw(*, change: UnitChange, actor) -> UnitChange:
    from salesops.approvals.services import approval_withdraw, pending_request_for

    approval = pending_request_for(document=change, doc_type=CHANGE_DOC_TYPE)
    if approval is None:
        raise ChangeNotAllowed(_("Only a request waiting for approval can be withdrawn."))
    approval_withdraw(request=approval, actor=actor)  # on_cancelled closes the change
    change.refresh_from_db()
    return change


@transaction.atomic
def refund_pay(*, change: UnitChange, paid_on: datetime.date, actor, method: str, reference: str = "") -> UnitChange:
    """Finance pays the refund out (bank transfer, cash…)."""
    require(actor, "change.pay_refund")
    change = UnitChange.objects.select_for_update(of=("self",)).select_related("credit_note").get(pk=change.pk)
    if change.status != UnitChange.Status.DONE or change.credit_note is None:
        raise ChangeNotAllowed(_("There is no approved refund to pay on this request."))
    if change.refund_document_id:
        raise RefundAlreadyPaid()
    if method not in dict(unit_money.METHOD_CHOICES):
        raise ValidationFailed(fields={"method": [_("Choose how the refund is paid.")]})
    document = unit_money.refund_pay(
        credit_note=change.credit_note,
        paid_on=paid_on,
        actor=actor,
        note=f"{change.number} · {dict(unit_money.METHOD_CHOICES)[method]} {reference}".strip(),
    )
    model_update(
        instance=change,
        fields=["refund_document", "refund_paid_on", "refund_reference"],
        data={"refund_document": document, "refund_paid_on": paid_on, "refund_reference": reference.strip()[:100]},
        actor=actor,
    )
    return change


# --- list price changes --------------------------------------------------------------------------
@transaction.atomic
def price_change_request(*, project, lines, reason: str, actor) -> PriceChange:
    """`lines`: (unit, new price) pairs of units of `project`; goes to approval at once."""
    from salesops.approvals.services import approval_submit

    require(actor, "price_change.request")
    reason = (reason or "").strip()
    prices: dict[int, Decimal] = {}
    problems: dict[str, list] = {} if reason else {"reason": [_("Say why the prices change.")]}
    for unit, new_price in lines:
        try:
            prices[getattr(unit, "pk", unit)] = money(new_price, f"price_{getattr(unit, 'pk', unit)}")
        except ValidationFailed as error:
            for name, messages in error.fields.items():
                problems.setdefault(name, []).extend(messages)
    if problems:
        raise ValidationFailed(fields=problems)
    units = {unit.pk: unit for unit in Unit.objects.filter(project=project, pk__in=list(prices))}
    if len(units) != len(prices):
        raise NotFound(_("Some of these units are not in this project."))
    changed = {pk: price for pk, price in prices.items() if price != units[pk].list_price}
    if not changed:
        raise ValidationFailed(fields={"lines": [_("Enter at least one new price.")]})
    change = PriceChange(
        number=next_number(prefix="UPC"),
        project=project,
        reason=reason[:300],
        requested_by=actor,
        requested_at=timezone.now(),
    )
    model_create(instance=change, actor=actor)
    PriceChangeLine.objects.bulk_create(
        [
            PriceChangeLine(price_change=change, unit=units[pk], old_price=units[pk].list_price, new_price=price)
            for pk, price in sorted(changed.items())
        ]
    )
    if approval_submit(document=change, doc_type=PRICE_DOC_TYPE, actor=actor) is None:
        raise ApprovalRuleMissing()
    return change


def price_change_apply(change: PriceChange, approval=None) -> None:
    decider = approval.tasks.filter(decided_by__isnull=False).order_by("-position").first() if approval else None
    actor = decider.decided_by if decider else None
    change = PriceChange.objects.select_for_update().get(pk=change.pk)
    if change.status != PriceChange.Status.PENDING:
        return
    lines = list(change.lines.all())
    units = {
        u.pk: u for u in Unit.objects.select_for_update().filter(pk__in=[line.unit_id for line in lines]).order_by("pk")
    }
    for line in lines:
        model_update(
            instance=units[line.unit_id],
            fields=["list_price"],
            data={"list_price": line.new_price},
            actor=actor,
            note=change.number,
        )
    transition(change, PRICE_CHANGE_FLOW, PriceChange.Status.APPLIED, actor=actor, applied_at=timezone.now())


def price_change_closed(change: PriceChange, target: str) -> None:
    change = PriceChange.objects.select_for_update().get(pk=change.pk)
    if change.status == PriceChange.Status.PENDING:
        transition(change, PRICE_CHANGE_FLOW, target)


@transaction.atomic
def price_change_withdraw(*, change: PriceChange, actor) -> PriceChange:
    from salesops.approvals.services import approval_withdraw, pending_request_for

    approval = pending_request_for(document=change, doc_type=PRICE_DOC_TYPE)
    if approval is None:
        raise ChangeNotAllowed(_("Only a request waiting for approval can be withdrawn."))
    approval_withdraw(request=approval, actor=actor)
    change.refresh_from_db()
    return change
