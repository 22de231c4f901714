"""Pages of field sales: today's route on the phone, route cycles with their map, visits,
visit success and coverage, distribution rate, field checks, new outlets, the calendar feed."""

from __future__ import annotations

import datetime
import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from salesops.core.listing import Column, Filter, ListPage
from salesops.core.roles import Role
from salesops.core.selectors import company_date
from salesops.core.web import action_view, save_form
from salesops.crm.selectors import customer_list_for_user
from salesops.field import outlets, services
from salesops.field.forms import FieldCheckForm, FiguresForm, MoveForm, OutletApplicationForm, PlanForm, PublishForm
from salesops.field.ical import visits_ics
from salesops.field.models import Cooler, FieldPolicy, RequiredSku, RouteCycle, Visit
from salesops.field.selectors import (
    coverage_for_user,
    cycle_list_for_user,
    distribution_for_user,
    field_check_list_for_user,
    outlet_application_list_for_user,
    plan_run_list_for_user,
    rep_list_for_user,
    visit_figures,
    visit_list_for_user,
)

DAY_COLOURS = [
    "#2563eb",
    "#dc2626",
    "#16a34a",
    "#9333ea",
    "#ea580c",
    "#0891b2",
    "#ca8a04",
    "#db2777",
    "#4b5563",
    "#65a30d",
]


def _leads(user) -> bool:
    return user.has_role(*services.PLANNERS)


def _field_user(user) -> bool:
    return user.has_role(Role.SALES_REP) or _leads(user)


# --- today's route -----------------------------------------------------------------------------------------
def _map_json(points, routes) -> str:
    return json.dumps({"points": points, "routes": routes}, ensure_ascii=False)


@login_required
def today(request):
    if not request.user.has_role(Role.SALES_REP):
        raise Http404
    date = company_date()
    visits = services.visits_plan_day(rep=request.user, date=date)
    required = {}
    for channel, product_id, name, sku in RequiredSku.objects.values_list(
        "channel", "product_id", "product__name", "product__sku"
    ):
        required.setdefault(channel, []).append({"id": product_id, "name": name, "sku": sku})
    coolers = {}
    for cooler in Cooler.objects.filter(customer__in=[v.customer_id for v in visits], active=True):
        coolers.setdefault(cooler.customer_id, []).append(cooler)
    cards = [
        {
            "visit": v,
            "skus": required.get(v.customer.channel, []),
            "coolers": coolers.get(v.customer_id, []),
        }
        for v in visits
    ]
    located = [v for v in visits if v.customer.latitude is not None]
    points = [
        {"name": v.customer.name, "value": [float(v.customer.longitude), float(v.customer.latitude)], "day": 0}
        for v in located
    ]
    routes = [{"day": 0, "coords": [p["value"] for p in points]}] if len(points) > 1 else []
    customers = customer_list_for_user(user=request.user).filter(owner=request.user).order_by("name")
    return render(
        request,
        "field/today.html",
        {
            "cards": cards,
            "date": date,
            "map_json": _map_json(points, routes),
            "outcomes": Visit.Outcome.choices,
            "customers": customers[:500],
            "policy": FieldPolicy.current(),
        },
    )


def today_home_section(request):
    visits = list(visit_list_for_user(user=request.user).filter(rep=request.user, date=company_date()))
    if not visits:
        return None
    done = sum(1 for v in visits if v.status == Visit.Status.DONE)
    return "field/partials/home_today.html", {"total": len(visits), "done": done}


