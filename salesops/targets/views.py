"""Pages of targets and performance. Thin: check permission, validate input, read through a
selector, call one service, render. Report pages describe their cards, charts, tables and
forms to one template (`targets/page.html`); lists are `core.listing.ListPage`."""

from __future__ import annotations

import json
from decimal import Decimal

from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy
from django.views.decorators.http import require_POST

from salesops.core import formatting
from salesops.core.audit import history_for
from salesops.core.exceptions import ApplicationError, ValidationFailed
from salesops.core.export import XLSX_TYPE, xlsx_response
from salesops.core.listing import Column, Filter, ListPage
from salesops.core.models import OrgUnit
from salesops.core.roles import COMPANY_WIDE_SALES_ROLES, Role
from salesops.core.selectors import company_date
from salesops.core.web import action_view, save_form
from salesops.crm.models import Customer
from salesops.targets import commissions, expenses, forms, periods, profit, review, selectors, services
from salesops.targets.kpis import Unit, get_kpi, kpis_for_user
from salesops.targets.models import (
    BusinessReview,
    CommissionRule,
    CommissionRun,
    ExpenseClaim,
    ProfitPlan,
    ReviewAction,
    ScorecardWeight,
    Target,
    TargetPlan,
)
from salesops.targets.scorecards import scorecard, trend

MONEY = "money"


# --- small builders ----------------------------------------------------------------------------------
def cell(value, *, unit=None, link=None, code=False) -> dict:
    """`code`: a value shown as typed (an identifier), the same in every language."""
    return {"value": value, "unit": unit, "link": link, "numeric": unit is not None, "code": code}


def table(headers, rows, **extra) -> dict:
    labels = [str(header) for header in headers]
    shaped = []
    for row in rows:
        cells = [item if isinstance(item, dict) else cell(item) for item in row]
        shaped.append([{**item, "label": label} for item, label in zip(cells, labels, strict=True)])
    return {"headers": labels, "rows": shaped, **extra}


def chart(chart_id: str, option: dict, height: int = 320) -> dict:
    return {"id": chart_id, "json": json.dumps(option, ensure_ascii=False, default=str), "height": height}


def bars(names, series: dict, *, kind="bar") -> dict:
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"data": [str(name) for name in series]},
        "grid": {"left": 8, "right": 8, "bottom": 8, "containLabel": True},
        "xAxis": {
            "type": "category",
            "data": [str(n) for n in names],
            "axisLabel": {"rotate": 30 if len(names) > 5 else 0},
        },
        "yAxis": {"type": "value"},
        "series": [
            {"name": str(name), "type": kind, "data": [float(v) if v is not None else None for v in values]}
            for name, values in series.items()
        ],
    }


def page(request, title, **context):
    return render(request, "targets/page.html", {"title": title, **context})


def _require(user, roles) -> None:
    if not (user.is_superuser or user.roles & roles):
        raise PermissionDenied


def _period_from(request, default=None) -> tuple[forms.PeriodForm, periods.Period]:
    today = company_date()
    data = {
        "period": request.GET.get("period") or (default or periods.month(today)).key,
        "group_by": request.GET.get("group_by") or "rep",
    }
    form = forms.PeriodForm(data)
    if form.is_valid():
        return form, form.cleaned_data["period"]
    return form, default or periods.month(today)


def _xlsx(filename: str, headers, rows) -> HttpResponse:
    return xlsx_response(filename, [str(h) for h in headers], rows)


# --- scorecards and KPIs ------------------------------------------------------------------------------
@login_required
def scorecard_page(request):
    reps = selectors.reps_for_user(user=request.user)
    if not reps and not request.user.is_superuser:
        raise PermissionDenied
    form, period = _period_from(request)
    group_by = form.cleaned_data.get("group_by") if form.is_valid() else "rep"
    card = scorecard(reps=reps, period=period, group_by=group_by or "rep", user=request.user)
    kpis, weights = card["kpis"], card["weights"]
    headers = [_("Rank"), _("Name"), *[kpi.label for kpi in kpis], _("Score")]

    def link(kpi, row):
        if kpi.documents is None:
            return None
        query = f"?period={period.key}&{card['group_by']}={row.key}"
        return reverse("targets-kpi-documents", args=[kpi.code]) + query

    rows = [
        [row.rank, row.name + (f" · {row.unit_name}" if row.unit_name else "")]
        + [cell(row.values.get(kpi.code), unit=kpi.unit, link=link(kpi, row)) for kpi in kpis]
        + [cell(row.score, unit="score")]
        for row in card["rows"]
    ]
    rows.append(["", _("Total")] + [cell(card["totals"].values.get(kpi.code), unit=kpi.unit) for kpi in kpis] + [""])
    if request.GET.get("export") == "xlsx":
        return _xlsx(
            f"scorecard-{period.key}",
            headers,
            [[r.rank, r.name, *[r.values.get(k.code) for k in kpis], r.score] for r in card["rows"]],
        )
    points = table(
        [_("KPI"), _("Weight %"), _("Full marks at"), _("Capped at %")],
        [[get_kpi(code).label, line.weight, line.target_value, line.cap_percent] for code, line in weights.items()],
        title=_("How the score is made"),
    )
    trend_rows = trend(reps=reps, period=period, kpi_code="achievement")
    sales_trend = trend(reps=reps, period=period, kpi_code="sales")
    charts = [
        chart(
            "score-chart", bars([r.name for r in card["rows"][:20]], {_("Score"): [r.score for r in card["rows"][:20]]})
        ),
        chart(
            "trend-chart",
            bars([t["period"] for t in trend_rows], {_("Achievement"): [t["value"] for t in trend_rows]}, kind="line"),
            height=240,
        ),
    ]
    export = request.get_full_path() + ("&" if "?" in request.get_full_path() else "?") + "export=xlsx"
    return page(
        request,
        _("Scorecard %(period)s") % {"period": period.key},
        filter_form=form,
        charts=charts,
        tables=[
            table(headers, rows, testid="scorecard-table", export=export),
            table(
                [_("Period"), _("Sales"), _("Achievement")],
                [
                    [s["period"], cell(s["value"], unit=MONEY), cell(a["value"], unit="percent")]
                    for s, a in zip(sales_trend, trend_rows, strict=True)
                ],
                title=_("Trend"),
            ),
            points,
        ],
    )


