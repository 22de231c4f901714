"""Pages of the customer area. Thin: permission → form → selector → one service → render."""

from __future__ import annotations

import datetime
import json
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy
from django.views.decorators.http import require_POST

from salesops.core import formatting
from salesops.core.audit import history_for
from salesops.core.exceptions import ApplicationError, PermissionDenied
from salesops.core.listing import Column, Filter, ListPage
from salesops.core.roles import SALES_ROLES, UNIT_ROLES, Role
from salesops.core.typeahead import typeahead_response
from salesops.core.web import action_view, add_error_to_form, save_form
from salesops.crm import calldesk, imports, selectors, services
from salesops.crm.exceptions import InLeadPool, OwnershipTaken
from salesops.crm.forms import (
    ActivityForm,
    AddressForm,
    ComplaintForm,
    ContactForm,
    CrmPolicyForm,
    CustomerForm,
    FileForm,
    ImportForm,
    KeyAccountForm,
    LeadRegisterForm,
    OpportunityForm,
    PoolRulesForm,
    ReassignForm,
    StageForm,
    StageMoveForm,
)
from salesops.crm.grading import grading_measures, grading_run
from salesops.crm.ical import activities_ics
from salesops.crm.models import (
    Activity,
    Complaint,
    CrmPolicy,
    Customer,
    CustomerImport,
    KeyAccountFile,
    Opportunity,
    OwnershipConflict,
    Stage,
)
from salesops.crm.privacy import NAME_ONLY_ROLES, can_see_contact_details, shown_phone
from salesops.crm.sections import customer_sections

CAN_CREATE = SALES_ROLES
SUPERVISORS = frozenset(UNIT_ROLES | {Role.SALES_DIRECTOR, Role.SALES_ADMIN})


def _customer_or_404(user, pk) -> Customer:
    try:
        return selectors.customer_get_for_user(user=user, pk=pk)
    except Customer.DoesNotExist:
        raise Http404


def _require(user, roles):
    if not (user.is_superuser or user.roles & roles):
        raise Http404


class LoggedListPage(ListPage):
    """A list whose Excel export contains contact details: each export is recorded."""

    def export(self):
        response = super().export()
        services.personal_data_export_log(
            user=self.request.user,
            what=self.export_name,
            rows=self.filtered.count(),
            query=self.request.GET.urlencode(),
        )
        return response


# --- customers --------------------------------------------------------------------------------------
@login_required
def customer_list(request):
    user = request.user
    if user.roles & SALES_ROLES or user.is_superuser:
        queryset = selectors.customer_list_for_user(user=user)
    elif user.roles & NAME_ONLY_ROLES:
        queryset = selectors.customer_directory_for_user(user=user)
    else:
        raise Http404
    detail = can_see_contact_details(user)
    columns = [
        Column("code", gettext_lazy("Code"), sort="code"),
        Column(
            "name",
            gettext_lazy("Name"),
            sort="name",
            link=(lambda c: reverse("customer-detail", args=[c.pk])) if detail else None,
        ),
        Column("phone", gettext_lazy("Phone"), value=lambda c: shown_phone(user, c.phone)),
        Column("channel", gettext_lazy("Channel"), sort="channel", value=lambda c: c.get_channel_display()),
        Column("status", gettext_lazy("Status"), sort="status", value=lambda c: c.get_status_display()),
        Column("grade", gettext_lazy("Grade"), sort="grade"),
        Column("city", gettext_lazy("City"), sort="city"),
        Column("owner", gettext_lazy("Owner rep"), sort="owner__full_name", value=lambda c: c.owner.display_name),
        Column("team", gettext_lazy("Team"), sort="team__name", value=lambda c: c.team.name),
    ]
    page = LoggedListPage(
        request=request,
        queryset=queryset,
        title=gettext_lazy("Customers"),
        columns=columns,
        filters=[
            Filter("status", gettext_lazy("Status"), Customer.Status.choices),
            Filter("channel", gettext_lazy("Channel"), Customer.Channel.choices),
            Filter("grade", gettext_lazy("Grade"), Customer.Grade.choices),
        ],
        search_fields=["search_key", "code"],
        default_sort="name",
        export_name="customers",
        actions_template="crm/partials/customer_actions.html" if user.has_role(*CAN_CREATE) else None,
        empty_message=gettext_lazy("No customers yet. Register a call or a visit to start."),
        extra={"compact_row": "crm/partials/customer_row.html", "contact_detail": detail},
    )
    return page.response()


