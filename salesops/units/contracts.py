"""Purchase contracts (签约), payment schedules, payments and mortgages.

The path of a sale: reservation with its deposit paid → contract drafted with the payment method
and schedule → the sales manager's review checklist → the down payment paid in full → signed
(the schedule's other lines become receivables with their due dates, each a deadline on the SOP
clock) → instalments and the mortgage funds paid → sold.

Every payment is a receipt of the money flow allocated to its line (`units.money`); a contract
is complete, and its unit sold, only when every line's receivable is paid.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from salesops.core import formatting
from salesops.core.audit import model_create, model_update
from salesops.core.exceptions import InvalidTransition, ValidationFailed
from salesops.core.numbering import next_number
from salesops.units import money as unit_money
from salesops.units.exceptions import (
    ChangeNotAllowed,
    ChangePending,
    DepositNotPaid,
    DownPaymentNotPaid,
    NothingDue,
    OwnReview,
    ReviewIncomplete,
    ScheduleMismatch,
)
from salesops.units.models import (
    CONTRACT_FLOW,
    MORTGAGE_FLOW,
    RESERVATION_FLOW,
    UNIT_FLOW,
    Mortgage,
    PaymentItem,
    PurchaseContract,
    Reservation,
    Unit,
    UnitChange,
)
from salesops.units.permissions import check_contract_fields, require
from salesops.units.services import lock_reservation, money, reservation_deposit_paid, transition

ZERO = Decimal("0.00")
MAX_INSTALMENTS = 24
SCHEDULE_YEARS = 10
SOP_RULE = "unit-instalment-due"
SOP_EVENT = "unit_instalment_paid"
CONTRACT_FIELDS = [
    "price",
    "method",
    "down_payment",
    "loan_amount",
    "bank",
    "loan_years",
    "loan_expected_on",
    "special_discount",
]
Method = PurchaseContract.Method
Status = PurchaseContract.Status
Kind = PaymentItem.Kind


# --- the schedule -----------------------------------------------------------------------------------
def _instalments(rows, today: datetime.date) -> list[tuple[datetime.date, Decimal]]:
    rows = list(rows or [])
    if len(rows) > MAX_INSTALMENTS:
        raise ValidationFailed(fields={"instalments": [_("At most %(n)d instalments.") % {"n": MAX_INSTALMENTS}]})
    result = []
    last = today + datetime.timedelta(days=366 * SCHEDULE_YEARS)
    for index, row in enumerate(rows, start=1):
        due = row.get("due_date")
        if isinstance(due, str):
            try:
                due = datetime.date.fromisoformat(due)
            except ValueError:
                due = None
        if not isinstance(due, datetime.date) or not (today <= due <= last):
            raise ValidationFailed(
                fields={
                    "instalments": [_("Instalment %(n)d: a due date from today on, within ten years.") % {"n": index}]
                }
            )
        try:
            amount = money(row.get("amount"), "instalments")
        except ValidationFailed:
            raise ValidationFailed(
                fields={"instalments": [_("Instalment %(n)d: an amount above zero with two decimals.") % {"n": index}]}
            )
        result.append((due, amount))
    return sorted(result, key=lambda pair: pair[0])


def _check_terms(contract: PurchaseContract, deposit: Decimal, instalments) -> None:
    problems: dict[str, list] = {}
    if contract.down_payment < deposit:
        problems["down_payment"] = [_("The down payment includes the deposit (%(deposit)s).") % {"deposit": deposit}]
    if contract.method == Method.MORTGAGE:
        if contract.loan_amount <= 0:
            problems["loan_amount"] = [_("Enter the loan amount.")]
        if not contract.bank.strip():
            problems["bank"] = [_("Name the lending bank.")]
        if contract.loan_expected_on is None:
            problems["loan_expected_on"] = [_("When is the loan expected?")]
    elif contract.loan_amount:
        problems["loan_amount"] = [_("Only a mortgage has a loan.")]
    if contract.method == Method.FULL and (contract.down_payment != contract.price or instalments):
        problems["down_payment"] = [_("Paid in full: the down payment is the whole price.")]
    if problems:
        raise ValidationFailed(fields=problems)
    scheduled = contract.down_payment + contract.loan_amount + sum((amount for _due, amount in instalments), ZERO)
    if scheduled != contract.price:
        raise ScheduleMismatch(
            _("Down payment, loan and instalments make %(scheduled)s; the price is %(price)s.")
            % {"scheduled": formatting.money(scheduled), "price": formatting.money(contract.price)},
            fields={"instalments": [_("The schedule must add up to the price.")]},
        )


def _write_schedule(contract: PurchaseContract, instalments) -> None:
    """The lines after the deposit: down payment (less the deposit), loan, instalments."""
    reservation = contract.reservation
    reservation.payment_items.filter(position__gt=1).delete()
    deposit = reservation.deposit_amount
    today = timezone.localdate()
    lines = []
    if contract.down_payment > deposit:
        lines.append((Kind.DOWN_PAYMENT, today, contract.down_payment - deposit))
    if contract.loan_amount:
        lines.append((Kind.LOAN, contract.loan_expected_on, contract.loan_amount))
    lines += [(Kind.INSTALMENT, due, amount) for due, amount in instalments]
    PaymentItem.objects.bulk_create(
        [
            PaymentItem(
                reservation=reservation, contract=contract, position=index, kind=kind, due_date=due, amount=amount
            )
            for index, (kind, due, amount) in enumerate(lines, start=2)
        ]
    )


def schedule_of(contract: PurchaseContract) -> list[dict]:
    """The instalments as given (for the edit form and the API)."""
    return [
        {"due_date": item.due_date, "amount": item.amount}
        for item in contract.payment_items.filter(kind=Kind.INSTALMENT).order_by("position")
    ]


# --- draft, review, sign --------------------------------------------------------------------------
@transaction.atomic
def contract_create(*, reservation: Reservation, actor, instalments=(), **data) -> PurchaseContract:
    require(actor, "contract.draft")
    _unit, reservation = lock_reservation(reservation)
    if reservation.status != Reservation.Status.RESERVED:
        raise DepositNotPaid(_("A contract is drafted once the deposit is paid (the reservation is reserved)."))
    if PurchaseContract.objects.filter(reservation=reservation).exists():
        raise ChangeNotAllowed(_("This reservation already has a contract."))
    values = {key: value for key, value in data.items() if key in CONTRACT_FIELDS and value is not None}
    check_contract_fields(actor, values, {"price": reservation.price, "special_discount": ""})
    terms = {"price": reservation.price, "bank": reservation.bank, "loan_amount": ZERO, **values}
    contract = PurchaseContract(
        reservation=reservation,
        unit=reservation.unit,
        customer=reservation.customer,
        consultant=reservation.consultant,
        team=reservation.team,
        created_by=actor,
        **terms,
    )
    schedule = _instalments(instalments, timezone.localdate())
    _check_terms(contract, reservation.deposit_amount, schedule)
    contract.number = next_number(prefix="UCT")
    model_create(instance=contract, actor=actor)
    PaymentItem.objects.filter(reservation=reservation, kind=Kind.DEPOSIT).update(contract=contract)
    _write_schedule(contract, schedule)
    return contract


def _lock_contract(contract: PurchaseContract) -> PurchaseContract:
    _unit, reservation = lock_reservation(contract.reservation)
    contract = PurchaseContract.objects.select_for_update().select_related("reservation", "unit").get(pk=contract.pk)
    contract.reservation = reservation
    contract.unit = reservation.unit
    return contract


@transaction.atomic
def contract_update(*, contract: PurchaseContract, data: dict, actor, instalments=None) -> PurchaseContract:
    """Change a draft (or a reviewed contract, which then needs a new review)."""
    require(actor, "contract.draft")
    contract = _lock_contract(contract)
    if contract.status not in (Status.DRAFT, Status.REVIEWED):
        raise InvalidTransition(_("Only a contract not yet signed can be changed."))
    if contract.payment_items.filter(kind=Kind.DOWN_PAYMENT, invoice__isnull=False).exists():
        raise ChangeNotAllowed(_("Money has been paid on the down payment; the amounts can no longer change."))
    values = {key: value for key, value in data.items() if key in CONTRACT_FIELDS}
    check_contract_fields(actor, values, {name: getattr(contract, name) for name in CONTRACT_FIELDS})
    schedule = _instalments(schedule_of(contract) if instalments is None else instalments, timezone.localdate())
    contract, _changed = model_update(instance=contract, fields=CONTRACT_FIELDS, data=values, actor=actor)
    _check_terms(contract, contract.reservation.deposit_amount, schedule)  # a refusal rolls the change back
    _write_schedule(contract, schedule)
    if contract.status == Status.REVIEWED:
        _clear_review(contract, actor)
    return contract


def _clear_review(contract: PurchaseContract, actor) -> None:
    checks = dict.fromkeys(PurchaseContract.CHECKS, False)
    transition(
        contract,
        CONTRACT_FLOW,
        Status.DRAFT,
        actor=actor,
        note=_("Changed after the review: to be reviewed again."),
        reviewed_by=None,
        reviewed_at=None,
        **checks,
    )


@transaction.atomic
def contract_review(*, contract: PurchaseContract, actor, checks: dict, note: str = "") -> PurchaseContract:
    """The sales manager's review before signing (签约审核): every point must be checked."""
    require(actor, "contract.review")
    contract = _lock_contract(contract)
    if contract.consultant_id == actor.pk:
        raise OwnReview()
    if contract.status != Status.DRAFT:
        raise InvalidTransition(_("Only a draft contract is reviewed."))
    missing = {name: [_("Check this point.")] for name in PurchaseContract.CHECKS if not checks.get(name)}
    if missing:
        raise ReviewIncomplete(fields=missing)
    transition(
        contract,
        CONTRACT_FLOW,
        Status.REVIEWED,
        actor=actor,
        note=note,
        reviewed_by=actor,
        reviewed_at=timezone.now(),
        **dict.fromkeys(PurchaseContract.CHECKS, True),
    )
    return contract


