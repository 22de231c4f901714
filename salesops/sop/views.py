"""Pages of the SOP clock: my deadlines, obligations, compliance, rules, the clock, daily reports."""

from __future__ import annotations

import datetime
import json
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy
from django.views.decorators.http import require_POST

from salesops.core.audit import history_for
from salesops.core.calendar import WorkCalendar
from salesops.core.export import xlsx_response
from salesops.core.listing import Column, Filter, ListPage
from salesops.core.roles import Role
from salesops.core.selectors import company_date, is_admin
from salesops.core.web import action_view, save_form
from salesops.sop import services
from salesops.sop.forms import ComplianceForm, DailyReportForm, ObligationScopeForm, ReviewForm, SopRuleForm
from salesops.sop.models import ClockRun, DailyReport, Obligation, SopRule
from salesops.sop.selectors import (
    can_oversee,
    compliance_for_user,
    daily_report_list_for_user,
    my_obligations,
    obligation_list_for_user,
    people_behind,
    rule_list_for_user,
)

STATUS_TAG = {
    Obligation.Status.OPEN: "",
    Obligation.Status.MET: "tag-ok",
    Obligation.Status.MET_LATE: "tag-warn",
    Obligation.Status.MISSED: "tag-danger",
}


def _require_admin(request):
    if not is_admin(request.user):
        raise Http404


# --- my deadlines -------------------------------------------------------------------------------
@login_required
def my_deadlines(request):
    mine = my_obligations(user=request.user)
    return render(request, "sop/my.html", {"mine": mine, "status_tag": STATUS_TAG, "now": timezone.now()})


def home_section(request):
    mine = my_obligations(user=request.user)
    if not mine:
        return None
    return "sop/partials/home_due.html", {"mine": mine, "can_report": request.user.has_role(Role.SALES_REP)}


def behind_section(request):
    """On a supervisor's and manager's home page: the people behind today."""
    behind = people_behind(user=request.user)
    if not behind:
        return None
    return "sop/partials/home_behind.html", {"behind": behind[:10], "more": max(len(behind) - 10, 0)}


# --- obligations -----------------------------------------------------------------------------------
@login_required
def obligation_list(request):
    """Everyone's obligations the user may see; a compliance row links here with its scope
    (period, person or team, escalated), and each obligation to its document."""
    rules = [
        (str(rule.pk), rule.name)
        for rule in rule_list_for_user(user=request.user).filter(obligations__isnull=False).distinct()
    ]
    scope = ObligationScopeForm(request.GET)
    page = ListPage(
        request=request,
        queryset=scope.scope(obligation_list_for_user(user=request.user), WorkCalendar.load().tz),
        title=gettext_lazy("Obligations"),
        columns=[
            Column("rule", gettext_lazy("Rule"), sort="rule__code", value=lambda o: o.rule.name),
            Column("person", gettext_lazy("Person"), sort="person__full_name", value=lambda o: o.person.display_name),
            Column(
                "team",
                gettext_lazy("Team"),
                sort="person__org_unit__name",
                value=lambda o: o.person.org_unit.name if o.person.org_unit else "",
            ),
            Column("period_key", gettext_lazy("Period"), sort="period_key"),
            Column("due_at", pgettext_lazy("deadline", "Due"), sort="due_at", kind="datetime"),
            Column("status", gettext_lazy("Status"), sort="status", value=lambda o: o.get_status_display()),
            Column("met_at", gettext_lazy("Done at"), sort="met_at", kind="datetime"),
            Column("escalated_at", gettext_lazy("Escalated"), kind="datetime"),
            Column(
                "reference",
                gettext_lazy("Document"),
                sort="reference",
                value=lambda o: o.reference,
                link=lambda o: o.url or None,
            ),
        ],
        filters=[
            Filter("status", gettext_lazy("Status"), Obligation.Status.choices),
            Filter("rule", gettext_lazy("Rule"), rules, lookup="rule_id"),
        ],
        search_fields=["person__full_name", "person__username", "period_key", "reference"],
        default_sort="-due_at",
        export_name="obligations",
        empty_message=gettext_lazy("No obligations in this view."),
    )
    return page.response()


