"""Pages of room bookings: the availability calendar of a venue, bookings and their front-desk
actions, group blocks and the walk-out list."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from salesops.core.audit import history_for
from salesops.core.listing import Column, Filter, ListPage
from salesops.core.web import action_view, save_form
from salesops.crm.selectors import customer_list_for_user
from salesops.units import bookings, forms, selectors
from salesops.units.models import Booking, GroupBlock, RoomType
from salesops.units.permissions import BOOKING_ROLES, can
from salesops.units.services import company_tz

CALENDAR_DAYS = 14


def _require_reader(user) -> None:
    if not (user.is_superuser or user.roles & BOOKING_ROLES):
        raise Http404


def _one(queryset, pk):
    obj = queryset.filter(pk=pk).first()
    if obj is None:
        raise Http404
    return obj


def _date(value, default: datetime.date) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value) if value else default
    except ValueError:
        return default


@login_required
def booking_list(request):
    _require_reader(request.user)
    venues = list(selectors.venue_list_for_user(user=request.user).filter(active=True))
    page = ListPage(
        request=request,
        queryset=selectors.booking_list_for_user(user=request.user),
        title=gettext_lazy("Room bookings"),
        columns=[
            Column(
                "number", gettext_lazy("Number"), sort="number", link=lambda b: reverse("units-booking", args=[b.pk])
            ),
            Column("venue", gettext_lazy("Venue"), value=lambda b: b.room_type.venue.name),
            Column("room_type", gettext_lazy("Room type"), value=lambda b: b.room_type.name),
            Column("customer", gettext_lazy("Guest"), sort="customer__name", value=lambda b: b.customer.name),
            Column(
                "starts_at", gettext_lazy("Arrival"), sort="starts_at", value=lambda b: timezone.localtime(b.starts_at)
            ),
            Column("ends_at", gettext_lazy("Departure"), sort="ends_at", value=lambda b: timezone.localtime(b.ends_at)),
            Column("room", gettext_lazy("Room"), value=lambda b: b.room.number if b.room_id else ""),
            Column("status", gettext_lazy("Status"), sort="status", value=lambda b: b.get_status_display()),
        ],
        filters=[
            Filter("status", gettext_lazy("Status"), Booking.Status.choices),
            Filter(
                "when",
                gettext_lazy("Arrival"),
                [("today", gettext_lazy("Today")), ("future", gettext_lazy("From today"))],
                apply=_arrival_filter,
            ),
        ],
        search_fields=["number", "customer__name", "customer__phone", "room__number"],
        default_sort="starts_at",
        export_name="bookings",
        actions_template="units/partials/booking_actions.html" if can(request.user, "booking.create") else None,
        empty_message=gettext_lazy("No bookings yet."),
        extra={"venues": venues},
    )
    return page.response("units/booking_list.html")


def _arrival_filter(queryset, value):
    tz = company_tz()
    today = timezone.localdate(timezone.now(), tz)
    start = datetime.datetime.combine(today, datetime.time(0, 0), tz)
    if value == "today":
        return queryset.filter(starts_at__gte=start, starts_at__lt=start + datetime.timedelta(days=1))
    return queryset.filter(starts_at__gte=start)


@login_required
def venue_calendar(request, pk: int):
    """Rooms free per room type and night (hotel) or hour (KTV); negative when overbooked."""
    _require_reader(request.user)
    venue = _one(selectors.venue_list_for_user(user=request.user), pk)
    tz = company_tz()
    today = timezone.localdate(timezone.now(), tz)
    first = _date(request.GET.get("from"), today)
    room_types = list(venue.room_types.order_by("code"))
    hourly = venue.kind == venue.Kind.KTV
    if hourly:
        start = datetime.datetime.combine(first, datetime.time(10, 0), tz)
        slots = [start + datetime.timedelta(hours=n) for n in range(16)]
        end = slots[-1] + datetime.timedelta(hours=1)
    else:
        slots = [first + datetime.timedelta(days=n) for n in range(CALENDAR_DAYS)]
        start = datetime.datetime.combine(first, datetime.time(0, 0), tz)
        end = datetime.datetime.combine(slots[-1] + datetime.timedelta(days=2), datetime.time(0, 0), tz)
    rows = []
    for room_type in room_types:
        taken = bookings.occupancy(room_type, start, end)
        rows.append(
            {
                "room_type": room_type,
                "rooms": taken.rooms,
                "cells": [
                    {"free": taken.rooms - taken.taken[slot], "sellable": taken.free(slot), "taken": taken.taken[slot]}
                    for slot in slots
                ],
            }
        )
    return render(
        request,
        "units/venue_calendar.html",
        {
            "venue": venue,
            "slots": slots,
            "hourly": hourly,
            "rows": rows,
            "first": first,
            "previous": first - datetime.timedelta(days=1 if hourly else CALENDAR_DAYS),
            "next": first + datetime.timedelta(days=1 if hourly else CALENDAR_DAYS),
            "walkout": bookings.walk_out_list(room_types=room_types, day=first),
            "can_book": can(request.user, "booking.create"),
            "can_front_desk": can(request.user, "booking.front_desk"),
        },
    )


@login_required
def booking_new(request):
    if not can(request.user, "booking.create"):
        raise Http404
    room_types = selectors.room_type_list_for_user(user=request.user).filter(venue__active=True)
    customers = customer_list_for_user(user=request.user).order_by("name")
    blocks = selectors.block_list_for_user(user=request.user).filter(status=GroupBlock.Status.HELD)
    form = forms.BookingForm(
        request.POST or None,
        room_types=room_types,
        customers=customers,
        blocks=blocks,
        initial={"room_type": request.GET.get("room_type"), "length": 1, "guests": 1},
    )

    def save(data):
        room_type = data["room_type"]
        return bookings.booking_create(
            room_type=room_type,
            customer=data["customer"],
            arrival=form.arrival_for(room_type),
            length=data["length"],
            guests=data["guests"],
            block=data["block"],
            note=data["note"],
            actor=request.user,
        )

    saved = save_form(
        request,
        form,
        save,
        success=_("Booked."),
        redirect_to=lambda booking: reverse("units-booking", args=[booking.pk]),
    )
    return saved or render(request, "units/form.html", {"form": form, "title": _("New booking")})


@login_required
def booking_detail(request, pk: int):
    booking = _one(selectors.booking_list_for_user(user=request.user), pk)
    user = request.user
    confirmed = booking.status == Booking.Status.CONFIRMED
    return render(
        request,
        "units/booking_detail.html",
        {
            "booking": booking,
            "nights_or_hours": bookings.units_of(booking.room_type, booking.starts_at, booking.ends_at),
            "per_night": booking.room_type.per == RoomType.Per.NIGHT,
            "can_front_desk": can(user, "booking.front_desk"),
            "can_cancel": can(user, "booking.create") and confirmed,
            "cancel_fee": bookings.cancellation_fee(booking, timezone.now()) if confirmed else None,
            "rooms": booking.room_type.rooms.filter(in_service=True).order_by("number"),
            "pay_form": forms.PaymentForm(
                initial={
                    "received_on": timezone.localdate(),
                    "method": "cash",
                    "amount": booking.charge.total - booking.charge.paid_amount,
                }
            )
            if booking.charge_id and can(user, "booking.pay") and booking.charge.paid_amount < booking.charge.total
            else None,
            "walk_form": forms.WalkForm() if confirmed and can(user, "booking.front_desk") else None,
            "history": history_for(booking)[:20],
        },
    )


@login_required
@require_POST
@action_view
def booking_action(request, pk: int, action: str):
    booking = _one(selectors.booking_list_for_user(user=request.user), pk)
    if action == "check-in":
        room = booking.room_type.rooms.filter(pk=request.POST.get("room") or 0).first()
        bookings.booking_check_in(booking=booking, actor=request.user, room=room)
        messages.success(request, _("Checked in."))
    elif action == "check-out":
        bookings.booking_check_out(booking=booking, actor=request.user)
        messages.success(request, _("Checked out; the stay is charged."))
    elif action == "cancel":
        bookings.booking_cancel(booking=booking, actor=request.user, note=request.POST.get("note", "")[:300])
        messages.success(request, _("Cancelled."))
    elif action == "walk":
        bookings.booking_walk(booking=booking, actor=request.user, walked_to=request.POST.get("walked_to", ""))
        messages.success(request, _("The guest is moved to another venue."))
    elif action == "pay":
        form = forms.PaymentForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Some values are not valid."))
        else:
            bookings.booking_pay(booking=booking, actor=request.user, **form.cleaned_data)
            messages.success(request, _("Payment recorded."))
    else:
        raise Http404
    return redirect("units-booking", pk=pk)


@login_required
def block_new(request):
    if not can(request.user, "block.manage"):
        raise Http404
    form = forms.BlockForm(
        request.POST or None,
        room_types=selectors.room_type_list_for_user(user=request.user).filter(venue__active=True),
        customers=customer_list_for_user(user=request.user).order_by("name"),
    )

    def save(data):
        room_type = data["room_type"]
        arrival = data["arrival"]
        return bookings.block_create(
            room_type=room_type,
            customer=data["customer"],
            arrival=timezone.localtime(arrival).date() if room_type.per == RoomType.Per.NIGHT else arrival,
            length=data["length"],
            rooms=data["rooms"],
            release_at=data["release_at"],
            actor=request.user,
        )

    saved = save_form(
        request,
        form,
        save,
        success=_("Rooms kept for the group."),
        redirect_to=lambda block: reverse("units-block", args=[block.pk]),
    )
    return saved or render(request, "units/form.html", {"form": form, "title": _("New group block")})


@login_required
def block_detail(request, pk: int):
    block = _one(selectors.block_list_for_user(user=request.user), pk)
    return render(
        request,
        "units/block_detail.html",
        {
            "block": block,
            "bookings": block.bookings.select_related("customer", "room"),
            "can_cancel": can(request.user, "block.manage") and block.status == GroupBlock.Status.HELD,
            "history": history_for(block)[:20],
        },
    )


@login_required
@require_POST
@action_view
def block_cancel(request, pk: int):
    block = _one(selectors.block_list_for_user(user=request.user), pk)
    bookings.block_cancel(block=block, actor=request.user)
    messages.success(request, _("Group block cancelled."))
    return redirect("units-block", pk=pk)
