"""Writes of the customer area: customers, contacts, ownership (registration, conflicts, pool,
reassignment), opportunities, activities, complaints, files and key-account files.

Ownership rule: a customer owns its normalised keys (see matching.py) in `OwnershipKey`,
whose UNIQUE constraint decides races: of two reps saving the same prospect at the same
moment, one insert fails and that registration turns into a recorded conflict.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salesops.core.audit import audit_record, model_create, model_update
from salesops.core.calendar import WorkCalendar
from salesops.core.exceptions import InvalidTransition, PermissionDenied, ValidationFailed
from salesops.core.models import AuditEvent, OrgUnit, User
from salesops.core.numbering import next_number
from salesops.core.roles import Role
from salesops.core.services import lazy_message, notify
from salesops.core.state import StateMachine
from salesops.core.text import search_key
from salesops.core.visibility import visible_to
from salesops.crm.exceptions import HoldingLimitReached, InLeadPool, LossReasonRequired, OwnershipTaken
from salesops.crm.matching import normalize_tax_id, ownership_keys
from salesops.crm.models import (
    Activity,
    Address,
    Complaint,
    Contact,
    CrmPolicy,
    Customer,
    CustomerFile,
    KeyAccountFile,
    Opportunity,
    OwnershipChange,
    OwnershipConflict,
    OwnershipKey,
    PersonalDataExport,
    PoolRule,
    ReassignmentBatch,
    Stage,
    StageChange,
)
from salesops.sop import hooks as sop

CUSTOMER_FIELDS = [
    "name",
    "kind",
    "channel",
    "status",
    "owner",
    "team",
    "address",
    "city",
    "latitude",
    "longitude",
    "industry",
    "source",
    "tags",
    "phone",
    "email",
    "tax_id",
    "registered_via",
]
CONTACT_FIELDS = ["name", "title", "phone", "email", "is_primary"]


def _team_of(owner, team):
    team = team or owner.org_unit
    if team is None:
        raise ValidationFailed(fields={"team": [_("The owner belongs to no team; choose the team.")]})
    return team


def may_move_into(actor, team) -> bool:
    """Whether `actor` may put customers into `team`: company-wide roles anywhere, a manager
    within their region, a supervisor within their own team; a rep nowhere."""
    return visible_to(OrgUnit.objects.filter(pk=team.pk), actor, owner_field=None, unit_field="pk").exists()


def supervisor_of(user: User) -> User | None:
    """Whom a rep answers to: their manager, else the head of their unit."""
    if user.manager_id:
        return user.manager
    unit = user.org_unit
    return unit.head if unit and unit.head_id and unit.head_id != user.pk else None


def _search_key(customer: Customer) -> str:
    return search_key(customer.name, customer.code, customer.city, customer.phone)


def _check_tax_id(fields: dict) -> None:
    raw = fields.get("tax_id")
    if raw:
        compact = normalize_tax_id(raw)
        if compact is None:
            raise ValidationFailed(fields={"tax_id": [_("This is not a valid unified social credit code.")]})
        fields["tax_id"] = compact


# --- ownership keys -------------------------------------------------------------------------------
def customer_keys(customer: Customer) -> list[tuple[str, str]]:
    contacts = list(customer.contacts.all()) if customer.pk else []
    return ownership_keys(
        name=customer.name,
        kind=customer.kind,
        phones=[customer.phone, *[c.phone for c in contacts]],
        emails=[customer.email, *[c.email for c in contacts]],
        tax_id=customer.tax_id,
    )


def ownership_match(keys: list[tuple[str, str]]) -> OwnershipKey | None:
    """The first key already owned, by priority tax id → phone → e-mail → name (index hits)."""
    if not keys:
        return None
    condition = Q()
    for kind, value in keys:
        condition |= Q(kind=kind, value=value)
    found = list(OwnershipKey.objects.filter(condition).select_related("customer__owner", "customer__team")[:10])
    priority = {"tax_id": 0, "phone": 1, "email": 2, "name": 3}
    found.sort(key=lambda key: priority[key.kind])
    return found[0] if found else None


def _claim_keys(customer: Customer, keys: list[tuple[str, str]]) -> None:
    """Insert the customer's keys; a key owned by another customer raises OwnershipTaken.
    The savepoint keeps the surrounding transaction usable on PostgreSQL."""
    existing = set(OwnershipKey.objects.filter(customer=customer).values_list("kind", "value"))
    for kind, value in keys:
        if (kind, value) in existing:
            continue
        try:
            with transaction.atomic():
                OwnershipKey.objects.create(kind=kind, value=value, customer=customer)
        except IntegrityError:
            holder = OwnershipKey.objects.select_related("customer").filter(kind=kind, value=value).first()
            raise OwnershipTaken(matched_on=kind, holder_id=holder.customer_id if holder else None)


def _refresh_keys(customer: Customer) -> None:
    keys = customer_keys(customer)
    OwnershipKey.objects.filter(customer=customer).exclude(
        pk__in=[k.pk for k in OwnershipKey.objects.filter(customer=customer) if (k.kind, k.value) in set(keys)]
    ).delete()
    _claim_keys(customer, keys)


def _taken_message(holder: Customer) -> str:
    supervisor = supervisor_of(holder.owner)
    if supervisor:
        return _("This prospect is already registered to a colleague. Talk to %(name)s before you contact them.") % {
            "name": supervisor.display_name
        }
    return _("This prospect is already registered to a colleague. Talk to your supervisor.")


@transaction.atomic
def _record_conflict(*, holder: Customer, actor, matched_on: str, attempted_name: str, note: str = ""):
    conflict = model_create(
        instance=OwnershipConflict(
            customer=holder,
            attempted_by=actor,
            owner_at_attempt=holder.owner,
            team=holder.team,
            matched_on=matched_on,
            attempted_name=attempted_name[:200],
            note=note[:300],
        ),
        actor=actor,
    )
    supervisor = supervisor_of(holder.owner)
    if supervisor:
        notify(
            user=supervisor,
            title=lazy_message(
                gettext_lazy("Ownership conflict: %(rep)s tried to register %(customer)s"),
                rep=actor.display_name,
                customer=holder.name,
            ),
            url=f"/crm/conflicts/{conflict.pk}/",
            kind="crm_conflict",
        )
    return conflict


def _refuse(*, holder: Customer, actor, matched_on: str, attempted_name: str):
    conflict = _record_conflict(holder=holder, actor=actor, matched_on=matched_on, attempted_name=attempted_name)
    supervisor = supervisor_of(holder.owner)
    raise OwnershipTaken(
        _taken_message(holder),
        talk_to=supervisor.display_name if supervisor else "",
        conflict_id=conflict.pk,
    )


# --- customers ------------------------------------------------------------------------------------
@transaction.atomic
def customer_create(*, actor, name: str, owner, team=None, code: str | None = None, **fields) -> Customer:
    """Create a customer and claim its ownership keys (OwnershipTaken when one is owned)."""
    _check_tax_id(fields)
    customer = Customer(
        code=code or next_number(prefix="C", width=5),
        name=name,
        owner=owner,
        team=_team_of(owner, team),
        **{key: value for key, value in fields.items() if key in CUSTOMER_FIELDS},
    )
    customer.search_key = _search_key(customer)
    model_create(instance=customer, actor=actor)
    _claim_keys(customer, customer_keys(customer))
    OwnershipChange.objects.create(
        customer=customer, to_owner=owner, reason=OwnershipChange.Reason.REGISTERED, changed_by=actor
    )
    return customer


@transaction.atomic
def customer_update(*, customer: Customer, data: dict, actor) -> Customer:
    data = dict(data)
    _check_tax_id(data)
    new_owner = data.get("owner") or customer.owner
    owner_changed = new_owner.pk != customer.owner_id
    if owner_changed:
        # The customer follows its new owner into the owner's team; a team typed in the form
        # only counts for an owner who belongs to no team.
        data["team"] = new_owner.org_unit or _team_of(new_owner, data.get("team"))
    elif data.get("team") is None:
        data.pop("team", None)
    team = data.get("team") or customer.team
    if team.pk != customer.team_id and not may_move_into(actor, team):
        field = "owner" if owner_changed else "team"
        raise ValidationFailed(
            fields={field: [_("You may not move customers into the team %(team)s.") % {"team": team.name}]}
        )
    old_owner = customer.owner
    customer, changed = model_update(instance=customer, fields=CUSTOMER_FIELDS, data=data, actor=actor)
    if changed:
        customer.search_key = _search_key(customer)
        customer.save(update_fields=["search_key"])
        _refresh_keys(customer)
        if customer.owner_id != old_owner.pk:
            OwnershipChange.objects.create(
                customer=customer,
                from_owner=old_owner,
                to_owner=customer.owner,
                reason=OwnershipChange.Reason.REASSIGNED,
                changed_by=actor,
            )
    return customer


@transaction.atomic
def contact_create(*, customer: Customer, actor, name: str, **fields) -> Contact:
    contact = Contact(customer=customer, name=name, **{k: v for k, v in fields.items() if k in CONTACT_FIELDS})
    model_create(instance=contact, actor=actor)
    _claim_keys(customer, customer_keys(customer))
    return contact


@transaction.atomic
def contact_update(*, contact: Contact, data: dict, actor) -> Contact:
    contact, changed = model_update(instance=contact, fields=CONTACT_FIELDS, data=data, actor=actor)
    if changed:
        _refresh_keys(contact.customer)
    return contact


@transaction.atomic
def address_create(*, customer: Customer, actor, label: str, address: str, **fields) -> Address:
    allowed = {"city", "latitude", "longitude"}
    return model_create(
        instance=Address(
            customer=customer, label=label, address=address, **{k: v for k, v in fields.items() if k in allowed}
        ),
        actor=actor,
    )


@transaction.atomic
def customer_file_add(*, customer: Customer, actor, upload, name: str = "") -> CustomerFile:
    if upload.size > 20 * 1024 * 1024:
        raise ValidationFailed(fields={"file": [_("Files may be at most 20 MB.")]})
    record = CustomerFile(
        customer=customer, file=upload, name=(name or upload.name)[:200], size=upload.size, uploaded_by=actor
    )
    return model_create(instance=record, actor=actor)


@transaction.atomic
def key_account_save(*, customer: Customer, actor, data: dict) -> KeyAccountFile:
    fields = ["needs", "decision_makers", "preferences", "plans"]
    record = KeyAccountFile.objects.filter(customer=customer).first()
    if record is None:
        return model_create(
            instance=KeyAccountFile(customer=customer, **{k: data.get(k, "") for k in fields}), actor=actor
        )
    record, _changed = model_update(instance=record, fields=fields, data=data, actor=actor)
    return record


@transaction.atomic
def personal_data_export_log(*, user, what: str, rows: int, query: str = "") -> PersonalDataExport:
    return model_create(instance=PersonalDataExport(user=user, what=what, rows=rows, query=query[:300]), actor=user)


# --- lead registration (来电登记 / 来访登记) --------------------------------------------------------
def lead_register(
    *,
    actor,
    name: str,
    phone: str = "",
    email: str = "",
    contact_name: str = "",
    kind: str = Customer.Kind.COMPANY,
    via: str = Customer.Via.CALL,
    interest: str = "",
    source: str = "",
    city: str = "",
    tax_id: str = "",
    owner=None,
    channel: str = Customer.Channel.OTHER,
) -> Customer:
    """Register an inbound call or walk-in as a prospect owned by `owner` (default: the caller).

    Returns the new customer, or the owner's existing one when they already own it. Raises
    OwnershipTaken (after recording the attempt) when another rep owns it, InLeadPool when
    it waits in the pool. Not atomic itself: the attempt record must survive the refusal.
    """
    owner = owner or actor
    if not owner.has_role(Role.SALES_REP):
        # A supervisor or manager does not become the owner of what they register: the call
        # desk (calldesk.inbound_register) gives it to a rep, the rotation or the pool.
        raise ValidationFailed(
            fields={"owner": [_("The owner must be a sales rep: use the call desk to give the lead to a rep.")]}
        )
    if not (phone or email):
        raise ValidationFailed(fields={"phone": [_("Give a phone number or an e-mail address.")]})
    if tax_id and normalize_tax_id(tax_id) is None:
        raise ValidationFailed(fields={"tax_id": [_("This is not a valid unified social credit code.")]})
    keys = ownership_keys(name=name, kind=kind, phones=[phone], emails=[email], tax_id=tax_id)
    if phone and not any(kind_ == "phone" for kind_, _v in keys):
        raise ValidationFailed(fields={"phone": [_("This is not a valid phone number.")]})
    match = ownership_match(keys)
    if match is not None:
        return _on_match(match=match, actor=actor, owner=owner, name=name, via=via, interest=interest)
    try:
        return _register_new(
            actor=actor,
            owner=owner,
            name=name,
            phone=phone,
            email=email,
            contact_name=contact_name,
            kind=kind,
            via=via,
            interest=interest,
            source=source,
            city=city,
            tax_id=tax_id,
            channel=channel,
        )
    except OwnershipTaken as taken:  # lost a race: someone registered it a moment ago
        holder = Customer.objects.select_related("owner", "team").get(pk=taken.extra["holder_id"])
        if holder.owner_id == owner.pk:
            return holder
        _refuse(holder=holder, actor=actor, matched_on=taken.extra["matched_on"], attempted_name=name)


def _on_match(*, match: OwnershipKey, actor, owner, name: str, via: str, interest: str) -> Customer:
    holder = match.customer
    if holder.in_pool:
        raise InLeadPool(customer_id=holder.pk)
    if holder.owner_id == owner.pk:
        if interest:
            activity_log(
                actor=actor,
                customer=holder,
                kind=Activity.Kind.VISIT if via == Customer.Via.VISIT else Activity.Kind.CALL,
                subject=interest[:200],
                occurred_at=timezone.now(),
                owner=owner,
            )
        return holder
    _refuse(holder=holder, actor=actor, matched_on=match.kind, attempted_name=name)


@transaction.atomic
def _register_new(
    *, actor, owner, name, phone, email, contact_name, kind, via, interest, source, city, tax_id, channel
):
    customer = customer_create(
        actor=actor,
        name=name,
        owner=owner,
        kind=kind,
        status=Customer.Status.PROSPECT,
        phone=phone,
        email=email,
        source=source,
        city=city,
        tax_id=tax_id,
        channel=channel,
        registered_via=via,
    )
    customer.last_activity_at = timezone.now()
    customer.save(update_fields=["last_activity_at"])
    if contact_name:
        contact_create(customer=customer, actor=actor, name=contact_name, phone=phone, email=email, is_primary=True)
    activity_log(
        actor=actor,
        customer=customer,
        kind=Activity.Kind.VISIT if via == Customer.Via.VISIT else Activity.Kind.CALL,
        subject=(interest or (_("Walk-in") if via == Customer.Via.VISIT else _("Inbound call")))[:200],
        occurred_at=timezone.now(),
        owner=owner,
    )
    return customer


# --- conflicts --------------------------------------------------------------------------------------
@transaction.atomic
def conflict_decide(*, conflict: OwnershipConflict, actor, assign: bool) -> OwnershipConflict:
    """The supervisor keeps the prospect with its owner or assigns it to the requester."""
    conflict = OwnershipConflict.objects.select_for_update().get(pk=conflict.pk)
    if conflict.status != OwnershipConflict.Status.OPEN:
        raise InvalidTransition(_("This conflict has already been decided."))
    if not actor.has_role(Role.SALES_SUPERVISOR, Role.SALES_MANAGER, Role.SALES_DIRECTOR, Role.SALES_ADMIN):
        raise PermissionDenied()
    if assign:
        _change_owner(
            customer=conflict.customer,
            to_owner=conflict.attempted_by,
            actor=actor,
            reason=OwnershipChange.Reason.CONFLICT,
        )
        notify(
            user=conflict.attempted_by,
            title=lazy_message(gettext_lazy("%(customer)s was assigned to you"), customer=conflict.customer.name),
            url=f"/customers/{conflict.customer_id}/",
            kind="crm_conflict",
        )
    status = OwnershipConflict.Status.ASSIGNED if assign else OwnershipConflict.Status.KEPT
    audit_record(
        instance=conflict,
        action=AuditEvent.Action.TRANSITION,
        actor=actor,
        changes={"status": [conflict.status, status]},
    )
    conflict.status = status
    conflict.resolved_by = actor
    conflict.resolved_at = timezone.now()
    conflict.save(update_fields=["status", "resolved_by", "resolved_at"])
    return conflict


def _change_owner(*, customer: Customer, to_owner, actor, reason: str, note: str = "", batch=None) -> None:
    from_owner = customer.owner
    team = _team_of(to_owner, None)
    changes = {"owner": [from_owner.pk, to_owner.pk], "team": [customer.team_id, team.pk]}
    customer.owner, customer.team = to_owner, team
    update = ["owner", "team"]
    if customer.in_pool and reason != OwnershipChange.Reason.POOL_RETURN:
        customer.in_pool, customer.pooled_at = False, None
        update += ["in_pool", "pooled_at"]
    customer.save(update_fields=update)
    audit_record(instance=customer, action=AuditEvent.Action.UPDATE, actor=actor, changes=changes, note=note or reason)
    OwnershipChange.objects.create(
        customer=customer,
        from_owner=from_owner,
        to_owner=to_owner,
        reason=reason,
        note=note[:200],
        batch=batch,
        changed_by=actor,
    )
    Opportunity.objects.filter(customer=customer, owner=from_owner, stage__outcome=Stage.Outcome.OPEN).update(
        owner=to_owner, team=team
    )


# --- lead pool --------------------------------------------------------------------------------------
def pool_rules() -> dict[str, int]:
    return dict(PoolRule.objects.values_list("grade", "return_after_days"))


@transaction.atomic
def pool_return_stale(*, now: datetime.datetime | None = None) -> int:
    """Prospects without an activity for their grade's number of days go back to the pool."""
    now = now or timezone.now()
    returned = 0
    for grade, days in pool_rules().items():
        limit = now - datetime.timedelta(days=days)
        stale = Customer.objects.filter(status=Customer.Status.PROSPECT, in_pool=False, grade=grade).filter(
            Q(last_activity_at__lt=limit) | Q(last_activity_at__isnull=True, created_at__lt=limit)
        )
        for customer in stale.select_related("owner").order_by("pk"):
            customer.in_pool, customer.pooled_at = True, now
            customer.save(update_fields=["in_pool", "pooled_at"])
            OwnershipChange.objects.create(
                customer=customer,
                from_owner=customer.owner,
                reason=OwnershipChange.Reason.POOL_RETURN,
                note=_("No activity for %(days)s days") % {"days": days},
            )
            audit_record(
                instance=customer, action=AuditEvent.Action.UPDATE, changes={"in_pool": [False, True]}, note="pool"
            )
            returned += 1
    return returned