@transaction.atomic
def contract_sign(*, contract: PurchaseContract, actor, signed_on: datetime.date | None = None) -> PurchaseContract:
    """Sign: reviewed, and the down payment paid in full with the contract (首付款付足). The
    other lines become receivables, each due date a deadline on the SOP clock."""
    require(actor, "contract.sign")
    contract = _lock_contract(contract)
    if contract.status != Status.REVIEWED:
        raise InvalidTransition(_("The contract is signed after the sales manager's review."))
    items = list(contract.reservation.payment_items.select_related("invoice").order_by("position"))
    upfront = [item for item in items if item.kind in (Kind.DEPOSIT, Kind.DOWN_PAYMENT)]
    if not all(unit_money.is_paid(item) for item in upfront):
        raise DownPaymentNotPaid()
    signed_on = signed_on or timezone.localdate()
    if signed_on > timezone.localdate():
        raise ValidationFailed(fields={"signed_on": [_("The date cannot be in the future.")]})
    transition(contract, CONTRACT_FLOW, Status.SIGNED, actor=actor, signed_on=signed_on)
    reservation = contract.reservation
    transition(reservation, RESERVATION_FLOW, Reservation.Status.SIGNED, actor=actor, note=contract.number)
    transition(contract.unit, UNIT_FLOW, Unit.Status.SIGNED, actor=actor, note=contract.number)
    for item in items:
        if item.invoice_id is None:
            _issue(item, reservation, actor)
            _sop_start(item, reservation)
    if contract.method == Method.MORTGAGE:
        model_create(instance=Mortgage(contract=contract, bank=contract.bank, amount=contract.loan_amount), actor=actor)
    _complete_if_paid(contract, actor)
    return contract


