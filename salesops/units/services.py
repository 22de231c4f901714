"""Writes of unit sales: projects, buildings and units; holds, reservations and the waitlist.

Never sold twice: every service that decides about a unit locks the unit's row first
(`SELECT … FOR UPDATE`), then the purchase rows, always in that order; a database constraint
refuses a second active purchase of one unit even if a caller forgot the lock. A unit that
comes free (a hold lapses, a purchase is cancelled) goes to the first customer on its waitlist
in the same transaction, with a notice to their consultant.

Contracts and payments are in `units.contracts`, refunds and changes in `units.changes`, rooms
in `units.bookings`, the purchase file in `units.files`.
"""

from __future__ import annotations

import datetime
import zoneinfo
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salesops.core import formatting
from salesops.core.audit import audit_record, model_create, model_update
from salesops.core.exceptions import NotFound, ValidationFailed
from salesops.core.models import AuditEvent
from salesops.core.numbering import next_number
from salesops.core.selectors import company_current
from salesops.core.services import lazy_message, notify
from salesops.core.state import StateMachine
from salesops.units.exceptions import AlreadyOnWaitlist, UnitIsFree, UnitNotAvailable
from salesops.units.models import (
    RESERVATION_FLOW,
    UNIT_FLOW,
    WAITLIST_FLOW,
    Building,
    PaymentItem,
    Project,
    Reservation,
    Unit,
    WaitlistEntry,
)
from salesops.units.permissions import require

CENT = Decimal("0.01")
PROJECT_FIELDS = [
    "code",
    "name",
    "city",
    "address",
    "team",
    "hold_hours",
    "sign_within_days",
    "deposit_amount",
    "forfeit_percent",
    "contract_penalty_percent",
    "active",
]
UNIT_FIELDS = ["kind", "layout", "area", "orientation"]  # the list price changes only by approval


# --- shared helpers -----------------------------------------------------------------------------
def company_tz() -> zoneinfo.ZoneInfo:
    """The company's time zone: dates of holds, bookings and payments are the company's dates
    (pages and the API run in it; the periodic jobs switch to it)."""
    company = company_current()
    return zoneinfo.ZoneInfo(company.time_zone if company else settings.SALESOPS_DEFAULT_TIME_ZONE)


def transition(
    instance, flow: StateMachine, target: str, *, actor=None, note: str = "", field: str = "status", **extra
):
    """Move a status along its table, save it with `extra` fields, record the change."""
    before = getattr(instance, field)
    flow.check(before, target)
    setattr(instance, field, target)
    for name, value in extra.items():
        setattr(instance, name, value)
    instance.save(update_fields=[field, *extra])
    audit_record(
        instance=instance,
        action=AuditEvent.Action.TRANSITION,
        actor=actor,
        changes={field: [before, target]},
        note=note,
    )


def money(value, field: str) -> Decimal:
    """A positive amount with at most two decimals, refused with a field error otherwise."""
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (ArithmeticError, ValueError, TypeError):
        raise ValidationFailed(fields={field: [_("Enter an amount.")]})
    if not amount.is_finite() or amount != amount.quantize(CENT):
        raise ValidationFailed(fields={field: [_("Use at most two decimal places.")]})
    if amount <= 0:
        raise ValidationFailed(fields={field: [_("Enter an amount above zero.")]})
    if amount > Decimal("999999999.99"):
        raise ValidationFailed(fields={field: [_("This amount is too large.")]})
    return amount


def check_customer_visible(actor, customer) -> None:
    """The actor sells only to customers they may see (their own, their team's…)."""
    from salesops.crm.selectors import customer_list_for_user

    if actor is not None and not customer_list_for_user(user=actor).filter(pk=customer.pk).exists():
        raise NotFound(_("No such customer."))


def _lock_unit(unit) -> Unit:
    return Unit.objects.select_for_update().select_related("project").get(pk=unit.pk)


def _url(name: str, pk: int) -> str:
    return reverse(name, args=[pk])


# --- projects, buildings, units -------------------------------------------------------------------
@transaction.atomic
def project_create(*, actor, **data) -> Project:
    require(actor, "project.manage")
    project = Project(**{key: value for key, value in data.items() if key in PROJECT_FIELDS})
    return model_create(instance=project, actor=actor)


@transaction.atomic
def project_update(*, project: Project, data: dict, actor) -> Project:
    """Policy numbers are validated here, when written, since every hold reads them."""
    require(actor, "project.manage")
    project = Project.objects.select_for_update().get(pk=project.pk)
    project, _changed = model_update(instance=project, fields=PROJECT_FIELDS, data=data, actor=actor)
    return project