@login_required
def kpi_documents(request, code):
    kpi = get_kpi(code)
    if kpi is None or kpi.documents is None or not kpi.visible_to(request.user):
        raise Http404
    reps = selectors.reps_for_user(user=request.user)
    _form, period = _period_from(request)
    rep_ids = [rep.pk for rep in reps]
    if request.GET.get("rep", "").isdigit():
        rep_ids = [pk for pk in rep_ids if pk == int(request.GET["rep"])]
    elif request.GET.get("team", "").isdigit() or request.GET.get("region", "").isdigit():
        unit = OrgUnit.objects.filter(pk=int(request.GET.get("team") or request.GET.get("region"))).first()
        rep_ids = [rep.pk for rep in reps if unit and rep.org_unit.path.startswith(unit.path)]
    documents = kpi.documents(request.user, period, rep_ids)
    return ListPage(
        request=request,
        queryset=documents.queryset,
        columns=documents.columns,
        title=_("%(kpi)s · %(period)s: the documents") % {"kpi": kpi.label, "period": period.key},
        export_name=f"{code}-{period.key}",
        empty_message=gettext_lazy("No documents behind this figure."),
    ).response()


@login_required
def kpi_page(request):
    user = request.user
    admin = user.is_superuser or user.roles & services.POLICY_WRITE_ROLES
    can_weigh = admin or Role.SALES_DIRECTOR in user.roles
    policy = services.performance_policy()
    policy_form = forms.PolicyForm(request.POST if request.POST.get("form") == "policy" else None, instance=policy)
    weight_form = forms.WeightForm(request.POST if request.POST.get("form") == "weight" else None)
    if request.method == "POST":
        if request.POST.get("form") == "policy" and admin:
            response = save_form(
                request,
                policy_form,
                lambda data: services.performance_policy_update(data=data, actor=user),
                success=_("Saved."),
                redirect_to="targets-kpis",
            )
        elif request.POST.get("form") == "weight" and can_weigh:
            response = save_form(
                request,
                weight_form,
                lambda data: services.scorecard_weight_save(actor=user, **data),
                success=_("Saved."),
                redirect_to="targets-kpis",
            )
        else:
            raise PermissionDenied
        if response:
            return response
    visible = kpis_for_user(user)
    boxes = []
    if admin:
        policy_form.fields["form"] = forms.forms.CharField(widget=forms.forms.HiddenInput, initial="policy")
        boxes.append(
            {
                "title": _("Performance policy"),
                "form": policy_form,
                "action": "",
                "submit": _("Save"),
                "testid": "policy-save",
            }
        )
    if can_weigh:
        weight_form.fields["form"] = forms.forms.CharField(widget=forms.forms.HiddenInput, initial="weight")
        boxes.append(
            {
                "title": _("Scorecard weight"),
                "form": weight_form,
                "action": "",
                "submit": _("Save"),
                "testid": "weight-save",
            }
        )
    weights = {line.kpi: line for line in ScorecardWeight.objects.all()}
    return page(
        request,
        _("KPIs"),
        subtitle=_(
            "Sales are counted by: %(measure)s. Each KPI is defined once; "
            "pages, exports, the API and scorecards read it from here."
        )
        % {"measure": policy.get_measure_display()},
        tables=[
            table(
                [_("Code"), _("KPI"), _("Formula"), _("Owner"), pgettext("org", "Unit"), _("Better"), _("Weight %")],
                [
                    [
                        cell(kpi.code, code=True),
                        kpi.label,
                        kpi.formula,
                        apps.get_app_config(kpi.owner).verbose_name,
                        Unit(kpi.unit).label,
                        _("higher") if kpi.higher_is_better else _("lower"),
                        weights[kpi.code].weight if kpi.code in weights else "",
                    ]
                    for kpi in visible
                ],
                testid="kpi-table",
            )
        ],
        forms=boxes,
    )


# --- target plans ----------------------------------------------------------------------------------------
@login_required
def plan_list(request):
    user = request.user
    if not (user.is_superuser or user.roles & selectors.PLAN_READERS):
        raise PermissionDenied
    can_write = user.is_superuser or user.roles & services.PLAN_WRITE_ROLES
    form = forms.PlanForm(
        request.POST or None,
        initial={"year": company_date().year + 1, "month_method": "seasonality", "org_method": "last_year"},
    )
    if request.method == "POST":
        if not can_write:
            raise PermissionDenied
        response = save_form(
            request,
            form,
            lambda data: services.target_plan_create(actor=user, **data),
            success=_("Target plan created and split down to every rep."),
            redirect_to=lambda plan: reverse("targets-plan", args=[plan.pk]),
        )
        if response:
            return response
    listing = ListPage(
        request=request,
        queryset=selectors.plan_list_for_user(user=user),
        title=gettext_lazy("Targets"),
        columns=[
            Column("year", gettext_lazy("Year"), sort="year", link=lambda p: reverse("targets-plan", args=[p.pk])),
            Column("version", gettext_lazy("Version"), sort="version"),
            Column("total", gettext_lazy("Annual target"), sort="total", numeric=True),
            Column("measure", gettext_lazy("Sales measure"), value=lambda p: p.get_measure_display()),
            Column("status", gettext_lazy("Status"), sort="status", value=lambda p: p.get_status_display()),
            Column("approved_at", gettext_lazy("Approved at"), sort="approved_at"),
        ],
        filters=[Filter("status", gettext_lazy("Status"), TargetPlan.Status.choices)],
        default_sort="-year",
        export_name="target-plans",
        empty_message=gettext_lazy("No targets yet. Set next year's target below."),
        extra={"form": form if can_write else None},
    )
    if request.GET.get("export") == "xlsx":
        return listing.export()
    context = listing.context()
    return render(request, "targets/plan_list.html", context)


def _plan_for(request, pk) -> TargetPlan:
    plan = selectors.plan_list_for_user(user=request.user).filter(pk=pk).first()
    if plan is None:
        raise Http404
    return plan