def held_prospects(user) -> int:
    return Customer.objects.filter(owner=user, status=Customer.Status.PROSPECT, in_pool=False).count()


@transaction.atomic
def pool_claim(*, customer: Customer, actor) -> Customer:
    if not actor.has_role(Role.SALES_REP):
        raise PermissionDenied(_("Only sales reps claim leads from the pool."))
    # Lock the claimer's row so that two claims by the same rep count one after the other.
    User.objects.select_for_update().filter(pk=actor.pk).first()
    customer = Customer.objects.select_for_update().select_related("owner").get(pk=customer.pk)
    if not customer.in_pool:
        raise InvalidTransition(_("This lead is no longer in the pool."))
    limit = CrmPolicy.current().max_prospects_per_rep
    if held_prospects(actor) >= limit:
        raise HoldingLimitReached(
            _("You already hold %(count)s prospects, the limit is %(limit)s.") % {"count": limit, "limit": limit},
            limit=limit,
        )
    _change_owner(customer=customer, to_owner=actor, actor=actor, reason=OwnershipChange.Reason.POOL_CLAIM)
    customer.last_activity_at = timezone.now()
    customer.save(update_fields=["last_activity_at"])
    return customer


# --- bulk reassignment (客户及人员关系维护) -----------------------------------------------------------
REASSIGN_CHUNK = 200


