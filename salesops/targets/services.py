"""Writes of targets: the performance policy, the annual target plan and its splits (months,
the organisation down to reps, a rep's customers or product families), its approval and
its versions, and the scorecard weights.

A split always adds up exactly to its parent (`splits.split`, largest remainder). A plan is
edited while it is a draft (or was rejected); it is approved through the approval engine
(document type `sales_plan`); a change after approval is a new version made with
`target_plan_revise`, and approving it supersedes the version before. Versions are kept.
"""

from __future__ import annotations

import copy
import datetime
from collections import defaultdict
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from salesops.approvals.services import approval_submit
from salesops.core import bounds
from salesops.core.audit import audit_record, model_create, model_update
from salesops.core.exceptions import PermissionDenied, ValidationFailed
from salesops.core.models import AuditEvent, OrgUnit, User
from salesops.core.roles import Role
from salesops.targets.exceptions import PlanLocked, SplitDoesNotAddUp
from salesops.targets.kpis import get_kpi
from salesops.targets.measures import current_measure, sales_by_rep
from salesops.targets.models import (
    PLAN_FLOW,
    Measure,
    PerformancePolicy,
    ScorecardWeight,
    Target,
    TargetPlan,
)
from salesops.targets.periods import month as month_period
from salesops.targets.periods import year as year_period
from salesops.targets.splits import split, split_year

PLAN_WRITE_ROLES = frozenset({Role.SALES_DIRECTOR, Role.GENERAL_MANAGER, Role.SALES_ADMIN, Role.SYSADMIN})
POLICY_WRITE_ROLES = frozenset({Role.GENERAL_MANAGER, Role.SYSADMIN})


def require(actor, roles) -> None:
    if not (actor.is_superuser or actor.roles & roles):
        raise PermissionDenied()


def _validated(instance) -> None:
    from salesops.core.audit import full_clean

    try:
        full_clean(instance)
    except ValidationError as error:
        raise ValidationFailed(fields=error.message_dict) from None


def validated_change(instance, data: dict) -> None:
    """Check `instance` as it would be with `data` applied, without touching it: a refused
    change leaves the record (and the caller's object) as it was."""
    probe = copy.deepcopy(instance)
    for name, value in data.items():
        setattr(probe, name, value)
    _validated(probe)


# --- policy ---------------------------------------------------------------------------------------
def performance_policy() -> PerformancePolicy:
    policy = PerformancePolicy.objects.order_by("pk").first()
    return policy or PerformancePolicy(measure=Measure.INVOICES)


@transaction.atomic
def performance_policy_update(*, data: dict, actor) -> PerformancePolicy:
    require(actor, POLICY_WRITE_ROLES)
    policy = PerformancePolicy.objects.select_for_update().order_by("pk").first()
    if policy is None:
        policy = PerformancePolicy()
        for name in ("measure", "bad_debt_days"):
            if name in data:
                setattr(policy, name, data[name])
        _validated(policy)
        return model_create(instance=policy, actor=actor)
    validated_change(policy, {name: data[name] for name in ("measure", "bad_debt_days") if name in data})
    policy, _changed = model_update(instance=policy, fields=["measure", "bad_debt_days"], data=data, actor=actor)
    return policy


# --- weights --------------------------------------------------------------------------------------------
def _month_weights(plan: TargetPlan) -> list[Decimal]:
    if plan.month_method == TargetPlan.MonthMethod.MANUAL:
        return [Decimal(str(weight)) for weight in plan.month_weights]
    if plan.month_method == TargetPlan.MonthMethod.EVEN:
        return [Decimal(1)] * 12
    last_year = datetime.date(plan.year - 1, 1, 1)
    return [
        sum(
            sales_by_rep(month_period(datetime.date(last_year.year, m, 1)), None, measure=plan.measure).values(),
            Decimal(0),
        )
        for m in range(1, 13)
    ]


def _clean_month_weights(method: str, weights) -> list[str]:
    if method != TargetPlan.MonthMethod.MANUAL:
        return []
    problem = _("Give twelve month weights (e.g. percentages), none negative, not all zero.")
    if not isinstance(weights, list | tuple) or len(weights) != 12:
        raise ValidationFailed(fields={"month_weights": [problem]})
    try:
        values = [bounds.parse_decimal(str(weight).strip() or "0") for weight in weights]
    except ValidationError:
        raise ValidationFailed(fields={"month_weights": [problem]}) from None
    if any(value < 0 or value > 10**9 for value in values) or not any(values):
        raise ValidationFailed(fields={"month_weights": [problem]})
    return [str(value) for value in values]