@login_required
def plan_detail(request, pk):
    plan = _plan_for(request, pk)
    user = request.user
    can_write = bool(user.is_superuser or user.roles & services.PLAN_WRITE_ROLES)
    rows = list(selectors.target_rows_for_user(user=user, plan=plan))
    month = request.GET.get("month", "")
    months = sorted({row.month for row in rows})
    chosen = next((m for m in months if f"{m:%Y-%m}" == month), months[0] if months else None)
    company = [row for row in rows if row.level == Target.Level.COMPANY]
    by_parent = {}
    for row in rows:
        by_parent.setdefault(row.parent_id, []).append(row)
    tree_rows = []

    def walk(node, depth):
        tree_rows.append(["\u2003" * depth + node.node_label, node.get_level_display(), cell(node.amount, unit=MONEY)])
        for child in by_parent.get(node.pk, []):
            walk(child, depth + 1)

    roots = [
        row
        for row in rows
        if row.month == chosen and (row.parent_id is None or row.parent_id not in {r.pk for r in rows})
    ]
    for root in roots:
        walk(root, 0)
    if request.GET.get("export") == "xlsx":
        return _xlsx(
            f"targets-{plan.year}-v{plan.version}",
            [
                _("Month"),
                _("Level"),
                pgettext("org", "Unit"),
                _("Sales rep"),
                _("Customer"),
                _("Product family"),
                _("Target"),
            ],
            [
                [
                    r.month,
                    r.get_level_display(),
                    r.org_unit and r.org_unit.name,
                    r.rep and r.rep.display_name,
                    r.customer and r.customer.name,
                    r.family and r.family.name,
                    r.amount,
                ]
                for r in rows
            ],
        )
    buttons = [{"label": _("Export to Excel"), "url": "?export=xlsx", "testid": "plan-export"}]
    boxes = []
    if can_write and plan.is_editable:
        buttons.append(
            {
                "label": _("Submit for approval"),
                "url": reverse("targets-plan-submit", args=[plan.pk]),
                "post": True,
                "testid": "plan-submit",
            }
        )
        boxes.append(
            {
                "title": _("Split a rep's target over customers or product families"),
                "form": forms.SplitRepForm(reps=selectors.reps_for_user(user=user)),
                "action": reverse("targets-plan-split", args=[plan.pk]),
                "submit": _("Split"),
                "testid": "plan-split",
            }
        )
    if can_write and plan.status == TargetPlan.Status.APPROVED:
        buttons.append(
            {
                "label": _("Revise (new version)"),
                "url": reverse("targets-plan-revise", args=[plan.pk]),
                "post": True,
                "testid": "plan-revise",
            }
        )
    month_table = table(
        [_("Month"), _("Target")],
        [[formatting.month(row.month), cell(row.amount, unit=MONEY)] for row in company],
        title=_("Months"),
        testid="plan-months",
    )
    quarters: dict[str, Decimal] = {}
    for row in company:  # the year is split into quarters first, each quarter into its months
        key = f"{row.month.year}-Q{(row.month.month - 1) // 3 + 1}"
        quarters[key] = quarters.get(key, Decimal(0)) + row.amount
    quarter_table = table(
        [_("Quarter"), _("Target")],
        [[key, cell(amount, unit=MONEY)] for key, amount in quarters.items()],
        title=_("Quarters"),
        testid="plan-quarters",
    )
    return render(
        request,
        "targets/plan_detail.html",
        {
            "title": _("Target %(year)s, version %(version)s") % {"year": plan.year, "version": plan.version},
            "plan": plan,
            "buttons": buttons,
            "cards": [
                {"label": _("Annual target"), "value": plan.total, "unit": MONEY},
                {"label": _("Status"), "value": plan.get_status_display()},
                {"label": _("Sales measure"), "value": plan.get_measure_display()},
            ],
            "charts": [
                chart(
                    "months-chart",
                    bars([f"{r.month:%m}" for r in company], {_("Target"): [r.amount for r in company]}),
                    240,
                )
            ]
            if company
            else [],
            "tables": [
                quarter_table,
                month_table,
                table(
                    [_("Name"), _("Level"), _("Target")],
                    tree_rows,
                    title=_("Split of %(month)s") % {"month": formatting.month(chosen) if chosen else ""},
                    testid="plan-tree",
                ),
            ],
            "months": [f"{m:%Y-%m}" for m in months],
            "chosen": f"{chosen:%Y-%m}" if chosen else "",
            "editable_months": company if can_write and plan.is_editable else [],
            "forms": boxes,
            "history": history_for(plan)[:30],
        },
    )


def _plan_action(request, pk, action, success):
    plan = _plan_for(request, pk)
    result = action(plan)
    messages.success(request, success)
    return redirect("targets-plan", pk=getattr(result, "pk", plan.pk))


@login_required
@require_POST
@action_view
def plan_submit(request, pk):
    return _plan_action(
        request, pk, lambda plan: services.target_plan_submit(plan=plan, actor=request.user), _("Sent for approval.")
    )


@login_required
@require_POST
@action_view
def plan_revise(request, pk):
    return _plan_action(
        request,
        pk,
        lambda plan: services.target_plan_revise(plan=plan, actor=request.user),
        _("A new version was made; change it and send it for approval."),
    )


@login_required
@require_POST
@action_view
def plan_split(request, pk):
    plan = _plan_for(request, pk)
    form = forms.SplitRepForm(request.POST, reps=selectors.reps_for_user(user=request.user))
    if not form.is_valid():
        raise ValidationFailed(_("Choose a rep, what to split by and the weights."))
    count = services.target_split_rep(plan=plan, actor=request.user, **form.cleaned_data)
    messages.success(request, _("%(count)d targets made.") % {"count": count})
    return redirect("targets-plan", pk=plan.pk)


@login_required
@require_POST
@action_view
def plan_months(request, pk):
    """The twelve months set by hand (the year's total follows)."""
    plan = _plan_for(request, pk)
    company = Target.objects.filter(plan=plan, level=Target.Level.COMPANY)
    amounts = {row.pk: request.POST.get(f"amount_{row.pk}", "").strip().replace(",", "") for row in company}
    services.target_set_children(parent=None, plan=plan, amounts=amounts, actor=request.user)
    messages.success(request, _("Months saved; every split below them follows."))
    return redirect("targets-plan", pk=plan.pk)


