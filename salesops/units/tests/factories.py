"""Unit-sales test data, made through the services."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal

from django.utils import timezone

from salesops.crm.services import customer_create
from salesops.units import contracts, services
from salesops.units.models import PaymentItem, Project, Room, RoomType, Venue

_seq = itertools.count(1)


def make_project(org, *, floors=5, units_per_floor=4, deposit="20000.00", hold_hours=24, actor=None) -> Project:
    n = next(_seq)
    actor = actor or org["manager"]
    project = services.project_create(
        actor=actor,
        code=f"P{n}",
        name=f"滨江花园{n}期",
        team=org.units["EAST"],
        hold_hours=hold_hours,
        deposit_amount=Decimal(deposit),
    )
    services.building_create(
        project=project,
        code="1",
        name="1号楼",
        floors=floors,
        units_per_floor=units_per_floor,
        area=Decimal("100.00"),
        price_per_m2=Decimal("20000.00"),
        actor=actor,
    )
    return project


def make_buyer(owner, name: str | None = None):
    return customer_create(actor=owner, name=name or f"买受人{next(_seq)}", owner=owner, kind="person")


def unit_of(project, code="1-101"):
    return project.units.get(code=code)


def pay(item: PaymentItem, org, amount=None, on: datetime.date | None = None):
    item.refresh_from_db()
    return contracts.payment_record(
        item=item,
        amount=amount if amount is not None else item.amount,
        received_on=on or timezone.localdate(),
        actor=org["finance"],
        method="bank_transfer",
        bank_reference=f"BANK{next(_seq)}",
    )


def reserve(org, project, *, rep="rep1", code="1-101", buyer=None):
    """A unit held for a buyer of `rep` and its deposit paid: a reservation."""
    buyer = buyer or make_buyer(org[rep])
    reservation = services.reservation_hold(unit=unit_of(project, code), customer=buyer, actor=org[rep]).reservation
    pay(reservation.payment_items.get(kind="deposit"), org)
    reservation.refresh_from_db()
    return reservation


def mortgage_contract(org, reservation, *, rep="rep1", reviewer="supervisor1"):
    """Drafted (30 % down, the rest a loan) and reviewed."""
    price = reservation.price
    down = (price * Decimal("0.30")).quantize(Decimal("0.01"))
    contract = contracts.contract_create(
        reservation=reservation,
        actor=org[rep],
        method="mortgage",
        down_payment=down,
        loan_amount=price - down,
        bank="中国建设银行",
        loan_years=30,
        loan_expected_on=timezone.localdate() + datetime.timedelta(days=60),
    )
    return contracts.contract_review(
        contract=contract, actor=org[reviewer], checks=dict.fromkeys(contract.CHECKS, True)
    )


def make_venue(org, *, kind="hotel", rooms=3, overbooking=1, per="night", rate="500.00") -> RoomType:
    n = next(_seq)
    venue = Venue.objects.create(code=f"V{n}", name=f"江景酒店{n}", kind=kind, team=org.units["EAST"])
    room_type = RoomType.objects.create(
        venue=venue, code="DLX", name="豪华大床房", per=per, rate=Decimal(rate), overbooking_limit=overbooking
    )
    Room.objects.bulk_create([Room(room_type=room_type, number=f"{800 + i}", floor=8) for i in range(1, rooms + 1)])
    return room_type