def _issue(item: PaymentItem, reservation: Reservation, actor) -> None:
    item.invoice = unit_money.receivable_issue(
        customer=reservation.customer,
        amount=item.amount,
        due_date=item.due_date,
        rep=reservation.consultant,
        team=reservation.team,
        note=f"{reservation.unit.code} · {item.get_kind_display()} · {reservation.number}",
        actor=actor,
    )
    item.save(update_fields=["invoice"])


def _sop_start(item: PaymentItem, reservation: Reservation) -> None:
    """Each due date is a deadline on the SOP clock for the consultant (终身负责制): reminded
    before, escalated when missed, met only by the money allocated to the line."""
    from salesops.sop import hooks

    hooks.start(
        rule=SOP_RULE,
        person=reservation.consultant,
        started_at=hooks.start_of_day(item.due_date),
        reference=f"unit-payment:{item.pk}",
    )


def _complete_if_paid(contract: PurchaseContract, actor) -> None:
    if contract.status != Status.SIGNED:
        return
    items = contract.reservation.payment_items.filter(cancelled=False)
    if items.filter(invoice__isnull=True).exists() or items.filter(**unit_money.open_invoice_filter()).exists():
        return
    transition(contract, CONTRACT_FLOW, Status.COMPLETED, actor=actor, completed_at=timezone.now())
    transition(contract.unit, UNIT_FLOW, Unit.Status.SOLD, actor=actor, note=contract.number)