# --- commissions ---------------------------------------------------------------------------------------
@login_required
def commission_home(request):
    user = request.user
    can_run = user.is_superuser or user.roles & commissions.RUN_ROLES
    form = forms.RunForm(request.POST or None)
    if request.method == "POST":
        if not can_run:
            raise PermissionDenied
        response = save_form(
            request,
            form,
            lambda data: commissions.commission_run_create(month=data["month"], actor=user),
            success=_("Commission computed."),
            redirect_to=lambda run: reverse("targets-commission-run", args=[run.pk]),
        )
        if response:
            return response
    tables, cards = [], []
    if Role.SALES_REP in user.roles:
        estimate = commissions.commission_estimate(rep=user)
        cards = [
            {"label": _("Commission estimate this month"), "value": estimate.total, "unit": MONEY},
            {"label": _("Achievement"), "value": estimate.achievement, "unit": "percent"},
            {"label": _("Sales"), "value": estimate.sales, "unit": MONEY},
            {"label": _("Collected"), "value": estimate.collected, "unit": MONEY},
        ]
        tables.append(_lines_table([line | {"family": None} for line in estimate.lines], _("This month so far")))
    runs = selectors.commission_run_list_for_user(user=user)
    if runs.exists() or can_run:
        tables.append(
            table(
                [_("Number"), _("Month"), _("Status"), _("Total commission")],
                [
                    [
                        cell(r.number, link=reverse("targets-commission-run", args=[r.pk])),
                        formatting.month(r.month),
                        r.get_status_display(),
                        cell(r.total, unit=MONEY),
                    ]
                    for r in runs[:24]
                ],
                title=_("Monthly runs"),
                testid="commission-runs",
            )
        )
    statements = selectors.statement_list_for_user(user=user).order_by("-run__month", "rep__username")[:50]
    tables.append(
        table(
            [_("Month"), _("Sales rep"), _("Achievement"), _("Earned"), _("Clawed back"), _("Commission"), _("Status")],
            [
                [
                    formatting.month(s.run.month),
                    cell(s.rep.display_name, link=reverse("targets-statement", args=[s.pk])),
                    cell(s.achievement, unit="percent"),
                    cell(s.earned, unit=MONEY),
                    cell(s.clawback, unit=MONEY),
                    cell(s.total, unit=MONEY),
                    s.run.get_status_display(),
                ]
                for s in statements
            ],
            title=pgettext("commission", "Statements"),
            testid="commission-statements",
        )
    )
    rules = CommissionRule.objects.filter(active=True).select_related("family")
    tables.append(
        table(
            [
                _("Rule"),
                pgettext("commission", "Paid on"),
                _("Product family"),
                _("Rate %"),
                _("From achievement %"),
                _("Below achievement %"),
            ],
            [
                [
                    r.name,
                    r.get_base_display(),
                    r.family.name if r.family else _("All"),
                    r.rate,
                    r.min_achievement,
                    r.max_achievement if r.max_achievement is not None else "—",
                ]
                for r in rules
            ],
            title=_("Commission rules"),
        )
    )
    boxes = (
        [
            {
                "title": _("Compute a month's commission"),
                "form": form,
                "action": "",
                "submit": _("Compute"),
                "testid": "run-create",
            }
        ]
        if can_run
        else []
    )
    return page(request, _("Commissions"), cards=cards, tables=tables, forms=boxes)


def _lines_table(lines, title):
    return table(
        [_("Kind"), _("Rule"), _("Document"), _("Base"), _("Rate %"), _("Amount")],
        [
            [
                dict(CommissionLineKinds()).get(str(line["kind"]), line["kind"]),
                line["rule_name"],
                line.get("reference") or "",
                cell(line["base"], unit=MONEY),
                line["rate"],
                cell(line["amount"], unit=MONEY),
            ]
            for line in lines
        ],
        title=title,
        testid="commission-lines",
    )


def CommissionLineKinds():  # noqa: N802 - reads like the choices it returns
    from salesops.targets.models import CommissionLine

    return CommissionLine.Kind.choices


@login_required
def commission_run_detail(request, pk):
    run = selectors.commission_run_list_for_user(user=request.user).filter(pk=pk).first()
    if run is None:
        raise Http404
    statements = run.statements.select_related("rep", "team").order_by("-total", "rep__username")
    headers = [
        _("Sales rep"),
        _("Team"),
        _("Target"),
        _("Sales"),
        _("Achievement"),
        _("Collected"),
        _("Earned"),
        _("Clawed back"),
        _("Commission"),
    ]
    if request.GET.get("export") == "xlsx":
        return _xlsx(
            run.number,
            headers,
            [
                [
                    s.rep.display_name,
                    s.team.name if s.team else "",
                    s.target,
                    s.sales,
                    s.achievement,
                    s.collected,
                    s.earned,
                    s.clawback,
                    s.total,
                ]
                for s in statements
            ],
        )
    buttons = [{"label": _("Export to Excel"), "url": "?export=xlsx", "testid": "run-export"}]
    if run.status in (CommissionRun.Status.DRAFT, CommissionRun.Status.REJECTED) and (
        request.user.is_superuser or request.user.roles & commissions.RUN_ROLES
    ):
        buttons.append(
            {
                "label": _("Submit for approval"),
                "url": reverse("targets-commission-run-submit", args=[run.pk]),
                "post": True,
                "testid": "run-submit",
            }
        )
    return page(
        request,
        _("Commission run %(number)s · %(month)s") % {"number": run.number, "month": formatting.month(run.month)},
        buttons=buttons,
        cards=[
            {"label": _("Status"), "value": run.get_status_display()},
            {"label": _("Total commission"), "value": run.total, "unit": MONEY},
            {"label": _("Reps"), "value": statements.count()},
        ],
        charts=[
            chart(
                "run-chart",
                bars(
                    [s.rep.display_name for s in statements[:20]], {_("Commission"): [s.total for s in statements[:20]]}
                ),
            )
        ]
        if statements
        else [],
        tables=[
            table(
                headers,
                [
                    [
                        cell(s.rep.display_name, link=reverse("targets-statement", args=[s.pk])),
                        s.team.name if s.team else "",
                        cell(s.target, unit=MONEY),
                        cell(s.sales, unit=MONEY),
                        cell(s.achievement, unit="percent"),
                        cell(s.collected, unit=MONEY),
                        cell(s.earned, unit=MONEY),
                        cell(s.clawback, unit=MONEY),
                        cell(s.total, unit=MONEY),
                    ]
                    for s in statements
                ],
                testid="run-statements",
            )
        ],
        history=history_for(run)[:20],
    )


@login_required
@require_POST
@action_view
def commission_run_submit(request, pk):
    run = selectors.commission_run_list_for_user(user=request.user).filter(pk=pk).first()
    if run is None:
        raise Http404
    commissions.commission_run_submit(run=run, actor=request.user)
    messages.success(request, _("Sent for approval."))
    return redirect("targets-commission-run", pk=run.pk)