@transaction.atomic
def reassignment_start(*, actor, from_owner, to_owner, reason: str, customer_ids=None) -> ReassignmentBatch:
    """Check the request and queue the batch; the task moves the customers in chunks."""
    if not actor.has_role(Role.SALES_SUPERVISOR, Role.SALES_MANAGER, Role.SALES_DIRECTOR, Role.SALES_ADMIN):
        raise PermissionDenied()
    if from_owner.pk == to_owner.pk:
        raise ValidationFailed(fields={"to_owner": [_("Choose a different rep.")]})
    if not to_owner.is_active or not to_owner.has_role(Role.SALES_REP):
        raise ValidationFailed(fields={"to_owner": [_("The new owner must be an active sales rep.")]})
    scope = visible_to(Customer.objects.all(), actor)
    if not visible_to(User.objects.filter(pk=to_owner.pk), actor, owner_field=None, unit_field="org_unit").exists():
        raise ValidationFailed(fields={"to_owner": [_("The new owner must be in your team.")]})
    # The customers move into the new owner's team, which the actor must be allowed to fill.
    if to_owner.org_unit is None or not may_move_into(actor, to_owner.org_unit):
        raise ValidationFailed(fields={"to_owner": [_("The new owner must be in your team.")]})
    customers = scope.filter(owner=from_owner)
    if customer_ids is not None:
        customers = customers.filter(pk__in=list(customer_ids))
    ids = list(customers.order_by("pk").values_list("pk", flat=True))
    if not ids:
        raise ValidationFailed(fields={"from_owner": [_("This rep owns no customers you can reassign.")]})
    batch = model_create(
        instance=ReassignmentBatch(
            from_owner=from_owner,
            to_owner=to_owner,
            reason=reason,
            customer_ids=ids,
            total=len(ids),
            requested_by=actor,
        ),
        actor=actor,
    )
    from salesops.crm.tasks import reassign_customers

    transaction.on_commit(lambda: reassign_customers.enqueue(batch_id=batch.pk))
    return batch