# --- compliance -------------------------------------------------------------------------------------
STATUS_COLOURS = {"met": "#2e7d32", "met_late": "#f9a825", "missed": "#c62828", "open": "#90a4ae"}


def _compliance_form(request) -> ComplianceForm:
    today = company_date()
    initial = {"date_from": today.replace(day=1) - datetime.timedelta(days=31), "date_to": today, "group_by": "person"}
    data = {key: request.GET.get(key) or str(value) for key, value in initial.items()}
    data["rule"] = request.GET.get("rule", "")
    return ComplianceForm(data)


def _month_bounds(label: str) -> tuple[datetime.date, datetime.date]:
    first = datetime.date.fromisoformat(f"{label}-01")
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    return first, following - datetime.timedelta(days=1)


def _drill_down(row, data) -> str:
    """The obligations behind a compliance row, each linking to its document."""
    date_from, date_to = data["date_from"], data["date_to"]
    params = {}
    if data["group_by"] == "month":
        first, last = _month_bounds(row.key)
        date_from, date_to = max(first, date_from), min(last, date_to)
    elif row.key is not None:
        params[data["group_by"]] = row.key
    if data["rule"]:
        params["rule"] = data["rule"].pk
    params.update({"due_from": date_from.isoformat(), "due_to": date_to.isoformat()})
    return reverse("sop-obligations") + "?" + urlencode(params)


def _compliance_chart(rows, labels) -> dict:
    """Outcomes stacked per row, with the on-time rate on its own axis."""
    return {
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "legend": {"top": 0},
        "grid": {"left": 8, "right": 16, "bottom": 8, "top": 36, "containLabel": True},
        "xAxis": [{"type": "value"}, {"type": "value", "max": 100, "axisLabel": {"formatter": "{value} %"}}],
        "yAxis": {"type": "category", "data": [row.label for row in rows], "inverse": True},
        "series": [
            {
                "name": str(label),
                "type": "bar",
                "stack": "total",
                "itemStyle": {"color": STATUS_COLOURS[key]},
                "data": [getattr(row, key) for row in rows],
            }
            for key, label in labels.items()
        ]
        + [
            {
                "name": _("On-time rate"),
                "type": "line",
                "xAxisIndex": 1,
                "itemStyle": {"color": "#1565c0"},
                "data": [row.on_time_rate for row in rows],
            }
        ],
    }


@login_required
def compliance(request):
    """Per person, team, rule or month: met on time, late, missed, escalated, with a chart, a
    link from each row to its obligations (and on to their documents) and an Excel export."""
    form = _compliance_form(request)
    rows = []
    if form.is_valid():
        rows = compliance_for_user(
            user=request.user,
            date_from=form.cleaned_data["date_from"],
            date_to=form.cleaned_data["date_to"],
            group_by=form.cleaned_data["group_by"],
            rule=form.cleaned_data["rule"],
        )
    labels = {
        "met": _("Met on time"),
        "met_late": _("Met late"),
        "missed": _("Missed"),
        "open": pgettext("process", "Open"),
    }
    if request.GET.get("export") == "xlsx" and form.is_valid():
        headers = [str(dict(ComplianceForm.GROUPS)[form.cleaned_data["group_by"]])] + list(labels.values())
        headers += [_("Escalations"), _("Total"), _("On-time rate")]
        return xlsx_response(
            "sop-compliance",
            headers,
            ([r.label, r.met, r.met_late, r.missed, r.open, r.escalated, r.total, r.on_time_rate] for r in rows),
            title=_("SOP compliance"),
        )
    query = request.GET.copy()
    query["export"] = "xlsx"
    return render(
        request,
        "sop/compliance.html",
        {
            "form": form,
            "rows": [(row, _drill_down(row, form.cleaned_data)) for row in rows],
            "chart_json": json.dumps(_compliance_chart(rows, labels), ensure_ascii=False),
            "chart_height": max(240, 36 * len(rows) + 80),
            "export_link": "?" + query.urlencode(),
            "totals": {key: sum(getattr(row, key) for row in rows) for key in [*labels, "escalated"]},
        },
    )


