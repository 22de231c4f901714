"""Pages of credit and collections. Each view: permission → form → selector → one service."""

from __future__ import annotations

import datetime
import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from salesops.core.audit import history_for
from salesops.core.exceptions import ApplicationError, ValidationFailed
from salesops.core.export import XLSX_TYPE, xlsx_response
from salesops.core.formatting import money
from salesops.core.listing import Column, DateFilter, Filter, ListPage
from salesops.core.roles import SALES_ROLES, Role
from salesops.core.web import action_view, add_error_to_form, save_form
from salesops.credit import forms, services, statements
from salesops.credit import receipts as receipt_services
from salesops.credit.ageing import BUCKETS, GROUPS, ageing_detail_for_user, ageing_for_user
from salesops.credit.ledger import month_end, month_start
from salesops.credit.models import CreditFile, CreditLimitRequest, Receipt, Reconciliation, Statement
from salesops.credit.selectors import (
    credit_file_list_for_user,
    credit_summary_for_customer,
    escalation_list_for_user,
    is_credit_manager,
    limit_request_list_for_user,
    open_invoices_for_customer,
    receipt_list_for_user,
    reconciliation_list_for_user,
    review_list_for_user,
    statement_list_for_user,
    statement_run_list_for_user,
)
from salesops.crm.selectors import customer_list_for_user

FINANCE = frozenset({Role.FINANCE, Role.SYSADMIN})
READERS = frozenset(SALES_ROLES | {Role.FINANCE})


def _is_finance(user) -> bool:
    return user.is_superuser or user.has_role(*FINANCE)


def _require(user, roles) -> None:
    if not (user.is_superuser or user.has_role(*roles)):
        raise Http404


def _one(queryset, pk):
    obj = queryset.filter(pk=pk).first()
    if obj is None:
        raise Http404
    return obj


RECENT_MONTHS = 6


def _recent_months(today: datetime.date, count: int = RECENT_MONTHS) -> list[datetime.date]:
    """The first days of this month and the `count - 1` months before it, latest first."""
    months = [month_start(today)]
    while len(months) < count:
        months.append(month_start(months[-1] - datetime.timedelta(days=1)))
    return months


def _month_filter(field: str, label) -> Filter:
    """Chips of the last six months on a date field (?month=2026-11); older periods through
    the date range."""

    def apply(queryset, value: str):
        start = datetime.date.fromisoformat(f"{value}-01")
        return queryset.filter(**{f"{field}__gte": start, f"{field}__lte": month_end(start)})

    months = [(f"{month:%Y-%m}", f"{month:%Y-%m}") for month in _recent_months(timezone.localdate())]
    return Filter("month", label, months, apply=apply)


def _date_range(request, queryset, field: str):
    """The list narrowed to ?date_from=…&date_to=… on `field`, and the form that sets them."""
    form = forms.DateRangeFilterForm(request.GET)
    return form.filter(queryset, field), form


# --- credit files --------------------------------------------------------------------------------------
@login_required
def credit_file_list(request):
    _require(request.user, READERS)
    page = ListPage(
        request=request,
        queryset=credit_file_list_for_user(user=request.user),
        title=gettext_lazy("Credit files"),
        columns=[
            Column("customer__code", gettext_lazy("Code"), sort="customer__code"),
            Column(
                "customer__name",
                gettext_lazy("Customer"),
                sort="customer__name",
                link=lambda f: reverse("credit-file-detail", args=[f.pk]),
            ),
            Column("grade", gettext_lazy("Grade"), sort="grade"),
            Column("limit", gettext_lazy("Credit limit"), sort="limit", kind="money"),
            Column("payment_terms_days", gettext_lazy("Terms (days)"), sort="payment_terms_days", numeric=True),
            Column("review_due", gettext_lazy("Next review"), sort="review_due"),
            Column("active", gettext_lazy("Credit allowed"), value=lambda f: _("yes") if f.active else _("no")),
            Column("owner", gettext_lazy("Owner rep"), value=lambda f: f.customer.owner.display_name),
        ],
        filters=[
            Filter("grade", gettext_lazy("Grade"), CreditFile.Grade.choices),
            Filter(
                "due",
                gettext_lazy("Review"),
                [("due", gettext_lazy("due"))],
                apply=lambda qs, v: qs.filter(review_due__lte=timezone.localdate()),
            ),
        ],
        search_fields=["customer__name", "customer__code", "customer__search_key"],
        default_sort="customer__name",
        export_name="credit-files",
        date_filter=DateFilter("date", gettext_lazy("Next review"), "review_due"),
        actions_template="credit/partials/file_actions.html" if _is_finance(request.user) else None,
        empty_message=gettext_lazy("No credit files yet. Customers without one buy for cash."),
    )
    return page.response()


