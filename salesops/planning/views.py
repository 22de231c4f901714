"""Pages of planning: forecasts and consensus, accuracy, S&OP review, aggregate plan, MPS,
production plans and fulfilment, MRP and planned purchases. Thin: permission → input →
selector → one service → render."""

from __future__ import annotations

import json
from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy
from django.views.decorators.http import require_POST

from salesops.catalog.models import ProductFamily
from salesops.core import formatting
from salesops.core.audit import history_for
from salesops.core.exceptions import ApplicationError
from salesops.core.export import xlsx_response
from salesops.core.listing import Column, ListPage
from salesops.core.web import action_view, add_error_to_form, save_form
from salesops.planning import masters, selectors, services
from salesops.planning.accuracy_report import accuracy_report
from salesops.planning.forms import (
    AckForm,
    DecisionForm,
    ForecastRunForm,
    InputForm,
    MonthForm,
    MpsChangeForm,
    OverrideForm,
    PlanningPolicyForm,
    ProductionReportForm,
    ScenarioForm,
    WorkCentreForm,
)
from salesops.planning.models import (
    ForecastLine,
    JobStatus,
    MpsLine,
    MrpRun,
    PlanBucket,
    PlannedOrder,
    PlanningPolicy,
    SopPack,
    WorkCentre,
)
from salesops.planning.mps import bucket_fulfilment, fulfilment_trend, in_frozen_period


def _need(request, check=selectors.sees_planning):
    if not check(request.user):
        raise Http404


def _pct(value) -> str:
    """A share (0.125) as the helper writes a percentage, to one place: 12.5%."""
    return "" if value is None else formatting.percent(round(float(value) * 100, 1))


def _chart(option: dict) -> str:
    return json.dumps(option, ensure_ascii=False, default=str)


# --- forecasts -------------------------------------------------------------------------------------------
@login_required
def forecast_list(request):
    _need(request)
    form = ForecastRunForm(request.POST or None)
    if request.method == "POST" and not request.user.has_role(*selectors.CONSENSUS_WRITE):
        raise Http404
    saved = save_form(
        request,
        form,
        lambda data: services.forecast_run_create(
            actor=request.user,
            first_period=data["first_period"],
            source=data["history_source"],
            model=data["model"],
        ),
        success=_("The forecast run has been queued."),
        redirect_to=lambda run: reverse("planning-forecast-detail", args=[run.pk]),
    )
    if saved:
        return saved
    runs = selectors.forecast_run_list_for_user(user=request.user)[:30]
    versions = selectors.forecast_version_list_for_user(user=request.user)[:12]
    return render(request, "planning/forecast_list.html", {"form": form, "runs": runs, "versions": versions})


@login_required
def forecast_detail(request, pk: int):
    _need(request)
    run = get_object_or_404(selectors.forecast_run_list_for_user(user=request.user), pk=pk)
    if request.headers.get("HX-Request") and request.GET.get("progress"):
        return render(request, "planning/partials/progress.html", {"job": run, "url": request.path})
    family_id = request.GET.get("family", "")
    lines = selectors.forecast_line_list_for_user(user=request.user, run=run)
    family_lines = lines.filter(level__in=[ForecastLine.Level.FAMILY, ForecastLine.Level.TOTAL])
    product_lines = lines.filter(level=ForecastLine.Level.PRODUCT)
    if family_id.isdigit():
        product_lines = product_lines.filter(product__family_id=int(family_id))
    else:
        product_lines = product_lines.none()
    periods = sorted(set(lines.values_list("period", flat=True)))

    def grid(queryset, key):
        rows = defaultdict(dict)
        labels = {}
        for line in queryset:
            k = key(line)
            rows[k][line.period] = line
            labels[k] = line
        return [{"label": labels[k], "cells": [rows[k].get(p) for p in periods]} for k in sorted(rows, key=str)]

    family_grid = grid(family_lines, lambda line: line.family.code if line.family else "~total")
    product_grid = grid(product_lines, lambda line: line.product.sku if line.product else "")
    submitted = run.versions.first()
    overrides = selectors.forecast_override_list_for_user(user=request.user).filter(line__run=run)[:50]
    inputs = selectors.forecast_input_list_for_user(user=request.user).filter(run=run)[:100]
    return render(
        request,
        "planning/forecast_detail.html",
        {
            "run": run,
            "periods": periods,
            "family_grid": family_grid,
            "product_grid": product_grid,
            "family_id": family_id,
            "families": ProductFamily.objects.filter(
                pk__in=lines.filter(level=ForecastLine.Level.PRODUCT).values("product__family_id")
            ),
            "submitted": submitted,
            "overrides": overrides,
            "inputs": inputs,
            "override_form": OverrideForm(),
            "can_edit": request.user.has_role(*selectors.CONSENSUS_WRITE)
            and not submitted
            and run.status == JobStatus.DONE,
            "history": history_for(run)[:20],
        },
    )