def _detail_context(request, customer, **extra):
    return {
        "customer": customer,
        "sections": customer_sections.render_list(request, customer),
        "history": history_for(customer)[:50],
        **extra,
    }


SELLERS = frozenset(
    {Role.SALES_REP, Role.SALES_SUPERVISOR, Role.SALES_MANAGER, Role.SALES_DIRECTOR, Role.SALES_ADMIN, Role.SYSADMIN}
)


def _quick_actions(user, customer: Customer) -> dict:
    """The customer page's thumb actions: order, quote, visit, call, navigate."""
    phone = customer.phone or next((c.phone for c in customer.contacts.all() if c.phone), "")
    if customer.latitude is not None and customer.longitude is not None:
        query = f"{customer.latitude},{customer.longitude}"
        navigate = f"geo:{query}?q={query}({quote(customer.name)})"
    elif customer.address or customer.city:
        navigate = "geo:0,0?q=" + quote(f"{customer.city} {customer.address}".strip())
    else:
        navigate = ""
    return {
        "can_sell": bool(user.is_superuser or user.roles & SELLERS),
        "phone": phone if can_see_contact_details(user) else "",
        "navigate": navigate,
    }


@login_required
def customer_pick(request):
    """The customer type-ahead: name, code, city, pinyin or pinyin initials; no contact details."""
    _require(request.user, CAN_CREATE)
    customers = selectors.customer_search_for_user(user=request.user, query=request.GET.get("q", ""))
    return typeahead_response(
        customers, label=lambda c: c.name, detail=lambda c: " · ".join(filter(None, [c.code, c.city]))
    )


@login_required
def customer_detail(request, pk: int):
    customer = _customer_or_404(request.user, pk)
    return render(
        request,
        "crm/customer_detail.html",
        _detail_context(request, customer, quick=_quick_actions(request.user, customer)),
    )