# --- route cycles ---------------------------------------------------------------------------------------------
@login_required
def cycle_list(request):
    if not _field_user(request.user):
        raise Http404
    plan_form = None
    if _leads(request.user):
        plan_form = PlanForm(request.POST or None, reps=rep_list_for_user(user=request.user))
        saved = save_form(
            request,
            plan_form,
            lambda data: services.route_plan_run_create(actor=request.user, reps=list(data["reps"])),
            success=_("Route planning has started."),
            redirect_to=lambda run: reverse("field-plan-run", args=[run.pk]),
        )
        if saved:
            return saved
    page = ListPage(
        request=request,
        queryset=cycle_list_for_user(user=request.user),
        title=gettext_lazy("Route cycles"),
        columns=[
            Column(
                "rep",
                gettext_lazy("Rep"),
                sort="rep__username",
                value=lambda c: c.rep.display_name,
                link=lambda c: reverse("field-cycle-detail", args=[c.pk]),
            ),
            Column("team", gettext_lazy("Team"), sort="team__name", value=lambda c: c.team.name),
            Column("status", gettext_lazy("Status"), sort="status", value=lambda c: c.get_status_display()),
            Column("starts_on", gettext_lazy("T1 falls on"), sort="starts_on"),
            Column("days", gettext_lazy("Days"), value=lambda c: c.days, numeric=True),
            Column("total_km", gettext_lazy("Travel (km)"), sort="total_km", numeric=True),
            Column("naive_km", gettext_lazy("Travel in list order (km)"), numeric=True),
            Column("created_at", gettext_lazy("Planned at"), sort="created_at", kind="datetime"),
        ],
        filters=[Filter("status", gettext_lazy("Status"), RouteCycle.Status.choices)],
        search_fields=["rep__username", "rep__full_name", "team__name"],
        default_sort="-created_at",
        export_name="route-cycles",
        empty_message=gettext_lazy("No route cycles yet: plan the routes of your reps above."),
        extra={"plan_form": plan_form},
    )
    return page.response("field/cycle_list.html")


@login_required
def plan_run(request, pk: int):
    run = plan_run_list_for_user(user=request.user).filter(pk=pk).first()
    if run is None:
        raise Http404
    template = "field/partials/plan_run.html" if request.headers.get("HX-Request") else "field/plan_run.html"
    return render(request, template, {"run": run, "cycles": run.cycles.select_related("rep")})


def _cycle_or_404(user, pk) -> RouteCycle:
    cycle = cycle_list_for_user(user=user).filter(pk=pk).first()
    if cycle is None:
        raise Http404
    return cycle


@login_required
def cycle_detail(request, pk: int):
    cycle = _cycle_or_404(request.user, pk)
    stops = list(cycle.stops.select_related("customer").order_by("day", "sequence"))
    days = [{"day": d, "label": f"T{d}", "stops": [s for s in stops if s.day == d]} for d in range(1, cycle.days + 1)]
    figures = services.route_cycle_day_figures(cycle)
    for entry in days:
        entry["visit_minutes"] = sum(s.visit_minutes for s in entry["stops"])
        entry["colour"] = DAY_COLOURS[(entry["day"] - 1) % len(DAY_COLOURS)]
        entry["figures"] = figures.get(entry["day"])
    points = [
        {
            "name": f"T{s.day}.{s.sequence} {s.customer.name}",
            "value": [float(s.customer.longitude), float(s.customer.latitude)],
            "day": s.day,
            "stop": s.pk,
        }
        for s in stops
        if s.customer.latitude is not None
    ]
    routes = [
        {
            "day": entry["day"],
            "coords": [[float(s.customer.longitude), float(s.customer.latitude)] for s in entry["stops"]],
        }
        for entry in days
    ]
    can_edit = _leads(request.user) and cycle.status == RouteCycle.Status.DRAFT
    changes = (
        services.route_cycle_changes(cycle=cycle)
        if _leads(request.user) and cycle.status != RouteCycle.Status.RETIRED
        else None
    )
    return render(
        request,
        "field/cycle_detail.html",
        {
            "cycle": cycle,
            "days": days,
            "overtime_days": sum(1 for day in figures.values() if day.overtime),
            "map_json": _map_json(points, routes),
            "colours_json": json.dumps(DAY_COLOURS),
            "can_edit": can_edit,
            "changes": changes,
            "publish_form": PublishForm(initial={"starts_on": cycle.starts_on}),
            "saving": float(cycle.naive_km) / float(cycle.total_km) if cycle.total_km else None,
        },
    )