@login_required
@require_POST
@action_view
def forecast_override(request, pk: int):
    _need(request)
    run = get_object_or_404(selectors.forecast_run_list_for_user(user=request.user), pk=pk)
    form = OverrideForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter the new value and the reason."))
        return redirect(request.POST.get("next") or reverse("planning-forecast-detail", args=[run.pk]))
    line = get_object_or_404(ForecastLine, pk=form.cleaned_data["line"], run=run)
    services.forecast_override(
        line=line, new_value=form.cleaned_data["new_value"], reason=form.cleaned_data["reason"], actor=request.user
    )
    messages.success(request, _("Forecast changed."))
    return redirect(request.POST.get("next") or reverse("planning-forecast-detail", args=[run.pk]))


@login_required
@require_POST
@action_view
def forecast_compile(request, pk: int):
    _need(request)
    run = get_object_or_404(selectors.forecast_run_list_for_user(user=request.user), pk=pk)
    changed = services.forecast_inputs_compile(run=run, actor=request.user)
    messages.success(request, _("%(n)s forecast values compiled from the reps' inputs.") % {"n": changed})
    return redirect("planning-forecast-detail", pk=run.pk)


@login_required
@require_POST
@action_view
def forecast_submit(request, pk: int):
    _need(request)
    run = get_object_or_404(selectors.forecast_run_list_for_user(user=request.user), pk=pk)
    version = services.forecast_submit(run=run, actor=request.user)
    messages.success(
        request, _("Forecast version %(month)s submitted and frozen.") % {"month": formatting.month(version.month)}
    )
    return redirect("planning-forecast-detail", pk=run.pk)


@login_required
def my_inputs(request):
    runs = selectors.forecast_open_runs_for_inputs(user=request.user)
    run = runs.first()
    if run is None and not request.user.roles & selectors.INPUT_ROLES:
        raise Http404
    form = InputForm(request.POST or None)
    if run is not None:
        saved = save_form(
            request,
            form,
            lambda data: services.forecast_input_save(run=run, rep=request.user, actor=request.user, **data),
            success=_("Your forecast input is saved."),
            redirect_to="planning-my-inputs",
        )
        if saved:
            return saved
    inputs = selectors.forecast_input_list_for_user(user=request.user)
    if run is not None:
        inputs = inputs.filter(run=run)
    return render(request, "planning/my_inputs.html", {"run": run, "form": form, "inputs": inputs[:200]})