@login_required
def customer_edit(request, pk: int | None = None):
    customer = _customer_or_404(request.user, pk) if pk else None
    if not request.user.has_role(*CAN_CREATE):
        raise Http404
    initial = {"owner": request.user.pk} if not customer and request.user.has_role(Role.SALES_REP) else None
    form = CustomerForm(request.POST or None, instance=Customer.objects.get(pk=pk) if pk else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if customer:
                customer = services.customer_update(customer=customer, data=data, actor=request.user)
            else:
                customer = services.customer_create(actor=request.user, **data)
            messages.success(request, _("Customer saved."))
            return redirect("customer-detail", pk=customer.pk)
        except OwnershipTaken:
            form.add_error(None, _("A customer with the same phone, e-mail, name or tax id is already registered."))
        except ApplicationError as error:
            add_error_to_form(form, error)
    return render(request, "crm/customer_form.html", {"form": form, "customer": customer})


@login_required
def contact_add(request, pk: int):
    customer = _customer_or_404(request.user, pk)
    _require(request.user, CAN_CREATE)
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_create(customer=customer, actor=request.user, **form.cleaned_data)
            messages.success(request, _("Contact added."))
            return redirect("customer-detail", pk=customer.pk)
        except OwnershipTaken:
            form.add_error("phone", _("This phone or e-mail belongs to another customer."))
        except ApplicationError as error:
            add_error_to_form(form, error)
    return render(request, "crm/simple_form.html", {"form": form, "title": _("Add a contact"), "customer": customer})


@login_required
def address_add(request, pk: int):
    customer = _customer_or_404(request.user, pk)
    _require(request.user, CAN_CREATE)
    form = AddressForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.address_create(customer=customer, actor=request.user, **form.cleaned_data)
        messages.success(request, _("Address added."))
        return redirect("customer-detail", pk=customer.pk)
    return render(request, "crm/simple_form.html", {"form": form, "title": _("Add an address"), "customer": customer})


@login_required
def file_upload(request, pk: int):
    customer = _customer_or_404(request.user, pk)
    _require(request.user, CAN_CREATE)
    form = FileForm(request.POST or None, request.FILES or None)
    saved = save_form(
        request,
        form,
        lambda data: services.customer_file_add(customer=customer, actor=request.user, upload=data["file"]),
        success=_("File uploaded."),
        redirect_to=reverse("customer-detail", args=[customer.pk]),
    )
    if saved:
        return saved
    return render(
        request,
        "crm/simple_form.html",
        {"form": form, "title": _("Upload a file"), "customer": customer, "multipart": True},
    )


@login_required
def file_download(request, pk: int, file_pk: int):
    from django.http import FileResponse

    customer = _customer_or_404(request.user, pk)
    record = customer.files.filter(pk=file_pk).first()
    if record is None:
        raise Http404
    return FileResponse(record.file.open("rb"), as_attachment=True, filename=record.name)


@login_required
def key_account_edit(request, pk: int):
    customer = _customer_or_404(request.user, pk)
    _require(request.user, CAN_CREATE)
    instance = KeyAccountFile.objects.filter(customer=customer).first()
    form = KeyAccountForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        services.key_account_save(customer=customer, actor=request.user, data=form.cleaned_data)
        messages.success(request, _("Key-account file saved."))
        return redirect("customer-detail", pk=customer.pk)
    return render(request, "crm/simple_form.html", {"form": form, "title": _("Key-account file"), "customer": customer})


# --- registration, conflicts, pool, reassignment --------------------------------------------------
@login_required
def lead_register(request):
    _require(request.user, CAN_CREATE)
    if not request.user.has_role(Role.SALES_REP) and calldesk.can_use_desk(request.user):
        return redirect("call-desk")  # whoever is not a rep assigns the lead at the desk, never to themselves
    form = LeadRegisterForm(request.POST or None)
    refusal = None
    if request.method == "POST" and form.is_valid():
        try:
            customer = services.lead_register(actor=request.user, **form.cleaned_data)
            messages.success(request, _("Registered: %(name)s.") % {"name": customer.name})
            return redirect("customer-detail", pk=customer.pk)
        except OwnershipTaken as error:
            refusal = error.message
        except InLeadPool as error:
            refusal = error.message
        except ApplicationError as error:
            add_error_to_form(form, error)
    return render(request, "crm/lead_register.html", {"form": form, "refusal": refusal})


@login_required
def lead_pool(request):
    _require(request.user, CAN_CREATE)
    page = ListPage(
        request=request,
        queryset=selectors.pool_list_for_user(user=request.user),
        title=gettext_lazy("Lead pool"),
        columns=[
            Column("name", gettext_lazy("Name"), sort="name"),
            Column("city", gettext_lazy("City"), sort="city"),
            Column("source", gettext_lazy("Source")),
            Column("pooled_at", gettext_lazy("In the pool since"), sort="pooled_at"),
            Column("claim", gettext_lazy("Claim"), template="crm/partials/pool_claim.html"),
        ],
        search_fields=["search_key"],
        default_sort="-pooled_at",
        export_name="lead-pool",
        empty_message=gettext_lazy("The pool is empty."),
        extra={"held": services.held_prospects(request.user)},
    )
    return page.response()


@require_POST
@login_required
@action_view
def lead_claim(request, pk: int):
    customer = selectors.pool_list_for_user(user=request.user).filter(pk=pk).first()
    if customer is None:
        raise Http404
    services.pool_claim(customer=customer, actor=request.user)
    messages.success(request, _("%(name)s is now yours.") % {"name": customer.name})
    return redirect("customer-detail", pk=pk)


@login_required
def conflicts(request):
    _require(request.user, CAN_CREATE)
    page = ListPage(
        request=request,
        queryset=selectors.conflict_list_for_user(user=request.user),
        title=gettext_lazy("Ownership conflicts"),
        columns=[
            Column("created_at", gettext_lazy("Attempted at"), sort="created_at"),
            Column("attempted_by", gettext_lazy("Attempted by"), value=lambda c: c.attempted_by.display_name),
            Column("attempted_name", gettext_lazy("Name given")),
            Column("matched_on", gettext_lazy("Matched on"), value=lambda c: c.get_matched_on_display()),
            Column("customer", gettext_lazy("Customer"), template="crm/partials/conflict_customer.html"),
            Column("status", gettext_lazy("Status"), sort="status", template="crm/partials/conflict_actions.html"),
        ],
        filters=[Filter("status", gettext_lazy("Status"), OwnershipConflict.Status.choices)],
        default_sort="-created_at",
        export_name="ownership-conflicts",
        empty_message=gettext_lazy("No conflicts."),
        extra={"can_decide": bool(request.user.roles & SUPERVISORS)},
    )
    return page.response()


@require_POST
@login_required
@action_view
def conflict_decide(request, pk: int):
    _require(request.user, SUPERVISORS)
    conflict = selectors.conflict_list_for_user(user=request.user).filter(pk=pk).first()
    if conflict is None:
        raise Http404
    services.conflict_decide(conflict=conflict, actor=request.user, assign=request.POST.get("decision") == "assign")
    messages.success(request, _("Decided."))
    return redirect("conflicts")


@login_required
def reassign(request):
    _require(request.user, SUPERVISORS)
    reps = selectors.reps_for_user(user=request.user)
    form = ReassignForm(request.POST or None, reps=reps)
    if request.method == "POST" and form.is_valid():
        try:
            batch = services.reassignment_start(actor=request.user, **form.cleaned_data)
            return redirect("reassign-progress", pk=batch.pk)
        except ApplicationError as error:
            add_error_to_form(form, error)
    batches = selectors.reassignment_list_for_user(user=request.user)[:10]
    return render(request, "crm/reassign.html", {"form": form, "batches": batches})


@login_required
def reassign_progress(request, pk: int):
    batch = selectors.reassignment_list_for_user(user=request.user).filter(pk=pk).first()
    if batch is None:
        raise Http404
    template = (
        "crm/partials/reassign_progress.html" if request.headers.get("HX-Request") else "crm/reassign_progress.html"
    )
    return render(request, template, {"batch": batch})


# --- grading ----------------------------------------------------------------------------------------
@login_required
def grading(request):
    _require(request.user, CAN_CREATE)
    if request.method == "POST":
        _require(request.user, SUPERVISORS | {Role.SYSADMIN})
        run = grading_run(actor=request.user)
        messages.success(request, _("Grades recomputed for %(n)s customers.") % {"n": run.customers})
        return redirect("grading")
    customers = selectors.customer_list_for_user(user=request.user)
    by_grade = dict(customers.order_by().values_list("grade").annotate(n=Count("pk")))
    counts = {grade: by_grade.get(grade, 0) for grade in ("A", "B", "C")}
    runs = selectors.grading_run_list()[:10]
    top = customers.filter(grade="A").select_related("key_account").order_by("name")[:50]
    return render(
        request,
        "crm/grading.html",
        {
            "counts": counts,
            "runs": runs,
            "top": top,
            "can_run": bool(request.user.roles & (SUPERVISORS | {Role.SYSADMIN})),
        },
    )


# --- opportunities ----------------------------------------------------------------------------------
CARDS_PER_STAGE = 50


def _stage_options(stages, selected) -> str:
    """The stage <option>s of a card, rendered once per column: every card of a column is in
    the same stage, so they share one string instead of one template loop per card."""
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((s.pk, " selected" if s.pk == selected else "", s.label) for s in stages),
    )