def reassignment_run(*, batch_id: int) -> ReassignmentBatch:
    """Move the batch's customers chunk by chunk, each chunk its own transaction, so the
    progress is visible and a restart continues where it stopped."""
    batch = ReassignmentBatch.objects.select_related("to_owner", "requested_by").get(pk=batch_id)
    if batch.status == ReassignmentBatch.Status.DONE:
        return batch
    ReassignmentBatch.objects.filter(pk=batch.pk).update(status=ReassignmentBatch.Status.RUNNING)
    ids = batch.customer_ids
    try:
        for start in range(batch.done, len(ids), REASSIGN_CHUNK):
            chunk = ids[start : start + REASSIGN_CHUNK]
            with transaction.atomic():
                for customer in Customer.objects.select_for_update().select_related("owner").filter(pk__in=chunk):
                    if customer.owner_id == batch.from_owner_id:
                        _change_owner(
                            customer=customer,
                            to_owner=batch.to_owner,
                            actor=batch.requested_by,
                            reason=OwnershipChange.Reason.REASSIGNED,
                            note=batch.reason,
                            batch=batch,
                        )
                ReassignmentBatch.objects.filter(pk=batch.pk).update(done=start + len(chunk))
    except Exception as error:
        ReassignmentBatch.objects.filter(pk=batch.pk).update(
            status=ReassignmentBatch.Status.FAILED, error=str(error)[:300]
        )
        raise
    ReassignmentBatch.objects.filter(pk=batch.pk).update(
        status=ReassignmentBatch.Status.DONE, done=len(ids), finished_at=timezone.now()
    )
    notify(
        user=batch.requested_by,
        title=lazy_message(
            gettext_lazy("%(count)s customers moved to %(rep)s"), count=len(ids), rep=batch.to_owner.display_name
        ),
        url=f"/crm/reassign/{batch.pk}/",
        kind="crm_reassign",
    )
    batch.refresh_from_db()
    return batch