# --- accuracy ---------------------------------------------------------------------------------------------
@login_required
def accuracy(request):
    _need(request)
    family = request.GET.get("family", "")
    months = request.GET.get("months", "12")
    months = int(months) if months.isdigit() and 1 <= int(months) <= 36 else 12
    report = accuracy_report(months=months, family_id=int(family) if family.isdigit() else None)
    if request.GET.get("export") == "xlsx":
        rows = [[r["month"], r["actual"], r["forecast"], r["wape"], r["mape"], r["bias"]] for r in report["by_month"]]
        rows += [
            [r["family"], r["actual"], r["forecast"], r["wape"], r["mape"], r["bias"]] for r in report["by_family"]
        ]
        rows += [[r["sku"], r["actual"], r["forecast"], r["wape"], r["mape"], r["bias"]] for r in report["by_product"]]
        rows += [[r["name"], r["actual"], r["forecast"], r["wape"], r["mape"], r["bias"]] for r in report["by_rep"]]
        return xlsx_response(
            "forecast-accuracy",
            [_("Month / family / product / rep"), _("Actual"), _("Forecast"), "WAPE", "MAPE", _("Bias")],
            rows,
            title=_("Forecast accuracy"),
        )
    for key in ("by_month", "by_family", "by_product", "by_rep", "lags"):
        for row in report[key]:
            row["accuracy"] = _pct(None if row["wape"] is None else max(0.0, 1 - row["wape"]))
            row["wape_pct"], row["mape_pct"], row["bias_pct"] = _pct(row["wape"]), _pct(row["mape"]), _pct(row["bias"])
    for row in report["fva"]:
        row["fva_pct"] = _pct(row["fva"])
        row["wape_baseline_pct"], row["wape_consensus_pct"] = _pct(row["wape_baseline"]), _pct(row["wape_consensus"])
    chart = {
        "tooltip": {"trigger": "axis"},
        "legend": {},
        "xAxis": {"type": "category", "data": [r["month"] for r in report["by_month"]]},
        "yAxis": [{"type": "value"}, {"type": "value", "axisLabel": {"formatter": "{value}%"}}],
        "series": [
            {"name": _("Actual"), "type": "bar", "data": [round(r["actual"], 1) for r in report["by_month"]]},
            {"name": _("Forecast"), "type": "bar", "data": [round(r["forecast"], 1) for r in report["by_month"]]},
            {
                "name": _("Accuracy %"),
                "type": "line",
                "yAxisIndex": 1,
                "data": [
                    None if r["wape"] is None else round(max(0, 1 - r["wape"]) * 100, 1) for r in report["by_month"]
                ],
            },
        ],
    }
    lag_chart = {
        "tooltip": {"trigger": "axis"},
        "xAxis": {"type": "category", "data": [f"lag {r['lag']}" for r in report["lags"]]},
        "yAxis": {"type": "value", "axisLabel": {"formatter": "{value}%"}},
        "series": [
            {
                "name": "WAPE",
                "type": "bar",
                "data": [None if r["wape"] is None else round(r["wape"] * 100, 1) for r in report["lags"]],
            }
        ],
    }
    return render(
        request,
        "planning/accuracy.html",
        {
            "report": report,
            "chart": _chart(chart),
            "lag_chart": _chart(lag_chart),
            "family": family,
            "family_obj": ProductFamily.objects.filter(pk=family).first() if family.isdigit() else None,
            "months": months,
        },
    )


# --- S&OP review ------------------------------------------------------------------------------------------
@login_required
def sop_list(request):
    _need(request)
    form = MonthForm(request.POST or None, initial={"month": timezone.localdate().replace(day=1)})
    if request.method == "POST" and form.is_valid():
        try:
            pack = services.sop_pack_prepare(month=form.cleaned_data["month"], actor=request.user)
            return redirect("planning-sop-detail", pk=pack.pk)
        except ApplicationError as error:
            add_error_to_form(form, error)
    return render(
        request,
        "planning/sop_list.html",
        {"form": form, "packs": selectors.sop_pack_list_for_user(user=request.user)[:24]},
    )


def _pack_context(pack: SopPack) -> dict:
    families = pack.data.get("families", [])
    charts = {}
    for family in families:
        actuals, future = family["actuals"], family["future"]
        months = [a["month"] for a in actuals] + [f["month"] for f in future]
        past, ahead = [None] * len(actuals), [None] * len(future)  # no data is no data, not 0
        charts[family["id"]] = _chart(
            {
                "tooltip": {"trigger": "axis"},
                "legend": {},
                "xAxis": {"type": "category", "data": months},
                "yAxis": {"type": "value"},
                "series": [
                    {
                        "name": _("Actual"),
                        "type": "bar",
                        "data": [a["quantity"] for a in actuals] + ahead,
                    },
                    {"name": _("Demand"), "type": "bar", "data": past + [f["demand"] for f in future]},
                    {
                        "name": _("Projected inventory"),
                        "type": "line",
                        "data": past + [f["inventory"] for f in future],
                    },
                ],
            }
        )
    return {"families": families, "charts": charts}


