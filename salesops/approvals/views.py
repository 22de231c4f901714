"""Pages of the approval engine: inbox, task and request pages, my requests, rules,
delegations, and the visit requests this area owns. Thin: permission → form → selector →
one service → render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from salesops.approvals import selectors, services, visits
from salesops.approvals.facts import facts_display
from salesops.approvals.forms import DecisionForm, DelegationForm, RuleForm, VisitRequestForm
from salesops.approvals.models import ApprovalRequest, ApprovalRule, ApprovalTask, Delegation, VisitRequest
from salesops.approvals.registry import document_type_label, get_document_type
from salesops.approvals.rules import describe_conditions
from salesops.core.audit import history_for
from salesops.core.listing import Column, Filter, ListPage
from salesops.core.roles import SALES_ROLES, Role
from salesops.core.selectors import company_date, is_admin
from salesops.core.web import action_view, save_form
from salesops.crm.selectors import customer_list_for_user


def _or_404(getter, **kwargs):
    try:
        return getter(**kwargs)
    except (ApprovalTask.DoesNotExist, ApprovalRequest.DoesNotExist, VisitRequest.DoesNotExist):
        raise Http404


def _require_admin(user) -> None:
    if not is_admin(user):
        raise Http404


def _request_context(request: ApprovalRequest, viewer) -> dict:
    doc_type = get_document_type(request.doc_type)
    document = doc_type.load(request.object_id) if doc_type else None
    return {
        "approval": request,
        "doc_label": document_type_label(request.doc_type),
        "facts": facts_display(doc_type, document, viewer, request),
        "tasks": selectors.tasks_of_request(request=request),
        "document_url": doc_type.url(document) if doc_type and doc_type.url and document else "",
        "history": history_for(request)[:50],
        "now": timezone.now(),
    }


# --- inbox and requests ------------------------------------------------------------------------
@login_required
def inbox(request):
    page = ListPage(
        request=request,
        queryset=selectors.inbox_for_user(user=request.user),
        title=gettext_lazy("Approvals waiting for you"),
        columns=[
            Column(
                "title",
                gettext_lazy("Document"),
                sort="request__title",
                value=lambda t: t.request.title,
                link=lambda t: reverse("approval-task", args=[t.pk]),
            ),
            Column(
                "doc_type",
                gettext_lazy("Type"),
                sort="request__doc_type",
                value=lambda t: document_type_label(t.request.doc_type),
            ),
            Column(
                "requester",
                gettext_lazy("Requester"),
                sort="request__requester__full_name",
                value=lambda t: t.request.requester.display_name,
            ),
            Column(
                "submitted",
                gettext_lazy("Submitted"),
                sort="request__submitted_at",
                value=lambda t: t.request.submitted_at,
                kind="datetime",
            ),
            Column(
                "due_at",
                gettext_lazy("Answer by"),
                sort="due_at",
                template="approvals/partials/due_cell.html",
                value=lambda t: t.due_at,
                kind="datetime",
            ),
            Column("step", gettext_lazy("Step"), value=lambda t: t.get_approver_kind_display()),
        ],
        filters=[
            Filter(
                "overdue",
                gettext_lazy("Show"),
                [("1", gettext_lazy("Overdue"))],
                apply=lambda qs, v: qs.filter(due_at__lt=timezone.now()),
            ),
        ],
        search_fields=["request__title"],
        default_sort="due_at",
        export_name="approvals",
        empty_message=gettext_lazy("Nothing waiting for your decision."),
        extra={"now": timezone.now()},
    )
    return page.response()


@login_required
def my_requests(request):
    page = ListPage(
        request=request,
        queryset=selectors.my_requests(user=request.user),
        title=gettext_lazy("My requests"),
        columns=[
            Column(
                "title", gettext_lazy("Document"), sort="title", link=lambda r: reverse("approval-request", args=[r.pk])
            ),
            Column("doc_type", gettext_lazy("Type"), sort="doc_type", value=lambda r: document_type_label(r.doc_type)),
            Column(
                "submitted_at",
                gettext_lazy("Submitted"),
                sort="submitted_at",
                value=lambda r: r.submitted_at,
                kind="datetime",
            ),
            Column("status", gettext_lazy("Status"), sort="status", value=lambda r: r.get_status_display()),
        ],
        filters=[Filter("status", gettext_lazy("Status"), ApprovalRequest.Status.choices)],
        search_fields=["title"],
        default_sort="-submitted_at",
        export_name="approval-requests",
        empty_message=gettext_lazy("You have not sent anything for approval yet."),
    )
    return page.response()


@login_required
def task_detail(request, pk: int):
    task = _or_404(selectors.task_get_for_user, user=request.user, pk=pk)
    approval = task.request
    can_decide = (
        task.status == ApprovalTask.Status.OPEN
        and approval.status == ApprovalRequest.Status.PENDING
        and request.user.pk != approval.requester_id
        and services.can_decide(task, request.user, timezone.localdate())
    )
    form = DecisionForm(request.POST or None)
    saved = save_form(
        request,
        form,
        lambda data: services.approval_decide(
            task=task, actor=request.user, decision=data["decision"], comment=data["comment"]
        ),
        success=_("Your decision was recorded."),
        redirect_to="approvals-inbox",
    )
    if saved:
        return saved
    context = _request_context(approval, request.user)
    context.update({"task": task, "form": form, "can_decide": can_decide})
    return render(request, "approvals/task_detail.html", context)


@login_required
def request_detail(request, pk: int):
    approval = _or_404(selectors.request_get_for_user, user=request.user, pk=pk)
    context = _request_context(approval, request.user)
    context["can_withdraw"] = (
        approval.status == ApprovalRequest.Status.PENDING
        and approval.requester_id == request.user.pk
        and not any(t.decided_at for t in context["tasks"])
    )
    return render(request, "approvals/request_detail.html", context)


@login_required
@require_POST
@action_view
def request_withdraw(request, pk: int):
    approval = _or_404(selectors.request_get_for_user, user=request.user, pk=pk)
    services.approval_withdraw(request=approval, actor=request.user)
    messages.success(request, _("The request was withdrawn."))
    return redirect("approval-request", pk=approval.pk)


# --- rules (administrators) ----------------------------------------------------------------------
@login_required
def rule_list(request):
    _require_admin(request.user)
    page = ListPage(
        request=request,
        queryset=selectors.rule_list(),
        title=gettext_lazy("Approval rules"),
        columns=[
            Column(
                "doc_type",
                gettext_lazy("Document type"),
                sort="doc_type",
                value=lambda r: document_type_label(r.doc_type),
            ),
            Column("position", gettext_lazy("Order"), sort="position", numeric=True),
            Column(
                "name",
                gettext_lazy("Name"),
                sort="name",
                value=lambda r: r.label,
                link=lambda r: reverse("approvals-rule-edit", args=[r.pk]),
            ),
            Column(
                "conditions",
                pgettext_lazy("condition", "When"),
                value=lambda r: describe_conditions(r.conditions, r.doc_type),
            ),
            Column("steps", gettext_lazy("Approvers"), value=lambda r: " → ".join(str(s) for s in r.steps.all())),
            Column("deadline_hours", gettext_lazy("Hours"), numeric=True),
            Column("state", gettext_lazy("State"), value=lambda r: _rule_state(r)),
        ],
        filters=[
            Filter(
                "active",
                gettext_lazy("Active"),
                [("1", gettext_lazy("Active")), ("0", gettext_lazy("Off"))],
                apply=lambda qs, v: qs.filter(active=v == "1"),
            )
        ],
        search_fields=["name", "name_zh", "doc_type"],
        default_sort="doc_type",
        export_name="approval-rules",
        actions_template="approvals/partials/rule_actions.html",
    )
    return page.response()


def _rule_state(rule: ApprovalRule) -> str:
    if not rule.active:
        return _("Off")
    if get_document_type(rule.doc_type) is None:
        return _("Dormant: document type not in use yet")
    return _("Active")


@login_required
def rule_edit(request, pk: int | None = None):
    _require_admin(request.user)
    rule = ApprovalRule.objects.filter(pk=pk).first() if pk else None
    if pk and rule is None:
        raise Http404
    form = RuleForm(request.POST or None, rule=rule)

    def save(_cleaned_data):
        data = form.service_data()
        if rule:
            return services.approval_rule_update(rule=rule, data=data, actor=request.user)
        steps = data.pop("steps")
        return services.approval_rule_create(actor=request.user, steps=steps, **data)

    saved = save_form(request, form, save, success=_("Rule saved."), redirect_to="approvals-rules")
    if saved:
        return saved
    history = history_for(rule)[:30] if rule else []
    return render(request, "approvals/rule_form.html", {"form": form, "rule": rule, "history": history})


@login_required
@require_POST
@action_view
def rule_delete(request, pk: int):
    _require_admin(request.user)
    rule = ApprovalRule.objects.filter(pk=pk).first()
    if rule is None:
        raise Http404
    services.approval_rule_delete(rule=rule, actor=request.user)
    messages.success(request, _("Rule deleted."))
    return redirect("approvals-rules")


# --- delegations ----------------------------------------------------------------------------------
@login_required
def delegations(request):
    form = DelegationForm(request.POST or None)
    saved = save_form(
        request,
        form,
        lambda data: services.delegation_create(from_user=request.user, actor=request.user, **data),
        success=_("Delegation saved."),
        redirect_to="approvals-delegations",
    )
    if saved:
        return saved
    rows = selectors.delegation_list_for_user(user=request.user)[:200]
    return render(request, "approvals/delegations.html", {"form": form, "delegations": rows, "today": company_date()})


@login_required
@require_POST
@action_view
def delegation_end(request, pk: int):
    delegation = selectors.delegation_list_for_user(user=request.user).filter(pk=pk).first()
    if delegation is None:
        raise Http404
    if delegation.from_user_id != request.user.pk and not is_admin(request.user):
        raise Http404
    services.delegation_end(delegation=delegation, actor=request.user)
    messages.success(request, _("Delegation ended."))
    return redirect("approvals-delegations")


# --- visit requests -------------------------------------------------------------------------------
@login_required
def visit_request_list(request):
    if not request.user.has_role(*SALES_ROLES):
        raise Http404
    page = ListPage(
        request=request,
        queryset=selectors.visit_request_list_for_user(user=request.user),
        title=gettext_lazy("Visit requests"),
        columns=[
            Column(
                "number",
                gettext_lazy("Number"),
                sort="number",
                link=lambda v: reverse("visit-request-detail", args=[v.pk]),
            ),
            Column("customer", gettext_lazy("Customer"), sort="customer__name", value=lambda v: v.customer.name),
            Column("rep", gettext_lazy("Rep"), sort="rep__full_name", value=lambda v: v.rep.display_name),
            Column("planned_date", gettext_lazy("Planned date"), sort="planned_date"),
            Column("key_account", gettext_lazy("Key account"), value=lambda v: _("Yes") if v.key_account else ""),
            Column("status", gettext_lazy("Status"), sort="status", value=lambda v: v.get_status_display()),
        ],
        filters=[Filter("status", gettext_lazy("Status"), VisitRequest.Status.choices)],
        search_fields=["number", "customer__name", "purpose"],
        default_sort="-planned_date",
        export_name="visit-requests",
        actions_template="approvals/partials/visit_actions.html" if request.user.has_role(Role.SALES_REP) else None,
        empty_message=gettext_lazy("No visit requests yet."),
    )
    return page.response()


@login_required
def visit_request_edit(request, pk: int | None = None):
    visit = _or_404(selectors.visit_request_get_for_user, user=request.user, pk=pk) if pk else None
    if visit is None and not request.user.has_role(Role.SALES_REP):
        raise Http404
    if visit is not None and visit.rep_id != request.user.pk:
        raise Http404
    customers = customer_list_for_user(user=request.user)
    form = VisitRequestForm(
        request.POST or None, instance=VisitRequest.objects.get(pk=pk) if pk else None, customers=customers
    )

    def save(data):
        if visit:
            return visits.visit_request_update(visit=visit, data=data, actor=request.user)
        return visits.visit_request_create(actor=request.user, **data)

    saved = save_form(
        request,
        form,
        save,
        success=_("Visit request saved."),
        redirect_to=lambda saved_visit: reverse("visit-request-detail", args=[saved_visit.pk]),
    )
    if saved:
        return saved
    return render(request, "approvals/visit_form.html", {"form": form, "visit": visit})


@login_required
def visit_request_detail(request, pk: int):
    visit = _or_404(selectors.visit_request_get_for_user, user=request.user, pk=pk)
    state = services.approval_state_for(document=visit, doc_type=visits.DOC_TYPE)
    mine = visit.rep_id == request.user.pk
    last_decision = None
    if state.request is not None:
        last_decision = (
            state.request.tasks.filter(decided_at__isnull=False)
            .select_related("decided_by")
            .order_by("-decided_at", "-pk")
            .first()
        )
    return render(
        request,
        "approvals/visit_detail.html",
        {
            "visit": visit,
            "approval": state.request,
            "last_decision": last_decision,
            "can_edit": mine and visit.status in visits.EDITABLE,
            "can_submit": mine and visit.status in visits.SUBMITTABLE,
            "history": history_for(visit)[:50],
        },
    )


@login_required
@require_POST
@action_view
def visit_request_submit(request, pk: int):
    visit = _or_404(selectors.visit_request_get_for_user, user=request.user, pk=pk)
    if visit.rep_id != request.user.pk:
        raise Http404
    visit, approval = visits.visit_request_submit(visit=visit, actor=request.user)
    if approval is None:
        messages.success(request, _("No approval needed: the visit request is approved."))
    else:
        messages.success(request, _("Sent for approval."))
    return redirect("visit-request-detail", pk=visit.pk)


__all__ = ["Delegation"]
