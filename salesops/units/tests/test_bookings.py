"""Rooms by the night and by the hour: availability within rooms plus the overbooking limit,
group blocks and their release, check-in/out charged through the money flow, late cancellation,
no-shows and the walk-out list."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from salesops.core.exceptions import ValidationFailed
from salesops.units import bookings
from salesops.units.exceptions import NoRoomAvailable, NoRoomFree
from salesops.units.models import Booking, GroupBlock, OverbookingLimit, RoomType
from salesops.units.tests.factories import make_buyer, make_venue

pytestmark = pytest.mark.django_db


def book(org, room_type, arrival, length=1, rep="rep1", **extra):
    return bookings.booking_create(
        room_type=room_type, customer=make_buyer(org[rep]), arrival=arrival, length=length, actor=org[rep], **extra
    )


def test_nights_are_sold_up_to_the_rooms_plus_the_overbooking_limit(org):
    room_type = make_venue(org, rooms=2, overbooking=1)
    day = timezone.localdate() + datetime.timedelta(days=3)
    for _ in range(3):
        book(org, room_type, day, length=2)
    with pytest.raises(NoRoomAvailable) as refused:
        book(org, room_type, day + datetime.timedelta(days=1))
    assert refused.value.fields["arrival"]
    book(org, room_type, day + datetime.timedelta(days=2))  # the third night is free again
    OverbookingLimit.objects.create(room_type=room_type, date=day + datetime.timedelta(days=1), limit=2)
    book(org, room_type, day + datetime.timedelta(days=1))  # a date with a higher limit
    assert Booking.objects.filter(room_type=room_type).count() == 5


def test_hours_are_sold_on_the_hour(org):
    room_type = make_venue(org, kind="ktv", rooms=1, overbooking=0, per="hour", rate="180.00")
    start = timezone.localtime().replace(minute=0, second=0, microsecond=0) + datetime.timedelta(days=1)
    first = book(org, room_type, start.replace(hour=20), length=3)
    assert first.ends_at - first.starts_at == datetime.timedelta(hours=3)
    with pytest.raises(NoRoomAvailable):
        book(org, room_type, start.replace(hour=22), length=2)
    book(org, room_type, start.replace(hour=23), length=1)
    with pytest.raises(ValidationFailed):
        book(org, room_type, start.replace(hour=19, minute=30), length=1)


def test_a_group_block_keeps_rooms_and_releases_what_was_not_taken(org):
    room_type = make_venue(org, rooms=4, overbooking=0)
    day = timezone.localdate() + datetime.timedelta(days=10)
    group = make_buyer(org["rep1"], name="东方旅行社")
    block = bookings.block_create(
        room_type=room_type,
        customer=group,
        arrival=day,
        length=2,
        rooms=3,
        release_at=timezone.now() + datetime.timedelta(days=5),
        actor=org["rep1"],
    )
    book(org, room_type, day, length=2)  # the fourth room
    with pytest.raises(NoRoomAvailable):
        book(org, room_type, day)
    book(org, room_type, day, length=2, block=block)
    released = bookings.blocks_release_run(now=timezone.now() + datetime.timedelta(days=6))
    assert released == 1
    block.refresh_from_db()
    assert block.status == GroupBlock.Status.RELEASED and block.rooms == 1
    book(org, room_type, day)  # two rooms came back
    book(org, room_type, day)
    with pytest.raises(NoRoomAvailable):
        book(org, room_type, day)


def test_check_in_gives_a_free_room_and_check_out_charges_the_stay(org):
    room_type = make_venue(org, rooms=2, rate="500.00")
    booking = book(org, room_type, timezone.localdate(), length=2)
    booking = bookings.booking_check_in(booking=booking, actor=org["salesadmin"])
    assert booking.status == Booking.Status.CHECKED_IN and booking.room.number == "801"
    other = bookings.booking_check_in(booking=book(org, room_type, timezone.localdate()), actor=org["salesadmin"])
    assert other.room.number == "802"
    third = book(org, room_type, timezone.localdate())  # sold within the overbooking limit of 1
    with pytest.raises(NoRoomFree):
        bookings.booking_check_in(booking=third, actor=org["salesadmin"])
    booking = bookings.booking_check_out(booking=booking, actor=org["salesadmin"])
    assert booking.charge.total == Decimal("1000.00") and booking.charge.customer == booking.customer
    bookings.booking_pay(
        booking=booking,
        amount="1000.00",
        received_on=timezone.localdate(),
        actor=org["finance"],
        method="cash",
    )
    booking.charge.refresh_from_db()
    assert booking.charge.status == "paid"


def test_cancellation_is_free_early_and_charged_late(org):
    room_type = make_venue(org, rate="600.00")
    RoomType.objects.filter(pk=room_type.pk).update(free_cancel_hours=48, cancel_fee_percent=Decimal("50.00"))
    room_type.refresh_from_db()
    early = bookings.booking_cancel(
        booking=book(org, room_type, timezone.localdate() + datetime.timedelta(days=5)), actor=org["rep1"]
    )
    assert early.status == Booking.Status.CANCELLED and early.charge is None
    late = bookings.booking_cancel(
        booking=book(org, room_type, timezone.localdate() + datetime.timedelta(days=1)), actor=org["rep1"]
    )
    assert late.charge.total == Decimal("300.00")


def test_a_no_show_is_charged_by_the_rule(org):
    room_type = make_venue(org, rate="400.00")
    booking = book(org, room_type, timezone.localdate())
    later = booking.starts_at + datetime.timedelta(minutes=room_type.no_show_after_minutes + 1)
    assert bookings.no_shows_run(now=booking.starts_at) == 0
    assert bookings.no_shows_run(now=later) == 1
    booking.refresh_from_db()
    assert booking.status == Booking.Status.NO_SHOW and booking.charge.total == Decimal("400.00")


def test_the_walk_out_list_names_the_latest_bookings_beyond_the_rooms(org):
    room_type = make_venue(org, rooms=2, overbooking=1)
    day = timezone.localdate() + datetime.timedelta(days=1)
    first, second, third = (book(org, room_type, day) for _ in range(3))
    rows = bookings.walk_out_list(room_types=[room_type], day=day)
    assert [(row["excess"], row["bookings"]) for row in rows] == [(1, [third])]
    walked = bookings.booking_walk(booking=third, actor=org["salesadmin"], walked_to="江景酒店二店")
    assert walked.status == Booking.Status.WALKED
    assert bookings.walk_out_list(room_types=[room_type], day=day) == []
    with pytest.raises(ValidationFailed):
        bookings.booking_walk(booking=second, actor=org["salesadmin"], walked_to=" ")
    assert first.status == Booking.Status.CONFIRMED
