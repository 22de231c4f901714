"""Pages of the call desk: the register form with its as-you-type duplicate check, today's
register, the rotations with whose turn it is, absences, and the counts per rep."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from salesops.core.exceptions import ApplicationError
from salesops.core.web import action_view, add_error_to_form
from salesops.crm import calldesk, selectors
from salesops.crm.forms import AbsenceForm, CallDeskForm, RotationSeatForm
from salesops.crm.models import RepAbsence, Rotation, RotationSeat

COUNT_PERIOD_DAYS = 30


def _require_desk(user):
    if not calldesk.can_use_desk(user):
        raise Http404


def _rotations(day: datetime.date) -> list[dict]:
    return [
        {"rotation": Rotation.for_channel(channel), "line": calldesk.rotation_line(Rotation.for_channel(channel), day)}
        for channel in Rotation.Channel.values
    ]


@login_required
def call_desk(request):
    user = request.user
    _require_desk(user)
    reps = selectors.reps_for_user(user=user)
    form = CallDeskForm(request.POST or None, reps=reps)
    if request.method == "POST" and form.is_valid():
        try:
            record = calldesk.inbound_register(actor=user, **form.cleaned_data)
            if record.assigned_to is None:
                text = _("Registered: %(name)s, in the lead pool.") % {"name": record.customer.name}
            else:
                text = _("Registered: %(name)s → %(rep)s (%(how)s).") % {
                    "name": record.customer.name,
                    "rep": record.assigned_to.display_name,
                    "how": record.get_assignment_display(),
                }
            messages.success(request, text)
            return redirect("call-desk")
        except ApplicationError as error:
            add_error_to_form(form, error)
    today = timezone.localdate()
    return render(
        request,
        "crm/call_desk.html",
        {
            "form": form,
            "today": today,
            "records": list(selectors.inbound_for_day(user=user, day=today)[:100]),
            "counts": selectors.inbound_counts(user=user, start=today, end=today),
            "rotations": _rotations(today),
        },
    )


@login_required
def call_desk_matches(request):
    """The as-you-type duplicate check (an htmx fragment)."""
    _require_desk(request.user)
    phone = request.GET.get("phone", "")[:40]
    name = request.GET.get("name", "")[:200]
    matches = selectors.inbound_matches(user=request.user, phone=phone, name=name)
    return render(
        request,
        "crm/partials/call_desk_matches.html",
        {"matches": matches, "asked": bool(len(phone) >= 4 or len(name.strip()) >= 2)},
    )


@login_required
def call_desk_rotation(request):
    """The rotations in order with whose turn it is, absences, and the counts per rep."""
    user = request.user
    _require_desk(user)
    reps = selectors.reps_for_user(user=user)
    today = timezone.localdate()
    seat_form = RotationSeatForm(request.POST if "add_seat" in request.POST else None, reps=reps, prefix="seat")
    absence_form = AbsenceForm(
        request.POST if "add_absence" in request.POST else None,
        reps=reps,
        prefix="absence",
        initial={"start": today, "end": today},
    )
    if request.method == "POST":
        form, save = (
            (seat_form, lambda data: calldesk.rotation_seat_add(actor=user, **data))
            if "add_seat" in request.POST
            else (absence_form, lambda data: calldesk.absence_add(actor=user, **data))
        )
        if form.is_valid():
            try:
                save(form.cleaned_data)
                messages.success(request, _("Saved."))
                return redirect("call-desk-rotation")
            except ApplicationError as error:
                add_error_to_form(form, error)
    try:
        days = min(max(int(request.GET.get("days", COUNT_PERIOD_DAYS)), 1), 366)
    except ValueError:
        days = COUNT_PERIOD_DAYS
    start = today - datetime.timedelta(days=days - 1)
    return render(
        request,
        "crm/call_desk_rotation.html",
        {
            "rotations": _rotations(today),
            "absences": selectors.absence_list(since=today),
            "seat_form": seat_form,
            "absence_form": absence_form,
            "counts": selectors.inbound_counts(user=user, start=start, end=today),
            "today_counts": selectors.inbound_counts(user=user, start=today, end=today),
            "days": days,
            "start": start,
            "today": today,
        },
    )


@require_POST
@login_required
@action_view
def call_desk_seat(request, pk: int, action: str):
    _require_desk(request.user)
    seat = RotationSeat.objects.filter(pk=pk).first()
    if seat is None or action not in {"up", "down", "remove"}:
        raise Http404
    if action == "remove":
        calldesk.rotation_seat_remove(actor=request.user, seat=seat)
    else:
        calldesk.rotation_seat_move(actor=request.user, seat=seat, up=action == "up")
    messages.success(request, _("Saved."))
    return redirect("call-desk-rotation")


@require_POST
@login_required
@action_view
def call_desk_absence_remove(request, pk: int):
    _require_desk(request.user)
    absence = RepAbsence.objects.filter(pk=pk).first()
    if absence is None:
        raise Http404
    calldesk.absence_remove(actor=request.user, absence=absence)
    messages.success(request, _("Saved."))
    return redirect("call-desk-rotation")