@login_required
def credit_file_open(request):
    _require(request.user, FINANCE)
    customers = customer_list_for_user(user=request.user).filter(credit_file__isnull=True).order_by("name")
    form = forms.CreditFileOpenForm(
        request.POST or None, customers=customers, initial={"customer": request.GET.get("customer")}
    )
    saved = save_form(
        request,
        form,
        lambda data: services.credit_file_open(actor=request.user, **data),
        success=_("Credit file opened."),
        redirect_to=lambda credit_file: reverse("credit-file-detail", args=[credit_file.pk]),
    )
    if saved:
        return saved
    return render(request, "credit/form.html", {"form": form, "title": _("Open a credit file")})


@login_required
def credit_file_detail(request, pk: int):
    credit_file = _one(credit_file_list_for_user(user=request.user), pk)
    customer = credit_file.customer
    manager = is_credit_manager(request.user)
    context = {
        "file": credit_file,
        "customer": customer,
        "summary": credit_summary_for_customer(customer=customer),
        "invoices": open_invoices_for_customer(user=request.user, customer=customer)[:50],
        "receipts": receipt_list_for_user(user=request.user).filter(customer=customer)[:20],
        "limit_requests": credit_file.limit_requests.all()[:10],
        "escalations": escalation_list_for_user(user=request.user).filter(customer=customer)[:20],
        "reviews": review_list_for_user(user=request.user).filter(credit_file=credit_file)[:10] if manager else [],
        "is_finance": _is_finance(request.user),
        "is_manager": manager,
        "history": history_for(credit_file)[:30],
        "today": timezone.localdate(),
    }
    if context["is_finance"]:
        context["edit_form"] = forms.CreditFileEditForm(
            initial={
                "grade": credit_file.grade,
                "overdue_grace_days": credit_file.overdue_grace_days,
                "review_due": credit_file.review_due,
                "active": credit_file.active,
            }
        )
    return render(request, "credit/file_detail.html", context)


@login_required
@require_POST
@action_view
def credit_file_edit(request, pk: int):
    _require(request.user, FINANCE)
    credit_file = _one(credit_file_list_for_user(user=request.user), pk)
    form = forms.CreditFileEditForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Some values are not valid."))
    else:
        services.credit_file_update(credit_file=credit_file, data=form.cleaned_data, actor=request.user)
        messages.success(request, _("Credit file saved."))
    return redirect("credit-file-detail", pk=pk)


@login_required
@require_POST
@action_view
def credit_file_apply_on_account(request, pk: int):
    _require(request.user, FINANCE)
    credit_file = _one(credit_file_list_for_user(user=request.user), pk)
    made = receipt_services.customer_apply_credit_on_account(customer=credit_file.customer, actor=request.user)
    messages.success(request, _("%(count)d allocations made.") % {"count": len(made)})
    return redirect("credit-file-detail", pk=pk)


@login_required
def credit_review_new(request, pk: int):
    _require(request.user, FINANCE)
    credit_file = _one(credit_file_list_for_user(user=request.user), pk)
    today = timezone.localdate()
    since = services.review_period_start(credit_file, today)
    history = services.payment_history_for(customer_id=credit_file.customer_id, since=since, until=today)
    form = forms.CreditReviewForm(
        request.POST or None,
        initial={"grade": credit_file.grade, "requested_terms_days": credit_file.payment_terms_days},
    )
    saved = save_form(
        request,
        form,
        lambda data: services.credit_review_create(credit_file=credit_file, actor=request.user, **data),
        success=_("Credit review recorded."),
        redirect_to=reverse("credit-file-detail", args=[pk]),
    )
    if saved:
        return saved
    return render(
        request,
        "credit/review_form.html",
        {
            "form": form,
            "file": credit_file,
            "history": history,
            "summary": credit_summary_for_customer(customer=credit_file.customer),
        },
    )