@login_required
def statement_detail(request, pk):
    statement = selectors.statement_list_for_user(user=request.user).filter(pk=pk).first()
    if statement is None:
        raise Http404
    lines = list(statement.lines.values("kind", "rule_name", "reference", "base", "rate", "amount"))
    if request.GET.get("export") == "xlsx":
        return _xlsx(
            f"{statement.run.number}-{statement.rep.username}",
            [_("Kind"), _("Rule"), _("Document"), _("Base"), _("Rate %"), _("Amount")],
            [[x["kind"], x["rule_name"], x["reference"], x["base"], x["rate"], x["amount"]] for x in lines],
        )
    return page(
        request,
        _("Commission statement · %(rep)s · %(month)s")
        % {"rep": statement.rep.display_name, "month": formatting.month(statement.run.month)},
        buttons=[{"label": _("Export to Excel"), "url": "?export=xlsx", "testid": "statement-export"}],
        cards=[
            {"label": _("Target"), "value": statement.target, "unit": MONEY},
            {"label": _("Sales"), "value": statement.sales, "unit": MONEY},
            {"label": _("Achievement"), "value": statement.achievement, "unit": "percent"},
            {"label": _("Collected"), "value": statement.collected, "unit": MONEY},
            {"label": _("Earned"), "value": statement.earned, "unit": MONEY},
            {"label": _("Clawed back"), "value": statement.clawback, "unit": MONEY},
            {"label": _("Commission"), "value": statement.total, "unit": MONEY},
        ],
        tables=[_lines_table(lines, _("Lines"))],
    )


# --- expenses ------------------------------------------------------------------------------------------
@login_required
def claim_list(request):
    user = request.user
    can_claim = user.is_superuser or user.roles & expenses.CLAIM_ROLES
    form = forms.ClaimForm(request.POST or None)
    if request.method == "POST":
        if not can_claim:
            raise PermissionDenied
        response = save_form(
            request,
            form,
            lambda data: expenses.expense_claim_submit(
                actor=user,
                expense_type=data["expense_type"],
                spent_on_day=data["spent_on"],
                amount=data["amount"],
                description=data["description"],
            ),
            success=_("Claim filed and sent for approval."),
            redirect_to=lambda claim: reverse("targets-claim", args=[claim.pk]),
        )
        if response:
            return response
    listing = ListPage(
        request=request,
        queryset=selectors.claim_list_for_user(user=user),
        title=gettext_lazy("Expense claims"),
        columns=selectors.claim_columns(),
        filters=[
            Filter("status", gettext_lazy("Status"), ExpenseClaim.Status.choices),
            Filter(
                "over_budget",
                gettext_lazy("Over budget"),
                [("1", gettext_lazy("Yes"))],
                apply=lambda qs, v: qs.filter(over_budget=True),
            ),
        ],
        search_fields=["number", "description", "claimant__full_name"],
        default_sort="-spent_on",
        export_name="expense-claims",
        empty_message=gettext_lazy("No claims yet."),
        extra={"form": form if can_claim else None},
    )
    if request.GET.get("export") == "xlsx":
        return listing.export()
    return render(request, "targets/claim_list.html", listing.context())


@login_required
def claim_detail(request, pk):
    claim = selectors.claim_list_for_user(user=request.user).filter(pk=pk).first()
    if claim is None:
        raise Http404
    buttons = []
    if claim.claimant_id == request.user.pk and claim.status == ExpenseClaim.Status.PENDING_APPROVAL:
        buttons.append(
            {
                "label": _("Withdraw"),
                "url": reverse("targets-claim-cancel", args=[claim.pk]),
                "post": True,
                "confirm": _("Withdraw this claim?"),
                "testid": "claim-cancel",
            }
        )
    return page(
        request,
        _("Expense claim %(number)s") % {"number": claim.number},
        buttons=buttons,
        cards=[
            {"label": _("Amount"), "value": claim.amount, "unit": MONEY},
            {"label": _("Budget remaining before"), "value": claim.remaining_before, "unit": MONEY},
            {"label": _("Over budget"), "value": _("Yes") if claim.over_budget else _("No")},
            {"label": _("Status"), "value": claim.get_status_display()},
        ],
        subtitle=" · ".join(
            [
                claim.claimant.display_name,
                claim.expense_type.name,
                formatting.date(claim.spent_on, short=True),
                claim.description,
            ]
        ),
        history=history_for(claim)[:20],
    )


@login_required
@require_POST
@action_view
def claim_cancel(request, pk):
    claim = selectors.claim_list_for_user(user=request.user).filter(pk=pk).first()
    if claim is None:
        raise Http404
    expenses.expense_claim_cancel(claim=claim, actor=request.user)
    messages.success(request, _("Claim withdrawn."))
    return redirect("targets-claim", pk=claim.pk)


@login_required
def budget_page(request):
    user = request.user
    if not (user.is_superuser or user.roles & selectors.PLAN_READERS):
        raise PermissionDenied
    today = company_date()
    month_text = request.GET.get("month") or f"{today:%Y-%m}"
    try:
        month = periods.parse_period(month_text, field="month")
    except ValidationFailed:
        month = periods.month(today)
    if month.kind != "month":
        month = periods.month(month.start)
    reps = selectors.reps_for_user(user=user)
    teams = OrgUnit.objects.filter(pk__in={rep.org_unit_id for rep in reps}).order_by("path")
    can_budget = user.is_superuser or user.roles & expenses.BUDGET_ROLES
    form = forms.BudgetForm(request.POST or None, teams=teams, reps=reps, initial={"month": month.start})
    if request.method == "POST":
        if not can_budget:
            raise PermissionDenied
        response = save_form(
            request,
            form,
            lambda data: expenses.expense_budget_set(actor=user, **data),
            success=_("Budget saved."),
            redirect_to=reverse("targets-budgets") + f"?month={month.key}",
        )
        if response:
            return response
    budgets = selectors.budget_list_for_user(user=user).filter(month=month.start)
    rows, names, budgeted, spent_values = [], [], [], []
    for budget in budgets.order_by("team__path", "expense_type__code", "rep_id"):
        spent = expenses.spent_on(budget)
        rows.append(
            [
                budget.team.name,
                budget.rep.display_name if budget.rep else _("Whole team"),
                budget.expense_type.name,
                cell(budget.amount, unit=MONEY),
                cell(spent, unit=MONEY),
                cell(budget.amount - spent, unit=MONEY),
            ]
        )
        names.append(f"{budget.team.name} {budget.expense_type.name}")
        budgeted.append(budget.amount)
        spent_values.append(spent)
    card = scorecard(reps=reps, period=month, group_by="team", kpi_codes=["sales", "cost_of_sales"], user=user)
    return page(
        request,
        _("Expense budgets %(month)s") % {"month": month.key},
        subtitle=_("Spent counts claims approved or waiting for approval."),
        cards=[{"label": _("Cost of sales"), "value": card["totals"].values.get("cost_of_sales"), "unit": "percent"}],
        charts=[chart("budget-chart", bars(names, {_("Budget"): budgeted, _("Spent"): spent_values}))] if rows else [],
        tables=[
            table(
                [_("Team"), _("Sales rep"), _("Type"), _("Budget"), _("Spent"), _("Remaining")],
                rows,
                testid="budget-table",
                empty=_("No budget for this month yet."),
            ),
            table(
                [_("Team"), _("Sales"), _("Cost of sales")],
                [
                    [
                        r.name,
                        cell(r.values.get("sales"), unit=MONEY),
                        cell(r.values.get("cost_of_sales"), unit="percent"),
                    ]
                    for r in card["rows"]
                ],
                title=_("Cost of sales by team"),
            ),
        ],
        forms=[{"title": _("Set a budget"), "form": form, "action": "", "submit": _("Save"), "testid": "budget-save"}]
        if can_budget
        else [],
    )