@login_required
def opportunity_board(request):
    """Kanban by stage: each column's count and total over all its opportunities (one
    aggregate), and its first cards by expected close (one windowed query)."""
    _require(request.user, CAN_CREATE)
    opportunities = selectors.opportunity_list_for_user(user=request.user)
    if request.GET.get("mine") == "1":
        opportunities = opportunities.filter(owner=request.user)
    stages = list(selectors.stage_list())
    totals = {row["stage_id"]: row for row in selectors.opportunity_totals_by_stage(opportunities)}
    by_stage = {stage.pk: [] for stage in stages}
    for opportunity in selectors.opportunity_cards_by_stage(opportunities, per_stage=CARDS_PER_STAGE):
        by_stage.setdefault(opportunity.stage_id, []).append(opportunity)
    columns = []
    for stage in stages:
        cards = by_stage.get(stage.pk, [])
        count = totals.get(stage.pk, {}).get("n", 0)
        columns.append(
            {
                "stage": stage,
                "cards": cards,
                "count": count,
                "more": count - len(cards),
                "total": totals.get(stage.pk, {}).get("total") or 0,
                "options": "" if stage.is_closed else _stage_options(stages, stage.pk),
            }
        )
    return render(
        request,
        "crm/opportunity_board.html",
        {"columns": columns, "stages": stages, "move_label": _("Move to stage"), "move_button": _("Move")},
    )