@login_required
def credit_review_list(request):
    if not is_credit_manager(request.user):
        raise Http404
    page = ListPage(
        request=request,
        queryset=review_list_for_user(user=request.user),
        title=gettext_lazy("Credit reviews"),
        columns=[
            Column("review_date", gettext_lazy("Date"), sort="review_date"),
            Column(
                "customer",
                gettext_lazy("Customer"),
                value=lambda r: r.credit_file.customer.name,
                link=lambda r: reverse("credit-file-detail", args=[r.credit_file_id]),
                sort="credit_file__customer__name",
            ),
            Column("grade", gettext_lazy("Grade"), sort="grade"),
            Column("average_days_to_pay", gettext_lazy("Average days to pay"), numeric=True),
            Column("overdue_incidents", gettext_lazy("Overdue incidents"), numeric=True),
            Column("max_exposure", gettext_lazy("Maximum receivable"), kind="money"),
            Column("reviewer", gettext_lazy("Reviewer"), value=lambda r: r.reviewer.display_name),
        ],
        search_fields=["credit_file__customer__name"],
        default_sort="-review_date",
        export_name="credit-reviews",
        date_filter=DateFilter("date", gettext_lazy("Review date"), "review_date"),
    )
    return page.response()


# --- limit changes ----------------------------------------------------------------------------------------
@login_required
def limit_request_list(request):
    _require(request.user, READERS)
    page = ListPage(
        request=request,
        queryset=limit_request_list_for_user(user=request.user),
        title=gettext_lazy("Credit limit changes"),
        columns=[
            Column(
                "number",
                gettext_lazy("Number"),
                sort="number",
                link=lambda r: reverse("credit-limit-request", args=[r.pk]),
            ),
            Column("customer", gettext_lazy("Customer"), value=lambda r: r.credit_file.customer.name),
            Column("current_limit", gettext_lazy("Current limit"), kind="money"),
            Column("requested_limit", gettext_lazy("Requested limit"), sort="requested_limit", kind="money"),
            Column("status", gettext_lazy("Status"), sort="status", value=lambda r: r.get_status_display()),
            Column("requested_by", gettext_lazy("Requested by"), value=lambda r: r.requested_by.display_name),
            Column("created_at", gettext_lazy("Created"), sort="created_at"),
        ],
        filters=[Filter("status", gettext_lazy("Status"), CreditLimitRequest.Status.choices)],
        search_fields=["number", "credit_file__customer__name"],
        default_sort="-created_at",
        export_name="credit-limit-changes",
        date_filter=DateFilter("date", gettext_lazy("Created"), "created_at"),
    )
    return page.response()


@login_required
def limit_request_new(request, pk: int):
    _require(request.user, READERS)
    credit_file = _one(credit_file_list_for_user(user=request.user), pk)
    form = forms.LimitRequestForm(
        request.POST or None,
        initial={"requested_limit": credit_file.limit, "requested_terms_days": credit_file.payment_terms_days},
    )
    saved = save_form(
        request,
        form,
        lambda data: services.limit_request_create(credit_file=credit_file, actor=request.user, **data),
        success=_("Sent for approval."),
        redirect_to=lambda limit_request: reverse("credit-limit-request", args=[limit_request.pk]),
    )
    if saved:
        return saved
    return render(
        request,
        "credit/form.html",
        {
            "form": form,
            "title": _("Change the credit limit of %(customer)s") % {"customer": credit_file.customer.name},
            "intro": _(
                "Current limit %(limit)s, terms %(days)d days. The change applies only after finance and the "
                "general manager approve it."
            )
            % {"limit": money(credit_file.limit), "days": credit_file.payment_terms_days},
        },
    )


@login_required
def limit_request_detail(request, pk: int):
    limit_request = _one(limit_request_list_for_user(user=request.user), pk)
    from salesops.approvals.services import approval_state_for

    state = approval_state_for(document=limit_request, doc_type=services.LIMIT_DOC_TYPE)
    return render(
        request,
        "credit/limit_request_detail.html",
        {
            "req": limit_request,
            "approval": state.request,
            "history": history_for(limit_request)[:30],
            "can_cancel": limit_request.status in {"draft", "pending", "returned"}
            and (limit_request.requested_by_id == request.user.pk),
            "can_resubmit": limit_request.status == "returned" and limit_request.requested_by_id == request.user.pk,
        },
    )