@login_required
@require_POST
@action_view
def cycle_move(request, pk: int):
    cycle = _cycle_or_404(request.user, pk)
    form = MoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a day of the cycle."))
    else:
        services.route_stop_move(
            cycle=cycle, stop_id=form.cleaned_data["stop"], day=form.cleaned_data["day"], actor=request.user
        )
        messages.success(request, _("The outlet was moved."))
    return redirect("field-cycle-detail", pk=cycle.pk)


@login_required
@require_POST
@action_view
def cycle_publish(request, pk: int):
    cycle = _cycle_or_404(request.user, pk)
    form = PublishForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect("field-cycle-detail", pk=cycle.pk)
    services.route_cycle_publish(cycle=cycle, actor=request.user, starts_on=form.cleaned_data["starts_on"])
    messages.success(request, _("The routes are published."))
    return redirect("field-cycle-detail", pk=cycle.pk)


@login_required
@require_POST
@action_view
def cycle_replan(request, pk: int):
    cycle = _cycle_or_404(request.user, pk)
    draft = services.route_cycle_replan_changes(cycle=cycle, actor=request.user)
    messages.success(request, _("A new draft places the changed outlets; the other stops kept their days."))
    return redirect("field-cycle-detail", pk=draft.pk)


# --- visits -----------------------------------------------------------------------------------------------
@login_required
def visit_list(request):
    if not _field_user(request.user):
        raise Http404
    page = ListPage(
        request=request,
        queryset=visit_list_for_user(user=request.user),
        title=gettext_lazy("Visits"),
        columns=[
            Column(
                "date", gettext_lazy("Date"), sort="date", link=lambda v: reverse("field-visit-detail", args=[v.pk])
            ),
            Column("rep", gettext_lazy("Rep"), sort="rep__username", value=lambda v: v.rep.display_name),
            Column("customer", gettext_lazy("Outlet"), sort="customer__name", value=lambda v: v.customer.name),
            Column("status", gettext_lazy("Status"), sort="status", value=lambda v: v.get_status_display()),
            Column("planned", gettext_lazy("On the route"), value=lambda v: _("Yes") if v.planned else _("No")),
            Column("check_in_at", gettext_lazy("Checked in at"), sort="check_in_at", kind="datetime"),
            Column("check_in_distance_m", gettext_lazy("Distance (m)"), numeric=True),
            Column("outcome", gettext_lazy("Outcome"), value=lambda v: v.get_outcome_display()),
            Column("order", pgettext_lazy("sales", "Order"), value=lambda v: v.order.number if v.order_id else ""),
        ],
        filters=[
            Filter("status", gettext_lazy("Status"), Visit.Status.choices),
            Filter("outcome", gettext_lazy("Outcome"), Visit.Outcome.choices),
        ],
        search_fields=["customer__name", "rep__username", "rep__full_name"],
        default_sort="-date",
        export_name="visits",
        empty_message=gettext_lazy("No visits here."),
    )
    return page.response()


@login_required
def visit_detail(request, pk: int):
    visit = visit_list_for_user(user=request.user).filter(pk=pk).first()
    if visit is None:
        raise Http404
    return render(
        request,
        "field/visit_detail.html",
        {
            "visit": visit,
            "lines": visit.lines.select_related("product"),
            "checks": visit.cooler_checks.select_related("cooler"),
            "photos": visit.photos.all(),
            "is_mine": visit.rep_id == request.user.pk,
            "policy": FieldPolicy.current(),
        },
    )


@login_required
@require_POST
@action_view
def visit_photo(request, pk: int):
    visit = visit_list_for_user(user=request.user).filter(pk=pk, rep=request.user).first()
    if visit is None:
        raise Http404
    upload = request.FILES.get("photo")
    if upload is None:
        messages.error(request, _("Choose a photo."))
    else:
        services.visit_photo_add(visit=visit, actor=request.user, upload=upload)
        messages.success(request, _("Photo added."))
    return redirect("field-visit-detail", pk=visit.pk)


@login_required
def visit_photo_file(request, pk: int, photo_pk: int):
    visit = visit_list_for_user(user=request.user).filter(pk=pk).first()
    photo = visit.photos.filter(pk=photo_pk).first() if visit else None
    if photo is None:
        raise Http404
    response = HttpResponse(photo.file.open("rb").read(), content_type="application/octet-stream")
    response["Content-Disposition"] = f'inline; filename="photo-{photo.pk}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- success rate and coverage --------------------------------------------------------------------------------------