@transaction.atomic
def building_create(
    *,
    project: Project,
    code: str,
    name: str,
    floors: int,
    actor,
    units_per_floor: int = 0,
    area: Decimal | None = None,
    price_per_m2: Decimal | None = None,
    floor_premium: Decimal = Decimal("0"),
    kind: str = Unit.Kind.APARTMENT,
    layout: str = "",
    orientation: str = "",
    position: int = 10,
) -> Building:
    """A building, and when `units_per_floor` is given its units floor by floor (code
    `<building>-<floor><position>`, e.g. 1-1203), priced at `price_per_m2` plus `floor_premium`
    per m² for each floor above the first."""
    require(actor, "project.manage")
    building = model_create(
        instance=Building(project=project, code=code, name=name, floors=floors, position=position), actor=actor
    )
    if units_per_floor:
        if not (1 <= units_per_floor <= 99):
            raise ValidationFailed(fields={"units_per_floor": [_("Between 1 and 99 units per floor.")]})
        if area is None or price_per_m2 is None:
            raise ValidationFailed(
                fields={"area": [_("Give the floor area and the price per m² to create the units.")]}
            )
        units = []
        for floor in range(1, floors + 1):
            per_m2 = price_per_m2 + floor_premium * (floor - 1)
            for stack in range(1, units_per_floor + 1):
                unit = Unit(
                    project=project,
                    building=building,
                    code=f"{code}-{floor}{stack:02d}",
                    floor=floor,
                    stack=stack,
                    kind=kind,
                    layout=layout,
                    area=area,
                    orientation=orientation,
                    list_price=(area * per_m2).quantize(CENT),
                )
                unit.full_clean(exclude=["project", "building"])
                units.append(unit)
        Unit.objects.bulk_create(units)
        audit_record(
            instance=building,
            action=AuditEvent.Action.UPDATE,
            actor=actor,
            changes={"units": [0, len(units)]},
            note=_("Units created floor by floor"),
        )
    return building


@transaction.atomic
def unit_create(*, building: Building, actor, **data) -> Unit:
    require(actor, "project.manage")
    unit = Unit(
        project_id=building.project_id,
        building=building,
        **{key: value for key, value in data.items() if key in [*UNIT_FIELDS, "code", "floor", "stack", "list_price"]},
    )
    return model_create(instance=unit, actor=actor)


@transaction.atomic
def unit_update(*, unit: Unit, data: dict, actor) -> Unit:
    require(actor, "project.manage")
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    unit, _changed = model_update(instance=unit, fields=UNIT_FIELDS, data=data, actor=actor)
    return unit


@transaction.atomic
def unit_block(*, unit: Unit, actor, blocked: bool, note: str = "") -> Unit:
    """Take an available unit off sale (销控), or put it back."""
    require(actor, "unit.block")
    unit = _lock_unit(unit)
    if blocked:
        if unit.status != Unit.Status.AVAILABLE:
            raise UnitNotAvailable()
        transition(unit, UNIT_FLOW, Unit.Status.BLOCKED, actor=actor, note=note)
    else:
        transition(unit, UNIT_FLOW, Unit.Status.AVAILABLE, actor=actor, note=note)
        promote_waitlist(unit=unit, now=timezone.now())
    return unit


# --- holds and reservations ---------------------------------------------------------------------
@dataclass(frozen=True)
class HoldOutcome:
    """What asking for a unit gave: a hold, or a place on its waitlist."""

    reservation: Reservation | None = None
    waitlist_entry: WaitlistEntry | None = None

    @property
    def position(self) -> int | None:
        return waitlist_position(self.waitlist_entry) if self.waitlist_entry else None


