"""Reads of unit sales, scoped to the user who asks.

Projects, units and room types are the inventory every sales role and finance may see (the
board is public inside the sales office); a purchase, its contract, payments, waitlist place and
file follow its consultant and team like any other sales record: a consultant sees their own
customers', a supervisor or sales manager their office's, company-wide roles everything. On the
board a held or sold unit names its customer only to those who may see the purchase.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import BooleanField, Case, Count, Q, QuerySet, Value, When
from django.utils import timezone

from salesops.core.visibility import visibility_q, visible_to
from salesops.units import money as unit_money
from salesops.units.models import (
    Booking,
    Building,
    GroupBlock,
    PaymentItem,
    PriceChange,
    Project,
    PurchaseContract,
    Reservation,
    RoomType,
    Unit,
    UnitChange,
    Venue,
    WaitlistEntry,
)
from salesops.units.permissions import READERS

PURCHASE_SCOPE = {"owner_field": "consultant", "unit_field": "team"}
RESERVATION_SCOPE = {"owner_field": "reservation__consultant", "unit_field": "reservation__team"}


def _reader(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and (user.is_superuser or user.roles & READERS))


def project_list_for_user(*, user) -> QuerySet[Project]:
    projects = Project.objects.select_related("team")
    return projects if _reader(user) else projects.none()


def unit_list_for_user(*, user) -> QuerySet[Unit]:
    units = Unit.objects.select_related("building", "project")
    return units if _reader(user) else units.none()


def reservation_list_for_user(*, user) -> QuerySet[Reservation]:
    return visible_to(
        Reservation.objects.select_related("unit__building", "project", "customer", "consultant"),
        user,
        **PURCHASE_SCOPE,
    )


def contract_list_for_user(*, user) -> QuerySet[PurchaseContract]:
    return visible_to(
        PurchaseContract.objects.select_related("unit", "customer", "consultant", "reservation"), user, **PURCHASE_SCOPE
    )


def payment_item_list_for_user(*, user) -> QuerySet[PaymentItem]:
    return visible_to(
        PaymentItem.objects.select_related(
            "invoice", "reservation__unit", "reservation__customer", "reservation__consultant", "contract"
        ),
        user,
        **RESERVATION_SCOPE,
    )


def overdue_items_for_user(*, user, today: datetime.date | None = None) -> QuerySet[PaymentItem]:
    today = today or timezone.localdate()
    return payment_item_list_for_user(user=user).filter(
        cancelled=False, due_date__lt=today, **unit_money.open_invoice_filter()
    )


def waitlist_for_user(*, user) -> QuerySet[WaitlistEntry]:
    return visible_to(WaitlistEntry.objects.select_related("unit", "customer", "consultant"), user, **PURCHASE_SCOPE)


def change_list_for_user(*, user) -> QuerySet[UnitChange]:
    return visible_to(
        UnitChange.objects.select_related(
            "reservation__unit", "reservation__customer", "target_unit", "requested_by", "credit_note"
        ),
        user,
        **RESERVATION_SCOPE,
    )


def price_change_list_for_user(*, user) -> QuerySet[PriceChange]:
    changes = PriceChange.objects.select_related("project", "requested_by")
    return changes if _reader(user) else changes.none()


def venue_list_for_user(*, user) -> QuerySet[Venue]:
    venues = Venue.objects.all()
    return venues if _reader(user) else venues.none()


def room_type_list_for_user(*, user) -> QuerySet[RoomType]:
    room_types = RoomType.objects.select_related("venue")
    return room_types if _reader(user) else room_types.none()


def booking_list_for_user(*, user) -> QuerySet[Booking]:
    return visible_to(
        Booking.objects.select_related("room_type__venue", "customer", "room", "consultant"), user, **PURCHASE_SCOPE
    )


def block_list_for_user(*, user) -> QuerySet[GroupBlock]:
    return visible_to(GroupBlock.objects.select_related("room_type__venue", "customer"), user, **PURCHASE_SCOPE)


# --- the sales control board (销控表) ----------------------------------------------------------------
def _visible(user):
    """An annotation: whether `user` may see the row's purchase (consultant and team)."""
    condition = visibility_q(user, **PURCHASE_SCOPE)
    if condition is None:
        return Value(True, output_field=BooleanField())
    return Case(When(condition, then=Value(True)), default=Value(False), output_field=BooleanField())