# --- opportunities ----------------------------------------------------------------------------------
OPPORTUNITY_FIELDS = ["name", "amount", "expected_close", "next_step", "next_step_due", "competitors"]


def _first_open_stage() -> Stage:
    stage = Stage.objects.filter(active=True, outcome=Stage.Outcome.OPEN).order_by("order", "pk").first()
    if stage is None:
        raise ValidationFailed(_("No pipeline stages are set up."))
    return stage


@transaction.atomic
def opportunity_create(
    *, actor, customer: Customer, name: str, expected_close, stage=None, owner=None, **fields
) -> Opportunity:
    owner = owner or customer.owner
    stage = stage or _first_open_stage()
    if stage.is_closed:
        raise ValidationFailed(fields={"stage": [_("A new opportunity starts in an open stage.")]})
    opportunity = Opportunity(
        code=next_number(prefix="OP", width=5),
        customer=customer,
        name=name,
        owner=owner,
        team=_team_of(owner, None),
        stage=stage,
        expected_close=expected_close,
        **{k: v for k, v in fields.items() if k in OPPORTUNITY_FIELDS},
    )
    model_create(instance=opportunity, actor=actor)
    StageChange.objects.create(opportunity=opportunity, to_stage=stage, changed_by=actor)
    return opportunity


@transaction.atomic
def opportunity_update(*, opportunity: Opportunity, data: dict, actor) -> Opportunity:
    opportunity, _changed = model_update(instance=opportunity, fields=OPPORTUNITY_FIELDS, data=data, actor=actor)
    return opportunity