@login_required
@require_POST
@action_view
def limit_request_action(request, pk: int, verb: str):
    limit_request = _one(limit_request_list_for_user(user=request.user), pk)
    if limit_request.requested_by_id != request.user.pk:
        raise Http404
    if verb == "cancel":
        services.limit_request_cancel(limit_request=limit_request, actor=request.user)
    elif verb == "submit":
        services.limit_request_submit(limit_request=limit_request, actor=request.user)
    else:
        raise Http404
    return redirect("credit-limit-request", pk=pk)


# --- receipts -------------------------------------------------------------------------------------------------
@login_required
def receipt_list(request):
    _require(request.user, READERS)
    receipts, dates = _date_range(request, receipt_list_for_user(user=request.user), "received_on")
    page = ListPage(
        request=request,
        queryset=receipts,
        title=gettext_lazy("Receipts"),
        columns=[
            Column(
                "number",
                gettext_lazy("Number"),
                sort="number",
                link=lambda r: reverse("credit-receipt-detail", args=[r.pk]),
            ),
            Column("received_on", gettext_lazy("Received on"), sort="received_on"),
            Column("customer", gettext_lazy("Customer"), sort="customer__name", value=lambda r: r.customer.name),
            Column("amount", gettext_lazy("Amount"), sort="amount", kind="money"),
            Column("unallocated", gettext_lazy("On account"), kind="money", value=lambda r: r.unallocated_amount),
            Column("method", gettext_lazy("Method"), value=lambda r: r.get_method_display()),
            Column("status", gettext_lazy("Status"), sort="status", value=lambda r: r.get_status_display()),
            Column(
                "handed_by",
                gettext_lazy("Handed over by"),
                value=lambda r: r.handed_by.display_name if r.handed_by else "",
            ),
        ],
        filters=[
            Filter("status", gettext_lazy("Status"), Receipt.Status.choices),
            Filter("method", gettext_lazy("Method"), Receipt.Method.choices),
            _month_filter("received_on", gettext_lazy("Received in")),
        ],
        search_fields=["number", "customer__name", "bank_reference"],
        default_sort="-received_on",
        export_name="receipts",
        actions_template="credit/partials/receipt_actions.html",
        empty_message=gettext_lazy("No receipts yet."),
        extra={"date_range": dates, "date_range_label": gettext_lazy("Received on")},
    )
    if dates.active:
        page.active_filters["dates"] = True  # "nothing matches" rather than "no receipts yet"
    return page.response("credit/receipt_list.html")


def _payable_orders(user):
    """Orders whose payment finance may record: open orders the user may see."""
    from salesops.credit.receipts import ORDER_HOLDS_PAYMENT
    from salesops.sales.selectors import order_list_for_user

    return order_list_for_user(user=user).filter(status__in=ORDER_HOLDS_PAYMENT).select_related("customer")


def _released_message(request, receipt) -> None:
    released = getattr(receipt, "released_orders", [])
    if released:
        messages.success(
            request,
            _("Confirmed now that the money covers them: %(orders)s.")
            % {"orders": ", ".join(order.number for order in released)},
        )


@login_required
def receipt_new(request):
    _require(request.user, READERS)
    customers = customer_list_for_user(user=request.user).order_by("name")
    orders = _payable_orders(request.user).order_by("-order_date", "-pk")
    initial = {"customer": request.GET.get("customer")}
    order = orders.filter(pk=request.GET.get("order")).first() if request.GET.get("order", "").isdigit() else None
    if order is not None:
        initial.update(customer=order.customer_id, order=order.pk, amount=order.total)
    form = forms.ReceiptForm(request.POST or None, customers=customers, orders=orders, initial=initial)

    def record(data):
        receipt = receipt_services.receipt_record(actor=request.user, **data)
        _released_message(request, receipt)
        return receipt

    saved = save_form(
        request,
        form,
        record,
        success=_("Receipt recorded."),
        redirect_to=lambda receipt: reverse("credit-receipt-detail", args=[receipt.pk]),
    )
    if saved:
        return saved
    intro = "" if _is_finance(request.user) else _("Record the money you handed to the cashier; finance confirms it.")
    return render(request, "credit/form.html", {"form": form, "title": _("Record a payment"), "intro": intro})


