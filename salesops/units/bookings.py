"""Rooms booked by the night (hotel) or by the hour (KTV): availability, bookings, group
blocks, check-in and check-out, cancellations, no-shows and walk-outs.

A booking occupies slots: the nights from arrival to departure, or the hours it spans. A room
type can take a booking when, on every slot, what is already taken (bookings outside groups,
plus the rooms each group block keeps) stays within its rooms in service plus the overbooking
limit of that date. The decision locks the room type's row, so parallel bookings are decided one
after the other. When more is sold than there are rooms, the walk-out list names the bookings
to move to another venue (the latest first); no-shows and late cancellations are charged by
the room type's rule, through the money flow.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from salesops.core.audit import model_create
from salesops.core.calendar import WorkCalendar
from salesops.core.exceptions import InvalidTransition, ValidationFailed
from salesops.core.numbering import next_number
from salesops.units import money as unit_money
from salesops.units.exceptions import NoRoomAvailable, NoRoomFree
from salesops.units.models import BLOCK_FLOW, BOOKING_FLOW, Booking, GroupBlock, OverbookingLimit, Room, RoomType
from salesops.units.permissions import require
from salesops.units.services import check_customer_visible, money, transition

CENT = Decimal("0.01")
MAX_NIGHTS = 30
MAX_HOURS = 12
HORIZON_DAYS = 400


def _tz():
    return WorkCalendar.load().tz


# --- slots -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Span:
    starts_at: datetime.datetime
    ends_at: datetime.datetime


def span_for(room_type: RoomType, arrival, length: int) -> Span:
    """Nights: `arrival` is a date, `length` nights, from the venue's check-in time to its
    check-out time. Hours: `arrival` a time on the hour, `length` hours."""
    tz = _tz()
    venue = room_type.venue
    if room_type.per == RoomType.Per.NIGHT:
        if isinstance(arrival, datetime.datetime):
            arrival = timezone.localtime(arrival, tz).date() if timezone.is_aware(arrival) else arrival.date()
        if not isinstance(arrival, datetime.date):
            raise ValidationFailed(fields={"arrival": [_("Enter the arrival date.")]})
        if not (1 <= length <= MAX_NIGHTS):
            raise ValidationFailed(fields={"length": [_("From 1 to %(n)d nights.") % {"n": MAX_NIGHTS}]})
        departure = arrival + datetime.timedelta(days=length)
        return Span(
            datetime.datetime.combine(arrival, venue.check_in_time, tz),
            datetime.datetime.combine(departure, venue.check_out_time, tz),
        )
    if not isinstance(arrival, datetime.datetime):
        raise ValidationFailed(fields={"arrival": [_("Enter the date and hour of arrival.")]})
    if timezone.is_naive(arrival):
        arrival = timezone.make_aware(arrival, tz)
    local = timezone.localtime(arrival, tz)
    if local.minute or local.second or local.microsecond:
        raise ValidationFailed(fields={"arrival": [_("Rooms are booked by the whole hour.")]})
    if not (1 <= length <= MAX_HOURS):
        raise ValidationFailed(fields={"length": [_("From 1 to %(n)d hours.") % {"n": MAX_HOURS}]})
    return Span(arrival, arrival + datetime.timedelta(hours=length))


def slots_of(room_type: RoomType, starts_at: datetime.datetime, ends_at: datetime.datetime) -> list:
    """The nights (dates) or the hours (aware datetimes on the hour) a span occupies."""
    tz = _tz()
    if room_type.per == RoomType.Per.NIGHT:
        first = timezone.localtime(starts_at, tz).date()
        last = timezone.localtime(ends_at, tz).date()
        return [first + datetime.timedelta(days=n) for n in range((last - first).days)]
    hours = []
    moment = timezone.localtime(starts_at, tz).replace(minute=0, second=0, microsecond=0)
    while moment < ends_at:
        hours.append(moment)
        moment += datetime.timedelta(hours=1)
    return hours


def slot_date(slot) -> datetime.date:
    return slot.date() if isinstance(slot, datetime.datetime) else slot


def units_of(room_type: RoomType, starts_at, ends_at) -> int:
    """Nights or hours charged for a span."""
    return max(len(slots_of(room_type, starts_at, ends_at)), 1)


@dataclass
class Occupancy:
    rooms: int
    taken: Counter  # slot → rooms taken (bookings outside groups + rooms kept by group blocks)
    limits: dict  # date → overbooking limit
    default_limit: int

    def capacity(self, slot) -> int:
        return self.rooms + self.limits.get(slot_date(slot), self.default_limit)

    def free(self, slot) -> int:
        return self.capacity(slot) - self.taken[slot]


def occupancy(room_type: RoomType, starts_at, ends_at, *, exclude_booking: int | None = None) -> Occupancy:
    """What is taken of a room type over a span: three queries whatever its length."""
    bookings = Booking.objects.filter(
        room_type=room_type,
        status__in=Booking.ACTIVE,
        block__isnull=True,
        starts_at__lt=ends_at,
        ends_at__gt=starts_at,
    ).exclude(pk=exclude_booking)
    blocks = GroupBlock.objects.filter(
        room_type=room_type, status=GroupBlock.Status.HELD, starts_at__lt=ends_at, ends_at__gt=starts_at
    )
    taken: Counter = Counter()
    for start, end in bookings.values_list("starts_at", "ends_at"):
        taken.update(slots_of(room_type, start, end))
    for start, end, rooms in blocks.values_list("starts_at", "ends_at", "rooms"):
        for slot in slots_of(room_type, start, end):
            taken[slot] += rooms
    first = timezone.localtime(starts_at, _tz()).date()
    last = timezone.localtime(ends_at, _tz()).date()
    limits = dict(
        OverbookingLimit.objects.filter(room_type=room_type, date__gte=first, date__lte=last).values_list(
            "date", "limit"
        )
    )
    rooms = room_type.rooms.filter(in_service=True).count()
    return Occupancy(rooms=rooms, taken=taken, limits=limits, default_limit=room_type.overbooking_limit)


def _check_capacity(room_type: RoomType, span: Span, rooms: int = 1) -> None:
    taken = occupancy(room_type, span.starts_at, span.ends_at)
    full = [slot for slot in slots_of(room_type, span.starts_at, span.ends_at) if taken.free(slot) < rooms]
    if full:
        first = full[0]
        label = first.strftime("%Y-%m-%d %H:%M") if isinstance(first, datetime.datetime) else first.isoformat()
        raise NoRoomAvailable(fields={"arrival": [_("Fully booked on %(slot)s.") % {"slot": label}]}, slot=label)


def _lock_room_type(room_type: RoomType) -> RoomType:
    return RoomType.objects.select_for_update().select_related("venue").get(pk=room_type.pk)


def _check_future(span: Span) -> None:
    now = timezone.now()
    earliest = now.replace(minute=0, second=0, microsecond=0) - datetime.timedelta(hours=1)
    tz = _tz()
    if span.starts_at < earliest and timezone.localtime(span.starts_at, tz).date() < timezone.localdate(now, tz):
        raise ValidationFailed(fields={"arrival": [_("The arrival cannot be in the past.")]})
    if span.starts_at > now + datetime.timedelta(days=HORIZON_DAYS):
        raise ValidationFailed(fields={"arrival": [_("Bookings open at most %(n)d days ahead.") % {"n": HORIZON_DAYS}]})


# --- bookings --------------------------------------------------------------------------------------
@transaction.atomic
def booking_create(
    *,
    room_type: RoomType,
    customer,
    arrival,
    length: int,
    actor,
    guests: int = 1,
    block: GroupBlock | None = None,
    note: str = "",
) -> Booking:
    require(actor, "booking.create")
    check_customer_visible(actor, customer)
    room_type = _lock_room_type(room_type)
    span = span_for(room_type, arrival, length)
    _check_future(span)
    if block is not None:
        block = GroupBlock.objects.select_for_update().get(pk=block.pk)
        _check_block_booking(block, room_type, span)
    else:
        _check_capacity(room_type, span)
    booking = Booking(
        number=next_number(prefix="BK"),
        room_type=room_type,
        customer=customer,
        consultant=customer.owner,
        team=customer.team,
        block=block,
        starts_at=span.starts_at,
        ends_at=span.ends_at,
        guests=guests,
        rate=room_type.rate,
        note=note.strip()[:300],
    )
    return model_create(instance=booking, actor=actor)


def _check_block_booking(block: GroupBlock, room_type: RoomType, span: Span) -> None:
    if block.room_type_id != room_type.pk or block.status != GroupBlock.Status.HELD:
        raise ValidationFailed(fields={"block": [_("This group block does not hold rooms of this type now.")]})
    if span.starts_at < block.starts_at or span.ends_at > block.ends_at:
        raise ValidationFailed(fields={"block": [_("The stay must fall within the group's dates.")]})
    picked: Counter = Counter()
    for start, end in block.bookings.filter(status__in=Booking.ACTIVE).values_list("starts_at", "ends_at"):
        picked.update(slots_of(room_type, start, end))
    if any(picked[slot] >= block.rooms for slot in slots_of(room_type, span.starts_at, span.ends_at)):
        raise NoRoomAvailable(fields={"block": [_("The group's rooms are all taken on these dates.")]})


def _lock_booking(booking: Booking) -> Booking:
    _lock_room_type(booking.room_type)
    return Booking.objects.select_for_update().select_related("room_type__venue", "customer").get(pk=booking.pk)


@transaction.atomic
def booking_check_in(*, booking: Booking, actor, room: Room | None = None) -> Booking:
    """Give the guest a room of the booked type that nobody occupies now."""
    require(actor, "booking.front_desk")
    booking = _lock_booking(booking)
    if booking.status != Booking.Status.CONFIRMED:
        raise InvalidTransition(_("Only a booked stay can check in."))
    now = timezone.now()
    tz = _tz()
    if timezone.localtime(booking.starts_at, tz).date() > timezone.localdate(now, tz):
        raise InvalidTransition(_("The guest checks in on the day of arrival."))
    occupied = Booking.objects.filter(
        room_type=booking.room_type, status=Booking.Status.CHECKED_IN, room__isnull=False
    ).values_list("room_id", flat=True)
    free = booking.room_type.rooms.filter(in_service=True).exclude(pk__in=list(occupied)).order_by("number")
    if room is not None:
        if not free.filter(pk=room.pk).exists():
            raise NoRoomFree(fields={"room": [_("This room is occupied or not of the booked type.")]})
    else:
        room = free.first()
        if room is None:
            raise NoRoomFree()
    transition(booking, BOOKING_FLOW, Booking.Status.CHECKED_IN, actor=actor, room=room, checked_in_at=now)
    return booking


def _charge(booking: Booking, amount: Decimal, label: str, actor) -> None:
    amount = amount.quantize(CENT, rounding=ROUND_HALF_UP)
    if amount <= 0:
        return
    booking.charge = unit_money.receivable_issue(
        customer=booking.customer,
        amount=amount,
        due_date=timezone.localdate(),
        rep=booking.consultant,
        team=booking.team,
        note=f"{booking.number} · {label}",
        actor=actor,
    )
    booking.save(update_fields=["charge"])


@transaction.atomic
def booking_check_out(*, booking: Booking, actor) -> Booking:
    """The stay is charged: the rate for every night or hour booked."""
    require(actor, "booking.front_desk")
    booking = _lock_booking(booking)
    now = timezone.now()
    transition(booking, BOOKING_FLOW, Booking.Status.CHECKED_OUT, actor=actor, checked_out_at=now)
    count = units_of(booking.room_type, booking.starts_at, booking.ends_at)
    _charge(booking, booking.rate * count, _("Stay"), actor)
    return booking


def cancellation_fee(booking: Booking, now: datetime.datetime) -> Decimal:
    room_type = booking.room_type
    if now < booking.starts_at - datetime.timedelta(hours=room_type.free_cancel_hours):
        return Decimal("0.00")
    return booking.rate * room_type.cancel_fee_percent / 100


@transaction.atomic
def booking_cancel(*, booking: Booking, actor, note: str = "") -> Booking:
    """Free until the room type's hours before arrival; later the late-cancellation fee."""
    require(actor, "booking.create")
    booking = _lock_booking(booking)
    now = timezone.now()
    fee = cancellation_fee(booking, now) if booking.status == Booking.Status.CONFIRMED else Decimal(0)
    transition(booking, BOOKING_FLOW, Booking.Status.CANCELLED, actor=actor, note=note, closed_at=now)
    _charge(booking, fee, _("Late cancellation"), actor)
    return booking