@transaction.atomic
def opportunity_move(
    *, opportunity: Opportunity, stage: Stage, actor, loss_reason: str = "", note: str = ""
) -> Opportunity:
    """Move to another stage; closed (won/lost) opportunities do not move; lost needs a reason."""
    opportunity = Opportunity.objects.select_for_update().select_related("stage").get(pk=opportunity.pk)
    current = opportunity.stage
    if current.pk == stage.pk:
        return opportunity
    if current.is_closed:
        raise InvalidTransition(_("The opportunity is closed (%(stage)s).") % {"stage": current.label})
    if not stage.active:
        raise ValidationFailed(fields={"stage": [_("This stage is no longer used.")]})
    loss_reason = (loss_reason or "").strip()
    if stage.outcome == Stage.Outcome.LOST and not loss_reason:
        raise LossReasonRequired(fields={"loss_reason": [_("Give the reason the opportunity was lost.")]})
    opportunity.stage = stage
    update = ["stage"]
    if stage.outcome == Stage.Outcome.LOST:
        opportunity.loss_reason = loss_reason[:300]
        update.append("loss_reason")
    if stage.is_closed:
        opportunity.closed_at = timezone.now()
        update.append("closed_at")
    opportunity.save(update_fields=update)
    StageChange.objects.create(
        opportunity=opportunity, from_stage=current, to_stage=stage, changed_by=actor, note=note[:300]
    )
    audit_record(
        instance=opportunity,
        action=AuditEvent.Action.TRANSITION,
        actor=actor,
        changes={"stage": [current.code, stage.code]},
        note=loss_reason or note,
    )
    if stage.outcome == Stage.Outcome.WON and opportunity.customer.status == Customer.Status.PROSPECT:
        customer_update(customer=opportunity.customer, data={"status": Customer.Status.ACTIVE}, actor=actor)
    return opportunity


# --- activities -------------------------------------------------------------------------------------
def is_entered_late(*, occurred_at: datetime.datetime, entered_at: datetime.datetime, done: bool) -> bool:
    """Register the same day: a done activity dated D entered after D (company time zone)."""
    if not done:
        return False
    tz = WorkCalendar.load().tz
    return entered_at.astimezone(tz).date() > occurred_at.astimezone(tz).date()


ACTIVITY_FIELDS = [
    "kind",
    "subject",
    "occurred_at",
    "duration_minutes",
    "done",
    "outcome",
    "next_step",
    "next_step_due",
]


@transaction.atomic
def activity_log(
    *,
    actor,
    customer: Customer,
    kind: str,
    subject: str,
    occurred_at: datetime.datetime,
    owner=None,
    opportunity=None,
    **fields,
) -> Activity:
    owner = owner or (actor if actor.has_role(Role.SALES_REP) else customer.owner)
    now = timezone.now()
    done = fields.get("done", occurred_at <= now)
    activity = Activity(
        customer=customer,
        opportunity=opportunity,
        owner=owner,
        team=_team_of(owner, None),
        kind=kind,
        subject=subject,
        occurred_at=occurred_at,
        entered_late=is_entered_late(occurred_at=occurred_at, entered_at=now, done=done),
        **{k: v for k, v in fields.items() if k in ACTIVITY_FIELDS and k not in {"kind", "subject", "occurred_at"}},
    )
    activity.done = done
    model_create(instance=activity, actor=actor)
    if done and (customer.last_activity_at is None or customer.last_activity_at < occurred_at):
        Customer.objects.filter(pk=customer.pk).update(last_activity_at=occurred_at)
        customer.last_activity_at = occurred_at
    if activity.kind in SAME_DAY_KINDS:
        sop.start(
            rule="calls-same-day",
            person=owner,
            started_at=occurred_at,
            reference=_activity_reference(activity),
            url=reverse("customer-detail", args=[customer.pk]),
        )
        if done:
            _activity_entered(activity, now)
    return activity


# Calls, visits and meetings are entered the same day (来电/来访/拜访登记).
SAME_DAY_KINDS = {Activity.Kind.CALL, Activity.Kind.VISIT, Activity.Kind.MEETING}


def _activity_reference(activity: Activity) -> str:
    return f"crm.activity:{activity.pk}"


def _activity_entered(activity: Activity, entered_at: datetime.datetime) -> None:
    """The record entered as done is what meets the same-day rule, at the moment it is entered."""
    if activity.kind in SAME_DAY_KINDS:
        sop.done(
            event="call_registered",
            person=activity.owner,
            occurred_at=entered_at,
            reference=_activity_reference(activity),
        )