@login_required
def receipt_detail(request, pk: int):
    receipt = _one(receipt_list_for_user(user=request.user), pk)
    finance = _is_finance(request.user)
    open_invoices = (
        open_invoices_for_customer(user=request.user, customer=receipt.customer).filter(kind="invoice")
        if finance
        else []
    )
    if finance and receipt.order_id and receipt.order.status in receipt_services.ORDER_HOLDS_PAYMENT:
        open_invoices = open_invoices.filter(order_id=receipt.order_id)
    can_choose_order = finance and (
        receipt.status == Receipt.Status.HANDED_OVER
        or (receipt.status == Receipt.Status.CONFIRMED and not receipt.allocated_amount)
    )
    return render(
        request,
        "credit/receipt_detail.html",
        {
            "receipt": receipt,
            "allocations": receipt.allocations.select_related("invoice"),
            "open_invoices": open_invoices,
            "orders": _payable_orders(request.user).filter(customer=receipt.customer) if can_choose_order else [],
            "can_choose_order": can_choose_order,
            "is_finance": finance,
            "can_cancel": receipt.status == Receipt.Status.HANDED_OVER
            and (finance or receipt.recorded_by_id == request.user.pk),
            "can_reverse": finance and receipt.status == Receipt.Status.CONFIRMED,
            "history": history_for(receipt)[:30],
        },
    )


@login_required
@require_POST
@action_view
def receipt_action(request, pk: int, verb: str):
    receipt = _one(receipt_list_for_user(user=request.user), pk)
    invoices = [int(value) for value in request.POST.getlist("invoices") if value.isdigit()] or None
    order_id = request.POST.get("order", "")
    order = _one(_payable_orders(request.user), int(order_id)) if order_id.isdigit() else None
    if verb == "cancel":
        if not (_is_finance(request.user) or receipt.recorded_by_id == request.user.pk):
            raise Http404
        receipt_services.receipt_cancel(receipt=receipt, actor=request.user)
        messages.success(request, _("Receipt cancelled."))
    elif verb == "confirm":
        _require(request.user, FINANCE)
        receipt = receipt_services.receipt_confirm(receipt=receipt, actor=request.user, invoices=invoices, order=order)
        messages.success(request, _("Receipt confirmed and allocated."))
        _released_message(request, receipt)
    elif verb == "allocate":
        _require(request.user, FINANCE)
        receipt_services.receipt_allocate(receipt=receipt, actor=request.user, invoices=invoices)
        messages.success(request, _("Payment allocated."))
    elif verb == "for-order":
        _require(request.user, FINANCE)
        if order is None:
            messages.error(request, _("Choose the order this money pays."))
            return redirect("credit-receipt-detail", pk=pk)
        receipt = receipt_services.receipt_assign_order(receipt=receipt, order=order, actor=request.user)
        messages.success(request, _("The money now pays %(order)s.") % {"order": order.number})
        _released_message(request, receipt)
    else:
        raise Http404
    return redirect("credit-receipt-detail", pk=pk)


@login_required
def receipt_reverse(request, pk: int):
    _require(request.user, FINANCE)
    receipt = _one(receipt_list_for_user(user=request.user).filter(status=Receipt.Status.CONFIRMED), pk)
    form = forms.ReceiptReverseForm(request.POST or None, initial={"reversed_on": timezone.localdate()})
    saved = save_form(
        request,
        form,
        lambda data: receipt_services.receipt_reverse(receipt=receipt, actor=request.user, **data),
        success=_("Receipt reversed; what it paid is open again."),
        redirect_to=reverse("credit-receipt-detail", args=[pk]),
    )
    if saved:
        return saved
    return render(
        request,
        "credit/form.html",
        {
            "form": form,
            "title": _("Reverse %(number)s") % {"number": receipt.number},
            "intro": _(
                "Money that did not arrive after all (a bounced cheque, a returned transfer): from the date given "
                "it no longer counts as received, and the invoices it paid are open again. Reports before that "
                "date keep it."
            ),
            "submit": _("Reverse"),
            "confirm": _("Reverse this receipt? The invoices it paid become open again."),
        },
    )