@transaction.atomic
def booking_walk(*, booking: Booking, actor, walked_to: str) -> Booking:
    """An overbooked guest is moved to another venue (and not charged)."""
    require(actor, "booking.front_desk")
    walked_to = (walked_to or "").strip()
    if not walked_to:
        raise ValidationFailed(fields={"walked_to": [_("Where is the guest moved to?")]})
    booking = _lock_booking(booking)
    transition(
        booking, BOOKING_FLOW, Booking.Status.WALKED, actor=actor, walked_to=walked_to[:200], closed_at=timezone.now()
    )
    return booking


def no_shows_run(*, now=None) -> int:
    """Bookings nobody checked in past the room type's no-show time are no-shows, charged by
    its rule (a periodic job)."""
    now = now or timezone.now()
    candidates = Booking.objects.filter(status=Booking.Status.CONFIRMED, starts_at__lte=now).select_related("room_type")
    done = 0
    for booking in candidates.order_by("starts_at", "pk"):
        if booking.starts_at + datetime.timedelta(minutes=booking.room_type.no_show_after_minutes) > now:
            continue
        with transaction.atomic():
            locked = _lock_booking(booking)
            if locked.status != Booking.Status.CONFIRMED:
                continue
            transition(locked, BOOKING_FLOW, Booking.Status.NO_SHOW, closed_at=now)
            _charge(locked, locked.rate * locked.room_type.no_show_fee_percent / 100, _("No-show"), None)
            done += 1
    return done