@login_required
def sop_detail(request, pk: int):
    _need(request)
    pack = get_object_or_404(selectors.sop_pack_list_for_user(user=request.user), pk=pk)
    form = DecisionForm(request.POST or None)
    saved = save_form(
        request,
        form,
        lambda data: services.sop_decision_add(pack=pack, actor=request.user, **data),
        success=_("Decision recorded."),
        redirect_to=reverse("planning-sop-detail", args=[pack.pk]),
    )
    if saved:
        return saved
    export = request.GET.get("export")
    context = {
        "pack": pack,
        "form": form,
        "decisions": pack.decisions.select_related("owner", "family"),
        **_pack_context(pack),
        "history": history_for(pack)[:20],
    }
    if export == "xlsx":
        rows = []
        for family in context["families"]:
            for a in family["actuals"]:
                rows.append([family["name"], a["month"], a["quantity"], "", "", "", "", "", "", "", ""])
            for f in family["future"]:
                rows.append(
                    [
                        family["name"],
                        f["month"],
                        "",
                        f["consensus"],
                        f["firm_orders"],
                        f["demand"],
                        f["production"],
                        f["purchases"],
                        f["inventory"],
                        f["days_of_cover"],
                        _("gap") if f["gap"] else "",
                    ]
                )
        return xlsx_response(
            f"sop-{pack.month:%Y-%m}",
            [
                _("Family"),
                _("Month"),
                _("Actual"),
                _("Consensus"),
                _("Firm orders"),
                _("Demand"),
                _("Production"),
                _("Purchases"),
                _("Projected inventory"),
                _("Days of cover"),
                _("Gap"),
            ],
            rows,
            title="S&OP",
        )
    if export == "pdf":
        from salesops.planning.pdf import pack_pdf

        response = HttpResponse(pack_pdf(pack, context), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="sop-{pack.month:%Y-%m}.pdf"'
        return response
    return render(request, "planning/sop_detail.html", context)


@login_required
@require_POST
@action_view
def sop_refresh(request, pk: int):
    _need(request)
    pack = get_object_or_404(selectors.sop_pack_list_for_user(user=request.user), pk=pk)
    services.sop_pack_prepare(month=pack.month, actor=request.user)
    messages.success(request, _("Figures refreshed."))
    return redirect("planning-sop-detail", pk=pack.pk)


@login_required
@require_POST
@action_view
def sop_close(request, pk: int):
    _need(request)
    pack = get_object_or_404(selectors.sop_pack_list_for_user(user=request.user), pk=pk)
    services.sop_pack_close(pack=pack, actor=request.user)
    messages.success(request, _("The meeting is closed and the pack frozen."))
    return redirect("planning-sop-detail", pk=pack.pk)


# --- aggregate plan ---------------------------------------------------------------------------------------
@login_required
def aggregate_list(request):
    _need(request)
    form = ScenarioForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            scenario = services.aggregate_scenario_create(
                name=form.cleaned_data["name"],
                family=form.cleaned_data["family"],
                first_period=form.cleaned_data["first_period"],
                inputs=form.inputs(),
                actor=request.user,
            )
            return redirect("planning-aggregate-detail", pk=scenario.pk)
        except ApplicationError as error:
            add_error_to_form(form, error)
    return render(
        request,
        "planning/aggregate_list.html",
        {"form": form, "scenarios": selectors.scenario_list_for_user(user=request.user)[:30]},
    )


# The aggregate plan's cost rates (inputs) and the costs of a plan (results), as people name them.
COST_LABELS = {
    "material": gettext_lazy("Material per unit"),
    "holding": gettext_lazy("Holding per unit and month"),
    "backlog": gettext_lazy("Backlog per unit and month"),
    "hire": gettext_lazy("Hiring per worker"),
    "layoff": gettext_lazy("Layoff per worker"),
    "regular_hour": gettext_lazy("Regular hour"),
    "overtime_hour": gettext_lazy("Overtime hour"),
    "subcontract": gettext_lazy("Subcontracting per unit"),
    "regular_time": gettext_lazy("Regular time"),
    "overtime": gettext_lazy("Overtime"),
    "hiring": gettext_lazy("Hiring"),
    "layoffs": gettext_lazy("Layoffs"),
    "subcontracting": gettext_lazy("Subcontracting"),
}


def _shown(value):
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return "—" if value is None else value


@login_required
def aggregate_detail(request, pk: int):
    _need(request)
    scenario = get_object_or_404(selectors.scenario_list_for_user(user=request.user), pk=pk)
    result = scenario.result or {}
    periods = result.get("periods", [])
    chart = _chart(
        {
            "tooltip": {"trigger": "axis"},
            "legend": {},
            "xAxis": {"type": "category", "data": [p["period"] for p in periods]},
            "yAxis": [{"type": "value"}, {"type": "value"}],
            "series": [
                {"name": _("Demand"), "type": "line", "data": [p["demand"] for p in periods]},
                {"name": _("Production"), "type": "bar", "data": [p["production"] for p in periods]},
                {"name": _("Inventory"), "type": "bar", "data": [p["inventory"] for p in periods]},
                {"name": _("Workforce"), "type": "line", "yAxisIndex": 1, "data": [p["workforce"] for p in periods]},
            ],
        }
    )
    strategies = []
    if result:
        for key, label in (("", _("Optimal")), ("level", pgettext("strategy", "Level")), ("chase", _("Chase"))):
            plan = result if not key else result.get(key, {})
            strategies.append(
                {
                    "label": label,
                    "total": plan.get("total_cost"),
                    "costs": plan.get("cost_breakdown", {}),
                    "notes": plan.get("notes", []),
                }
            )
    cost_keys = sorted({k for s in strategies for k in s["costs"]})
    for strategy in strategies:
        strategy["cells"] = [strategy["costs"].get(k) for k in cost_keys]
    fields = ScenarioForm.base_fields
    return render(
        request,
        "planning/aggregate_detail.html",
        {
            "scenario": scenario,
            "periods": periods,
            "chart": chart,
            "strategies": strategies,
            "cost_keys": [COST_LABELS.get(k, k) for k in cost_keys],
            "inputs": {
                fields[k].label if k in fields else k: _shown(v) for k, v in scenario.inputs.items() if k != "costs"
            },
            "costs": {COST_LABELS.get(k, k): v for k, v in scenario.inputs.get("costs", {}).items()},
        },
    )


# --- MPS ---------------------------------------------------------------------------------------------------
@login_required
def mps_list(request):
    _need(request)
    if request.method == "POST":
        if not request.user.has_role(*selectors.PLANNER_WRITE):
            raise Http404
        try:
            schedule = services.mps_generate(actor=request.user)
            return redirect("planning-mps-detail", pk=schedule.pk)
        except ApplicationError as error:
            messages.error(request, str(error.message))
    return render(
        request,
        "planning/mps_list.html",
        {
            "schedules": selectors.schedule_list_for_user(user=request.user)[:20],
            "changes": selectors.mps_change_list_for_user(user=request.user)[:20],
        },
    )


@login_required
def mps_detail(request, pk: int):
    _need(request)
    schedule = get_object_or_404(selectors.schedule_list_for_user(user=request.user), pk=pk)
    form = MpsChangeForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            line = get_object_or_404(MpsLine, pk=form.cleaned_data["line"], schedule=schedule)
            try:
                change = services.mps_change_request(
                    line=line,
                    new_quantity=form.cleaned_data["new_quantity"],
                    reason=form.cleaned_data["reason"],
                    actor=request.user,
                )
                if change.status == change.Status.PENDING:
                    messages.info(request, _("The week is frozen: the change waits for the sales VP's approval."))
                else:
                    messages.success(request, _("The schedule is changed."))
                return redirect("planning-mps-detail", pk=schedule.pk)
            except ApplicationError as error:
                messages.error(request, str(error.message))
        else:
            messages.error(request, _("Enter the new quantity and the reason."))
    weeks = [schedule.first_week + timezone.timedelta(weeks=k) for k in range(schedule.weeks)]
    rows = defaultdict(dict)
    products = {}
    for line in schedule.lines.select_related("product"):
        rows[line.product_id][line.week] = line
        products[line.product_id] = line.product
    today = timezone.localdate()
    zones = []
    for position, week in enumerate(weeks):
        if week < today - timezone.timedelta(days=today.weekday()) + timezone.timedelta(weeks=schedule.frozen_weeks):
            zones.append("frozen")
        elif position < schedule.planning_time_fence_weeks:
            zones.append("firm")
        else:
            zones.append("open")
    grid = [
        {"product": products[pid], "cells": [rows[pid].get(w) for w in weeks]}
        for pid in sorted(products, key=lambda p: products[p].sku)
    ]
    return render(
        request,
        "planning/mps_detail.html",
        {
            "schedule": schedule,
            "weeks": list(zip(weeks, zones, strict=True)),
            "grid": grid,
            "changes": selectors.mps_change_list_for_user(user=request.user).filter(line__schedule=schedule)[:30],
            "can_edit": request.user.has_role(*selectors.PLANNER_WRITE),
        },
    )


# --- production plans ----------------------------------------------------------------------------------------
@login_required
def plan_list(request):
    _need(request, selectors.sees_plans)
    form = MonthForm(request.POST or None)
    if request.method == "POST":
        if not request.user.has_role(*selectors.PLANNER_WRITE):
            raise Http404
        if form.is_valid():
            try:
                plan = services.production_plan_create(month=form.cleaned_data["month"], actor=request.user)
                return redirect("planning-plan-detail", pk=plan.pk)
            except ApplicationError as error:
                add_error_to_form(form, error)
    return render(
        request,
        "planning/plan_list.html",
        {
            "form": form,
            "plans": selectors.production_plan_list_for_user(user=request.user)[:24],
            "can_edit": request.user.has_role(*selectors.PLANNER_WRITE),
        },
    )


@login_required
def plan_detail(request, pk: int):
    _need(request, selectors.sees_plans)
    plan = get_object_or_404(selectors.production_plan_list_for_user(user=request.user), pk=pk)
    buckets = [bucket_fulfilment(bucket) for bucket in plan.buckets.all()]
    acks = {ack.department: ack for ack in plan.acknowledgements.select_related("user")}
    from salesops.planning.models import PlanAcknowledgement

    departments = [(value, label, acks.get(value)) for value, label in PlanAcknowledgement.Department.choices]
    return render(
        request,
        "planning/plan_detail.html",
        {
            "plan": plan,
            "buckets": buckets,
            "departments": departments,
            "ack_form": AckForm(),
            "can_edit": request.user.has_role(*selectors.PLANNER_WRITE),
            "history": history_for(plan)[:20],
        },
    )


@login_required
@require_POST
@action_view
def plan_issue(request, pk: int):
    _need(request, selectors.sees_plans)
    plan = get_object_or_404(selectors.production_plan_list_for_user(user=request.user), pk=pk)
    services.production_plan_issue(plan=plan, actor=request.user)
    messages.success(request, _("The production plan is issued."))
    return redirect("planning-plan-detail", pk=plan.pk)


@login_required
@require_POST
@action_view
def plan_acknowledge(request, pk: int):
    _need(request, selectors.sees_plans)
    plan = get_object_or_404(selectors.production_plan_list_for_user(user=request.user), pk=pk)
    form = AckForm(request.POST)
    if form.is_valid():
        services.production_plan_acknowledge(plan=plan, department=form.cleaned_data["department"], actor=request.user)
        messages.success(request, _("Acknowledged."))
    return redirect("planning-plan-detail", pk=plan.pk)


@login_required
@require_POST
@action_view
def bucket_close(request, pk: int):
    _need(request, selectors.sees_plans)
    plans = selectors.production_plan_list_for_user(user=request.user)
    bucket = get_object_or_404(PlanBucket.objects.filter(plan__in=plans), pk=pk)
    reasons = {key[7:]: value for key, value in request.POST.items() if key.startswith("reason_")}
    services.plan_bucket_close(bucket=bucket, reasons=reasons, actor=request.user)
    messages.success(request, _("The week is closed."))
    return redirect("planning-plan-detail", pk=bucket.plan_id)


@login_required
def production_report(request):
    _need(request, selectors.sees_plans)
    form = ProductionReportForm(request.POST or None)
    if request.method == "POST" and not request.user.has_role(*selectors.PLANNER_WRITE):
        raise Http404
    saved = save_form(
        request,
        form,
        lambda data: services.production_report_create(actor=request.user, **data),
        success=_("Production reported."),
        redirect_to="planning-production-report",
    )
    if saved:
        return saved
    reports = selectors.production_report_list_for_user(user=request.user)[:50]
    return render(request, "planning/production_report.html", {"form": form, "reports": reports})


@login_required
def fulfilment(request):
    _need(request, selectors.sees_plans)
    rows = fulfilment_trend()
    for row in rows:
        row["rate_pct"] = _pct(row["rate"])
    chart = _chart(
        {
            "tooltip": {"trigger": "axis"},
            "xAxis": {"type": "category", "data": [f"{formatting.month(r['plan'].month)} {r['label']}" for r in rows]},
            "yAxis": {"type": "value", "max": 100, "axisLabel": {"formatter": "{value}%"}},
            "series": [
                {
                    "name": _("Fulfilment rate"),
                    "type": "line",
                    "data": [None if r["rate"] is None else round(float(r["rate"]) * 100, 1) for r in rows],
                    "markLine": {"data": [{"yAxis": 95}]},
                }
            ],
        }
    )
    return render(request, "planning/fulfilment.html", {"rows": rows, "chart": chart})


# --- MRP -----------------------------------------------------------------------------------------------------
@login_required
def mrp_list(request):
    _need(request)
    if request.method == "POST":
        if not request.user.has_role(*selectors.PLANNER_WRITE):
            raise Http404
        run = services.mrp_run_create(actor=request.user)
        messages.success(request, _("The MRP run has been queued."))
        return redirect("planning-mrp-detail", pk=run.pk)
    return render(request, "planning/mrp_list.html", {"runs": selectors.mrp_run_list_for_user(user=request.user)[:30]})


MRP_STEPS = {
    "read": pgettext_lazy("MRP step", "reading"),
    "engine": pgettext_lazy("MRP step", "planning"),
    "pegging": pgettext_lazy("MRP step", "pegging"),
    "write": pgettext_lazy("MRP step", "saving"),
}


def _mrp_timings(run: MrpRun) -> str:
    """The step timings of a finished run in the reader's language (a step the page does not
    name is left out)."""
    return " · ".join(
        _("%(step)s %(seconds)s s") % {"step": MRP_STEPS[step], "seconds": formatting.quantity(seconds, 2)}
        for step, seconds in run.timings.items()
        if step in MRP_STEPS and formatting.as_decimal(seconds) is not None
    )


@login_required
def mrp_detail(request, pk: int):
    _need(request)
    run = get_object_or_404(selectors.mrp_run_list_for_user(user=request.user), pk=pk)
    if request.headers.get("HX-Request") and request.GET.get("progress"):
        return render(request, "planning/partials/progress.html", {"job": run, "url": request.path})
    kind = request.GET.get("kind", "")
    planned = selectors.planned_order_list_for_user(user=request.user).filter(run=run)
    if kind in PlannedOrder.Kind.values:
        planned = planned.filter(kind=kind)
    capacity = list(run.capacity.select_related("work_centre"))
    centres = sorted({row.work_centre.code for row in capacity})
    periods = sorted({row.period for row in capacity})
    series = []
    for code in centres:
        series.append(
            {"name": code, "type": "bar", "data": [float(r.load_hours) for r in capacity if r.work_centre.code == code]}
        )
    if capacity:
        series.append(
            {
                "name": _("Capacity"),
                "type": "line",
                "data": [float(max((r.capacity_hours for r in capacity if r.period == p), default=0)) for p in periods],
            }
        )
    chart = _chart(
        {
            "tooltip": {"trigger": "axis"},
            "legend": {},
            "xAxis": {"type": "category", "data": [f"W{p}" for p in periods]},
            "yAxis": {"type": "value"},
            "series": series,
        }
    )
    return render(
        request,
        "planning/mrp_detail.html",
        {
            "run": run,
            "planned": planned[:300],
            "n_planned": planned.count(),
            "kind": kind,
            "exceptions": run.exceptions.select_related("product")[:200],
            "capacity": capacity,
            "chart": chart,
            "overloaded": [r for r in capacity if r.load_hours > r.capacity_hours],
            "can_convert": request.user.has_role(*selectors.PURCHASE_CONVERT),
            "superseded": MrpRun.objects.filter(status=JobStatus.DONE, pk__gt=run.pk).order_by("pk").first(),
            "timings": _mrp_timings(run),
        },
    )


@login_required
def planned_purchases(request):
    _need(request)
    run = selectors.latest_mrp_run()
    planned = (
        selectors.planned_order_list_for_user(user=request.user)
        .filter(kind=PlannedOrder.Kind.PURCHASE, run=run)
        .order_by("release_date", "product__sku")
        if run
        else PlannedOrder.objects.none()
    )
    status = request.GET.get("status", "planned")
    if status in PlannedOrder.Status.values:
        planned = planned.filter(status=status)
    return render(
        request,
        "planning/planned_purchases.html",
        {
            "run": run,
            "planned": planned[:300],
            "status": status,
            "can_convert": request.user.has_role(*selectors.PURCHASE_CONVERT),
        },
    )


@login_required
@require_POST
@action_view
def planned_convert(request, pk: int):
    _need(request)
    if not request.user.has_role(*selectors.PURCHASE_CONVERT):
        raise Http404
    planned = get_object_or_404(selectors.planned_order_list_for_user(user=request.user), pk=pk)
    planned = services.planned_order_convert(planned=planned, actor=request.user)
    number = planned.purchase_order.number if planned.purchase_order else planned.production_order.number
    messages.success(request, _("Converted into %(number)s.") % {"number": number})
    return redirect(request.POST.get("next") or reverse("planning-planned-purchases"))


@login_required
@require_POST
@action_view
def planned_purchases_order(request):
    """Every planned purchase still planned → draft purchase orders, one per supplier and date."""
    _need(request)
    if not request.user.has_role(*selectors.PURCHASE_CONVERT):
        raise Http404
    orders = services.planned_purchases_to_drafts(actor=request.user)
    messages.success(
        request,
        _("%(n)d draft purchase orders: %(numbers)s.")
        % {"n": len(orders), "numbers": ", ".join(order.number for order in orders[:20])},
    )
    return redirect(f"{reverse('purchase-orders')}?status=draft")


# --- work centres -----------------------------------------------------------------------------------------
@login_required
def work_centre_list(request):
    _need(request)
    can_edit = selectors.writes_plans(request.user)
    page = ListPage(
        request=request,
        queryset=WorkCentre.objects.annotate(n_steps=Count("steps")),
        title=_("Work centres"),
        columns=[
            Column(
                "code",
                _("Code"),
                sort="code",
                link=(lambda wc: reverse("planning-work-centre-edit", args=[wc.pk])) if can_edit else None,
            ),
            Column("name", _("Name"), sort="name"),
            Column("hours_per_week", _("Capacity (hours per week)"), sort="hours_per_week", numeric=True),
            Column("n_steps", _("Routing steps"), sort="n_steps", numeric=True),
        ],
        search_fields=["code", "name"],
        default_sort="code",
        export_name="work-centres",
        actions_template="planning/partials/work_centre_actions.html" if can_edit else None,
        empty_message=_("No work centres yet. Add one to check the load of planned production against capacity."),
    )
    return page.response()


@login_required
def work_centre_edit(request, pk: int | None = None):
    if not selectors.writes_plans(request.user):
        raise PermissionDenied
    work_centre = get_object_or_404(WorkCentre, pk=pk) if pk else None
    form = WorkCentreForm(request.POST or None, instance=WorkCentre.objects.get(pk=pk) if pk else None)
    saved = save_form(
        request,
        form,
        lambda data: masters.work_centre_save(actor=request.user, work_centre=work_centre, **data),
        success=_("Work centre saved."),
        redirect_to="planning-work-centres",
    )
    if saved:
        return saved
    return render(
        request,
        "planning/work_centre_form.html",
        {"form": form, "work_centre": work_centre, "history": history_for(work_centre)[:20] if work_centre else []},
    )


@login_required
def policy_edit(request):
    """The planning rules: everyone who plans sees them, planners and administrators change them."""
    _need(request)
    can_edit = selectors.writes_plans(request.user)
    if request.method == "POST" and not can_edit:
        raise PermissionDenied
    policy = PlanningPolicy.current()
    form = PlanningPolicyForm(request.POST or None, instance=policy)
    if not can_edit:
        for field in form.fields.values():
            field.disabled = True
    saved = save_form(
        request,
        form,
        lambda data: services.planning_policy_update(actor=request.user, **data),
        success=_("Planning policy saved."),
        redirect_to="planning-policy",
    )
    if saved:
        return saved
    return render(
        request,
        "planning/policy_form.html",
        {"form": form, "can_edit": can_edit, "history": history_for(policy)[:20] if policy.pk else []},
    )


__all__ = ["in_frozen_period"]