def sales_reps() -> list[User]:
    return list(
        User.objects.filter(is_active=True, role_assignments__role=Role.SALES_REP, org_unit__isnull=False)
        .select_related("org_unit")
        .order_by("pk")
        .distinct()
    )


def _company_unit() -> OrgUnit:
    unit = OrgUnit.objects.filter(parent__isnull=True, active=True).order_by("pk").first()
    if unit is None:
        raise ValidationFailed(_("Set up the organisation first: there is no company unit."))
    return unit


class _OrgTree:
    """The org units that lead to reps, and the reps in each unit, for one split."""

    def __init__(self, reps: list[User]):
        self.units = {unit.pk: unit for unit in OrgUnit.objects.filter(active=True)}
        self.reps_in = defaultdict(list)
        self.subtree_reps = defaultdict(list)
        for rep in reps:
            self.reps_in[rep.org_unit_id].append(rep)
            for unit_id in _path_ids(rep.org_unit.path):
                self.subtree_reps[unit_id].append(rep)
        self.child_units = defaultdict(list)
        for unit in sorted(self.units.values(), key=lambda u: (u.path, u.pk)):
            if unit.parent_id and self.subtree_reps.get(unit.pk):
                self.child_units[unit.parent_id].append(unit)


def _path_ids(path: str) -> list[int]:
    return [int(part) for part in path.strip("/").split("/") if part]


def _rep_weights(plan: TargetPlan, reps: list[User], method: str) -> dict[int, Decimal]:
    if method == "even":
        return {rep.pk: Decimal(1) for rep in reps}
    last = year_period(datetime.date(plan.year - 1, 1, 1))
    sales = sales_by_rep(last, [rep.pk for rep in reps], measure=plan.measure)
    weights = {rep.pk: max(sales.get(rep.pk, Decimal(0)), Decimal(0)) for rep in reps}
    return weights if any(weights.values()) else {rep.pk: Decimal(1) for rep in reps}


def _build(plan: TargetPlan, *, org_method: str) -> int:
    """All the plan's rows: company months, then each unit's and rep's share of every month."""
    company = _company_unit()
    reps = sales_reps()
    tree = _OrgTree(reps)
    rep_weight = _rep_weights(plan, reps, org_method)
    months = [datetime.date(plan.year, m, 1) for m in range(1, 13)]
    _quarters, month_amounts = split_year(plan.total, _month_weights(plan))
    level = [
        Target(plan=plan, level=Target.Level.COMPANY, month=m, org_unit=company, amount=amount)
        for m, amount in zip(months, month_amounts, strict=True)
    ]
    created = 0
    while level:
        Target.objects.bulk_create(level)
        created += len(level)
        following = []
        for node in level:
            if node.level == Target.Level.REP:
                continue
            children = [("unit", unit) for unit in tree.child_units.get(node.org_unit_id, [])]
            children += [("rep", rep) for rep in tree.reps_in.get(node.org_unit_id, [])]
            if not children:
                continue
            weights = [
                sum(rep_weight[r.pk] for r in tree.subtree_reps[child.pk]) if kind == "unit" else rep_weight[child.pk]
                for kind, child in children
            ]
            for (kind, child), amount in zip(children, split(node.amount, weights), strict=True):
                following.append(
                    Target(
                        plan=plan,
                        parent=node,
                        month=node.month,
                        level=Target.Level.UNIT if kind == "unit" else Target.Level.REP,
                        org_unit=child if kind == "unit" else child.org_unit,
                        rep=child if kind == "rep" else None,
                        amount=amount,
                    )
                )
        level = following
    return created