# --- profit plans -----------------------------------------------------------------------------------------
@login_required
def profit_plan_list(request):
    listing = ListPage(
        request=request,
        queryset=selectors.profit_plan_list_for_user(user=request.user),
        title=gettext_lazy("Customer profit plans"),
        columns=[
            Column(
                "number",
                gettext_lazy("Number"),
                sort="number",
                link=lambda p: reverse("targets-profit-plan", args=[p.pk]),
            ),
            Column("month", gettext_lazy("Plan month"), sort="month", value=lambda p: formatting.month(p.month)),
            Column("rep__display_name", gettext_lazy("Sales rep")),
            Column("revenue", gettext_lazy("Expected revenue"), sort="revenue", kind="money"),
            Column("profit", gettext_lazy("Expected profit"), sort="profit", kind="money"),
            Column("status", gettext_lazy("Status"), sort="status", value=lambda p: p.get_status_display()),
            Column("submitted_at", gettext_lazy("Submitted at"), sort="submitted_at"),
        ],
        filters=[Filter("status", gettext_lazy("Status"), ProfitPlan.Status.choices)],
        search_fields=["number", "rep__full_name"],
        default_sort="-month",
        export_name="profit-plans",
        actions_template="targets/partials/profit_plan_actions.html" if Role.SALES_REP in request.user.roles else None,
        empty_message=gettext_lazy("No profit plans yet. Reps plan next month by the 20th."),
    )
    return listing.response()


@login_required
def profit_plan_edit(request):
    """The rep's plan for a month: one row per key customer."""
    user = request.user
    if Role.SALES_REP not in user.roles:
        raise PermissionDenied
    from salesops.planning.periods import add_months

    try:
        month = periods.parse_period(request.GET.get("month", ""), field="month").start
    except ValidationFailed:
        month = add_months(company_date().replace(day=1), 1)
    plan = ProfitPlan.objects.filter(rep=user, month=month).first()
    customers = list(Customer.objects.filter(owner=user).order_by("name")[:200])
    existing = {line.customer_id: line for line in plan.lines.all()} if plan else {}
    errors: dict = {}
    if request.method == "POST":
        lines = []
        for customer in customers:
            if request.POST.get(f"use_{customer.pk}"):
                lines.append(
                    {
                        "customer": str(customer.pk),
                        **{name: request.POST.get(f"{name}_{customer.pk}", "") for name in profit.LINE_FIELDS},
                    }
                )
        try:
            saved = profit.profit_plan_save(
                rep=user, month=month, lines=lines, actor=user, note=request.POST.get("note", "")
            )
            if request.POST.get("submit"):
                profit.profit_plan_submit(plan=saved, actor=user)
                messages.success(request, _("Plan submitted."))
            else:
                messages.success(request, _("Plan saved."))
            return redirect("targets-profit-plan", pk=saved.pk)
        except ApplicationError as error:
            errors = {"message": error.message, "fields": error.fields}
    rows = [
        {
            "customer": customer,
            "use": customer.pk in existing or request.POST.get(f"use_{customer.pk}"),
            **{
                name: request.POST.get(f"{name}_{customer.pk}", getattr(existing.get(customer.pk), name, ""))
                for name in profit.LINE_FIELDS
            },
        }
        for customer in customers
    ]
    return render(
        request,
        "targets/profit_plan_edit.html",
        {
            "month": month,
            "plan": plan,
            "rows": rows,
            "errors": errors,
            "locked": plan is not None and not plan.is_editable,
        },
    )


@login_required
def profit_plan_detail(request, pk):
    plan = selectors.profit_plan_list_for_user(user=request.user).filter(pk=pk).first()
    if plan is None:
        raise Http404
    rows = profit.plan_versus_actual(plan)
    buttons = []
    if plan.rep_id == request.user.pk and plan.is_editable:
        buttons.append(
            {
                "label": _("Change"),
                "url": reverse("targets-profit-plan-edit") + f"?month={plan.month:%Y-%m}",
                "testid": "plan-edit",
            }
        )
    return page(
        request,
        _("Customer profit plan %(number)s · %(month)s")
        % {"number": plan.number, "month": formatting.month(plan.month)},
        buttons=buttons,
        cards=[
            {"label": _("Sales rep"), "value": plan.rep.display_name},
            {"label": _("Status"), "value": plan.get_status_display()},
            {"label": _("Expected revenue"), "value": plan.revenue, "unit": MONEY},
            {"label": _("Expected profit"), "value": plan.profit, "unit": MONEY},
        ],
        tables=[
            table(
                [
                    _("Customer"),
                    _("Volume"),
                    _("Average price"),
                    _("Gross margin %"),
                    _("Promotion"),
                    _("Sales expenses"),
                    _("Expected revenue"),
                    _("Expected profit"),
                ],
                [
                    [
                        x.customer.name,
                        x.volume,
                        cell(x.price, unit=MONEY),
                        x.margin_percent,
                        cell(x.promotion, unit=MONEY),
                        cell(x.expenses, unit=MONEY),
                        cell(x.revenue, unit=MONEY),
                        cell(x.profit, unit=MONEY),
                    ]
                    for x in plan.lines.select_related("customer")
                ],
                testid="profit-plan-lines",
            ),
            table(
                [_("Customer"), _("Expected revenue"), _("Invoiced"), pgettext("difference", "Gap")],
                [
                    [
                        r["customer"].name,
                        cell(r["planned_revenue"], unit=MONEY),
                        cell(r["actual_revenue"], unit=MONEY),
                        cell(r["gap"], unit=MONEY),
                    ]
                    for r in rows
                ],
                title=_("Plan vs actual"),
            ),
        ],
        history=history_for(plan)[:20],
    )