# --- ageing ------------------------------------------------------------------------------------------------------
@login_required
def ageing_page(request):
    _require(request.user, READERS)
    today = timezone.localdate()
    try:
        as_of = datetime.date.fromisoformat(request.GET.get("as_of") or today.isoformat())
    except ValueError:
        as_of = today
    group_by = request.GET.get("group_by", "customer")
    if group_by not in GROUPS:
        group_by = "customer"
    data = ageing_for_user(user=request.user, as_of=as_of, group_by=group_by)
    names = [key for key, _label in BUCKETS]
    labels = [str(label) for _key, label in BUCKETS]
    if request.GET.get("export") == "xlsx":
        keys = [*names, "total", "on_account", "balance"]
        rows = ([row["name"], *[row[key] for key in keys]] for row in data["rows"])
        headers = [str(_("Name")), *labels, str(_("Total")), str(_("On account")), str(_("Balance"))]
        return xlsx_response(f"ageing-{as_of}", headers, rows, title=str(_("AR ageing")))
    top = data["rows"][:15]
    colors = ["#43a047", "#fdd835", "#fb8c00", "#e53935", "#8e24aa"]
    chart = {
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "legend": {"top": 0},
        "grid": {"left": 8, "right": 8, "bottom": 8, "top": 40, "containLabel": True},
        "xAxis": {"type": "value"},
        "yAxis": {"type": "category", "inverse": True, "data": [row["name"] for row in top]},
        "series": [
            {
                "name": label,
                "type": "bar",
                "stack": "ageing",
                "itemStyle": {"color": colors[index]},
                "data": [float(row[name]) for row in top],
            }
            for index, (name, label) in enumerate(zip(names, labels, strict=True))
        ],
    }
    key = request.GET.get("key")
    detail = None
    if key and key.isdigit():
        detail = ageing_detail_for_user(user=request.user, as_of=as_of, group_by=group_by, key=int(key))
    return render(
        request,
        "credit/ageing.html",
        {
            "data": data,
            "names": names,
            "labels": labels,
            "as_of": as_of,
            "group_by": group_by,
            "groups": [("customer", _("Customer")), ("rep", _("Rep")), ("team", _("Team"))],
            "month_ends": [month - datetime.timedelta(days=1) for month in _recent_months(today)],
            "chart_json": json.dumps(chart, ensure_ascii=False),
            "chart_height": max(240, 28 * len(top) + 80),
            "detail": detail,
            "detail_key": key,
            "bucket_labels": dict(BUCKETS),
        },
    )


# --- statements --------------------------------------------------------------------------------------------------
@login_required
def statement_list(request):
    _require(request.user, READERS)
    finance = _is_finance(request.user)
    run_form = (
        forms.MonthForm(initial={"month": month_start(month_start(timezone.localdate()) - datetime.timedelta(days=1))})
        if finance
        else None
    )
    runs = list(statement_run_list_for_user(user=request.user)[:3]) if finance else []
    statements_shown, dates = _date_range(request, statement_list_for_user(user=request.user), "period_start")
    page = ListPage(
        request=request,
        queryset=statements_shown,
        title=gettext_lazy("Statements"),
        columns=[
            Column(
                "number",
                gettext_lazy("Number"),
                sort="number",
                link=lambda s: reverse("credit-statement-detail", args=[s.pk]),
            ),
            Column(
                "period_start",
                gettext_lazy("Month"),
                sort="period_start",
                value=lambda s: s.period_start.strftime("%Y-%m"),
            ),
            Column("customer", gettext_lazy("Customer"), sort="customer__name", value=lambda s: s.customer.name),
            Column("opening_balance", gettext_lazy("Opening balance"), kind="money"),
            Column("closing_balance", gettext_lazy("Closing balance"), sort="closing_balance", kind="money"),
            Column("status", gettext_lazy("Status"), sort="status", value=lambda s: s.get_status_display()),
        ],
        filters=[
            Filter("status", gettext_lazy("Status"), Statement.Status.choices),
            _month_filter("period_start", gettext_lazy("Month")),
        ],
        search_fields=["number", "customer__name"],
        default_sort="-period_start",
        export_name="statements",
        extra={
            "run_form": run_form,
            "runs": runs,
            "date_range": dates,
            "date_range_label": gettext_lazy("Statement month"),
        },
    )
    if dates.active:
        page.active_filters["dates"] = True
    return page.response("credit/statement_list.html")