# --- plans ------------------------------------------------------------------------------------------------
@transaction.atomic
def target_plan_create(
    *,
    year: int,
    total: Decimal,
    month_method: str,
    actor,
    month_weights=None,
    org_method: str = "last_year",
    note: str = "",
) -> TargetPlan:
    """A new year's target, split into months and down to every rep."""
    require(actor, PLAN_WRITE_ROLES)
    if org_method not in ("last_year", "even"):
        raise ValidationFailed(fields={"org_method": [_("Choose last year's sales or evenly.")]})
    if TargetPlan.objects.filter(
        year=year, status__in=[TargetPlan.Status.DRAFT, TargetPlan.Status.PENDING_APPROVAL, TargetPlan.Status.REJECTED]
    ).exists():
        raise ValidationFailed(fields={"year": [_("This year already has a plan being prepared; change that one.")]})
    plan = TargetPlan(
        year=year,
        version=(TargetPlan.objects.filter(year=year).aggregate(v=Max("version"))["v"] or 0) + 1,
        measure=current_measure(),
        total=total,
        month_method=month_method,
        month_weights=_clean_month_weights(month_method, month_weights),
        previous=TargetPlan.objects.filter(year=year, status=TargetPlan.Status.APPROVED).first(),
        note=(note or "")[:500],
        created_by=actor,
    )
    _validated(plan)
    model_create(instance=plan, actor=actor)
    _build(plan, org_method=org_method)
    return plan


def _lock_editable(plan: TargetPlan) -> TargetPlan:
    plan = TargetPlan.objects.select_for_update().get(pk=plan.pk)
    if not plan.is_editable:
        raise PlanLocked()
    return plan


def _resplit(node: Target, children_by_parent: dict[int, list[Target]], changed: list[Target]) -> None:
    """Split `node`'s amount over its children in the proportions they had, all the way down."""
    children = children_by_parent.get(node.pk, [])
    if not children:
        return
    for child, amount in zip(children, split(node.amount, [max(c.amount, 0) for c in children]), strict=True):
        if child.amount != amount:
            child.amount = amount
            changed.append(child)
        _resplit(child, children_by_parent, changed)


@transaction.atomic
def target_set_children(*, parent: Target | None, plan: TargetPlan, amounts: dict[int, Decimal], actor) -> TargetPlan:
    """Set by hand the amounts of `parent`'s children (the twelve months when `parent` is None:
    the plan's total follows). They must add up exactly to the parent; below each child the
    split keeps its proportions."""
    require(actor, PLAN_WRITE_ROLES)
    plan = _lock_editable(plan)
    rows = list(Target.objects.filter(plan=plan).order_by("month", "pk"))
    children_by_parent: dict[int | None, list[Target]] = defaultdict(list)
    for row in rows:
        children_by_parent[row.parent_id].append(row)
    if parent is not None and parent.plan_id != plan.pk:
        raise ValidationFailed(fields={"parent": [_("This target belongs to another plan.")]})
    children = children_by_parent[parent.pk if parent else None]
    if {child.pk for child in children} != set(amounts):
        raise ValidationFailed(fields={"amounts": [_("Give an amount for each part, and only for those.")]})
    new = {}
    for key, value in amounts.items():
        try:
            amount = bounds.parse_decimal(value, max_digits=14, decimal_places=2)
        except ValidationError:
            amount = None
        if amount is None or amount < 0:
            raise ValidationFailed(fields={f"amount_{key}": [_("Enter an amount of at least 0, to the cent.")]})
        new[key] = amount
    whole = sum(new.values(), Decimal("0.00"))
    if parent is not None and whole != parent.amount:
        raise SplitDoesNotAddUp(
            _("The parts add up to %(sum)s, not to %(whole)s.") % {"sum": whole, "whole": parent.amount}
        )
    if parent is None and not whole:
        raise SplitDoesNotAddUp(_("The months add up to zero; a year's target must be above zero."))
    changed = []
    for child in children:
        if child.amount != new[child.pk]:
            child.amount = new[child.pk]
            changed.append(child)
        _resplit(child, children_by_parent, changed)
    Target.objects.bulk_update(changed, ["amount"])
    if parent is None and plan.total != whole:
        model_update(
            instance=plan,
            fields=["total", "month_method"],
            data={"total": whole, "month_method": "manual"},
            actor=actor,
        )
    audit_record(
        instance=plan,
        action=AuditEvent.Action.UPDATE,
        actor=actor,
        changes={"split": [None, parent.node_label if parent else "months"]},
        note=_("%(count)d targets changed") % {"count": len(changed)},
    )
    return plan