def _hold(*, unit: Unit, customer, actor, now, deposit=None, note: str = "", waitlist_entry=None) -> Reservation:
    """Hold the locked, available `unit` for `customer`; the deposit is due before the hold ends."""
    project = unit.project
    deposit = money(deposit, "deposit_amount") if deposit not in (None, "") else project.deposit_amount
    if deposit > unit.list_price:
        raise ValidationFailed(fields={"deposit_amount": [_("The deposit cannot exceed the price.")]})
    transition(unit, UNIT_FLOW, Unit.Status.HELD, actor=actor, note=customer.name)
    reservation = Reservation(
        number=next_number(prefix="RSV"),
        project=project,
        unit=unit,
        customer=customer,
        consultant=customer.owner,
        team=customer.team,
        price=unit.list_price,
        deposit_amount=deposit,
        held_at=now,
        hold_expires_at=now + datetime.timedelta(hours=project.hold_hours),
        note=note,
        waitlist_entry=waitlist_entry,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    model_create(instance=reservation, actor=actor)
    PaymentItem.objects.create(
        reservation=reservation,
        position=1,
        kind=PaymentItem.Kind.DEPOSIT,
        due_date=timezone.localdate(reservation.hold_expires_at),
        amount=deposit,
    )
    return reservation


@transaction.atomic
def reservation_hold(
    *, unit: Unit, customer, actor, deposit=None, note: str = "", waitlist: bool = False
) -> HoldOutcome:
    """Hold `unit` for `customer` (查询销控, then 下定). When the unit is taken, refuse with
    `unit_not_available`, or with `waitlist=True` queue the customer on its waitlist."""
    require(actor, "reservation.hold")
    check_customer_visible(actor, customer)
    unit = _lock_unit(unit)
    if unit.status != Unit.Status.AVAILABLE:
        if not waitlist:
            raise UnitNotAvailable(unit=unit.code, status=unit.status)
        return HoldOutcome(waitlist_entry=_join(unit=unit, customer=customer, actor=actor, note=note))
    if not unit.project.active:
        raise UnitNotAvailable(_("This project is not on sale."))
    now = timezone.now()
    return HoldOutcome(
        reservation=_hold(unit=unit, customer=customer, actor=actor, now=now, deposit=deposit, note=note)
    )


def lock_reservation(reservation: Reservation) -> tuple[Unit, Reservation]:
    """Lock the unit, then the purchase (the order every unit decision takes)."""
    unit = _lock_unit(Unit(pk=reservation.unit_id))
    reservation = (
        Reservation.objects.select_for_update().select_related("customer", "consultant").get(pk=reservation.pk)
    )
    if reservation.unit_id != unit.pk:  # moved to another unit meanwhile (换房): lock that one
        return lock_reservation(reservation)
    reservation.unit = unit
    return unit, reservation


def reservation_deposit_paid(*, reservation: Reservation, actor=None, now=None) -> Reservation:
    """The hold becomes a reservation (认购) once its deposit is paid in full; the contract is
    then to be signed within the project's days. Called with the rows locked."""
    from salesops.units import money as unit_money

    deposit = reservation.payment_items.get(kind=PaymentItem.Kind.DEPOSIT)
    if reservation.status != Reservation.Status.HELD or not unit_money.is_paid(deposit):
        return reservation
    now = now or timezone.now()
    transition(
        reservation,
        RESERVATION_FLOW,
        Reservation.Status.RESERVED,
        actor=actor,
        reserved_at=now,
        sign_by=timezone.localdate(now) + datetime.timedelta(days=reservation.project.sign_within_days),
    )
    transition(reservation.unit, UNIT_FLOW, Unit.Status.RESERVED, actor=actor, note=reservation.number)
    return reservation


@transaction.atomic
def reservation_release(*, reservation: Reservation, actor=None, now=None) -> Reservation:
    """A hold without its deposit is given up (the customer changed their mind) or lapses;
    the unit goes to the first on its waitlist. Money paid needs a refund: `units.changes`."""
    now = now or timezone.now()
    unit, reservation = lock_reservation(reservation)
    if reservation.status != Reservation.Status.HELD:
        return reservation
    if actor is not None:
        require(actor, "reservation.hold")
    deposit = reservation.payment_items.get(kind=PaymentItem.Kind.DEPOSIT)
    if deposit.invoice_id:
        raise ValidationFailed(_("Money has been paid on this hold; cancel it with a refund request."))
    target = Reservation.Status.CANCELLED if actor is not None else Reservation.Status.LAPSED
    transition(reservation, RESERVATION_FLOW, target, actor=actor, closed_at=now)
    deposit.cancelled = True
    deposit.save(update_fields=["cancelled"])
    free_unit(unit=unit, actor=actor, now=now, note=reservation.number)
    return reservation


def free_unit(*, unit: Unit, actor, now, note: str = "") -> Reservation | None:
    """The locked unit is available again: give it to the first customer on its waitlist."""
    transition(unit, UNIT_FLOW, Unit.Status.AVAILABLE, actor=actor, note=note)
    return promote_waitlist(unit=unit, now=now)


def promote_waitlist(*, unit: Unit, now) -> Reservation | None:
    """Hold the locked, available unit for the first customer in line, and tell their consultant."""
    entry = (
        WaitlistEntry.objects.select_for_update()
        .select_related("customer__owner", "customer__team")
        .filter(unit=unit, status=WaitlistEntry.Status.WAITING)
        .order_by("joined_at", "id")
        .first()
    )
    if entry is None or unit.status != Unit.Status.AVAILABLE:
        return None
    reservation = _hold(unit=unit, customer=entry.customer, actor=None, now=now, waitlist_entry=entry)
    transition(entry, WAITLIST_FLOW, WaitlistEntry.Status.PROMOTED, promoted_at=now)
    consultant = reservation.consultant
    notify(
        user=consultant,
        title=lazy_message(
            gettext_lazy("Unit %(unit)s is now held for %(customer)s"), unit=unit.code, customer=entry.customer.name
        ),
        body=lazy_message(
            gettext_lazy("First in line on the waitlist. Take the deposit before %(until)s, or the hold lapses."),
            until=formatting.datetime_lazy(reservation.hold_expires_at),
        ),
        url=_url("units-reservation", reservation.pk),
        kind="units_waitlist",
    )
    return reservation


def holds_expire(*, now=None) -> int:
    """Let every hold past its time lapse, one transaction each (a periodic job)."""
    now = now or timezone.now()
    expired = Reservation.objects.filter(status=Reservation.Status.HELD, hold_expires_at__lte=now)
    lapsed = 0
    for reservation in expired.order_by("hold_expires_at", "pk"):
        with transaction.atomic():
            unit, locked = lock_reservation(reservation)
            if locked.status != Reservation.Status.HELD or locked.hold_expires_at > now:
                continue
            deposit = locked.payment_items.get(kind=PaymentItem.Kind.DEPOSIT)
            if deposit.invoice_id:
                continue  # money is being paid on it: finance finishes or refunds, no silent lapse
            transition(locked, RESERVATION_FLOW, Reservation.Status.LAPSED, closed_at=now)
            deposit.cancelled = True
            deposit.save(update_fields=["cancelled"])
            free_unit(unit=unit, actor=None, now=now, note=locked.number)
            notify(
                user=locked.consultant,
                title=lazy_message(gettext_lazy("The hold of unit %(unit)s lapsed"), unit=unit.code),
                body=lazy_message(
                    gettext_lazy("No deposit was paid for %(customer)s in time."), customer=locked.customer.name
                ),
                url=_url("units-reservation", locked.pk),
                kind="units_hold",
            )
            lapsed += 1
    return lapsed


# --- waitlist -------------------------------------------------------------------------------------
def _join(*, unit: Unit, customer, actor, note: str) -> WaitlistEntry:
    if WaitlistEntry.objects.filter(unit=unit, customer=customer, status=WaitlistEntry.Status.WAITING).exists():
        raise AlreadyOnWaitlist()
    if Reservation.objects.filter(unit=unit, customer=customer, status__in=Reservation.ACTIVE).exists():
        raise AlreadyOnWaitlist(_("This customer already holds or bought this unit."))
    entry = WaitlistEntry(
        unit=unit,
        customer=customer,
        consultant=customer.owner,
        team=customer.team,
        joined_at=timezone.now(),
        note=note,
    )
    return model_create(instance=entry, actor=actor)


@transaction.atomic
def waitlist_join(*, unit: Unit, customer, actor, note: str = "") -> WaitlistEntry:
    require(actor, "waitlist.join")
    check_customer_visible(actor, customer)
    unit = _lock_unit(unit)
    if unit.status == Unit.Status.AVAILABLE:
        raise UnitIsFree()
    return _join(unit=unit, customer=customer, actor=actor, note=note)


@transaction.atomic
def waitlist_leave(*, entry: WaitlistEntry, actor) -> WaitlistEntry:
    require(actor, "waitlist.leave")
    entry = WaitlistEntry.objects.select_for_update().get(pk=entry.pk)
    transition(entry, WAITLIST_FLOW, WaitlistEntry.Status.CANCELLED, actor=actor)
    return entry


def waitlist_position(entry: WaitlistEntry) -> int | None:
    """1 for the first in line; None once the entry has left the queue."""
    if entry.status != WaitlistEntry.Status.WAITING:
        return None
    ahead = WaitlistEntry.objects.filter(unit_id=entry.unit_id, status=WaitlistEntry.Status.WAITING)
    return (
        ahead.filter(joined_at__lt=entry.joined_at).count()
        + ahead.filter(joined_at=entry.joined_at, pk__lt=entry.pk).count()
        + 1
    )
