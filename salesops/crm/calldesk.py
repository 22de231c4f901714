"""Writes of the sales admin's call desk (来电/来访登记, 接电顺序表 / 接访轮接).

The sales admin (or a supervisor, manager or director covering the desk) registers a call or a
walk-in while the person is on the line: phone first, then the name. A prospect already known
goes to its owner (防撞单: the desk never hands a customer to a second rep); a new one goes to
the next rep in the channel's rotation, to the lead pool, or to a rep the desk chooses. The
person at the desk never becomes the owner. The rep it goes to is notified.

Fairness: each channel has one rotation, a line of seats. The turn passes to the next seat
after each lead given by rotation; a rep absent that day (`RepAbsence`, data an editor keeps)
is skipped and keeps their seat. The rotation row is locked while a turn is taken, so two
desks registering at the same moment give the lead to two different reps.

Same-day entry: every register line records whether it was keyed in after the day it
happened (late evening walk-ins are entered the next morning, as the manuals allow, and
counted as late); the same activity starts and meets the SOP rule "calls-same-day".
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salesops.core.audit import model_create, model_delete, model_update
from salesops.core.exceptions import PermissionDenied, ValidationFailed
from salesops.core.models import User
from salesops.core.roles import Role
from salesops.core.selectors import company_date
from salesops.core.services import lazy_message, notify
from salesops.crm import services
from salesops.crm.matching import normalize_tax_id, ownership_keys
from salesops.crm.models import (
    Activity,
    Customer,
    InboundContact,
    OwnershipChange,
    RepAbsence,
    Rotation,
    RotationSeat,
)

# Who works the desk, and who keeps the rotations and absences.
DESK_ROLES = frozenset(
    {Role.SALES_ADMIN, Role.SALES_SUPERVISOR, Role.SALES_MANAGER, Role.SALES_DIRECTOR, Role.SYSADMIN}
)
ROTATION_EDITORS = DESK_ROLES
# A call may be entered up to this long after it happened (the night shift's next morning and a
# weekend); older ones belong in the customer's activity history, not on the desk.
BACKDATE_LIMIT = datetime.timedelta(days=7)


def can_use_desk(user) -> bool:
    return bool(getattr(user, "is_superuser", False) or user.roles & DESK_ROLES)


def _require_desk(actor) -> None:
    if not can_use_desk(actor):
        raise PermissionDenied()


# --- the rotation ---------------------------------------------------------------------------------
def absent_rep_ids(day: datetime.date) -> set[int]:
    return set(RepAbsence.objects.filter(start__lte=day, end__gte=day).values_list("rep_id", flat=True))


def _is_present(rep: User, absent: set[int]) -> bool:
    return rep.is_active and rep.pk not in absent


def rotation_line(rotation: Rotation, day: datetime.date) -> list[dict]:
    """The seats in order, each with whether the rep is away on `day` and whether it is their
    turn (the first present rep from the rotation's pointer)."""
    seats = list(rotation.seats.select_related("rep", "rep__org_unit").order_by("position", "pk"))
    absent = absent_rep_ids(day)
    turn, _skipped = _turn(seats, rotation.next_position, absent)
    return [
        {"seat": seat, "rep": seat.rep, "absent": not _is_present(seat.rep, absent), "next": index == turn}
        for index, seat in enumerate(seats)
    ]


def _turn(seats: list[RotationSeat], pointer: int, absent: set[int]) -> tuple[int | None, list[int]]:
    """Index of the seat whose turn it is and the ids of the reps passed over on the way."""
    skipped: list[int] = []
    for step in range(len(seats)):
        index = (pointer + step) % len(seats)
        if _is_present(seats[index].rep, absent):
            return index, skipped
        skipped.append(seats[index].rep_id)
    return None, skipped


def _take_turn(channel: str, day: datetime.date) -> tuple[Rotation, User, list[int]]:
    """Lock the channel's rotation, give the turn to the next present rep and move the pointer
    past them."""
    rotation = Rotation.for_channel(channel)
    rotation = Rotation.objects.select_for_update().get(pk=rotation.pk)
    seats = list(rotation.seats.select_related("rep").order_by("position", "pk"))
    index, skipped = _turn(seats, rotation.next_position, absent_rep_ids(day)) if seats else (None, [])
    if not rotation.active or index is None:
        raise ValidationFailed(
            _("Nobody in the rotation is present today."),
            fields={"assign": [_("Nobody in the rotation is present today: choose a rep or send it to the pool.")]},
        )
    rotation.next_position = (index + 1) % len(seats)
    rotation.save(update_fields=["next_position"])
    return rotation, seats[index].rep, skipped


def _check_rep(actor, rep: User | None) -> User:
    from salesops.crm.selectors import reps_for_user

    if rep is None:
        raise ValidationFailed(fields={"rep": [_("Choose the rep.")]})
    if not reps_for_user(user=actor).filter(pk=rep.pk).exists():
        raise ValidationFailed(fields={"rep": [_("Choose an active sales rep you work with.")]})
    return rep


@transaction.atomic
def rotation_seat_add(*, actor, channel: str, rep: User) -> RotationSeat:
    """Put a rep at the end of the channel's line."""
    _require_rotation_editor(actor)
    if not rep.is_active or not rep.has_role(Role.SALES_REP):
        raise ValidationFailed(fields={"rep": [_("Only active sales reps take turns.")]})
    rotation = Rotation.for_channel(channel)
    if rotation.seats.filter(rep=rep).exists():
        raise ValidationFailed(fields={"rep": [_("This rep already has a seat in this rotation.")]})
    last = rotation.seats.aggregate(last=Max("position"))["last"]
    return model_create(
        instance=RotationSeat(rotation=rotation, rep=rep, position=0 if last is None else last + 1), actor=actor
    )


@transaction.atomic
def rotation_seat_move(*, actor, seat: RotationSeat, up: bool) -> RotationSeat:
    """Swap a seat with its neighbour; whose turn it is does not change."""
    _require_rotation_editor(actor)
    rotation = Rotation.objects.select_for_update().get(pk=seat.rotation_id)
    seats = list(rotation.seats.select_related("rep").order_by("position", "pk"))
    index = next(i for i, s in enumerate(seats) if s.pk == seat.pk)
    other = index - 1 if up else index + 1
    if not 0 <= other < len(seats):
        return seat
    turn_rep = seats[rotation.next_position % len(seats)].rep_id
    seats[index], seats[other] = seats[other], seats[index]
    for position, item in enumerate(seats):
        if item.position != position:
            model_update(instance=item, fields=["position"], data={"position": position}, actor=actor)
    rotation.next_position = next(i for i, s in enumerate(seats) if s.rep_id == turn_rep)
    rotation.save(update_fields=["next_position"])
    return seat


@transaction.atomic
def rotation_seat_remove(*, actor, seat: RotationSeat) -> None:
    _require_rotation_editor(actor)
    rotation = Rotation.objects.select_for_update().get(pk=seat.rotation_id)
    seats = list(rotation.seats.order_by("position", "pk"))
    index = next(i for i, s in enumerate(seats) if s.pk == seat.pk)
    model_delete(instance=seat, actor=actor)
    remaining = len(seats) - 1
    pointer = rotation.next_position % len(seats)
    if index < pointer:
        pointer -= 1
    rotation.next_position = pointer % remaining if remaining else 0
    rotation.save(update_fields=["next_position"])


def _require_rotation_editor(actor) -> None:
    if not (getattr(actor, "is_superuser", False) or actor.roles & ROTATION_EDITORS):
        raise PermissionDenied()


@transaction.atomic
def absence_add(*, actor, rep: User, start: datetime.date, end: datetime.date, reason: str = "") -> RepAbsence:
    _require_rotation_editor(actor)
    if end < start:
        raise ValidationFailed(fields={"end": [_("The last day cannot be before the first.")]})
    if (end - start).days > 366:
        raise ValidationFailed(fields={"end": [_("An absence lasts at most a year.")]})
    return model_create(
        instance=RepAbsence(rep=rep, start=start, end=end, reason=reason[:100], created_by=actor), actor=actor
    )


@transaction.atomic
def absence_remove(*, actor, absence: RepAbsence) -> None:
    _require_rotation_editor(actor)
    model_delete(instance=absence, actor=actor)


# --- registering a call or walk-in ----------------------------------------------------------------
def _validate(*, name: str, phone: str, kind: str, email: str, tax_id: str, occurred_at, now) -> list:
    errors: dict[str, list] = {}
    if not name.strip():
        errors["name"] = [_("Give the company or the person's name.")]
    keys = ownership_keys(name=name, kind=kind, phones=[phone], emails=[email], tax_id=tax_id)
    if phone and not any(key_kind == "phone" for key_kind, _value in keys):
        errors["phone"] = [_("This is not a valid phone number.")]
    if tax_id and normalize_tax_id(tax_id) is None:
        errors["tax_id"] = [_("This is not a valid unified social credit code.")]
    if occurred_at > now + datetime.timedelta(minutes=5):
        errors["occurred_at"] = [_("A call cannot be registered before it happens.")]
    elif occurred_at < now - BACKDATE_LIMIT:
        errors["occurred_at"] = [_("Register calls within a week; older ones go into the customer's history.")]
    if errors:
        raise ValidationFailed(fields=errors)
    return keys


@transaction.atomic
def inbound_register(
    *,
    actor,
    via: str,
    name: str,
    phone: str = "",
    kind: str = Customer.Kind.COMPANY,
    contact_name: str = "",
    email: str = "",
    interest: str = "",
    source: str = "",
    city: str = "",
    tax_id: str = "",
    assign: str = InboundContact.Assignment.ROTATION,
    rep: User | None = None,
    occurred_at: datetime.datetime | None = None,
) -> InboundContact:
    """Register a call or walk-in and give it to a rep (or the pool); see the module docstring."""
    _require_desk(actor)
    now = timezone.now()
    occurred_at = occurred_at or now
    if via not in Rotation.Channel.values:
        raise ValidationFailed(fields={"via": [_("Choose call or walk-in.")]})
    if assign not in {
        InboundContact.Assignment.ROTATION,
        InboundContact.Assignment.CHOSEN,
        InboundContact.Assignment.POOL,
    }:
        raise ValidationFailed(fields={"assign": [_("Choose how the lead is assigned.")]})
    keys = _validate(name=name, phone=phone, kind=kind, email=email, tax_id=tax_id, occurred_at=occurred_at, now=now)
    match = services.ownership_match(keys)
    holder = match.customer if match is not None else None
    activity_kind = Activity.Kind.VISIT if via == Rotation.Channel.VISIT else Activity.Kind.CALL
    subject = (interest or (_("Walk-in") if via == Rotation.Channel.VISIT else _("Inbound call")))[:200]
    rotation, skipped = None, []

    if holder is not None and not holder.in_pool:
        # Known: it goes to its owner, whatever the desk chose, and takes nobody's turn.
        assignment, owner, customer, is_new = InboundContact.Assignment.OWNER, holder.owner, holder, False
    else:
        if assign == InboundContact.Assignment.ROTATION:
            rotation, owner, skipped = _take_turn(via, company_date(occurred_at))
        elif assign == InboundContact.Assignment.CHOSEN:
            owner = _check_rep(actor, rep)
        else:
            owner = None
        assignment = assign
        if holder is not None:  # waiting in the pool: the desk hands it out again (or leaves it there)
            customer, is_new = holder, False
            if owner is not None:
                services._change_owner(
                    customer=customer, to_owner=owner, actor=actor, reason=OwnershipChange.Reason.INBOUND
                )
        else:
            customer, is_new = _new_lead(
                actor=actor,
                owner=owner,
                name=name,
                phone=phone,
                email=email,
                kind=kind,
                via=via,
                source=source,
                city=city,
                tax_id=tax_id,
                contact_name=contact_name,
            )
    if owner is not None:
        services.activity_log(
            actor=actor, customer=customer, kind=activity_kind, subject=subject, occurred_at=occurred_at, owner=owner
        )
    record = model_create(
        instance=InboundContact(
            via=via,
            phone=phone[:40],
            name=name[:200],
            interest=interest[:200],
            customer=customer,
            is_new=is_new,
            assignment=assignment,
            assigned_to=owner,
            team=owner.org_unit if owner is not None else None,
            rotation=rotation,
            skipped=skipped,
            occurred_at=occurred_at,
            registered_by=actor,
            entered_late=services.is_entered_late(occurred_at=occurred_at, entered_at=now, done=True),
        ),
        actor=actor,
    )
    if owner is not None and owner.pk != actor.pk:
        notify(
            user=owner,
            title=lazy_message(
                gettext_lazy("%(via)s for you: %(customer)s"),
                via=dict(Rotation.Channel.choices)[via],
                customer=customer.name,
            ),
            body=lazy_message(gettext_lazy("%(interest)s · phone %(phone)s"), interest=subject, phone=phone or "-"),
            url=reverse("customer-detail", args=[customer.pk]),
            kind="crm_inbound",
        )
    return record


def _new_lead(
    *, actor, owner, name, phone, email, kind, via, source, city, tax_id, contact_name
) -> tuple[Customer, bool]:
    """A new prospect owned by `owner`; with no owner it goes straight into the pool (its
    nominal owner is the person at the desk, for the team scope only: a pooled lead belongs to
    nobody and counts against nobody's holding limit)."""
    customer = services.customer_create(
        actor=actor,
        name=name,
        owner=owner or actor,
        kind=kind,
        status=Customer.Status.PROSPECT,
        phone=phone,
        email=email,
        source=source,
        city=city,
        tax_id=tax_id,
        registered_via=via,
    )
    if contact_name:
        services.contact_create(
            customer=customer, actor=actor, name=contact_name, phone=phone, email=email, is_primary=True
        )
    now = timezone.now()
    update = {"last_activity_at": now}
    if owner is None:
        update.update(in_pool=True, pooled_at=now)
        OwnershipChange.objects.create(
            customer=customer,
            from_owner=None,
            reason=OwnershipChange.Reason.POOL_RETURN,
            note=_("Sent to the pool at the call desk")[:200],
            changed_by=actor,
        )
    Customer.objects.filter(pk=customer.pk).update(**update)
    for field, value in update.items():
        setattr(customer, field, value)
    return customer, True