@login_required
@require_POST
def statement_run_start(request):
    _require(request.user, FINANCE)
    form = forms.MonthForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the month."))
        return redirect("credit-statements")
    run = statements.statement_run_start(
        period_start=form.cleaned_data["month"], actor=request.user, send_email=form.cleaned_data["send_email"]
    )
    messages.success(request, _("Statements are being made; this page shows the progress."))
    return redirect(reverse("credit-statements") + f"?run={run.pk}")


@login_required
def statement_run_progress(request, pk: int):
    run = _one(statement_run_list_for_user(user=request.user), pk)
    return render(request, "credit/partials/run_progress.html", {"run": run})


@login_required
def statement_detail(request, pk: int, *, typed_email: str | None = None, email_errors=(), status: int = 200):
    statement = _one(statement_list_for_user(user=request.user), pk)
    figures = statements.statement_figures(
        customer_id=statement.customer_id, start=statement.period_start, end=statement.period_end
    )
    return render(
        request,
        "credit/statement_detail.html",
        {
            "statement": statement,
            "figures": figures,
            "is_finance": _is_finance(request.user),
            "confirm_form": forms.StatementConfirmForm(),
            "email": statements.customer_email(statement.customer) if typed_email is None else typed_email,
            "email_errors": list(email_errors),
            "history": history_for(statement)[:30],
        },
        status=status,
    )