@login_required
def opportunity_list(request):
    _require(request.user, CAN_CREATE)
    stages = list(selectors.stage_list())
    page = ListPage(
        request=request,
        queryset=selectors.opportunity_list_for_user(user=request.user),
        title=gettext_lazy("Opportunities"),
        columns=[
            Column(
                "code", gettext_lazy("Code"), sort="code", link=lambda o: reverse("opportunity-detail", args=[o.pk])
            ),
            Column("name", gettext_lazy("Name"), sort="name"),
            Column("customer", gettext_lazy("Customer"), sort="customer__name", value=lambda o: o.customer.name),
            Column("stage", gettext_lazy("Stage"), sort="stage__order", value=lambda o: o.stage.label),
            Column("amount", gettext_lazy("Amount"), sort="amount", kind="money"),
            Column("weighted", gettext_lazy("Weighted"), value=lambda o: o.weighted_amount, kind="money"),
            Column("expected_close", gettext_lazy("Expected close"), sort="expected_close"),
            Column("owner", gettext_lazy("Owner rep"), sort="owner__full_name", value=lambda o: o.owner.display_name),
        ],
        filters=[Filter("stage", gettext_lazy("Stage"), [(str(s.pk), s.label) for s in stages])],
        search_fields=["name", "code", "customer__search_key"],
        default_sort="expected_close",
        export_name="opportunities",
        actions_template="crm/partials/opportunity_actions.html",
    )
    return page.response()


def _opportunity_or_404(user, pk) -> Opportunity:
    opportunity = selectors.opportunity_list_for_user(user=user).filter(pk=pk).first()
    if opportunity is None:
        raise Http404
    return opportunity


@login_required
def opportunity_edit(request, pk: int | None = None):
    _require(request.user, CAN_CREATE)
    opportunity = _opportunity_or_404(request.user, pk) if pk else None
    customers = selectors.customer_list_for_user(user=request.user)
    initial = {"customer": request.GET.get("customer")} if request.GET.get("customer") else None
    form = OpportunityForm(request.POST or None, instance=opportunity, customers=customers, initial=initial)

    def save(cleaned_data):
        data = dict(cleaned_data)
        if opportunity:
            return services.opportunity_update(opportunity=opportunity, data=data, actor=request.user)
        customer = data.pop("customer")
        return services.opportunity_create(actor=request.user, customer=customer, **data)

    saved = save_form(
        request,
        form,
        save,
        success=_("Opportunity saved."),
        redirect_to=lambda saved_opportunity: reverse("opportunity-detail", args=[saved_opportunity.pk]),
    )
    if saved:
        return saved
    return render(request, "crm/simple_form.html", {"form": form, "title": _("Opportunity")})


@login_required
def opportunity_detail(request, pk: int):
    opportunity = _opportunity_or_404(request.user, pk)
    return render(
        request,
        "crm/opportunity_detail.html",
        {
            "opportunity": opportunity,
            "changes": opportunity.stage_changes.select_related("from_stage", "to_stage", "changed_by"),
            "move_form": StageMoveForm(initial={"stage": opportunity.stage}),
            "activities": opportunity.activities.all()[:20],
            "history": history_for(opportunity)[:30],
            **_opportunity_quotes(request.user, opportunity),
        },
    )


def _opportunity_quotes(user, opportunity) -> dict:
    """The quotes made for the opportunity that the reader may see, and whether they may make
    one (the sales area's read and roles)."""
    from salesops.sales.api import SELLER_ROLES
    from salesops.sales.selectors import quotes_for_opportunity

    return {
        "quotes": quotes_for_opportunity(user=user, opportunity=opportunity),
        "can_quote": user.is_superuser or bool(user.roles & SELLER_ROLES),
    }


