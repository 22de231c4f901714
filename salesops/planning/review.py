"""The S&OP review pack and aggregate plan scenarios.

Pack, per product family: the last 12 months' actuals; the next 3 months' demand (consensus
forecast, firm orders, demand = the larger); supply (the MPS of made products, each week split
over its days as the monthly plan splits it, and open purchase orders by expected month);
projected inventory from today's stock; days of cover (projected inventory / average daily
demand of the month) against the family's target (FamilyTarget, data). A gap is a month whose
inventory is negative or whose cover is below target. A family shows when it has a cover target
or demand (sold in the last 12 months, forecast or ordered for the next 3): the families of
components, which MRP plans, do not. The figures are recomputed while the pack is open and
frozen with it when the meeting closes; decisions and owners are recorded on the pack.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from salesops.catalog.models import Product, ProductFamily
from salesops.core.audit import audit_record, model_create, model_update
from salesops.core.exceptions import PermissionDenied, ValidationFailed
from salesops.core.models import AuditEvent
from salesops.core.roles import Role
from salesops.planning.engine.aggregate import (
    AggregatePlanError,
    AggregatePlanInfeasible,
    AggregatePlanInput,
    plan_aggregate,
    result_to_dict,
)
from salesops.planning.exceptions import PackClosed
from salesops.planning.forecasting import latest_consensus
from salesops.planning.history import read_history
from salesops.planning.models import (
    AggregatePlanScenario,
    FamilyTarget,
    MasterSchedule,
    SopDecision,
    SopPack,
)
from salesops.planning.periods import add_months, days_in_month, month_ordinal, month_start
from salesops.sop import hooks as sop

REVIEW_ROLES = frozenset({Role.PLANNER, Role.SALES_DIRECTOR, Role.GENERAL_MANAGER, Role.SALES_ADMIN, Role.SYSADMIN})
FUTURE_MONTHS = 3


def _require(actor, roles=REVIEW_ROLES) -> None:
    if not (actor.is_superuser or actor.has_role(*roles)):
        raise PermissionDenied()


def _f(value) -> float:
    return round(float(value or 0), 1)


def pack_figures(*, month: datetime.date) -> dict:
    """The pack's numbers for `month` (the meeting month; the future starts the month after)."""
    from salesops.inventory.selectors import on_hand_by_product, purchase_lines_to_come
    from salesops.planning.mps import open_orders, scheduled_per_day

    month = month_start(month)
    past = [add_months(month, k) for k in range(-11, 1)]
    future = [add_months(month, k) for k in range(1, FUTURE_MONTHS + 1)]
    products = list(Product.objects.filter(active=True, family__isnull=False).values_list("pk", "family_id", "source"))
    family_of = {pk: family for pk, family, _source in products}
    history = read_history(start=past[0], end=past[-1], product_ids=list(family_of))
    actual = defaultdict(float)
    for pid, m, q in zip(history.product.tolist(), history.month.tolist(), history.quantity.tolist(), strict=True):
        actual[(family_of[pid], m)] += q
    consensus = latest_consensus(product_ids=list(family_of), months=future)
    forecast = defaultdict(Decimal)
    for (pid, m), value in consensus.items():
        forecast[(family_of[pid], m)] += value
    weeks = [future[0] + datetime.timedelta(days=7 * k) for k in range(0, 14)]
    firm = defaultdict(Decimal)
    for (pid, week), value in open_orders(product_ids=list(family_of), weeks=list(weeks)).items():
        m = max(month_start(week), future[0])
        firm[(family_of[pid], m)] += value
    supply_plan = defaultdict(Decimal)
    schedule = MasterSchedule.objects.order_by("-created_at", "-pk").first()
    if schedule is not None:
        for pid, days in scheduled_per_day(schedule).items():
            if pid in family_of:
                for day, quantity in days.items():
                    supply_plan[(family_of[pid], month_start(day))] += quantity
    purchases = defaultdict(Decimal)
    for pid, expected, quantity, received in (
        purchase_lines_to_come()
        .filter(product_id__in=list(family_of))
        .values_list("product_id", "order__expected_date", "quantity", "received_quantity")
    ):
        m = max(month_start(expected), future[0])
        purchases[(family_of[pid], m)] += max(quantity - received, Decimal("0"))
    stock = defaultdict(Decimal)
    for pid, total in on_hand_by_product(family_of).items():
        stock[family_of[pid]] += total
    targets = dict(FamilyTarget.objects.values_list("family_id", "target_days_of_cover"))
    families = []
    for family in ProductFamily.objects.filter(pk__in=set(family_of.values())).order_by("path"):
        sold = any(actual[(family.pk, month_ordinal(m))] for m in past)
        asked = any(forecast[(family.pk, m)] or firm[(family.pk, m)] for m in future)
        if not (sold or asked or family.pk in targets):
            continue  # components (raw materials, packaging): MRP plans them, the meeting does not
        inventory = float(stock[family.pk])
        rows = []
        for m in future:
            f = float(forecast[(family.pk, m)])
            o = float(firm[(family.pk, m)])
            demand = max(f, o)
            production = float(supply_plan[(family.pk, m)])
            bought = float(purchases[(family.pk, m)])
            inventory = inventory + production + bought - demand
            daily = demand / days_in_month(m)
            cover = inventory / daily if daily > 0 else None
            target = float(targets[family.pk]) if family.pk in targets else None
            gap = inventory < 0 or (target is not None and cover is not None and cover < target)
            rows.append(
                {
                    "month": f"{m:%Y-%m}",
                    "consensus": _f(f),
                    "firm_orders": _f(o),
                    "demand": _f(demand),
                    "production": _f(production),
                    "purchases": _f(bought),
                    "inventory": _f(inventory),
                    "days_of_cover": None if cover is None else _f(cover),
                    "target_days": target,
                    "gap": gap,
                }
            )
        families.append(
            {
                "id": family.pk,
                "code": family.code,
                "name": family.name,
                "actuals": [
                    {"month": f"{m:%Y-%m}", "quantity": _f(actual[(family.pk, month_ordinal(m))])} for m in past
                ],
                "on_hand": _f(stock[family.pk]),
                "future": rows,
                "gaps": sum(1 for r in rows if r["gap"]),
            }
        )
    return {"month": f"{month:%Y-%m}", "computed_at": timezone.now().isoformat(), "families": families}