def _customer_weights(plan: TargetPlan, rep: User) -> list[tuple[object, Decimal]]:
    from salesops.credit.money import money_sum
    from salesops.crm.models import Customer
    from salesops.targets.measures import invoices_in

    customers = list(Customer.objects.filter(owner=rep).order_by("pk"))
    last = year_period(datetime.date(plan.year - 1, 1, 1))
    sold = dict(
        invoices_in(last)
        .filter(customer__in=customers)
        .order_by()
        .values("customer_id")
        .annotate(v=money_sum("total"))
        .values_list("customer_id", "v")
    )
    return [(customer, max(Decimal(sold.get(customer.pk) or 0), Decimal(0))) for customer in customers]


def _family_weights(plan: TargetPlan, rep: User) -> list[tuple[object, Decimal]]:
    from salesops.catalog.models import ProductFamily
    from salesops.credit.money import money_sum
    from salesops.sales.models import InvoiceLine

    families = list(ProductFamily.objects.filter(parent__isnull=True).order_by("pk"))
    sold: dict[int, Decimal] = defaultdict(Decimal)
    paths = {family.pk: family.path for family in ProductFamily.objects.all()}
    lines = (
        InvoiceLine.objects.filter(
            invoice__rep=rep, invoice__issue_date__year=plan.year - 1, product__family__isnull=False
        )
        .exclude(invoice__status="cancelled")
        .order_by()
        .values("product__family_id")
        .annotate(v=money_sum("amount"))
    )
    for row in lines:
        top = _path_ids(paths.get(row["product__family_id"], ""))[:1]
        if top:
            sold[top[0]] += row["v"] or 0
    return [(family, max(sold.get(family.pk, Decimal(0)), Decimal(0))) for family in families]


@transaction.atomic
def target_split_rep(*, plan: TargetPlan, rep: User, by: str, method: str = "last_year", actor) -> int:
    """Split a rep's monthly targets over their customers (stores) or the product families,
    by last year's sales or evenly; replaces an earlier split of that rep."""
    require(actor, PLAN_WRITE_ROLES)
    plan = _lock_editable(plan)
    if by not in ("customer", "family"):
        raise ValidationFailed(fields={"by": [_("Split by customer or by product family.")]})
    if method not in ("last_year", "even"):
        raise ValidationFailed(fields={"method": [_("Choose last year's sales or evenly.")]})
    rep_rows = list(Target.objects.filter(plan=plan, level=Target.Level.REP, rep=rep).order_by("month"))
    if not rep_rows:
        raise ValidationFailed(fields={"rep": [_("This person has no target in the plan.")]})
    parts = _customer_weights(plan, rep) if by == "customer" else _family_weights(plan, rep)
    if not parts:
        raise ValidationFailed(
            fields={
                "by": [
                    _("The rep has no customers to split over.")
                    if by == "customer"
                    else _("There are no product families.")
                ]
            }
        )
    weights = [weight if method == "last_year" else Decimal(1) for _part, weight in parts]
    Target.objects.filter(parent__in=rep_rows).delete()
    level = Target.Level.CUSTOMER if by == "customer" else Target.Level.FAMILY
    rows = []
    for parent in rep_rows:
        for (part, _weight), amount in zip(parts, split(parent.amount, weights), strict=True):
            rows.append(
                Target(
                    plan=plan,
                    parent=parent,
                    month=parent.month,
                    level=level,
                    org_unit=parent.org_unit,
                    rep=rep,
                    customer=part if by == "customer" else None,
                    family=part if by == "family" else None,
                    amount=amount,
                )
            )
    Target.objects.bulk_create(rows)
    audit_record(
        instance=plan, action=AuditEvent.Action.UPDATE, actor=actor, changes={"split": [None, f"{rep.pk}:{by}"]}
    )
    return len(rows)


@transaction.atomic
def target_plan_submit(*, plan: TargetPlan, actor) -> TargetPlan:
    require(actor, PLAN_WRITE_ROLES)
    plan = _lock_editable(plan)
    PLAN_FLOW.check(plan.status, TargetPlan.Status.PENDING_APPROVAL)
    request = approval_submit(document=plan, doc_type="sales_plan", actor=actor)
    if request is None:
        target_plan_approved(plan=plan, actor=actor)
    else:
        _set_status(plan, TargetPlan.Status.PENDING_APPROVAL, actor)
    return plan


def _set_status(plan: TargetPlan, target: str, actor=None, **fields) -> None:
    PLAN_FLOW.check(plan.status, target)
    model_update(instance=plan, fields=["status", *fields], data={"status": target, **fields}, actor=actor)


