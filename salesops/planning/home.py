"""Home-page sections of planning: what is due and what needs attention."""

from __future__ import annotations

from django.utils import timezone

from salesops.planning.periods import add_months, month_start
from salesops.sop import hooks as sop


def mrp_exceptions_section(request):
    from salesops.planning.selectors import latest_mrp_run

    run = latest_mrp_run()
    if run is None:
        return None
    exceptions = run.exceptions.select_related("product")[:8]
    return "planning/partials/home_mrp.html", {"run": run, "exceptions": exceptions, "count": run.n_exceptions}


def production_plan_due_section(request):
    from salesops.planning.models import ProductionPlan

    today = timezone.localdate()
    month = add_months(month_start(today), 1)
    plan = ProductionPlan.objects.filter(month=month).first()
    if plan is not None and plan.status == ProductionPlan.Status.ISSUED:
        return None
    due = sop.period_due("production-plan-29th", today)
    return "planning/partials/home_plan_due.html", {"plan": plan, "month": month, "due": due}


def forecast_due_section(request):
    from salesops.planning.models import ForecastVersion

    today = timezone.localdate()
    if ForecastVersion.objects.filter(month=month_start(today)).exists():
        return None
    due = sop.period_due("forecast-month-end", today)
    return "planning/partials/home_forecast_due.html", {"due": due, "month": month_start(today)}


def production_today_section(request):
    from salesops.planning.models import ProductionReport

    today = timezone.localdate()
    reports = ProductionReport.objects.filter(date=today).select_related("product")
    return "planning/partials/home_production_today.html", {"reports": reports, "today": today}