@dataclass
class BoardCell:
    unit: Unit
    customer: str = ""  # only when the user may see the purchase
    reservation_id: int | None = None
    waiting: int = 0
    matches: bool = True


@dataclass
class BoardBuilding:
    building: Building
    stacks: list[int]
    floors: list[tuple[int, list[BoardCell | None]]] = field(default_factory=list)


@dataclass
class Board:
    project: Project
    buildings: list[BoardBuilding]
    counts: dict[str, int]
    values: dict[str, object]


def board_for_user(
    *, user, project: Project, building_id: int | None = None, status: str = "", kind: str = ""
) -> Board:
    """The building as a grid, floors top down, coloured by status: four queries whatever the
    number of units (buildings, units, the active purchases, the waitlist counts)."""
    buildings = list(project.buildings.order_by("position", "code"))
    units_qs = Unit.objects.filter(project=project).only(
        "id", "code", "floor", "stack", "status", "kind", "area", "list_price", "building_id", "layout", "orientation"
    )
    if building_id:
        units_qs = units_qs.filter(building_id=building_id)
        buildings = [b for b in buildings if b.pk == building_id]
    units = list(units_qs.order_by("building_id", "-floor", "stack"))
    purchases = {
        row["unit_id"]: row
        for row in Reservation.objects.filter(project=project, status__in=Reservation.ACTIVE)
        .annotate(visible=_visible(user))
        .values("unit_id", "pk", "customer__name", "visible")
    }
    waiting = dict(
        WaitlistEntry.objects.filter(unit__project=project, status=WaitlistEntry.Status.WAITING)
        .values("unit_id")
        .annotate(n=Count("pk"))
        .values_list("unit_id", "n")
    )
    counts = dict.fromkeys(Unit.Status.values, 0)
    values = dict.fromkeys(Unit.Status.values, 0)
    cells_by_building: dict[int, dict[tuple[int, int], BoardCell]] = {b.pk: {} for b in buildings}
    for unit in units:
        counts[unit.status] += 1
        values[unit.status] += unit.list_price
        purchase = purchases.get(unit.pk)
        shown = purchase is not None and purchase["visible"]
        cell = BoardCell(
            unit=unit,
            customer=purchase["customer__name"] if shown else "",
            reservation_id=purchase["pk"] if shown else None,
            waiting=waiting.get(unit.pk, 0),
            matches=(not status or unit.status == status) and (not kind or unit.kind == kind),
        )
        cells_by_building.setdefault(unit.building_id, {})[(unit.floor, unit.stack)] = cell
    grid = []
    for building in buildings:
        cells = cells_by_building.get(building.pk, {})
        stacks = sorted({stack for _floor, stack in cells})
        floors = sorted({floor for floor, _stack in cells}, reverse=True)
        grid.append(
            BoardBuilding(
                building=building,
                stacks=stacks,
                floors=[(floor, [cells.get((floor, stack)) for stack in stacks]) for floor in floors],
            )
        )
    return Board(project=project, buildings=grid, counts=counts, values=values)


def unit_purchase_for_user(*, user, unit: Unit) -> Reservation | None:
    """The unit's active purchase, when the user may see it."""
    return reservation_list_for_user(user=user).filter(unit=unit, status__in=Reservation.ACTIVE).first()


def waitlist_of_unit(*, user, unit: Unit) -> list[WaitlistEntry]:
    """The queue of a unit in order; customers the user may not see are shown without name."""
    return list(
        WaitlistEntry.objects.filter(unit=unit, status=WaitlistEntry.Status.WAITING)
        .select_related("customer", "consultant")
        .annotate(visible=_visible(user))
        .order_by("joined_at", "id")
    )


def my_holds(*, user) -> QuerySet[Reservation]:
    """Holds waiting for their deposit and reservations waiting to be signed, soonest first."""
    return (
        reservation_list_for_user(user=user)
        .filter(Q(status=Reservation.Status.HELD) | Q(status=Reservation.Status.RESERVED, contract__isnull=True))
        .order_by("hold_expires_at", "sign_by", "pk")
    )