def target_plan_approved(*, plan: TargetPlan, actor=None) -> None:
    """The approved version becomes the year's target; the one it replaces is superseded."""
    for older in TargetPlan.objects.select_for_update().filter(year=plan.year, status=TargetPlan.Status.APPROVED):
        _set_status(older, TargetPlan.Status.SUPERSEDED, actor)
    _set_status(plan, TargetPlan.Status.APPROVED, actor, approved_at=timezone.now())


def target_plan_decided(*, plan: TargetPlan, target: str) -> None:
    _set_status(plan, target)


@transaction.atomic
def target_plan_revise(*, plan: TargetPlan, actor, note: str = "") -> TargetPlan:
    """A new draft version of an approved plan with the same splits, to change and approve."""
    require(actor, PLAN_WRITE_ROLES)
    plan = TargetPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.status != TargetPlan.Status.APPROVED:
        raise ValidationFailed(_("Only the approved plan can be revised."))
    if TargetPlan.objects.filter(
        year=plan.year,
        status__in=[TargetPlan.Status.DRAFT, TargetPlan.Status.PENDING_APPROVAL, TargetPlan.Status.REJECTED],
    ).exists():
        raise ValidationFailed(_("A revision of this year's plan is already being prepared."))
    revision = TargetPlan(
        year=plan.year,
        version=(TargetPlan.objects.filter(year=plan.year).aggregate(v=Max("version"))["v"] or 0) + 1,
        measure=plan.measure,
        total=plan.total,
        month_method=plan.month_method,
        month_weights=plan.month_weights,
        previous=plan,
        note=(note or "")[:500],
        created_by=actor,
    )
    model_create(instance=revision, actor=actor)
    rows = list(Target.objects.filter(plan=plan).order_by("pk"))
    depth: dict[int, int] = {}
    for row in rows:
        depth[row.pk] = depth[row.parent_id] + 1 if row.parent_id else 0
    copies: dict[int, Target] = {}
    for current in sorted(set(depth.values())):
        batch = []
        for row in rows:
            if depth[row.pk] == current:
                copy = Target(
                    plan=revision,
                    parent=copies[row.parent_id] if row.parent_id else None,
                    level=row.level,
                    month=row.month,
                    org_unit_id=row.org_unit_id,
                    rep_id=row.rep_id,
                    customer_id=row.customer_id,
                    family_id=row.family_id,
                    amount=row.amount,
                )
                copies[row.pk] = copy
                batch.append(copy)
        Target.objects.bulk_create(batch)
    return revision


def plan_version(plan: TargetPlan) -> str:
    """What the approver approves: the stored amounts of every row (not their labels)."""
    import hashlib

    rows = (
        Target.objects.filter(plan=plan)
        .order_by("pk")
        .values_list("level", "month", "org_unit_id", "rep_id", "customer_id", "family_id", "amount")
    )
    digest = hashlib.sha256(f"{plan.year}|{plan.total}|{plan.measure}".encode())
    for row in rows:
        digest.update("|".join(str(value) for value in row).encode())
    return digest.hexdigest()


# --- scorecard weights --------------------------------------------------------------------------------
@transaction.atomic
def scorecard_weight_save(
    *, kpi: str, weight, target_value, cap_percent=Decimal("120"), position: int = 10, actor
) -> ScorecardWeight:
    require(actor, POLICY_WRITE_ROLES | {Role.SALES_DIRECTOR})
    if get_kpi(kpi) is None:
        raise ValidationFailed(fields={"kpi": [_("Unknown KPI “%(code)s”.") % {"code": str(kpi)[:40]}]})
    existing = ScorecardWeight.objects.select_for_update().filter(kpi=kpi).first()
    data = {"weight": weight, "target_value": target_value, "cap_percent": cap_percent, "position": position}
    if existing is None:
        line = ScorecardWeight(kpi=kpi, **data)
        _validated(line)
        return model_create(instance=line, actor=actor)
    validated_change(existing, data)
    line, _changed = model_update(instance=existing, fields=list(data), data=data, actor=actor)
    return line


@transaction.atomic
def scorecard_weight_delete(*, line: ScorecardWeight, actor) -> None:
    from salesops.core.audit import model_delete

    require(actor, POLICY_WRITE_ROLES | {Role.SALES_DIRECTOR})
    model_delete(instance=line, actor=actor)
