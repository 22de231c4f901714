"""Pages of unit sales. Each view: permission → form → selector → one service → render.
Rooms and bookings are in `booking_views`."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy
from django.views.decorators.http import require_POST

from salesops.core import formatting
from salesops.core.audit import history_for
from salesops.core.exceptions import ApplicationError
from salesops.core.listing import Column, Filter, ListPage
from salesops.core.models import OrgUnit
from salesops.core.selectors import user_list_for_user
from salesops.core.web import action_view, save_form
from salesops.credit.ledger import add_months
from salesops.crm.selectors import customer_list_for_user
from salesops.units import changes, contracts, files, forms, reports, selectors, services
from salesops.units import money as unit_money
from salesops.units.models import (
    FileLoan,
    Mortgage,
    PaymentItem,
    PriceChange,
    PurchaseContract,
    Reservation,
    Unit,
    UnitChange,
    WaitlistEntry,
)
from salesops.units.permissions import READERS, REPORT_ROLES, can, writable_contract_fields

BOARD_REFRESH_SECONDS = 15


def _require_reader(user) -> None:
    if not (user.is_superuser or user.roles & READERS):
        raise Http404


def _require(user, action: str) -> None:
    if not can(user, action):
        raise Http404


def _one(queryset, pk):
    obj = queryset.filter(pk=pk).first()
    if obj is None:
        raise Http404
    return obj


def _form_page(request, form, title, *, intro="", submit=None):
    return render(request, "units/form.html", {"form": form, "title": title, "intro": intro, "submit": submit})


def _sellable_customers(user):
    return customer_list_for_user(user=user).filter(in_pool=False).order_by("name")


# --- projects ------------------------------------------------------------------------------------
@login_required
def project_list(request):
    _require_reader(request.user)
    projects = list(selectors.project_list_for_user(user=request.user).filter(active=True))
    summaries = []
    for project in projects:
        counts = dict.fromkeys(Unit.Status.values, 0)
        for status, n in project.units.values("status").annotate(n=Count("pk")).values_list("status", "n"):
            counts[status] = n
        summaries.append(
            {
                "project": project,
                "legend": [(value, label, counts[value]) for value, label in Unit.Status.choices],
                "total": sum(counts.values()),
            }
        )
    return render(
        request,
        "units/projects.html",
        {
            "summaries": summaries,
            "can_manage": can(request.user, "project.manage"),
            "price_changes": selectors.price_change_list_for_user(user=request.user).filter(
                status=PriceChange.Status.PENDING
            )[:10],
        },
    )


def _teams():
    return OrgUnit.objects.filter(active=True).order_by("path")


@login_required
def project_new(request):
    _require(request.user, "project.manage")
    form = forms.ProjectForm(request.POST or None, teams=_teams())
    saved = save_form(
        request,
        form,
        lambda data: services.project_create(actor=request.user, **data),
        success=_("Project created."),
        redirect_to=lambda project: reverse("units-board", args=[project.pk]),
    )
    return saved or _form_page(request, form, _("New project"))


@login_required
def project_edit(request, pk: int):
    _require(request.user, "project.manage")
    project = _one(selectors.project_list_for_user(user=request.user), pk)
    form = forms.ProjectForm(request.POST or None, instance=project, teams=_teams())
    saved = save_form(
        request,
        form,
        lambda data: services.project_update(project=project, data=data, actor=request.user),
        success=_("Project saved."),
        redirect_to=reverse("units-board", args=[pk]),
    )
    if request.method == "POST" and saved is None:
        project.refresh_from_db()  # the form wrote its values onto the instance
    return saved or _form_page(request, form, project.name)


@login_required
def building_new(request, pk: int):
    _require(request.user, "project.manage")
    project = _one(selectors.project_list_for_user(user=request.user), pk)
    form = forms.BuildingForm(request.POST or None)
    saved = save_form(
        request,
        form,
        lambda data: services.building_create(project=project, actor=request.user, **data),
        success=_("Building and its units created."),
        redirect_to=reverse("units-board", args=[pk]),
    )
    return saved or _form_page(
        request,
        form,
        _("New building of %(project)s") % {"project": project.name},
        intro=_("Units are created floor by floor, numbered <building>-<floor><position>, e.g. 1-1203."),
    )


# --- the sales control board ------------------------------------------------------------------------
@login_required
def board(request, pk: int):
    _require_reader(request.user)
    project = _one(selectors.project_list_for_user(user=request.user), pk)
    building_id = _int(request.GET.get("building"))
    status = request.GET.get("status", "")
    kind = request.GET.get("kind", "")
    data = selectors.board_for_user(
        user=request.user,
        project=project,
        building_id=building_id,
        status=status if status in Unit.Status.values else "",
        kind=kind if kind in Unit.Kind.values else "",
    )
    context = {
        "board": data,
        "project": project,
        "statuses": Unit.Status.choices,
        "kinds": Unit.Kind.choices,
        "status": status,
        "kind": kind,
        "building_id": building_id,
        "buildings": project.buildings.order_by("position", "code"),
        "refresh": BOARD_REFRESH_SECONDS,
        "can_manage": can(request.user, "project.manage"),
        "can_reprice": can(request.user, "price_change.request"),
        "query": request.GET.urlencode(),
        "legend": [(value, label, data.counts[value]) for value, label in Unit.Status.choices],
        "unit_base": reverse("units-unit", args=[0])[:-2],
    }
    if request.headers.get("HX-Request"):
        return render(request, "units/partials/board_grid.html", context)
    return render(request, "units/board.html", context)


def _int(value) -> int | None:
    try:
        return int(value) if value else None
    except (TypeError, ValueError):
        return None


@login_required
def unit_detail(request, pk: int):
    _require_reader(request.user)
    unit = _one(selectors.unit_list_for_user(user=request.user), pk)
    customers = _sellable_customers(request.user)
    hold_form = (
        forms.HoldForm(request.POST or None, customers=customers) if can(request.user, "reservation.hold") else None
    )
    if hold_form is not None:
        saved = save_form(
            request,
            hold_form,
            lambda data: services.reservation_hold(
                unit=unit,
                customer=data["customer"],
                actor=request.user,
                deposit=data["deposit_amount"],
                note=data["note"],
                waitlist=data["waitlist"],
            ),
            success=_("Done."),
            redirect_to=lambda outcome: (
                reverse("units-reservation", args=[outcome.reservation.pk])
                if outcome.reservation
                else reverse("units-unit", args=[unit.pk])
            ),
        )
        if saved:
            return saved
    context = {
        "unit": unit,
        "purchase": selectors.unit_purchase_for_user(user=request.user, unit=unit),
        "queue": selectors.waitlist_of_unit(user=request.user, unit=unit),
        "hold_form": hold_form if unit.status == Unit.Status.AVAILABLE or request.method == "POST" else None,
        "waitlist_form": forms.WaitlistForm(customers=customers)
        if can(request.user, "waitlist.join") and unit.status != Unit.Status.AVAILABLE
        else None,
        "can_block": can(request.user, "unit.block"),
        "history": history_for(unit)[:30],
    }
    return render(request, "units/unit_detail.html", context)


@login_required
@require_POST
@action_view
def unit_waitlist_join(request, pk: int):
    _require(request.user, "waitlist.join")
    unit = _one(selectors.unit_list_for_user(user=request.user), pk)
    form = forms.WaitlistForm(request.POST, customers=_sellable_customers(request.user))
    if not form.is_valid():
        messages.error(request, _("Choose a customer."))
    else:
        entry = services.waitlist_join(unit=unit, customer=form.cleaned_data["customer"], actor=request.user)
        messages.success(request, _("On the waitlist, place %(n)d.") % {"n": services.waitlist_position(entry) or 0})
    return redirect("units-unit", pk=pk)


@login_required
@require_POST
@action_view
def unit_block(request, pk: int):
    _require(request.user, "unit.block")
    unit = _one(selectors.unit_list_for_user(user=request.user), pk)
    blocked = request.POST.get("blocked") == "1"
    services.unit_block(unit=unit, actor=request.user, blocked=blocked, note=request.POST.get("note", "")[:300])
    messages.success(request, _("Taken off sale.") if blocked else _("Back on sale."))
    return redirect("units-unit", pk=pk)


# --- price changes --------------------------------------------------------------------------------
@login_required
def price_change_new(request, pk: int):
    _require(request.user, "price_change.request")
    project = _one(selectors.project_list_for_user(user=request.user), pk)
    building_id = _int(request.GET.get("building")) or _int(request.POST.get("building"))
    units = project.units.select_related("building").order_by("building__position", "-floor", "stack")
    if building_id:
        units = units.filter(building_id=building_id)
    units = list(units[:500])
    errors: dict = {}
    reason = request.POST.get("reason", "")
    if request.method == "POST":
        lines = [(unit, request.POST[f"price_{unit.pk}"]) for unit in units if request.POST.get(f"price_{unit.pk}")]
        try:
            change = changes.price_change_request(project=project, lines=lines, reason=reason, actor=request.user)
        except ApplicationError as error:
            errors = error.fields or {"lines": [str(error.message)]}
        else:
            messages.success(request, _("Price change sent for approval."))
            return redirect("units-price-change", pk=change.pk)
    return render(
        request,
        "units/price_change_form.html",
        {
            "project": project,
            "rows": [
                {
                    "unit": unit,
                    "value": request.POST.get(f"price_{unit.pk}", ""),
                    "errors": errors.get(f"price_{unit.pk}"),
                }
                for unit in units
            ],
            "errors": errors,
            "reason": reason,
            "buildings": project.buildings.order_by("position"),
            "building_id": building_id,
        },
    )


@login_required
def price_change_detail(request, pk: int):
    change = _one(selectors.price_change_list_for_user(user=request.user), pk)
    return render(
        request,
        "units/price_change_detail.html",
        {"change": change, "lines": change.lines.select_related("unit"), "history": history_for(change)[:20]},
    )


@login_required
@require_POST
@action_view
def price_change_withdraw(request, pk: int):
    change = _one(selectors.price_change_list_for_user(user=request.user), pk)
    changes.price_change_withdraw(change=change, actor=request.user)
    messages.success(request, _("Withdrawn."))
    return redirect("units-price-change", pk=pk)


# --- reservations ---------------------------------------------------------------------------------
@login_required
def reservation_list(request):
    _require_reader(request.user)
    page = ListPage(
        request=request,
        queryset=selectors.reservation_list_for_user(user=request.user),
        title=gettext_lazy("Reservations"),
        columns=[
            Column(
                "number",
                gettext_lazy("Number"),
                sort="number",
                link=lambda r: reverse("units-reservation", args=[r.pk]),
            ),
            Column("unit", pgettext_lazy("property", "Unit"), sort="unit__code", value=lambda r: r.unit.code),
            Column("project", gettext_lazy("Project"), value=lambda r: r.project.name),
            Column("customer", gettext_lazy("Customer"), sort="customer__name", value=lambda r: r.customer.name),
            Column("consultant", gettext_lazy("Sales consultant"), value=lambda r: r.consultant.display_name),
            Column("status", gettext_lazy("Status"), sort="status", value=lambda r: r.get_status_display()),
            Column("price", gettext_lazy("Price"), sort="price", kind="money"),
            Column(
                "held_at",
                pgettext_lazy("hold", "Held at"),
                sort="held_at",
                value=lambda r: timezone.localtime(r.held_at),
            ),
            Column("sign_by", gettext_lazy("Sign by"), sort="sign_by"),
        ],
        filters=[
            Filter("status", gettext_lazy("Status"), Reservation.Status.choices),
            Filter(
                "late",
                gettext_lazy("Signing"),
                [("1", gettext_lazy("Past the date to sign"))],
                apply=lambda qs, v: qs.filter(status=Reservation.Status.RESERVED, sign_by__lt=timezone.localdate()),
            ),
        ],
        search_fields=["number", "unit__code", "customer__name", "customer__phone"],
        default_sort="-held_at",
        export_name="reservations",
        empty_message=gettext_lazy("No reservations yet. Hold a unit from the sales control board."),
    )
    return page.response()


@login_required
def reservation_detail(request, pk: int):
    reservation = _one(selectors.reservation_list_for_user(user=request.user), pk)
    items = list(reservation.payment_items.select_related("invoice").order_by("position"))
    contract = PurchaseContract.objects.filter(reservation=reservation).first()
    receipts = _receipts_of(items)
    user = request.user
    context = {
        "reservation": reservation,
        "items": [_item_row(item) for item in items],
        "contract": contract,
        "receipts": receipts,
        "can_pay": can(user, "contract.pay"),
        "pay_form": forms.PaymentForm(initial={"received_on": timezone.localdate(), "method": "bank_transfer"}),
        "can_draft": can(user, "contract.draft")
        and reservation.status == Reservation.Status.RESERVED
        and contract is None,
        "can_release": can(user, "reservation.hold")
        and reservation.status == Reservation.Status.HELD
        and not any(item.invoice_id for item in items),
        "can_change": can(user, "change.request")
        and reservation.status in (Reservation.Status.RESERVED, Reservation.Status.SIGNED),
        "changes": reservation.changes.select_related("target_unit").all(),
        "checklist": files.checklist(reservation),
        "loans": reservation.file_loans.select_related("borrower", "lent_by")[:10],
        "lent": reservation.file_loans.filter(returned_at__isnull=True).first(),
        "file_form": forms.FileItemForm(initial={"received_on": timezone.localdate()})
        if can(user, "file.record")
        else None,
        "loan_form": forms.FileLoanForm(people=user_list_for_user(user=user).filter(is_active=True))
        if can(user, "file.lend")
        else None,
        "history": history_for(reservation)[:30],
        "now": timezone.now(),
    }
    return render(request, "units/reservation_detail.html", context)


def _item_row(item: PaymentItem) -> dict:
    return {
        "item": item,
        "paid": item.paid_amount,
        "open": item.open_amount,
        "overdue": item.open_amount > 0 and item.invoice_id and item.due_date < timezone.localdate(),
    }


def _receipts_of(items):
    from salesops.credit.models import Allocation

    invoice_ids = [item.invoice_id for item in items if item.invoice_id]
    return list(
        Allocation.objects.filter(invoice_id__in=invoice_ids, receipt__isnull=False)
        .select_related("receipt", "invoice")
        .order_by("allocated_on", "pk")
    )


@login_required
@require_POST
@action_view
def reservation_release(request, pk: int):
    reservation = _one(selectors.reservation_list_for_user(user=request.user), pk)
    services.reservation_release(reservation=reservation, actor=request.user)
    messages.success(request, _("The hold is given up; the unit is free again."))
    return redirect("units-reservation", pk=pk)


@login_required
def payment_pay(request, pk: int):
    """Finance records money for one line of the schedule."""
    _require(request.user, "contract.pay")
    item = _one(selectors.payment_item_list_for_user(user=request.user), pk)
    form = forms.PaymentForm(
        request.POST or None,
        initial={"received_on": timezone.localdate(), "method": "bank_transfer", "amount": item.open_amount},
    )
    saved = save_form(
        request,
        form,
        lambda data: contracts.payment_record(item=item, actor=request.user, **data),
        success=_("Payment recorded."),
        redirect_to=reverse("units-reservation", args=[item.reservation_id]),
    )
    return saved or _form_page(
        request,
        form,
        _("%(kind)s of %(unit)s") % {"kind": item.get_kind_display(), "unit": item.reservation.unit.code},
        intro=_("Recorded by finance: the receipt is confirmed and allocated to this line at once."),
        submit=_("Record the payment"),
    )


@login_required
def payment_list(request):
    _require_reader(request.user)
    today = timezone.localdate()
    open_filter = unit_money.open_invoice_filter()
    page = ListPage(
        request=request,
        queryset=selectors.payment_item_list_for_user(user=request.user).filter(cancelled=False),
        title=gettext_lazy("Payment schedule"),
        columns=[
            Column(
                "reservation",
                gettext_lazy("Reservation"),
                value=lambda i: i.reservation.number,
                link=lambda i: reverse("units-reservation", args=[i.reservation_id]),
            ),
            Column("unit", pgettext_lazy("property", "Unit"), value=lambda i: i.reservation.unit.code),
            Column("customer", gettext_lazy("Customer"), value=lambda i: i.reservation.customer.name),
            Column(
                "consultant", gettext_lazy("Sales consultant"), value=lambda i: i.reservation.consultant.display_name
            ),
            Column("kind", gettext_lazy("Kind"), sort="kind", value=lambda i: i.get_kind_display()),
            Column("due_date", gettext_lazy("Due"), sort="due_date"),
            Column("amount", gettext_lazy("Amount"), sort="amount", kind="money"),
            Column("open", gettext_lazy("Open"), kind="money", value=lambda i: i.open_amount),
        ],
        filters=[
            Filter(
                "state",
                gettext_lazy("State"),
                [
                    ("overdue", gettext_lazy("Overdue")),
                    ("due30", gettext_lazy("Due in 30 days")),
                    ("open", gettext_lazy("Open")),
                    ("paid", gettext_lazy("Paid")),
                ],
                apply=lambda qs, v: _payment_state(qs, v, today, open_filter),
            ),
            Filter("kind", gettext_lazy("Kind"), PaymentItem.Kind.choices),
        ],
        search_fields=["reservation__number", "reservation__unit__code", "reservation__customer__name"],
        default_sort="due_date",
        export_name="unit-payments",
        empty_message=gettext_lazy("No payments scheduled yet."),
    )
    return page.response()


def _payment_state(queryset, value, today, open_filter):
    import datetime

    if value == "paid":
        return queryset.filter(invoice__isnull=False).exclude(pk__in=queryset.filter(**open_filter).values("pk"))
    open_items = queryset.filter(**open_filter) | queryset.filter(invoice__isnull=True)
    if value == "overdue":
        return queryset.filter(due_date__lt=today, **open_filter)
    if value == "due30":
        return open_items.filter(due_date__gte=today, due_date__lte=today + datetime.timedelta(days=30))
    return open_items


# --- contracts ------------------------------------------------------------------------------------
@login_required
def contract_list(request):
    _require_reader(request.user)
    page = ListPage(
        request=request,
        queryset=selectors.contract_list_for_user(user=request.user),
        title=gettext_lazy("Purchase contracts"),
        columns=[
            Column(
                "number", gettext_lazy("Number"), sort="number", link=lambda c: reverse("units-contract", args=[c.pk])
            ),
            Column("unit", pgettext_lazy("property", "Unit"), sort="unit__code", value=lambda c: c.unit.code),
            Column("customer", gettext_lazy("Customer"), sort="customer__name", value=lambda c: c.customer.name),
            Column("consultant", gettext_lazy("Sales consultant"), value=lambda c: c.consultant.display_name),
            Column("method", gettext_lazy("Payment method"), value=lambda c: c.get_method_display()),
            Column("status", gettext_lazy("Status"), sort="status", value=lambda c: c.get_status_display()),
            Column("price", gettext_lazy("Contract price"), sort="price", kind="money"),
            Column("signed_on", gettext_lazy("Signed on"), sort="signed_on"),
        ],
        filters=[
            Filter("status", gettext_lazy("Status"), PurchaseContract.Status.choices),
            Filter("method", gettext_lazy("Payment method"), PurchaseContract.Method.choices),
        ],
        search_fields=["number", "unit__code", "customer__name"],
        default_sort="-created_at",
        export_name="unit-contracts",
        empty_message=gettext_lazy("No contracts yet. A contract is drafted from a reservation."),
    )
    return page.response()


def _contract_initial(contract: PurchaseContract) -> dict:
    initial = {name: getattr(contract, name) for name in contracts.CONTRACT_FIELDS}
    for index, row in enumerate(contracts.schedule_of(contract), start=1):
        initial[f"instalment_{index}_due"] = row["due_date"]
        initial[f"instalment_{index}_amount"] = row["amount"]
    return initial


@login_required
def contract_new(request, pk: int):
    _require(request.user, "contract.draft")
    reservation = _one(selectors.reservation_list_for_user(user=request.user), pk)
    form = forms.ContractForm(
        request.POST or None,
        writable=writable_contract_fields(request.user),
        initial={
            "price": reservation.price,
            "down_payment": reservation.price,
            "bank": reservation.bank,
            "method": "full",
        },
    )

    def save(_data):
        terms, instalments = form.terms()
        return contracts.contract_create(reservation=reservation, actor=request.user, instalments=instalments, **terms)

    saved = save_form(
        request,
        form,
        save,
        success=_("Contract drafted: the sales manager reviews it next."),
        redirect_to=lambda contract: reverse("units-contract", args=[contract.pk]),
    )
    return saved or render(
        request,
        "units/contract_form.html",
        {"form": form, "reservation": reservation, "title": _("Draft the contract")},
    )


@login_required
def contract_edit(request, pk: int):
    _require(request.user, "contract.draft")
    contract = _one(selectors.contract_list_for_user(user=request.user), pk)
    form = forms.ContractForm(
        request.POST or None, writable=writable_contract_fields(request.user), initial=_contract_initial(contract)
    )

    def save(_data):
        terms, instalments = form.terms()
        return contracts.contract_update(contract=contract, data=terms, actor=request.user, instalments=instalments)

    saved = save_form(
        request, form, save, success=_("Contract saved."), redirect_to=reverse("units-contract", args=[pk])
    )
    return saved or render(
        request,
        "units/contract_form.html",
        {"form": form, "reservation": contract.reservation, "title": contract.number},
    )


@login_required
def contract_detail(request, pk: int):
    contract = _one(selectors.contract_list_for_user(user=request.user), pk)
    user = request.user
    items = list(contract.reservation.payment_items.select_related("invoice").order_by("position"))
    mortgage = Mortgage.objects.filter(contract=contract).first()
    Status = PurchaseContract.Status
    context = {
        "contract": contract,
        "items": [_item_row(item) for item in items],
        "mortgage": mortgage,
        "checks": [
            (name, contract._meta.get_field(name).verbose_name, getattr(contract, name)) for name in contract.CHECKS
        ],
        "review_form": forms.ReviewForm()
        if can(user, "contract.review") and contract.status == Status.DRAFT and contract.consultant_id != user.pk
        else None,
        "can_edit": can(user, "contract.draft") and contract.status in (Status.DRAFT, Status.REVIEWED),
        "can_sign": can(user, "contract.sign") and contract.status == Status.REVIEWED,
        "can_pay": can(user, "contract.pay"),
        "mortgage_form": forms.MortgageForm(initial={"on": timezone.localdate()})
        if mortgage and can(user, "mortgage.update") and mortgage.stage != Mortgage.Stage.FUNDS_ARRIVED
        else None,
        "history": history_for(contract)[:30],
    }
    return render(request, "units/contract_detail.html", context)


@login_required
@require_POST
@action_view
def contract_review(request, pk: int):
    _require(request.user, "contract.review")
    contract = _one(selectors.contract_list_for_user(user=request.user), pk)
    form = forms.ReviewForm(request.POST)
    form.is_valid()
    data = form.cleaned_data
    contracts.contract_review(
        contract=contract,
        actor=request.user,
        checks={name: data.get(name, False) for name in PurchaseContract.CHECKS},
        note=data.get("note", ""),
    )
    messages.success(request, _("Reviewed: the contract can be signed once the down payment is paid."))
    return redirect("units-contract", pk=pk)


@login_required
@require_POST
@action_view
def contract_sign(request, pk: int):
    _require(request.user, "contract.sign")
    contract = _one(selectors.contract_list_for_user(user=request.user), pk)
    contract = contracts.contract_sign(contract=contract, actor=request.user)
    messages.success(request, pgettext("contract", "Signed."))
    return redirect("units-contract", pk=contract.pk)


@login_required
@require_POST
@action_view
def mortgage_update(request, pk: int):
    _require(request.user, "mortgage.update")
    contract = _one(selectors.contract_list_for_user(user=request.user), pk)
    mortgage = Mortgage.objects.filter(contract=contract).first()
    if mortgage is None:
        raise Http404
    form = forms.MortgageForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Some values are not valid."))
    else:
        contracts.mortgage_update(mortgage=mortgage, actor=request.user, **form.cleaned_data)
        messages.success(request, _("Mortgage updated."))
    return redirect("units-contract", pk=pk)


# --- waitlist --------------------------------------------------------------------------------------
@login_required
def waitlist_list(request):
    _require_reader(request.user)
    page = ListPage(
        request=request,
        queryset=selectors.waitlist_for_user(user=request.user),
        title=gettext_lazy("Waitlist"),
        columns=[
            Column(
                "unit",
                pgettext_lazy("property", "Unit"),
                sort="unit__code",
                value=lambda e: e.unit.code,
                link=lambda e: reverse("units-unit", args=[e.unit_id]),
            ),
            Column("customer", gettext_lazy("Customer"), sort="customer__name", value=lambda e: e.customer.name),
            Column("consultant", gettext_lazy("Sales consultant"), value=lambda e: e.consultant.display_name),
            Column(
                "joined_at",
                gettext_lazy("Joined at"),
                sort="joined_at",
                value=lambda e: timezone.localtime(e.joined_at),
            ),
            Column("position", gettext_lazy("Place"), numeric=True, value=services.waitlist_position),
            Column("status", gettext_lazy("Status"), sort="status", value=lambda e: e.get_status_display()),
            Column("leave", "", template="units/partials/waitlist_leave.html"),
        ],
        filters=[Filter("status", gettext_lazy("Status"), WaitlistEntry.Status.choices)],
        search_fields=["unit__code", "customer__name"],
        default_sort="joined_at",
        export_name="unit-waitlist",
        empty_message=gettext_lazy("Nobody is waiting. A customer joins from a taken unit's page."),
    )
    return page.response()


@login_required
@require_POST
@action_view
def waitlist_leave(request, pk: int):
    _require(request.user, "waitlist.leave")
    entry = _one(selectors.waitlist_for_user(user=request.user), pk)
    services.waitlist_leave(entry=entry, actor=request.user)
    messages.success(request, _("Left the waitlist."))
    return redirect("units-waitlist")


# --- refunds and changes ---------------------------------------------------------------------------
@login_required
def change_list(request):
    _require_reader(request.user)
    page = ListPage(
        request=request,
        queryset=selectors.change_list_for_user(user=request.user),
        title=gettext_lazy("Refunds and changes"),
        columns=[
            Column(
                "number", gettext_lazy("Number"), sort="number", link=lambda c: reverse("units-change", args=[c.pk])
            ),
            Column("unit", pgettext_lazy("property", "Unit"), value=lambda c: c.reservation.unit.code),
            Column("customer", gettext_lazy("Customer"), value=lambda c: c.reservation.customer.name),
            Column("kind", gettext_lazy("Kind"), sort="kind", value=lambda c: c.get_kind_display()),
            Column("reason", gettext_lazy("Reason"), value=lambda c: c.get_reason_display()),
            Column("status", gettext_lazy("Status"), sort="status", value=lambda c: c.get_status_display()),
            Column("refund_amount", gettext_lazy("Refund"), sort="refund_amount", kind="money"),
            Column("refund_paid_on", gettext_lazy("Refund paid on"), sort="refund_paid_on"),
        ],
        filters=[
            Filter("status", gettext_lazy("Status"), UnitChange.Status.choices),
            Filter("kind", gettext_lazy("Kind"), UnitChange.Kind.choices),
            Filter(
                "refund",
                gettext_lazy("Refund"),
                [("due", gettext_lazy("To pay out"))],
                apply=lambda qs, v: qs.filter(
                    status=UnitChange.Status.DONE, credit_note__isnull=False, refund_document__isnull=True
                ),
            ),
        ],
        search_fields=["number", "reservation__unit__code", "reservation__customer__name"],
        default_sort="-requested_at",
        export_name="unit-changes",
        empty_message=gettext_lazy("No refunds or changes."),
    )
    return page.response()


@login_required
def change_new(request, pk: int):
    _require(request.user, "change.request")
    reservation = _one(selectors.reservation_list_for_user(user=request.user), pk)
    units = Unit.objects.filter(project=reservation.project, status=Unit.Status.AVAILABLE).order_by("code")
    form = forms.ChangeForm(request.POST or None, units=units)
    saved = save_form(
        request,
        form,
        lambda data: changes.change_request(
            reservation=reservation,
            kind=data["kind"],
            reason=data["reason"],
            note=data["note"],
            target_unit=data["target_unit"],
            actor=request.user,
        ),
        success=_("Sent for approval."),
        redirect_to=lambda change: reverse("units-change", args=[change.pk]),
    )
    terms_rows = []
    for kind, kind_label in UnitChange.Kind.choices:
        for reason, reason_label in UnitChange.Reason.choices:
            paid, kept, refund = changes.refund_terms(reservation, kind, reason)
            terms_rows.append(
                {"kind": kind_label, "reason": reason_label, "paid": paid, "kept": kept, "refund": refund}
            )
    return saved or render(
        request,
        "units/change_form.html",
        {
            "form": form,
            "reservation": reservation,
            "terms_rows": terms_rows,
        },
    )


@login_required
def change_detail(request, pk: int):
    change = _one(selectors.change_list_for_user(user=request.user), pk)
    user = request.user
    return render(
        request,
        "units/change_detail.html",
        {
            "change": change,
            "can_withdraw": change.status == UnitChange.Status.PENDING and change.requested_by_id == user.pk,
            "pay_form": forms.RefundPayForm(initial={"paid_on": timezone.localdate(), "method": "bank_transfer"})
            if can(user, "change.pay_refund")
            and change.status == UnitChange.Status.DONE
            and change.credit_note_id
            and not change.refund_document_id
            else None,
            "history": history_for(change)[:20],
        },
    )


@login_required
@require_POST
@action_view
def change_withdraw(request, pk: int):
    change = _one(selectors.change_list_for_user(user=request.user), pk)
    changes.change_withdraw(change=change, actor=request.user)
    messages.success(request, _("Withdrawn."))
    return redirect("units-change", pk=pk)


@login_required
@require_POST
@action_view
def refund_pay(request, pk: int):
    _require(request.user, "change.pay_refund")
    change = _one(selectors.change_list_for_user(user=request.user), pk)
    form = forms.RefundPayForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Some values are not valid."))
    else:
        changes.refund_pay(change=change, actor=request.user, **form.cleaned_data)
        messages.success(request, _("Refund paid."))
    return redirect("units-change", pk=pk)


# --- the purchase file -----------------------------------------------------------------------------
@login_required
def file_list(request):
    _require(request.user, "file.record")
    queryset = selectors.reservation_list_for_user(user=request.user).exclude(status=Reservation.Status.LAPSED)
    page = ListPage(
        request=request,
        queryset=queryset,
        title=gettext_lazy("Document files"),
        columns=[
            Column(
                "number",
                pgettext_lazy("dossier", "File"),
                sort="number",
                link=lambda r: reverse("units-reservation", args=[r.pk]),
            ),
            Column("unit", pgettext_lazy("property", "Unit"), sort="unit__code", value=lambda r: r.unit.code),
            Column("customer", gettext_lazy("Customer"), sort="customer__name", value=lambda r: r.customer.name),
            Column("status", gettext_lazy("Status"), value=lambda r: r.get_status_display()),
            Column("missing", gettext_lazy("Missing papers"), numeric=True, value=lambda r: len(files.missing(r))),
            Column("lent", gettext_lazy("Lent to"), value=_lent_to),
        ],
        filters=[
            Filter(
                "lent",
                gettext_lazy("Paper file"),
                [("1", gettext_lazy("Lent out")), ("late", gettext_lazy("Not back in time"))],
                apply=_lent_filter,
            )
        ],
        search_fields=["number", "unit__code", "customer__name"],
        default_sort="-held_at",
        export_name="unit-files",
        empty_message=gettext_lazy("No purchase files yet."),
    )
    return page.response()


def _lent_to(reservation) -> str:
    loan = reservation.file_loans.filter(returned_at__isnull=True).select_related("borrower").first()
    return loan.borrower.display_name if loan else ""


def _lent_filter(queryset, value):
    loans = FileLoan.objects.filter(returned_at__isnull=True)
    if value == "late":
        loans = loans.filter(due_back__lt=timezone.localdate())
    return queryset.filter(pk__in=loans.values("reservation_id"))


@login_required
@require_POST
@action_view
def file_item_add(request, pk: int):
    _require(request.user, "file.record")
    reservation = _one(selectors.reservation_list_for_user(user=request.user), pk)
    form = forms.FileItemForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Some values are not valid."))
    else:
        files.file_item_record(reservation=reservation, actor=request.user, **form.cleaned_data)
        messages.success(request, _("Recorded in the file."))
    return redirect(reverse("units-reservation", args=[pk]) + "#file")


@login_required
@require_POST
@action_view
def file_lend(request, pk: int):
    _require(request.user, "file.lend")
    reservation = _one(selectors.reservation_list_for_user(user=request.user), pk)
    form = forms.FileLoanForm(request.POST, people=user_list_for_user(user=request.user).filter(is_active=True))
    if not form.is_valid():
        messages.error(request, _("Some values are not valid."))
    else:
        files.file_lend(reservation=reservation, actor=request.user, **form.cleaned_data)
        messages.success(request, _("Lending recorded."))
    return redirect(reverse("units-reservation", args=[pk]) + "#file")


@login_required
@require_POST
@action_view
def file_return(request, pk: int):
    _require(request.user, "file.lend")
    reservation = _one(selectors.reservation_list_for_user(user=request.user), pk)
    loan = reservation.file_loans.filter(returned_at__isnull=True).first()
    if loan is None:
        raise Http404
    files.file_return(loan=loan, actor=request.user)
    messages.success(request, _("The file is back."))
    return redirect(reverse("units-reservation", args=[pk]) + "#file")


# --- reports ----------------------------------------------------------------------------------------
@login_required
def report(request):
    if not (request.user.is_superuser or request.user.roles & REPORT_ROLES):
        raise Http404
    projects = list(selectors.project_list_for_user(user=request.user).filter(active=True))
    project = next((p for p in projects if str(p.pk) == request.GET.get("project")), projects[0] if projects else None)
    today = timezone.localdate()
    cash = reports.cash_by_month(user=request.user, start=add_months(today, -6), months=12)
    ageing = reports.reserved_not_signed(user=request.user, today=today)
    by_building = reports.sales_by_building(project=project) if project else []
    return render(
        request,
        "units/reports.html",
        {
            "projects": projects,
            "project": project,
            "by_building": by_building,
            "statuses": Unit.Status.choices,
            "ageing": ageing,
            "cash": cash,
            "overdue": reports.overdue_summary(user=request.user, today=today),
            "charts": _charts(by_building, ageing, cash),
        },
    )


def _charts(by_building, ageing, cash) -> dict[str, str]:
    colours = {
        "available": "#2e7d32",
        "held": "#f9a825",
        "reserved": "#ef6c00",
        "signed": "#1565c0",
        "sold": "#6a1b9a",
        "blocked": "#757575",
    }
    labels = [f"{row['building']} · {row['kind']}" for row in by_building]
    status_chart = {
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 0},
        "grid": {"left": 40, "right": 10, "top": 40, "bottom": 60, "containLabel": True},
        "xAxis": {"type": "category", "data": labels, "axisLabel": {"rotate": 30}},
        "yAxis": {"type": "value"},
        "series": [
            {
                "name": str(label),
                "type": "bar",
                "stack": "units",
                "itemStyle": {"color": colours[value]},
                "data": [row["counts"][value] for row in by_building],
            }
            for value, label in Unit.Status.choices
        ],
    }
    ageing_chart = {
        "tooltip": {"trigger": "axis"},
        "grid": {"left": 40, "right": 10, "top": 20, "bottom": 30, "containLabel": True},
        "xAxis": {"type": "category", "data": [_("%(days)s days") % {"days": label} for label in ageing["labels"]]},
        "yAxis": {"type": "value", "minInterval": 1},
        "series": [{"type": "bar", "data": [ageing["buckets"][label]["count"] for label in ageing["labels"]]}],
    }
    cash_chart = {
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 0},
        "grid": {"left": 50, "right": 10, "top": 40, "bottom": 30, "containLabel": True},
        "xAxis": {"type": "category", "data": [formatting.month(row["month"]) for row in cash]},
        "yAxis": {"type": "value"},
        "series": [
            {"name": pgettext("amount", "Due"), "type": "bar", "data": [float(row["due"]) for row in cash]},
            {"name": _("Collected"), "type": "bar", "data": [float(row["collected"]) for row in cash]},
            {"name": _("Refunded"), "type": "bar", "data": [float(row["refunded"]) for row in cash]},
        ],
    }
    return {
        name: json.dumps(chart)
        for name, chart in (("status", status_chart), ("ageing", ageing_chart), ("cash", cash_chart))
    }