# --- rules ---------------------------------------------------------------------------------------------
@login_required
def rule_list(request):
    _require_admin(request)
    page = ListPage(
        request=request,
        queryset=rule_list_for_user(user=request.user),
        title=gettext_lazy("SOP rules"),
        columns=[
            Column("code", gettext_lazy("Code"), sort="code", link=lambda r: reverse("sop-rule-edit", args=[r.pk])),
            Column("name", gettext_lazy("Name"), sort="name_en", value=lambda r: r.name),
            Column("event_type", gettext_lazy("What must happen"), value=lambda r: r.event_type_label),
            Column(
                "schedule",
                pgettext_lazy("schedule", "When"),
                sort="schedule",
                value=lambda r: r.parsed_schedule.describe(),
            ),
            Column(
                "roles",
                gettext_lazy("For"),
                value=lambda r: ", ".join(str(Role(role).label) for role in r.roles) or _("(started by an event)"),
            ),
            Column("escalate_to", gettext_lazy("Escalate to"), value=lambda r: r.escalate_to_label),
            Column(
                "enabled", gettext_lazy("Enabled"), sort="enabled", value=lambda r: _("yes") if r.enabled else _("no")
            ),
        ],
        filters=[
            Filter(
                "enabled",
                gettext_lazy("Enabled"),
                [("1", gettext_lazy("yes")), ("0", gettext_lazy("no"))],
                apply=lambda qs, value: qs.filter(enabled=value == "1"),
            )
        ],
        search_fields=["code", "name_en", "name_zh", "schedule"],
        default_sort="code",
        export_name="sop-rules",
        actions_template="sop/partials/rule_actions.html",
    )
    return page.response()


@login_required
def rule_edit(request, pk: int | None = None):
    _require_admin(request)
    rule = SopRule.objects.filter(pk=pk).first() if pk else None
    if pk and rule is None:
        raise Http404
    form = SopRuleForm(request.POST or None, instance=SopRule.objects.get(pk=pk) if pk else None)

    def save(cleaned_data):
        data = {name: cleaned_data[name] for name in form.Meta.fields}
        if rule:
            return services.sop_rule_update(rule=rule, data=data, actor=request.user)
        return services.sop_rule_create(actor=request.user, **data)

    saved = save_form(request, form, save, success=_("Rule saved."), redirect_to="sop-rules")
    if saved:
        return saved
    return render(
        request,
        "sop/rule_form.html",
        {"form": form, "rule": rule, "history": history_for(rule)[:30] if rule else []},
    )


# --- the clock -------------------------------------------------------------------------------------------
@login_required
def clock_page(request):
    _require_admin(request)
    result = None
    result_id = request.GET.get("result", "")
    if result_id:
        from salesops.sop.tasks import run_sop_clock

        try:
            result = run_sop_clock.get_result(result_id)
        except Exception:  # unknown or malformed id: show the page without it
            result = None
    context = {"runs": ClockRun.objects.all()[:20], "result": result, "result_id": result_id}
    if request.headers.get("HX-Request"):
        return render(request, "sop/partials/clock_result.html", context)
    return render(request, "sop/clock.html", context)


@login_required
@require_POST
@action_view
def clock_run_now(request):
    _require_admin(request)
    from salesops.sop.tasks import run_sop_clock

    result = run_sop_clock.enqueue()
    messages.success(request, _("The clock run has been queued."))
    return redirect(reverse("sop-clock") + f"?result={result.id}")