# --- business reviews ---------------------------------------------------------------------------------------
def _review_units(user):
    if user.is_superuser or user.roles & {Role.SALES_DIRECTOR, Role.GENERAL_MANAGER, Role.SYSADMIN}:
        return OrgUnit.objects.filter(active=True).exclude(kind=OrgUnit.Kind.TEAM).order_by("path")
    if user.org_unit_id and user.roles & review.REVIEW_ROLES:
        return (
            OrgUnit.objects.filter(active=True, path__startswith=user.org_unit.path)
            .exclude(kind=OrgUnit.Kind.TEAM)
            .order_by("path")
        )
    return OrgUnit.objects.none()


@login_required
def review_list(request):
    user = request.user
    if not (user.is_superuser or user.roles & selectors.PLAN_READERS):
        raise PermissionDenied
    units = _review_units(user)
    form = forms.ReviewForm(request.POST or None, units=units)
    if request.method == "POST":
        response = save_form(
            request,
            form,
            lambda data: review.review_prepare(actor=user, **data),
            success=_("Pack prepared."),
            redirect_to=lambda r: reverse("targets-review", args=[r.pk]),
        )
        if response:
            return response
    listing = ListPage(
        request=request,
        queryset=selectors.review_list_for_user(user=user),
        title=gettext_lazy("Business reviews"),
        columns=[
            Column(
                "number", gettext_lazy("Number"), sort="number", link=lambda r: reverse("targets-review", args=[r.pk])
            ),
            Column("month", gettext_lazy("Month reviewed"), sort="month", value=lambda r: formatting.month(r.month)),
            Column("unit__name", pgettext_lazy("org", "Unit")),
            Column("status", gettext_lazy("Status"), sort="status", value=lambda r: r.get_status_display()),
            Column("held_at", gettext_lazy("Held at"), sort="held_at"),
        ],
        filters=[Filter("status", gettext_lazy("Status"), BusinessReview.Status.choices)],
        default_sort="-month",
        export_name="business-reviews",
        empty_message=gettext_lazy("No reviews yet. Prepare last month's pack below."),
        extra={"form": form if units.exists() else None},
    )
    if request.GET.get("export") == "xlsx":
        return listing.export()
    return render(request, "targets/review_list.html", listing.context())