# --- payments --------------------------------------------------------------------------------------
@transaction.atomic
def payment_record(
    *,
    item: PaymentItem,
    amount,
    received_on: datetime.date,
    actor,
    method: str = "bank_transfer",
    bank_reference: str = "",
    note: str = "",
):
    """Finance records money for one line of the schedule: a receipt of the money flow,
    allocated to the line's receivable. The purchase moves on when a line is paid: the hold
    becomes a reservation, the mortgage's funds arrive, the unit is sold."""
    require(actor, "contract.pay")
    amount = money(amount, "amount")
    if received_on > timezone.localdate():
        raise ValidationFailed(fields={"received_on": [_("The date cannot be in the future.")]})
    _unit, reservation = lock_reservation(item.reservation)
    item = PaymentItem.objects.select_for_update(of=("self",)).select_related("contract").get(pk=item.pk)
    item.reservation = reservation
    _check_payable(item, reservation)
    if item.invoice_id is None:
        _issue(item, reservation, actor)
    receipt = unit_money.receivable_pay(
        invoice=item.invoice,
        amount=amount,
        received_on=received_on,
        method=method,
        actor=actor,
        bank_reference=bank_reference,
        note=f"{reservation.unit.code} · {item.get_kind_display()}" + (f" · {note}" if note else ""),
    )
    payments_advance(reservation=reservation, actor=actor, received_on=received_on)
    return receipt


def _check_payable(item: PaymentItem, reservation: Reservation) -> None:
    if item.cancelled:
        raise NothingDue()
    if reservation.changes.filter(status=UnitChange.Status.PENDING).exists():
        raise ChangePending(
            _("A refund or change of this purchase waits for approval; payments wait for its decision.")
        )
    if item.kind == Kind.DEPOSIT:
        if reservation.status != Reservation.Status.HELD:
            raise InvalidTransition(_("The deposit is taken while the unit is held for the customer."))
        if timezone.now() >= reservation.hold_expires_at:
            raise InvalidTransition(_("The hold has run out; hold the unit again first."))
        return
    contract = item.contract
    if contract is None or contract.status in (Status.CANCELLED, Status.COMPLETED):
        raise NothingDue()
    if item.kind == Kind.DOWN_PAYMENT and contract.status not in (Status.REVIEWED, Status.SIGNED):
        raise InvalidTransition(_("The down payment is taken once the sales manager has reviewed the contract."))
    if item.kind != Kind.DOWN_PAYMENT and contract.status != Status.SIGNED:
        raise InvalidTransition(_("This line is collected after the contract is signed."))
    if item.kind == Kind.LOAN:
        stage = Mortgage.objects.filter(contract=contract).values_list("stage", flat=True).first()
        if stage != Mortgage.Stage.APPROVED:
            raise InvalidTransition(_("The loan arrives after the bank approved it; record the approval first."))
    if item.invoice_id and unit_money.open_amount(item.invoice) <= 0:
        raise NothingDue()


