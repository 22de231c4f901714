"""Reads of the planning area, scoped to the user who asks.

Planning figures are company-wide: planners, sales admin, the sales director, the general
manager and purchasing see them. The warehouse also sees the production plans it must
acknowledge. Reps see only their own forecast inputs (supervisors their team's).
"""

from __future__ import annotations

from django.db.models import QuerySet

from salesops.core.roles import Role
from salesops.core.visibility import visible_to
from salesops.planning.models import (
    AggregatePlanScenario,
    ForecastInput,
    ForecastLine,
    ForecastOverride,
    ForecastRun,
    ForecastVersion,
    MasterSchedule,
    MpsChange,
    MrpExceptionRow,
    MrpRun,
    PlannedOrder,
    ProductionPlan,
    ProductionReport,
    SopPack,
)

PLANNING_VIEW = frozenset(
    {Role.PLANNER, Role.SALES_ADMIN, Role.SALES_DIRECTOR, Role.GENERAL_MANAGER, Role.PURCHASING, Role.SYSADMIN}
)
PLAN_VIEW = PLANNING_VIEW | {Role.WAREHOUSE}
INPUT_ROLES = frozenset({Role.SALES_REP, Role.SALES_SUPERVISOR, Role.SALES_MANAGER}) | PLANNING_VIEW
PLANNER_WRITE = frozenset({Role.PLANNER, Role.SYSADMIN})
CONSENSUS_WRITE = frozenset({Role.SALES_ADMIN, Role.PLANNER, Role.SALES_DIRECTOR, Role.GENERAL_MANAGER, Role.SYSADMIN})
PURCHASE_CONVERT = frozenset({Role.PURCHASING, Role.PLANNER, Role.SYSADMIN})


def sees_planning(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and (user.is_superuser or user.roles & PLANNING_VIEW))


def writes_plans(user) -> bool:
    """Planners and administrators: the planning rules, masters and plans."""
    return bool(getattr(user, "is_authenticated", False) and (user.is_superuser or user.roles & PLANNER_WRITE))


def sees_plans(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and (user.is_superuser or user.roles & PLAN_VIEW))


def _scoped(queryset: QuerySet, user, check=sees_planning) -> QuerySet:
    return queryset if check(user) else queryset.none()


def forecast_run_list_for_user(*, user) -> QuerySet[ForecastRun]:
    return _scoped(ForecastRun.objects.select_related("created_by"), user)


def forecast_open_runs_for_inputs(*, user) -> QuerySet[ForecastRun]:
    """Runs a rep may enter inputs for: finished and not yet submitted."""
    if not (user.is_authenticated and (user.is_superuser or user.roles & INPUT_ROLES)):
        return ForecastRun.objects.none()
    return ForecastRun.objects.filter(status="done", versions__isnull=True).order_by("-first_period", "-pk")


def forecast_line_list_for_user(*, user, run: ForecastRun) -> QuerySet[ForecastLine]:
    return _scoped(ForecastLine.objects.filter(run=run).select_related("product", "family"), user)


def forecast_override_list_for_user(*, user) -> QuerySet[ForecastOverride]:
    return _scoped(ForecastOverride.objects.select_related("line", "line__product", "actor", "customer"), user)


def forecast_input_list_for_user(*, user) -> QuerySet[ForecastInput]:
    queryset = ForecastInput.objects.select_related("rep", "product", "customer", "run")
    if not (user.is_authenticated and (user.is_superuser or user.roles & INPUT_ROLES)):
        return queryset.none()
    return visible_to(queryset, user, owner_field="rep", unit_field="team", company_wide_roles=PLANNING_VIEW)


def forecast_version_list_for_user(*, user) -> QuerySet[ForecastVersion]:
    return _scoped(ForecastVersion.objects.select_related("submitted_by", "run"), user)


def sop_pack_list_for_user(*, user) -> QuerySet[SopPack]:
    return _scoped(SopPack.objects.all(), user)


def scenario_list_for_user(*, user) -> QuerySet[AggregatePlanScenario]:
    return _scoped(AggregatePlanScenario.objects.select_related("family"), user)


def schedule_list_for_user(*, user) -> QuerySet[MasterSchedule]:
    return _scoped(MasterSchedule.objects.all(), user)


def mps_change_list_for_user(*, user) -> QuerySet[MpsChange]:
    return _scoped(MpsChange.objects.select_related("line", "line__product", "requested_by"), user)


def production_plan_list_for_user(*, user) -> QuerySet[ProductionPlan]:
    return _scoped(ProductionPlan.objects.all(), user, sees_plans)


def production_report_list_for_user(*, user) -> QuerySet[ProductionReport]:
    return _scoped(ProductionReport.objects.select_related("product", "reported_by"), user, sees_plans)


def mrp_run_list_for_user(*, user) -> QuerySet[MrpRun]:
    return _scoped(MrpRun.objects.all(), user)


def planned_order_list_for_user(*, user) -> QuerySet[PlannedOrder]:
    return _scoped(PlannedOrder.objects.select_related("product", "run", "purchase_order"), user)


def mrp_exception_list_for_user(*, user) -> QuerySet[MrpExceptionRow]:
    return _scoped(MrpExceptionRow.objects.select_related("product", "run"), user)


def latest_mrp_run() -> MrpRun | None:
    return MrpRun.objects.filter(status="done").order_by("-created_at", "-pk").first()