def _review_for(request, pk) -> BusinessReview:
    found = selectors.review_list_for_user(user=request.user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


@login_required
def review_detail(request, pk):
    item = _review_for(request, pk)
    user = request.user
    action_form = forms.ActionForm(request.POST or None)
    hold_form = forms.HoldForm(request.POST or None, initial={"summary": item.summary})
    if request.method == "POST":
        if request.POST.get("form") == "hold":
            response = save_form(
                request,
                hold_form,
                lambda data: review.review_hold(review=item, actor=user, **data),
                success=_("Review held; the pack is frozen."),
                redirect_to=reverse("targets-review", args=[item.pk]),
            )
        else:
            response = save_form(
                request,
                action_form,
                lambda data: review.review_action_add(review=item, actor=user, **data),
                success=_("Action added."),
                redirect_to=reverse("targets-review", args=[item.pk]),
            )
        if response:
            return response
    data = item.data or {}
    kpis = data.get("kpis", [])
    headers = [_("Name"), *[kpi["label"] for kpi in kpis], _("Score")]

    def rows(key):
        return [
            [
                r["name"],
                *[cell(None if r.get(k["code"]) is None else Decimal(r[k["code"]]), unit=k["unit"]) for k in kpis],
                r["score"],
            ]
            for r in data.get(key, [])
        ]

    teams = [r for r in data.get("teams", []) if r["score"] != ""]
    open_item = item.status == BusinessReview.Status.OPEN
    buttons = [
        {"label": _("PDF"), "url": reverse("targets-review-pdf", args=[item.pk]), "testid": "review-pdf"},
        {"label": _("Excel"), "url": reverse("targets-review-xlsx", args=[item.pk]), "testid": "review-xlsx"},
    ]
    if open_item:
        buttons.append(
            {
                "label": _("Refresh figures"),
                "url": reverse("targets-review-refresh", args=[item.pk]),
                "post": True,
                "testid": "review-refresh",
            }
        )
    earlier = list(review.open_actions_before(item))
    actions = list(item.actions.select_related("owner"))

    def action_rows(items):
        return [
            [
                a.issue,
                a.action,
                a.owner.display_name,
                formatting.date(a.due_date, short=True),
                a.get_status_display(),
                cell(
                    a.outcome or (_("Mark done") if a.status == ReviewAction.Status.OPEN else ""),
                    link=reverse("targets-review-action", args=[a.pk])
                    if a.status == ReviewAction.Status.OPEN
                    else None,
                ),
            ]
            for a in items
        ]

    action_headers = [
        pgettext("problem", "Issue"),
        pgettext("corrective action", "Action"),
        _("Owner"),
        pgettext("deadline", "Due"),
        _("Status"),
        _("Outcome"),
    ]
    boxes = []
    if open_item:
        action_form.fields["form"] = forms.forms.CharField(widget=forms.forms.HiddenInput, initial="action")
        hold_form.fields["form"] = forms.forms.CharField(widget=forms.forms.HiddenInput, initial="hold")
        boxes = [
            {
                "title": _("Add an issue and its action"),
                "form": action_form,
                "action": "",
                "submit": _("Add"),
                "testid": "action-add",
            },
            {
                "title": _("The review was held"),
                "form": hold_form,
                "action": "",
                "submit": _("Mark held and freeze the pack"),
                "testid": "review-hold",
            },
        ]
    ranked = [
        [_("Top"), r["name"], cell(Decimal(r["value"]), unit=MONEY)] for r in data.get("customers", {}).get("top", [])
    ] + [
        [_("Bottom"), r["name"], cell(Decimal(r["value"]), unit=MONEY)]
        for r in data.get("customers", {}).get("bottom", [])
    ]
    products = [
        [_("Top"), r["name"], cell(Decimal(r["value"]), unit=MONEY)] for r in data.get("products", {}).get("top", [])
    ] + [
        [_("Bottom"), r["name"], cell(Decimal(r["value"]), unit=MONEY)]
        for r in data.get("products", {}).get("bottom", [])
    ]
    return page(
        request,
        _("Business review %(unit)s · %(month)s") % {"unit": item.unit.name, "month": formatting.month(item.month)},
        subtitle=(item.summary or "")
        + (f" · {_('Held at')} {formatting.datetime_(item.held_at, short=True)}" if item.held_at else ""),
        buttons=buttons,
        charts=[
            chart(
                "review-chart",
                bars(
                    [t["name"] for t in teams],
                    {_("Sales"): [t.get("sales") for t in teams], _("Target"): [t.get("target") for t in teams]},
                ),
            )
        ]
        if teams
        else [],
        tables=[
            table(headers, rows("teams"), title=_("Teams: target vs actual"), testid="review-teams"),
            table(headers, rows("reps"), title=_("Reps")),
            table(headers, rows("teams_ytd"), title=_("Year to date")),
            table([_("Rank"), _("Customer"), _("Sales")], ranked, title=_("Top and bottom customers")),
            table([_("Rank"), _("Product"), _("Sales")], products, title=_("Top and bottom products")),
            table(
                [
                    _("Sales rep"),
                    _("Customer"),
                    _("Expected revenue"),
                    _("Expected profit"),
                    _("Invoiced"),
                    pgettext("difference", "Gap"),
                ],
                [
                    [
                        r["rep"],
                        r["customer"],
                        cell(Decimal(r["planned_revenue"]), unit=MONEY),
                        cell(Decimal(r["planned_profit"]), unit=MONEY),
                        cell(Decimal(r["actual_revenue"]), unit=MONEY),
                        cell(Decimal(r["gap"]), unit=MONEY),
                    ]
                    for r in data.get("profit_plans", [])
                ],
                title=_("Profit plans vs actual"),
            ),
            table(
                action_headers,
                action_rows(earlier),
                title=_("Open actions from earlier reviews"),
                testid="review-earlier-actions",
            ),
            table(action_headers, action_rows(actions), title=_("Issues and actions"), testid="review-actions"),
        ],
        forms=boxes,
        history=history_for(item)[:20],
    )


@login_required
@require_POST
@action_view
def review_refresh(request, pk):
    item = _review_for(request, pk)
    review.review_prepare(month=item.month, unit=item.unit, actor=request.user)
    messages.success(request, _("Figures refreshed."))
    return redirect("targets-review", pk=item.pk)


@login_required
def review_action(request, pk):
    item = ReviewAction.objects.select_related("review__unit").filter(pk=pk).first()
    if item is None or not (
        item.owner_id == request.user.pk
        or selectors.review_list_for_user(user=request.user).filter(pk=item.review_id).exists()
    ):
        raise Http404
    form = forms.OutcomeForm(request.POST or None)
    response = save_form(
        request,
        form,
        lambda data: review.review_action_done(item=item, actor=request.user, **data),
        success=_("Action done."),
        redirect_to=reverse("targets-review", args=[item.review_id])
        if selectors.review_list_for_user(user=request.user).filter(pk=item.review_id).exists()
        else "home",
    )
    if response:
        return response
    return page(
        request,
        _("Action done: %(action)s") % {"action": item.action[:60]},
        subtitle=f"{item.issue} · {item.owner.display_name} · {formatting.date(item.due_date, short=True)}",
        forms=[
            {"title": _("What was done"), "form": form, "action": "", "submit": _("Mark done"), "testid": "action-done"}
        ],
    )


@login_required
def review_pdf(request, pk):
    item = _review_for(request, pk)
    response = HttpResponse(review.review_pdf(item), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{item.number}.pdf"'
    return response


@login_required
def review_xlsx(request, pk):
    item = _review_for(request, pk)
    response = HttpResponse(review.review_xlsx(item), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{item.number}.xlsx"'
    return response


# --- the general manager's dashboard -------------------------------------------------------------------------
@login_required
def dashboard(request):
    user = request.user
    if not (user.is_superuser or user.roles & (COMPANY_WIDE_SALES_ROLES | {Role.SALES_MANAGER})):
        raise PermissionDenied
    from salesops.targets.home import compliance_rate

    today = company_date()
    mtd = periods.Period("month", today.replace(day=1), today)
    reps = selectors.reps_for_user(user=user)
    codes = ["sales", "target", "achievement", "growth_yoy", "collections", "dso", "overdue_share", "satisfaction"]
    if get_kpi("gross_margin").visible_to(user):
        codes.append("gross_margin")
    regions = scorecard(reps=reps, period=mtd, group_by="region", kpi_codes=codes, user=user)
    teams = scorecard(reps=reps, period=mtd, group_by="team", kpi_codes=codes, user=user)
    year_months = [periods.month(today.replace(month=m, day=1)) for m in range(1, 13)]
    monthly = [
        scorecard(reps=reps, period=p, group_by="rep", kpi_codes=["sales", "target"])["totals"] for p in year_months
    ]
    totals = regions["totals"]
    cards = [
        {"label": get_kpi(code).label, "value": totals.values.get(code), "unit": get_kpi(code).unit} for code in codes
    ]
    cards.append(
        {
            "label": _("SOP compliance"),
            "value": compliance_rate(user=user, period=mtd),
            "unit": "percent",
            "link": reverse("sop-compliance"),
        }
    )
    headers = [_("Name"), *[get_kpi(code).label for code in codes]]

    def rows(card):
        return [[r.name, *[cell(r.values.get(code), unit=get_kpi(code).unit) for code in codes]] for r in card["rows"]]

    return page(
        request,
        _("GM dashboard · %(month)s to date") % {"month": formatting.month(today)},
        cards=cards,
        charts=[
            chart(
                "year-chart",
                bars(
                    [f"{p.start:%m}" for p in year_months],
                    {
                        # months still to come have no sales yet: a gap, not 0
                        _("Sales"): [
                            t.values.get("sales") if p.start <= company_date() else None
                            for p, t in zip(year_months, monthly, strict=True)
                        ],
                        _("Target"): [t.values.get("target") for t in monthly],
                    },
                ),
            ),
            chart(
                "region-chart",
                bars(
                    [r.name for r in regions["rows"]],
                    {
                        _("Achievement"): [r.values.get("achievement") for r in regions["rows"]],
                        _("Overdue share"): [r.values.get("overdue_share") for r in regions["rows"]],
                    },
                ),
            ),
        ],
        tables=[
            table(headers, rows(regions), title=_("Regions"), testid="dashboard-regions"),
            table(headers, rows(teams), title=_("Teams")),
            table(
                [_("Month"), _("Sales"), _("Target")],
                [
                    [
                        formatting.month(p.start),
                        cell(t.values.get("sales"), unit=MONEY),
                        cell(t.values.get("target"), unit=MONEY),
                    ]
                    for p, t in zip(year_months, monthly, strict=True)
                ],
                title=_("The year by month"),
            ),
        ],
    )