@require_POST
@login_required
@action_view
def opportunity_move(request, pk: int):
    _require(request.user, CAN_CREATE)
    opportunity = _opportunity_or_404(request.user, pk)
    form = StageMoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a stage."))
        return redirect("opportunity-detail", pk=pk)
    services.opportunity_move(
        opportunity=opportunity,
        stage=form.cleaned_data["stage"],
        actor=request.user,
        loss_reason=form.cleaned_data["loss_reason"],
    )
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    messages.success(request, _("Stage changed."))
    return redirect(request.POST.get("next") or reverse("opportunity-detail", args=[pk]))


@login_required
def pipeline(request):
    _require(request.user, CAN_CREATE)
    group = request.GET.get("by", "owner")
    if group not in {"owner", "team", "month"}:
        group = "owner"
    rows = selectors.pipeline_summary(user=request.user, group_by=group)
    chart = {
        "tooltip": {"trigger": "axis"},
        "legend": {"data": [_("Amount"), _("Weighted")]},
        "grid": {"left": 60, "right": 10, "bottom": 60},
        "xAxis": {
            "type": "category",
            "data": [formatting.month(r["key"]) if group == "month" else str(r["key"]) for r in rows],
            "axisLabel": {"rotate": 30},
        },
        "yAxis": {"type": "value"},
        "series": [
            {"name": _("Amount"), "type": "bar", "data": [float(r["amount"]) for r in rows]},
            {"name": _("Weighted"), "type": "bar", "data": [float(r["weighted"]) for r in rows]},
        ],
    }
    totals = {
        "count": sum(r["count"] for r in rows),
        "amount": sum(r["amount"] for r in rows),
        "weighted": sum(r["weighted"] for r in rows),
    }
    return render(
        request, "crm/pipeline.html", {"rows": rows, "group": group, "chart": json.dumps(chart), "totals": totals}
    )


# --- activities -------------------------------------------------------------------------------------
@login_required
def activities(request):
    _require(request.user, CAN_CREATE)
    page = ListPage(
        request=request,
        queryset=selectors.activity_list_for_user(user=request.user),
        title=gettext_lazy("Activities"),
        columns=[
            Column("occurred_at", gettext_lazy("When"), sort="occurred_at"),
            Column("kind", gettext_lazy("Kind"), sort="kind", value=lambda a: a.get_kind_display()),
            Column("subject", gettext_lazy("Subject")),
            Column(
                "customer",
                gettext_lazy("Customer"),
                value=lambda a: a.customer.name,
                link=lambda a: reverse("customer-detail", args=[a.customer_id]),
            ),
            Column("owner", gettext_lazy("Rep"), value=lambda a: a.owner.display_name),
            Column("next_step", gettext_lazy("Next step")),
            Column("next_step_due", pgettext_lazy("deadline", "Due"), sort="next_step_due"),
            Column(
                "entered_late",
                gettext_lazy("Entered late"),
                value=lambda a: pgettext("entered", "late") if a.entered_late else "",
            ),
        ],
        filters=[
            Filter("kind", gettext_lazy("Kind"), Activity.Kind.choices),
            Filter(
                "late",
                gettext_lazy("Entered late"),
                [("1", pgettext_lazy("entered", "late"))],
                lookup="entered_late",
                apply=lambda q, v: q.filter(entered_late=True),
            ),
        ],
        search_fields=["subject", "customer__search_key"],
        default_sort="-occurred_at",
        export_name="activities",
        actions_template="crm/partials/activity_actions.html",
    )
    return page.response()