@login_required
def statement_pdf(request, pk: int):
    statement = _one(statement_list_for_user(user=request.user), pk)
    response = HttpResponse(statements.statement_pdf(statement), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{statement.number}.pdf"'
    return response


@login_required
@require_POST
@action_view
def statement_action(request, pk: int, verb: str):
    _require(request.user, FINANCE)
    statement = _one(statement_list_for_user(user=request.user), pk)
    if verb == "send":
        typed = request.POST.get("to", "")
        try:
            statements.statement_send(statement=statement, actor=request.user, to=typed)
        except ValidationFailed as error:  # the address, next to its field, as typed
            problems = (error.fields or {}).get("to") or [error.message]
            return statement_detail(request, pk, typed_email=typed, email_errors=problems, status=400)
        messages.success(request, _("The statement is handed to the mail server."))
    elif verb == "confirm":
        form = forms.StatementConfirmForm(request.POST, request.FILES)
        if not form.is_valid():
            messages.error(request, _("Some values are not valid."))
        else:
            statements.statement_confirm(statement=statement, actor=request.user, **form.cleaned_data)
            messages.success(request, _("The customer's answer is recorded."))
    else:
        raise Http404
    return redirect("credit-statement-detail", pk=pk)


@login_required
@require_POST
@action_view
def statement_create_for_customer(request, pk: int):
    _require(request.user, FINANCE)
    credit_file = _one(credit_file_list_for_user(user=request.user), pk)
    form = forms.MonthForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the month."))
        return redirect("credit-file-detail", pk=pk)
    statement = statements.statement_create(
        customer=credit_file.customer, period_start=form.cleaned_data["month"], actor=request.user
    )
    return redirect("credit-statement-detail", pk=statement.pk)


# --- reconciliations -------------------------------------------------------------------------------------------
@login_required
def reconciliation_list(request):
    _require(request.user, READERS)
    page = ListPage(
        request=request,
        queryset=reconciliation_list_for_user(user=request.user),
        title=gettext_lazy("Reconciliations"),
        columns=[
            Column(
                "period_start",
                gettext_lazy("Month"),
                sort="period_start",
                value=lambda r: r.period_start.strftime("%Y-%m"),
                link=lambda r: reverse("credit-reconciliation-detail", args=[r.pk]),
            ),
            Column("rep", gettext_lazy("Rep"), sort="rep__username", value=lambda r: r.rep.display_name),
            Column("ledger_balance", gettext_lazy("Finance ledger"), kind="money"),
            Column("rep_balance", gettext_lazy("Rep's balance"), kind="money"),
            Column("difference", gettext_lazy("Difference"), kind="money", value=lambda r: r.difference),
            Column("status", gettext_lazy("Status"), sort="status", value=lambda r: r.get_status_display()),
        ],
        filters=[Filter("status", gettext_lazy("Status"), Reconciliation.Status.choices)],
        default_sort="-period_start",
        export_name="reconciliations",
        date_filter=DateFilter("date", gettext_lazy("Month"), "period_start"),
        actions_template="credit/partials/reconciliation_actions.html"
        if request.user.has_role(Role.SALES_REP)
        else None,
    )
    return page.response()


@login_required
@require_POST
@action_view
def reconciliation_open(request):
    _require(request.user, {Role.SALES_REP})
    last_month = month_start(month_start(timezone.localdate()) - datetime.timedelta(days=1))
    reconciliation = statements.reconciliation_open(rep=request.user, period_start=last_month, actor=request.user)
    return redirect("credit-reconciliation-detail", pk=reconciliation.pk)


@login_required
def reconciliation_detail(request, pk: int):
    reconciliation = _one(reconciliation_list_for_user(user=request.user), pk)
    is_rep = reconciliation.rep_id == request.user.pk
    form = forms.ReconciliationSignForm(request.POST or None, initial={"rep_balance": reconciliation.ledger_balance})
    if request.method == "POST":
        try:
            if is_rep and form.is_valid():
                statements.reconciliation_rep_sign(
                    reconciliation=reconciliation, actor=request.user, **form.cleaned_data
                )
                messages.success(request, _("Signed."))
                return redirect("credit-reconciliation-detail", pk=pk)
            if not is_rep and _is_finance(request.user):
                statements.reconciliation_finance_sign(
                    reconciliation=reconciliation,
                    actor=request.user,
                    accept=request.POST.get("accept") == "1",
                    note=request.POST.get("note", ""),
                )
                messages.success(request, _("Saved."))
                return redirect("credit-reconciliation-detail", pk=pk)
            if not is_rep:
                raise Http404
        except ApplicationError as error:
            if is_rep:
                add_error_to_form(form, error)
            else:
                messages.error(request, str(error.message))
    from salesops.sales.models import Invoice

    end = month_end(reconciliation.period_start)
    from salesops.credit.ageing import open_at

    invoices = (
        open_at(Invoice.objects.filter(rep=reconciliation.rep), end)
        .select_related("customer")
        .order_by("customer__name", "due_date")[:200]
    )
    return render(
        request,
        "credit/reconciliation_detail.html",
        {
            "rec": reconciliation,
            "form": form,
            "is_rep": is_rep,
            "is_finance": _is_finance(request.user),
            "invoices": invoices,
            "period_end": end,
            "history": history_for(reconciliation)[:20],
        },
    )


# --- AR pack ---------------------------------------------------------------------------------------------------------
@login_required
def ar_pack(request):
    _require(
        request.user,
        frozenset(
            {
                Role.FINANCE,
                Role.GENERAL_MANAGER,
                Role.SALES_DIRECTOR,
                Role.SYSADMIN,
                Role.SALES_ADMIN,
                Role.SALES_MANAGER,
            }
        ),
    )
    today = timezone.localdate()
    form = forms.PeriodForm(request.GET or None, initial={"date_from": month_start(today), "date_to": today})
    if request.GET and form.is_valid():
        start, end = form.cleaned_data["date_from"], form.cleaned_data["date_to"]
        if end >= start:
            response = HttpResponse(
                statements.ar_pack_xlsx(user=request.user, start=start, end=end), content_type=XLSX_TYPE
            )
            response["Content-Disposition"] = f'attachment; filename="ar-pack-{start}-{end}.xlsx"'
            return response
        form.add_error("date_to", _("The end is before the start."))
    return render(
        request,
        "credit/form.html",
        {
            "form": form,
            "title": _("AR analysis pack"),
            "method": "get",
            "submit": _("Download Excel"),
            "intro": _(
                "Balances with customers for the period (opening, invoiced, credit notes, received, closing) "
                "and the ageing at its end, for the monthly AR meeting."
            ),
        },
    )