def payments_advance(*, reservation: Reservation, actor=None, received_on: datetime.date | None = None) -> None:
    """Move the purchase on after money came in (rows locked by the caller): a paid deposit
    makes the reservation, a paid loan is the mortgage's funds, a paid schedule a sale; each
    line paid meets its SOP deadline."""
    reservation_deposit_paid(reservation=reservation, actor=actor)
    contract = PurchaseContract.objects.filter(reservation=reservation).select_related("unit").first()
    if contract is None:
        return
    contract.reservation = reservation
    for item in reservation.payment_items.filter(cancelled=False, invoice__isnull=False).select_related("invoice"):
        if item.invoice.paid_amount < item.invoice.total:
            continue
        if item.kind == Kind.LOAN:
            _funds_arrived(contract, actor, received_on or timezone.localdate())
        if item.kind in (Kind.INSTALMENT, Kind.LOAN, Kind.BALANCE):
            _sop_met(item, reservation, received_on)
    _complete_if_paid(contract, actor)


def _funds_arrived(contract: PurchaseContract, actor, on: datetime.date) -> None:
    mortgage = Mortgage.objects.select_for_update().filter(contract=contract).first()
    if mortgage is not None and mortgage.stage == Mortgage.Stage.APPROVED:
        transition(
            mortgage, MORTGAGE_FLOW, Mortgage.Stage.FUNDS_ARRIVED, actor=actor, field="stage", funds_arrived_on=on
        )


def _sop_met(item: PaymentItem, reservation: Reservation, received_on: datetime.date | None) -> None:
    from salesops.sop import hooks
    from salesops.sop.models import SopEvent

    reference = f"unit-payment:{item.pk}"
    if SopEvent.objects.filter(event_type=SOP_EVENT, reference=reference).exists():
        return
    occurred = hooks.end_of_day(received_on) if received_on is not None else timezone.now()
    hooks.done(event=SOP_EVENT, person=reservation.consultant, occurred_at=occurred, reference=reference)


def payments_sync(*, now=None) -> int:
    """Purchases whose money finance confirmed elsewhere (the credit pages, "apply on
    account"): move them on as if the payment had been recorded here (a periodic job).
    Returns the number of purchases looked at."""
    waiting = (
        PaymentItem.objects.filter(cancelled=False, invoice__status="paid")
        .filter(Q(reservation__status=Reservation.Status.HELD) | Q(contract__status=Status.SIGNED))
        .values_list("reservation_id", flat=True)
        .distinct()
    )
    ids = list(waiting)
    for reservation_id in ids:
        with transaction.atomic():
            _unit, reservation = lock_reservation(Reservation(pk=reservation_id, unit_id=_unit_of(reservation_id)))
            payments_advance(reservation=reservation)
    return len(ids)


def _unit_of(reservation_id: int) -> int:
    return Reservation.objects.values_list("unit_id", flat=True).get(pk=reservation_id)


# --- mortgage --------------------------------------------------------------------------------------
@transaction.atomic
def mortgage_update(
    *,
    mortgage: Mortgage,
    stage: str,
    actor,
    on: datetime.date | None = None,
    approved_amount=None,
    note: str = "",
) -> Mortgage:
    """Application and the bank's decision. The funds arriving is not set here: it is the
    receipt of the loan (`payment_record`)."""
    require(actor, "mortgage.update")
    mortgage = Mortgage.objects.select_for_update().get(pk=mortgage.pk)
    on = on or timezone.localdate()
    if on > timezone.localdate():
        raise ValidationFailed(fields={"on": [_("The date cannot be in the future.")]})
    if stage == Mortgage.Stage.FUNDS_ARRIVED:
        raise InvalidTransition(_("The funds arrive with finance's receipt of the loan."))
    extra: dict = {"note": note.strip()[:300] or mortgage.note}
    if stage == Mortgage.Stage.APPLIED:
        extra["applied_on"] = on
    elif stage == Mortgage.Stage.APPROVED:
        approved = money(approved_amount if approved_amount not in (None, "") else mortgage.amount, "approved_amount")
        if approved > mortgage.amount:
            raise ValidationFailed(fields={"approved_amount": [_("More than the loan applied for.")]})
        extra.update(approved_on=on, approved_amount=approved)
    transition(mortgage, MORTGAGE_FLOW, stage, actor=actor, field="stage", **extra)
    return mortgage