def _figures_form(request) -> FiguresForm:
    return FiguresForm(request.GET if "date_from" in request.GET else FiguresForm.defaults())


def figures_chart(rows, target) -> dict:
    periods = sorted({getattr(r, "period", "") for r in rows})
    labels = sorted({r.label for r in rows})
    by = {(getattr(r, "period", ""), r.label): r for r in rows}
    planned = [sum(by[(p, n)].planned for n in labels if (p, n) in by) for p in periods]
    done = [sum(by[(p, n)].done for n in labels if (p, n) in by) for p in periods]
    success = []
    for p in periods:
        total_done = sum(by[(p, n)].done for n in labels if (p, n) in by)
        ok = sum(by[(p, n)].successful for n in labels if (p, n) in by)
        success.append(round(ok * 100 / total_done, 1) if total_done else None)
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 0},
        "grid": {"left": 40, "right": 40, "bottom": 30, "top": 40},
        "xAxis": {"type": "category", "data": periods},
        "yAxis": [{"type": "value", "name": str(_("Visits"))}, {"type": "value", "name": "%", "max": 100}],
        "series": [
            {"name": str(_("Planned")), "type": "bar", "data": planned},
            {"name": str(_("Done")), "type": "bar", "data": done},
            {
                "name": str(_("Success rate")),
                "type": "line",
                "yAxisIndex": 1,
                "data": success,
                "markLine": {"data": [{"yAxis": float(target), "name": str(_("Target"))}]},
            },
        ],
    }


@login_required
def performance(request):
    if not _field_user(request.user):
        raise Http404
    form = _figures_form(request)
    rows, totals, coverage, chart = [], None, None, None
    policy = FieldPolicy.current()
    if form.is_valid():
        data = form.cleaned_data
        rows = visit_figures(
            user=request.user,
            date_from=data["date_from"],
            date_to=data["date_to"],
            group_by=data["group_by"],
            period=data["period"],
        )
        totals = visit_figures(
            user=request.user, date_from=data["date_from"], date_to=data["date_to"], group_by=data["group_by"]
        )
        coverage = coverage_for_user(user=request.user, date_from=data["date_from"], date_to=data["date_to"])
        chart = json.dumps(figures_chart(rows, policy.success_target_percent), ensure_ascii=False)
    return render(
        request,
        "field/performance.html",
        {"form": form, "rows": rows, "totals": totals, "coverage": coverage, "chart_json": chart, "policy": policy},
    )


def home_section(request):
    today = company_date()
    coverage = coverage_for_user(user=request.user, date_from=today - datetime.timedelta(days=27), date_to=today)
    if not coverage.targets:
        return None
    return "field/partials/home_under_visited.html", {"coverage": coverage, "under": coverage.under_visited[:8]}


@login_required
def distribution(request):
    if not _field_user(request.user):
        raise Http404
    by = request.GET.get("by", "rep")
    if by not in {"rep", "team", "outlet", "sku"}:
        by = "rep"
    rows = distribution_for_user(user=request.user, by=by)
    chart = {
        "tooltip": {},
        "grid": {"left": 120, "right": 20, "top": 10, "bottom": 20},
        "xAxis": {"type": "value", "max": 100},
        "yAxis": {"type": "category", "data": [r.label for r in rows]},
        "series": [
            {
                "type": "bar",
                # an outlet or SKU with no required SKU checked yet has no rate: drawn as no data, not 0 %
                "data": [None if r.rate is None else float(r.rate) for r in rows],
                "name": str(_("Distribution rate")),
            }
        ],
    }
    return render(
        request,
        "field/distribution.html",
        {
            "rows": rows,
            "by": by,
            "chart_json": json.dumps(chart, ensure_ascii=False),
            "chart_height": 60 + 28 * len(rows),
        },
    )