@login_required
def activity_new(request):
    _require(request.user, CAN_CREATE)
    customers = selectors.customer_list_for_user(user=request.user)
    initial = {
        "occurred_at": timezone.localtime().replace(second=0, microsecond=0, tzinfo=None),
        "kind": Activity.Kind.CALL,
    }
    if request.GET.get("customer"):
        initial["customer"] = request.GET["customer"]
    if request.GET.get("kind") in Activity.Kind.values:
        initial["kind"] = request.GET["kind"]
    form = ActivityForm(request.POST or None, customers=customers, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            activity = services.activity_log(actor=request.user, **data)
            messages.success(
                request, _("Activity saved.") + (" " + _("It was entered late.") if activity.entered_late else "")
            )
            return redirect("customer-detail", pk=activity.customer_id)
        except ApplicationError as error:
            add_error_to_form(form, error)
    return render(request, "crm/simple_form.html", {"form": form, "title": _("Log an activity")})


@require_POST
@login_required
@action_view
def activity_complete(request, pk: int):
    activity = selectors.activity_list_for_user(user=request.user).filter(pk=pk).first()
    if activity is None:
        raise Http404
    if activity.owner_id != request.user.pk:
        raise PermissionDenied()
    services.activity_complete(activity=activity, actor=request.user, outcome=request.POST.get("outcome", ""))
    messages.success(request, _("Done."))
    return redirect(request.POST.get("next") or reverse("agenda"))


@login_required
def agenda(request):
    _require(request.user, CAN_CREATE)
    days = 7 if request.GET.get("range") == "week" else 1
    return render(
        request, "crm/agenda.html", {"agenda": selectors.agenda_for_user(user=request.user, days=days), "days": days}
    )


@login_required
def agenda_ics(request):
    _require(request.user, CAN_CREATE)
    since = timezone.now() - datetime.timedelta(days=30)
    items = (
        Activity.objects.filter(owner=request.user, occurred_at__gte=since)
        .select_related("customer")
        .order_by("occurred_at")
    )
    body = activities_ics(items, calendar_name=f"salesops · {request.user.display_name}", host=request.get_host())
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="activities.ics"'
    return response


# --- complaints -------------------------------------------------------------------------------------
@login_required
def complaints(request):
    _require(request.user, CAN_CREATE)
    now = timezone.now()
    page = ListPage(
        request=request,
        queryset=selectors.complaint_list_for_user(user=request.user),
        title=gettext_lazy("Complaints and after-sales requests"),
        columns=[
            Column("code", gettext_lazy("Code"), sort="code", link=lambda c: reverse("complaint-detail", args=[c.pk])),
            Column("received_at", pgettext_lazy("complaint", "Received"), sort="received_at"),
            Column("age", gettext_lazy("Age (days)"), value=lambda c: (now - c.received_at).days, numeric=True),
            Column("customer", gettext_lazy("Customer"), value=lambda c: c.customer.name),
            Column("kind", gettext_lazy("Kind"), value=lambda c: c.get_kind_display()),
            Column("subject", gettext_lazy("Subject")),
            Column(
                "answer_due", gettext_lazy("Answer due"), sort="answer_due", template="crm/partials/answer_due.html"
            ),
            Column("status", gettext_lazy("Status"), sort="status", value=lambda c: c.get_status_display()),
            Column("owner", gettext_lazy("Owner"), value=lambda c: c.owner.display_name),
        ],
        filters=[
            Filter("status", gettext_lazy("Status"), Complaint.Status.choices),
            Filter("kind", gettext_lazy("Kind"), Complaint.Kind.choices),
        ],
        search_fields=["subject", "code", "customer__search_key"],
        default_sort="received_at",
        export_name="complaints",
        actions_template="crm/partials/complaint_actions.html",
        extra={"now": now},
    )
    return page.response()


@login_required
def complaint_new(request):
    _require(request.user, CAN_CREATE)
    customers = selectors.customer_list_for_user(user=request.user)
    initial = {"customer": request.GET.get("customer")} if request.GET.get("customer") else None
    form = ComplaintForm(request.POST or None, customers=customers, initial=initial)
    if request.method == "POST" and form.is_valid():
        complaint = services.complaint_register(actor=request.user, **form.cleaned_data)
        messages.success(
            request,
            _("Registered. Answer due %(due)s.") % {"due": formatting.datetime_(complaint.answer_due, short=True)},
        )
        return redirect("complaint-detail", pk=complaint.pk)
    return render(request, "crm/simple_form.html", {"form": form, "title": _("Register a complaint")})


def _complaint_or_404(user, pk) -> Complaint:
    complaint = selectors.complaint_list_for_user(user=user).filter(pk=pk).first()
    if complaint is None:
        raise Http404
    return complaint


@login_required
def complaint_detail(request, pk: int):
    complaint = _complaint_or_404(request.user, pk)
    return render(
        request,
        "crm/complaint_detail.html",
        {"complaint": complaint, "history": history_for(complaint)[:30], "now": timezone.now()},
    )


@require_POST
@login_required
@action_view
def complaint_action(request, pk: int, action: str):
    _require(request.user, CAN_CREATE)
    complaint = _complaint_or_404(request.user, pk)
    text = request.POST.get("text", "")
    if action == "answer":
        services.complaint_answer(complaint=complaint, actor=request.user, answer=text)
    elif action == "resolve":
        services.complaint_resolve(complaint=complaint, actor=request.user, resolution=text)
    elif action == "follow-up":
        try:
            score = int(request.POST.get("satisfaction", "0"))
        except ValueError:
            score = 0
        services.complaint_follow_up(complaint=complaint, actor=request.user, satisfaction=score, note=text)
    else:
        raise Http404
    messages.success(request, _("Saved."))
    return redirect("complaint-detail", pk=pk)


# --- import -----------------------------------------------------------------------------------------
@login_required
def customer_import(request):
    _require(request.user, CAN_CREATE)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            record = imports.customer_import_preview(actor=request.user, upload=form.cleaned_data["file"])
            return redirect("customer-import-preview", pk=record.pk)
        except ApplicationError as error:
            add_error_to_form(form, error)
    return render(request, "crm/simple_form.html", {"form": form, "title": _("Import customers"), "multipart": True})


@login_required
def customer_import_preview(request, pk: int):
    record = CustomerImport.objects.filter(pk=pk, uploaded_by=request.user).first()
    if record is None:
        raise Http404
    if request.method == "POST":
        try:
            record = imports.customer_import_commit(
                customer_import=record, actor=request.user, only_good_rows=request.POST.get("only_good") == "1"
            )
            messages.success(request, _("%(n)s customers imported.") % {"n": record.created})
            return redirect("customers")
        except ApplicationError as error:
            messages.error(request, str(error.message))
    return render(request, "crm/import_preview.html", {"record": record})


# --- policy -----------------------------------------------------------------------------------------
def _require_policy_editor(user):
    if not services.can_edit_policy(user):
        raise Http404


@login_required
def crm_policy(request):
    """Holding limit, grading, pool return days per grade, stages."""
    _require_policy_editor(request.user)
    policy = CrmPolicy.current()
    section = request.POST.get("section") if request.method == "POST" else None
    policy_form = CrmPolicyForm(
        request.POST if section == "policy" else None, instance=policy, measures=grading_measures(), prefix="policy"
    )
    pool_form = PoolRulesForm(request.POST if section == "pool" else None, rules=services.pool_rules(), prefix="pool")
    saved = save_form(
        request,
        policy_form,
        lambda data: services.crm_policy_update(actor=request.user, data=data),
        success=_("Policy saved."),
        redirect_to="crm-policy",
    ) or save_form(
        request,
        pool_form,
        lambda _data: services.pool_rules_update(actor=request.user, days=pool_form.days()),
        success=_("Pool rules saved."),
        redirect_to="crm-policy",
    )
    if saved:
        return saved
    return render(
        request,
        "crm/policy.html",
        {"policy_form": policy_form, "pool_form": pool_form, "stages": Stage.objects.order_by("order", "pk")},
    )


@login_required
def stage_edit(request, pk: int | None = None):
    _require_policy_editor(request.user)
    stage = Stage.objects.filter(pk=pk).first() if pk else None
    if pk and stage is None:
        raise Http404
    # The form validates on its own copy: a ModelForm writes the input onto its instance.
    form = StageForm(request.POST or None, instance=Stage.objects.filter(pk=pk).first() if pk else None)
    saved = save_form(
        request,
        form,
        lambda data: services.stage_save(actor=request.user, stage=stage, data=data),
        success=_("Stage saved."),
        redirect_to="crm-policy",
    )
    if saved:
        return saved
    return render(
        request,
        "crm/simple_form.html",
        {"form": form, "title": _("Pipeline stage"), "cancel_url": reverse("crm-policy")},
    )