@transaction.atomic
def booking_pay(*, booking: Booking, amount, received_on: datetime.date, actor, method: str, bank_reference: str = ""):
    require(actor, "booking.pay")
    booking = Booking.objects.select_for_update().get(pk=booking.pk)
    if booking.charge_id is None:
        raise InvalidTransition(_("Nothing has been charged on this booking yet."))
    if received_on > timezone.localdate():
        raise ValidationFailed(fields={"received_on": [_("The date cannot be in the future.")]})
    return unit_money.receivable_pay(
        invoice=booking.charge,
        amount=money(amount, "amount"),
        received_on=received_on,
        method=method,
        actor=actor,
        bank_reference=bank_reference,
        note=booking.number,
    )


# --- group blocks ----------------------------------------------------------------------------------
@transaction.atomic
def block_create(*, room_type: RoomType, customer, arrival, length: int, rooms: int, release_at, actor) -> GroupBlock:
    require(actor, "block.manage")
    check_customer_visible(actor, customer)
    if not (1 <= int(rooms) <= 500):
        raise ValidationFailed(fields={"rooms": [_("From 1 to 500 rooms.")]})
    room_type = _lock_room_type(room_type)
    span = span_for(room_type, arrival, length)
    _check_future(span)
    if release_at is None or release_at > span.starts_at:
        raise ValidationFailed(fields={"release_at": [_("Release the unused rooms before the group arrives.")]})
    _check_capacity(room_type, span, rooms=int(rooms))
    block = GroupBlock(
        number=next_number(prefix="GB"),
        room_type=room_type,
        customer=customer,
        consultant=customer.owner,
        team=customer.team,
        starts_at=span.starts_at,
        ends_at=span.ends_at,
        rooms=int(rooms),
        release_at=release_at,
    )
    return model_create(instance=block, actor=actor)