# --- daily reports --------------------------------------------------------------------------------------
@login_required
def daily_report_new(request):
    if not request.user.has_role(Role.SALES_REP):
        raise Http404
    form = DailyReportForm(request.POST or None, initial=None if request.POST else _daily_report_initial(request.user))
    saved = save_form(
        request,
        form,
        lambda data: services.daily_report_submit(
            rep=request.user,
            date=data["date"],
            actor=request.user,
            **{key: data[key] for key in services.REPORT_TEXT_FIELDS},
        ),
        success=_("Daily report submitted."),
        redirect_to=lambda report: reverse("sop-report-detail", args=[report.pk]),
    )
    if saved:
        return saved
    recent = daily_report_list_for_user(user=request.user).filter(rep=request.user)[:7]
    return render(request, "sop/daily_report_form.html", {"form": form, "recent": recent})


def _daily_report_initial(rep) -> dict:
    """Today's report as submitted so far, or else written from the day's records."""
    from salesops.core.selectors import company_date
    from salesops.field.daily_report import daily_report_prefill

    today = company_date()
    existing = DailyReport.objects.filter(rep=rep, date=today).first()
    if existing is not None:
        return {"date": today, **{key: getattr(existing, key) for key in services.REPORT_TEXT_FIELDS}}
    return {"date": today, **daily_report_prefill(rep=rep, date=today)}


@login_required
def daily_report_list(request):
    queryset = daily_report_list_for_user(user=request.user)
    page = ListPage(
        request=request,
        queryset=queryset,
        title=gettext_lazy("Daily reports"),
        columns=[
            Column("date", gettext_lazy("Date"), sort="date", link=lambda r: reverse("sop-report-detail", args=[r.pk])),
            Column("rep", gettext_lazy("Rep"), sort="rep__full_name", value=lambda r: r.rep.display_name),
            Column("team", gettext_lazy("Team"), sort="team__name", value=lambda r: r.team.name if r.team else ""),
            Column("submitted_at", gettext_lazy("Submitted"), sort="submitted_at", kind="datetime"),
            Column(
                "reviewed_by",
                gettext_lazy("Reviewed by"),
                value=lambda r: r.reviewed_by.display_name if r.reviewed_by else "",
            ),
        ],
        filters=[
            Filter(
                "reviewed",
                pgettext_lazy("daily report", "Review"),
                [("no", gettext_lazy("To review")), ("yes", gettext_lazy("Reviewed"))],
                apply=lambda qs, value: qs.filter(reviewed_at__isnull=value == "no"),
            )
        ],
        search_fields=["rep__full_name", "rep__username", "visits", "feedback"],
        default_sort="-date",
        export_name="daily-reports",
        actions_template="sop/partials/report_actions.html" if request.user.has_role(Role.SALES_REP) else None,
        empty_message=gettext_lazy("No daily reports here."),
    )
    return page.response()


def _report_or_404(user, pk) -> DailyReport:
    try:
        return daily_report_list_for_user(user=user).get(pk=pk)
    except DailyReport.DoesNotExist:
        raise Http404 from None


@login_required
def daily_report_detail(request, pk: int):
    report = _report_or_404(request.user, pk)
    can_review = can_oversee(request.user) and report.rep_id != request.user.pk and not report.reviewed_at
    return render(
        request,
        "sop/daily_report_detail.html",
        {"report": report, "can_review": can_review, "review_form": ReviewForm(), "history": history_for(report)[:20]},
    )


@login_required
@require_POST
@action_view
def daily_report_review(request, pk: int):
    report = _report_or_404(request.user, pk)
    if not can_oversee(request.user):
        raise Http404
    form = ReviewForm(request.POST)
    form.is_valid()
    services.daily_report_review(report=report, reviewer=request.user, comment=form.cleaned_data.get("comment", ""))
    messages.success(request, _("Report reviewed."))
    return redirect(reverse("sop-reports") + "?reviewed=no")