@transaction.atomic
def sop_pack_prepare(*, month: datetime.date, actor) -> SopPack:
    """Create the month's pack, or refresh its figures while it is open."""
    _require(actor)
    month = month_start(month)
    pack = SopPack.objects.select_for_update().filter(month=month).first()
    if pack is None:
        pack = SopPack(month=month, created_by=actor, data=pack_figures(month=month))
        return model_create(instance=pack, actor=actor)
    if pack.status == SopPack.Status.CLOSED:
        raise PackClosed()
    pack.data = pack_figures(month=month)
    pack.save(update_fields=["data"])
    audit_record(instance=pack, action=AuditEvent.Action.UPDATE, actor=actor, note="figures refreshed")
    return pack


@transaction.atomic
def sop_decision_add(*, pack: SopPack, text: str, owner, actor, family=None, due_date=None) -> SopDecision:
    _require(actor)
    pack = SopPack.objects.select_for_update().get(pk=pack.pk)
    if pack.status == SopPack.Status.CLOSED:
        raise PackClosed()
    if not (text or "").strip():
        raise ValidationFailed(fields={"text": [_("Write the decision.")]})
    decision = SopDecision(
        pack=pack, family=family, text=text.strip()[:500], owner=owner, due_date=due_date, created_by=actor
    )
    return model_create(instance=decision, actor=actor)


@transaction.atomic
def sop_pack_close(*, pack: SopPack, actor, at=None) -> SopPack:
    """Close the meeting: the figures are computed one last time and frozen with the decisions."""
    _require(actor)
    pack = SopPack.objects.select_for_update().get(pk=pack.pk)
    if pack.status == SopPack.Status.CLOSED:
        raise PackClosed()
    at = at or timezone.now()
    pack.data = pack_figures(month=pack.month)
    pack.save(update_fields=["data"])
    model_update(
        instance=pack,
        fields=["status", "closed_by", "closed_at"],
        data={"status": SopPack.Status.CLOSED, "closed_by": actor, "closed_at": at},
        actor=actor,
    )
    sop.done(
        event="sop_meeting_held",
        person=actor,
        occurred_at=at,
        reference=f"sop-pack:{pack.month:%Y-%m}",
        period=pack.month,
        url=reverse("planning-sop-detail", args=[pack.pk]),
        actor=actor,
    )
    return pack


# --- aggregate plan ------------------------------------------------------------------------------------------
DEFAULT_PARAMETERS = {
    "initial_inventory": 0,
    "initial_workforce": 10,
    "final_inventory_min": 0,
    "final_backlog_max": 0,
    "allow_backlog": False,
    "days_per_period": 22,
    "hours_per_day": 8,
    "overtime_hours_max_per_worker": 20,
    "labour_hours_per_unit": 1.0,
    "costs": {
        "material": 10,
        "holding": 2,
        "backlog": 5,
        "hire": 300,
        "layoff": 500,
        "regular_hour": 4,
        "overtime_hour": 6,
        "subcontract": 30,
    },
}


def family_demand(*, family: ProductFamily | None, first_period: datetime.date, periods: int) -> list[float]:
    months = [add_months(first_period, k) for k in range(periods)]
    products = Product.objects.filter(active=True)
    if family is not None:
        products = products.filter(family__path__startswith=family.path)
    ids = list(products.values_list("pk", flat=True))
    consensus = latest_consensus(product_ids=ids, months=months)
    totals = defaultdict(Decimal)
    for (_pid, m), value in consensus.items():
        totals[m] += value
    return [round(float(totals[m])) for m in months]


@transaction.atomic
def aggregate_scenario_create(
    *, name: str, actor, inputs: dict, family: ProductFamily | None = None, first_period: datetime.date | None = None
) -> AggregatePlanScenario:
    """Solve and store a scenario; an infeasible or invalid input is stored with the engine's message."""
    _require(actor, frozenset({Role.PLANNER, Role.SYSADMIN, Role.GENERAL_MANAGER, Role.SALES_DIRECTOR}))
    if not (name or "").strip():
        raise ValidationFailed(fields={"name": [_("Name the scenario.")]})
    first_period = month_start(first_period or add_months(month_start(timezone.localdate()), 1))
    data = {**DEFAULT_PARAMETERS, **(inputs or {})}
    if not data.get("demand"):
        data["demand"] = family_demand(family=family, first_period=first_period, periods=6)
    scenario = AggregatePlanScenario(
        name=name.strip()[:100], family=family, first_period=first_period, inputs=data, created_by=actor
    )
    try:
        result = plan_aggregate(plan=AggregatePlanInput.from_dict(data), time_limit=20.0)
    except AggregatePlanInfeasible as error:
        scenario.status, scenario.message = AggregatePlanScenario.Status.INFEASIBLE, str(error)
    except AggregatePlanError as error:
        scenario.status, scenario.message = AggregatePlanScenario.Status.INVALID, str(error)
    else:
        scenario.status = AggregatePlanScenario.Status.SOLVED
        scenario.result = result_to_dict(result)
        scenario.total_cost = Decimal(str(round(float(scenario.result["total_cost"]), 2)))
    return model_create(instance=scenario, actor=actor)
