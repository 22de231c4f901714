"""Home-page sections: the figures each role is judged by, and the performance to-dos.

- rep: month to date vs target, achievement, commission estimate, collections, visits;
- supervisor / manager: their unit vs target, and who is behind (achievement below the share
  of the month gone);
- director / general manager / administrator: the company, the regions, overdue share,
  SOP compliance; finance: collections, DSO, overdue share; sales admin: the company;
- warehouse, planner, purchasing: deliveries, orders taken and forecast accuracy.
Every figure comes from the KPI registry, so it is the number the scorecard shows.
"""

from __future__ import annotations

import json
from decimal import Decimal

from django.urls import reverse

from salesops.core.roles import COMPANY_WIDE_SALES_ROLES, Role
from salesops.core.selectors import company_date
from salesops.targets import periods, selectors
from salesops.targets.kpis import get_kpi
from salesops.targets.scorecards import scorecard
from salesops.targets.services import sales_reps

ROLE_KPIS = [
    (
        frozenset({Role.GENERAL_MANAGER, Role.SALES_DIRECTOR, Role.SYSADMIN}),
        "region",
        ["sales", "target", "achievement", "growth_yoy", "overdue_share"],
    ),
    (frozenset({Role.FINANCE}), None, ["collections", "dso", "overdue_share", "sales_invoices"]),
    (frozenset({Role.SALES_ADMIN}), "team", ["sales", "target", "achievement", "sales_orders"]),
    (frozenset({Role.SALES_MANAGER}), "team", ["sales", "target", "achievement", "collections"]),
    (frozenset({Role.SALES_SUPERVISOR}), "rep", ["sales", "target", "achievement", "collections"]),
    (frozenset({Role.SALES_REP}), None, ["sales", "target", "achievement", "collections", "visits"]),
    (frozenset({Role.WAREHOUSE}), None, ["sales_deliveries", "sales_orders"]),
    (frozenset({Role.PLANNER}), None, ["sales_orders", "sales_deliveries", "forecast_accuracy"]),
    (frozenset({Role.PURCHASING}), None, ["sales_orders", "sales_deliveries"]),
]


def _role_view(user):
    for roles, group_by, codes in ROLE_KPIS:
        if user.roles & roles or (user.is_superuser and Role.SYSADMIN in roles):
            return roles, group_by, codes
    return None


def _reps(user, roles):
    if roles & (COMPANY_WIDE_SALES_ROLES | {Role.SALES_SUPERVISOR, Role.SALES_MANAGER, Role.SALES_REP}):
        return selectors.reps_for_user(user=user)
    return sales_reps()  # operational roles see the company's totals, not people


def _chart(rows, *, sales_label, target_label) -> str:
    names = [row.name for row in rows]
    return json.dumps(
        {
            "tooltip": {"trigger": "axis"},
            "legend": {"data": [sales_label, target_label]},
            "grid": {"left": 8, "right": 8, "bottom": 8, "containLabel": True},
            "xAxis": {
                "type": "category",
                "data": names,
                "axisLabel": {"interval": 0, "rotate": 30 if len(names) > 4 else 0},
            },
            "yAxis": {"type": "value"},
            "series": [
                {"name": sales_label, "type": "bar", "data": [float(row.values.get("sales") or 0) for row in rows]},
                {"name": target_label, "type": "bar", "data": [float(row.values.get("target") or 0) for row in rows]},
            ],
        },
        ensure_ascii=False,
    )


def figures_section(request):
    user = request.user
    view = _role_view(user)
    if view is None:
        return None
    roles, group_by, codes = view
    today = company_date()
    period = periods.Period("month", today.replace(day=1), today)
    reps = _reps(user, roles)
    if not reps:
        return None
    card = scorecard(reps=reps, period=period, group_by=group_by or "rep", kpi_codes=codes, user=user)
    totals = card["totals"]
    figures = [{"kpi": kpi, "value": totals.values.get(kpi.code)} for kpi in card["kpis"] if kpi.code in codes]
    elapsed = Decimal(today.day * 100) / Decimal(periods.month(today).days)
    context = {
        "figures": figures,
        "period": period,
        "month_key": periods.month(today).key,
        "elapsed": elapsed.quantize(Decimal("0.1")),
        "scorecard_link": reverse("targets-scorecard") + f"?period={periods.month(today).key}",
    }
    if group_by:
        rows = card["rows"][:12]
        context["rows"] = rows
        context["chart_json"] = _chart(
            rows, sales_label=str(get_kpi("sales").label), target_label=str(get_kpi("target").label)
        )
        context["behind"] = [
            row for row in card["rows"] if row.values.get("target") and (row.values.get("achievement") or 0) < elapsed
        ][:10]
    if Role.SALES_REP in user.roles:
        from salesops.targets.commissions import commission_estimate

        context["commission"] = commission_estimate(rep=user, today=today)
    if user.roles & {Role.GENERAL_MANAGER, Role.SALES_DIRECTOR}:
        context["compliance"] = compliance_rate(user=user, period=period)
    return "targets/partials/home_figures.html", context


def compliance_rate(*, user, period) -> Decimal | None:
    """Share of the SOP obligations due in the period that were met on time."""
    from salesops.sop.selectors import compliance_for_user

    rows = compliance_for_user(user=user, date_from=period.start, date_to=period.end, group_by="rule")
    met = sum(row.met for row in rows)
    known = sum(row.met + row.met_late + row.missed for row in rows)
    return (Decimal(met * 100) / known).quantize(Decimal("0.1")) if known else None


def claim_shortcut(request):
    """What is waiting on the person: review actions they own, claims waiting for approval,
    next month's profit plan (reps, until it is submitted)."""
    user = request.user
    actions = list(selectors.actions_for_owner(user=user).order_by("due_date")[:5])
    claims = selectors.claim_list_for_user(user=user).filter(claimant=user, status="pending_approval")
    waiting = claims.count()
    plan_due = None
    if Role.SALES_REP in user.roles:
        from salesops.planning.periods import add_months
        from salesops.targets.models import ProfitPlan

        next_month = add_months(company_date().replace(day=1), 1)
        submitted = ProfitPlan.objects.filter(rep=user, month=next_month, submitted_at__isnull=False).exists()
        plan_due = None if submitted else next_month
    if not actions and not waiting and plan_due is None:
        return None
    return "targets/partials/home_todo.html", {"actions": actions, "claims_waiting": waiting, "plan_due": plan_due}