@transaction.atomic
def activity_complete(*, activity: Activity, actor, outcome: str = "") -> Activity:
    """Mark a planned activity done, or its next step done."""
    if not activity.done:
        entered_late = is_entered_late(occurred_at=activity.occurred_at, entered_at=timezone.now(), done=True)
        activity, _changed = model_update(
            instance=activity,
            fields=["done", "outcome", "entered_late"],
            data={"done": True, "outcome": outcome or activity.outcome, "entered_late": entered_late},
            actor=actor,
        )
        Customer.objects.filter(pk=activity.customer_id).filter(
            Q(last_activity_at__isnull=True) | Q(last_activity_at__lt=activity.occurred_at)
        ).update(last_activity_at=activity.occurred_at)
        _activity_entered(activity, timezone.now())
    else:
        activity, _changed = model_update(
            instance=activity, fields=["next_step_done"], data={"next_step_done": True}, actor=actor
        )
    return activity


# --- complaints -------------------------------------------------------------------------------------
COMPLAINT_FLOW = StateMachine(
    {
        Complaint.Status.OPEN: {Complaint.Status.ANSWERED, Complaint.Status.RESOLVED},
        Complaint.Status.ANSWERED: {Complaint.Status.RESOLVED},
        Complaint.Status.RESOLVED: {Complaint.Status.CLOSED},
        Complaint.Status.CLOSED: set(),
    }
)


def complaint_answer_due(received_at: datetime.datetime) -> datetime.datetime:
    """Read from the SOP rule "complaint answered within 24 hours" (calendar hours)."""
    return sop.deadline("complaint-24h", received_at)


def _complaint_reference(complaint: Complaint) -> str:
    return f"complaint:{complaint.pk}"


@transaction.atomic
def complaint_register(
    *,
    actor,
    customer: Customer,
    subject: str,
    kind: str = Complaint.Kind.COMPLAINT,
    description: str = "",
    received_at=None,
    owner=None,
) -> Complaint:
    received_at = received_at or timezone.now()
    owner = owner or customer.owner
    complaint = Complaint(
        code=next_number(prefix="CP", width=5),
        customer=customer,
        kind=kind,
        owner=owner,
        team=_team_of(owner, None),
        subject=subject,
        description=description,
        received_at=received_at,
        answer_due=complaint_answer_due(received_at),
    )
    model_create(instance=complaint, actor=actor)
    url = reverse("complaint-detail", args=[complaint.pk])
    sop.start(
        rule="complaint-24h",
        person=owner,
        started_at=received_at,
        reference=_complaint_reference(complaint),
        url=url,
        due_at=complaint.answer_due,
    )
    if owner.pk != getattr(actor, "pk", None):
        notify(
            user=owner,
            title=lazy_message(
                gettext_lazy("New %(kind)s from %(customer)s"),
                kind=dict(Complaint.Kind.choices)[complaint.kind],
                customer=customer.name,
            ),
            url=url,
            kind="crm_complaint",
        )
    return complaint


def _complaint_move(complaint: Complaint, target: str, actor, changes: dict) -> Complaint:
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    COMPLAINT_FLOW.check(complaint.status, target)
    complaint, _changed = model_update(
        instance=complaint, fields=["status", *changes], data={"status": target, **changes}, actor=actor
    )
    if "answered_at" in changes:
        sop.done(
            event="complaint_answered",
            person=complaint.owner,
            occurred_at=complaint.answered_at,
            reference=_complaint_reference(complaint),
            actor=actor,
        )
    return complaint


@transaction.atomic
def complaint_answer(*, complaint: Complaint, actor, answer: str) -> Complaint:
    if not answer.strip():
        raise ValidationFailed(fields={"answer": [_("Write the answer given to the customer.")]})
    return _complaint_move(
        complaint, Complaint.Status.ANSWERED, actor, {"answer": answer, "answered_at": timezone.now()}
    )


@transaction.atomic
def complaint_resolve(*, complaint: Complaint, actor, resolution: str) -> Complaint:
    if not resolution.strip():
        raise ValidationFailed(fields={"resolution": [_("Describe how it was resolved.")]})
    changes = {"resolution": resolution, "resolved_at": timezone.now()}
    if complaint.answered_at is None:
        changes["answered_at"] = changes["resolved_at"]
    return _complaint_move(complaint, Complaint.Status.RESOLVED, actor, changes)


@transaction.atomic
def complaint_follow_up(*, complaint: Complaint, actor, satisfaction: int, note: str = "") -> Complaint:
    if satisfaction not in range(1, 6):
        raise ValidationFailed(fields={"satisfaction": [_("Give a score from 1 to 5.")]})
    return _complaint_move(
        complaint,
        Complaint.Status.CLOSED,
        actor,
        {"satisfaction": satisfaction, "follow_up_note": note, "follow_up_at": timezone.now()},
    )