# --- field checks ---------------------------------------------------------------------------------------------
@login_required
def check_list(request):
    if not _field_user(request.user):
        raise Http404
    form = None
    if _leads(request.user):
        form = FieldCheckForm(
            request.POST or None,
            reps=rep_list_for_user(user=request.user).exclude(pk=request.user.pk),
            customers=customer_list_for_user(user=request.user),
        )
        saved = save_form(
            request,
            form,
            lambda data: services.field_check_create(
                checker=request.user,
                rep=data["rep"],
                kind=data["kind"],
                date=data["date"],
                customer=data.get("customer"),
                comment=data.get("comment", ""),
                scores=form.scores(),
            ),
            success=_("Field check recorded."),
            redirect_to="field-checks",
        )
        if saved:
            return saved
    page = ListPage(
        request=request,
        queryset=field_check_list_for_user(user=request.user),
        title=gettext_lazy("Field checks"),
        columns=[
            Column("date", gettext_lazy("Date"), sort="date"),
            Column("kind", gettext_lazy("Kind"), value=lambda c: c.get_kind_display()),
            Column("rep", gettext_lazy("Rep"), sort="rep__username", value=lambda c: c.rep.display_name),
            Column("checker", pgettext_lazy("inspection", "Checked by"), value=lambda c: c.checker.display_name),
            Column("customer", gettext_lazy("Outlet"), value=lambda c: c.customer.name if c.customer_id else ""),
            Column("score", gettext_lazy("Score"), sort="score", numeric=True),
            Column("comment", gettext_lazy("Comment")),
        ],
        filters=[Filter("kind", gettext_lazy("Kind"), services.FieldCheckCriterion.Kind.choices)],
        search_fields=["rep__username", "rep__full_name", "comment"],
        default_sort="-date",
        export_name="field-checks",
        empty_message=gettext_lazy("No field checks yet."),
        extra={"form": form},
    )
    return page.response("field/check_list.html")


# --- new outlets -------------------------------------------------------------------------------------------------
@login_required
def outlet_list(request):
    if not _field_user(request.user):
        raise Http404
    form = None
    if request.user.has_role(Role.SALES_REP):
        form = OutletApplicationForm(request.POST or None)
        saved = save_form(
            request,
            form,
            lambda data: outlets.outlet_application_create(actor=request.user, data=data),
            success=_("The application was sent for approval."),
            redirect_to=lambda a: reverse("field-outlet-detail", args=[a.pk]),
        )
        if saved:
            return saved
    page = ListPage(
        request=request,
        queryset=outlet_application_list_for_user(user=request.user),
        title=gettext_lazy("New outlets"),
        columns=[
            Column(
                "number",
                gettext_lazy("Number"),
                sort="number",
                link=lambda a: reverse("field-outlet-detail", args=[a.pk]),
            ),
            Column("name", gettext_lazy("Outlet name"), sort="name"),
            Column("rep", gettext_lazy("Rep"), value=lambda a: a.rep.display_name),
            Column("channel", gettext_lazy("Channel"), value=lambda a: a.get_channel_display()),
            Column("grade", gettext_lazy("Class")),
            Column("status", gettext_lazy("Status"), sort="status", value=lambda a: a.get_status_display()),
        ],
        filters=[Filter("status", gettext_lazy("Status"), outlets.OutletApplication.Status.choices)],
        search_fields=["number", "name", "address"],
        default_sort="-number",
        export_name="new-outlets",
        empty_message=gettext_lazy("No applications."),
        extra={"form": form},
    )
    return page.response("field/outlet_list.html")


@login_required
def outlet_detail(request, pk: int):
    application = outlet_application_list_for_user(user=request.user).filter(pk=pk).first()
    if application is None:
        raise Http404
    from salesops.approvals.services import approval_state_for

    state = approval_state_for(document=application, doc_type=outlets.DOC_TYPE)
    return render(request, "field/outlet_detail.html", {"application": application, "approval": state})


# --- calendar feed ----------------------------------------------------------------------------------------------
@login_required
def calendar_feed(request):
    if not request.user.has_role(Role.SALES_REP):
        raise Http404
    body = visits_ics(rep=request.user, start=company_date(), weeks=4, host=request.get_host())
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="visits.ics"'
    return response