def _picked_up(block: GroupBlock) -> int:
    picked: Counter = Counter()
    for start, end in block.bookings.filter(status__in=Booking.ACTIVE).values_list("starts_at", "ends_at"):
        picked.update(slots_of(block.room_type, start, end))
    return max(picked.values(), default=0)


def blocks_release_run(*, now=None) -> int:
    """At the release time a group keeps only the rooms its guests took; the rest return to
    sale (a periodic job). The group's bookings then count like any other."""
    now = now or timezone.now()
    released = 0
    for block in GroupBlock.objects.filter(status=GroupBlock.Status.HELD, release_at__lte=now).order_by("pk"):
        with transaction.atomic():
            _lock_room_type(block.room_type)
            locked = GroupBlock.objects.select_for_update().select_related("room_type").get(pk=block.pk)
            if locked.status != GroupBlock.Status.HELD:
                continue
            kept = _picked_up(locked)
            Booking.objects.filter(block=locked).update(block=None)
            transition(locked, BLOCK_FLOW, GroupBlock.Status.RELEASED, note=str(kept), rooms=kept)
            released += 1
    return released


@transaction.atomic
def block_cancel(*, block: GroupBlock, actor) -> GroupBlock:
    require(actor, "block.manage")
    _lock_room_type(block.room_type)
    block = GroupBlock.objects.select_for_update().get(pk=block.pk)
    if block.bookings.filter(status__in=Booking.ACTIVE).exists():
        raise InvalidTransition(_("Guests of this group are booked; cancel their bookings first."))
    transition(block, BLOCK_FLOW, GroupBlock.Status.CANCELLED, actor=actor)
    return block


# --- the walk-out list -----------------------------------------------------------------------------
def walk_out_list(*, room_types, day: datetime.date) -> list[dict]:
    """Per room type sold beyond its rooms on the night (or any hour) of `day`: how many too
    many, and the bookings to move, latest booked first (group guests stay)."""
    tz = _tz()
    start = datetime.datetime.combine(day, datetime.time(0, 0), tz)
    end = start + datetime.timedelta(days=1)
    rows = []
    for room_type in room_types:
        taken = occupancy(room_type, start, end)
        slots = [slot for slot in taken.taken if slot_date(slot) == day]
        excess = max((taken.taken[slot] - taken.rooms for slot in slots), default=0)
        if excess <= 0:
            continue
        overlapping = Booking.objects.filter(
            room_type=room_type,
            status=Booking.Status.CONFIRMED,
            block__isnull=True,
            starts_at__lt=end,
            ends_at__gt=start,
        ).select_related("customer")
        on_the_day = [
            booking
            for booking in overlapping.order_by("-created_at", "-pk")
            if any(slot_date(slot) == day for slot in slots_of(room_type, booking.starts_at, booking.ends_at))
        ]
        candidates = on_the_day[:excess]
        rows.append({"room_type": room_type, "excess": excess, "bookings": list(candidates)})
    return rows