# --- policy seeds -----------------------------------------------------------------------------------
DEFAULT_STAGES = [
    # code, name, Chinese name, probability, outcome
    ("lead", "Lead", "线索", 10, Stage.Outcome.OPEN),
    ("needs", "Needs analysis", "需求分析", 20, Stage.Outcome.OPEN),
    ("proposal", "Proposal / quote", "方案报价", 40, Stage.Outcome.OPEN),
    ("negotiation", "Negotiation", "商务谈判", 60, Stage.Outcome.OPEN),
    ("contract", "Contract", "合同签订", 80, Stage.Outcome.OPEN),
    ("won", "Won", "赢单", 100, Stage.Outcome.WON),
    ("lost", "Lost", "输单", 0, Stage.Outcome.LOST),
]
DEFAULT_POOL_RULES = {"": 30, "C": 30, "B": 60, "A": 90}


@transaction.atomic
def crm_policy_seed() -> None:
    """Default stages, pool rules and policy (kept when an administrator has edited them)."""
    for order, (code, name, name_zh, probability, outcome) in enumerate(DEFAULT_STAGES, start=1):
        Stage.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "name_zh": name_zh,
                "order": order * 10,
                "probability": probability,
                "outcome": outcome,
            },
        )
    for grade, days in DEFAULT_POOL_RULES.items():
        PoolRule.objects.get_or_create(grade=grade, defaults={"return_after_days": days})
    CrmPolicy.current()


def money(value) -> Decimal:
    return Decimal(value).quantize(Decimal("0.01"))


# --- policy (edited by an administrator) ------------------------------------------------------------
POLICY_FIELDS = [
    "max_prospects_per_rep",
    "grade_period_days",
    "grade_cutoff_a",
    "grade_cutoff_b",
    "grade_measure",
]
STAGE_FIELDS = ["code", "name", "name_zh", "order", "probability", "outcome", "active"]
POLICY_ROLES = frozenset({Role.SYSADMIN, Role.SALES_ADMIN, Role.SALES_DIRECTOR})


def can_edit_policy(user) -> bool:
    return bool(getattr(user, "is_superuser", False) or user.roles & POLICY_ROLES)


def _require_policy_editor(actor) -> None:
    if not can_edit_policy(actor):
        raise PermissionDenied()


@transaction.atomic
def crm_policy_update(*, actor, data: dict) -> CrmPolicy:
    """Holding limit, grading period, cut-offs and measure."""
    _require_policy_editor(actor)
    policy = CrmPolicy.current()
    cut_a = Decimal(data.get("grade_cutoff_a", policy.grade_cutoff_a))
    cut_b = Decimal(data.get("grade_cutoff_b", policy.grade_cutoff_b))
    errors = {}
    if not Decimal(0) < cut_a < Decimal(100):
        errors["grade_cutoff_a"] = [_("Give a percentage between 0 and 100.")]
    if not Decimal(0) < cut_b <= Decimal(100):
        errors["grade_cutoff_b"] = [_("Give a percentage between 0 and 100.")]
    elif cut_a >= cut_b:
        errors["grade_cutoff_b"] = [_("The B cut-off must be above the A cut-off.")]
    if data.get("grade_period_days", policy.grade_period_days) < 1:
        errors["grade_period_days"] = [_("The period must be at least one day.")]
    if errors:
        raise ValidationFailed(fields=errors)
    policy, _changed = model_update(instance=policy, fields=POLICY_FIELDS, data=data, actor=actor)
    return policy


@transaction.atomic
def pool_rules_update(*, actor, days: dict[str, int]) -> dict[str, int]:
    """Days without an activity after which a lead returns to the pool, per grade ("" = ungraded)."""
    _require_policy_editor(actor)
    bad = {grade: value for grade, value in days.items() if value is None or int(value) < 1}
    if bad:
        raise ValidationFailed(fields={f"days_{grade or 'none'}": [_("At least one day.")] for grade in bad})
    for grade, value in days.items():
        rule = PoolRule.objects.filter(grade=grade).first()
        if rule is None:
            model_create(instance=PoolRule(grade=grade, return_after_days=int(value)), actor=actor)
        else:
            model_update(
                instance=rule, fields=["return_after_days"], data={"return_after_days": int(value)}, actor=actor
            )
    return pool_rules()


@transaction.atomic
def stage_save(*, actor, data: dict, stage: Stage | None = None) -> Stage:
    """Add or change a pipeline stage. The open stages must keep at least one active, and
    there must stay an active won and an active lost stage, or no opportunity could close."""
    _require_policy_editor(actor)
    data = {key: value for key, value in data.items() if key in STAGE_FIELDS}
    code = data.get("code", stage.code if stage else "")
    if Stage.objects.filter(code=code).exclude(pk=stage.pk if stage else None).exists():
        raise ValidationFailed(fields={"code": [_("Another stage has this code.")]})
    if stage is None:
        stage = model_create(instance=Stage(**data), actor=actor)
    else:
        stage, _changed = model_update(instance=stage, fields=STAGE_FIELDS, data=data, actor=actor)
    active = Stage.objects.filter(active=True)
    for outcome, label in Stage.Outcome.choices:
        if not active.filter(outcome=outcome).exists():
            raise ValidationFailed(
                _("At least one active stage with the outcome “%(outcome)s” is needed.") % {"outcome": label},
                fields={"active": [_("This would leave no active “%(outcome)s” stage.") % {"outcome": label}]},
            )
    return stage
