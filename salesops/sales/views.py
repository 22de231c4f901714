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
from salesops.core.exceptions import ApplicationError
from salesops.core.formatting import company_moment
from salesops.core.listing import Column, DateFilter, Filter, ListPage
from salesops.core.roles import Role
from salesops.core.web import action_view, add_error_to_form
from salesops.crm.selectors import customer_list_for_user
from salesops.inventory.selectors import issuable_lots, issued_lots
from salesops.sales import selectors, services
from salesops.sales.api import INVOICE_ROLES, RECEIPT_ROLES, SELLER_ROLES, WAREHOUSE_ROLES
from salesops.sales.defaults import order_defaults, payment_for
from salesops.sales.forms import (
    ContractChangeForm,
    ContractForm,
    LineFormSet,
    OrderEditForm,
    OrderForm,
    OrderLineFormSet,
    OrderSubmitForm,
    QuoteEditForm,
    QuoteForm,
    ReturnForm,
    line_initial,
    lines_from,
)
from salesops.sales.models import ZERO, Contract, Delivery, Invoice, Quote, SalesOrder
from salesops.sales.pdf import document_pdf, pick_list_pdf, prices_include_tax, vat_summary


def _get(queryset, pk):
    try:
        return queryset.get(pk=pk)
    except queryset.model.DoesNotExist:
        raise Http404


def _require(user, roles):
    if not (user.is_superuser or user.roles & roles):
        raise Http404


# --- lists ------------------------------------------------------------------------------------------
@login_required
def order_list(request):
    queryset = selectors.order_list_for_user(user=request.user)
    late = Filter(
        "late",
        gettext_lazy("Delivery"),
        [("1", gettext_lazy("Late (over 24 h)"))],
        apply=lambda qs, value: qs.filter(pk__in=selectors.late_orders(user=request.user).values("pk")),
    )
    page = ListPage(
        request=request,
        queryset=queryset,
        title=gettext_lazy("Sales orders"),
        columns=[
            Column("number", gettext_lazy("Number"), sort="number", link=lambda o: reverse("sales-order", args=[o.pk])),
            Column("order_date", gettext_lazy("Date"), sort="order_date"),
            Column("customer", gettext_lazy("Customer"), sort="customer__name", value=lambda o: o.customer.name),
            Column("rep", gettext_lazy("Sales rep"), sort="rep__full_name", value=lambda o: o.rep.display_name),
            Column("payment", gettext_lazy("Payment"), value=lambda o: o.get_payment_display()),
            Column("status", gettext_lazy("Status"), sort="status", value=lambda o: o.get_status_display()),
            Column("total", gettext_lazy("Total"), sort="total", kind="money"),
            Column("delivered_amount", gettext_lazy("Delivered"), kind="money"),
            Column("invoiced_amount", gettext_lazy("Invoiced"), kind="money"),
        ],
        filters=[
            Filter("status", gettext_lazy("Status"), SalesOrder.Status.choices),
            Filter("payment", gettext_lazy("Payment"), SalesOrder.Payment.choices),
            late,
        ],
        search_fields=["number", "customer__name"],
        default_sort="-order_date",
        export_name="sales-orders",
        actions_template="sales/partials/order_actions.html" if request.user.roles & SELLER_ROLES else None,
        empty_message=gettext_lazy("No orders yet."),
    )
    return page.response()


def _ship_warehouse(request):
    """The warehouse a ship list or pick list is narrowed to (?warehouse=<id>; anything else: all)."""
    return _int_param(request.GET.get("warehouse"))


@login_required
def ship_list(request):
    """The orders to ship with their open lines and, for lot-tracked products, the lots
    first-expiry-first-out picking takes; a pick list of all of them or of those ticked."""
    _require(request.user, WAREHOUSE_ROLES)
    warehouse_id = _ship_warehouse(request)
    warehouses = list(selectors.ship_warehouses(user=request.user))
    if warehouse_id not in {w.pk for w in warehouses}:
        warehouse_id = None
    orders = selectors.ship_list(user=request.user, warehouse_id=warehouse_id)
    pick_all = reverse("sales-pick-list") + (f"?warehouse={warehouse_id}" if warehouse_id else "")
    return render(
        request,
        "sales/ship_list.html",
        {
            "orders": orders,
            "warehouses": warehouses,
            "warehouse_id": warehouse_id,
            "pick_all": pick_all,
            "limited": len(orders) >= selectors.SHIP_LIST_LIMIT,
        },
    )


@login_required
def pick_list(request):
    """The pick list (拣货单) as PDF: the orders ticked on the ship list (?order=<id>, repeated),
    or every order to ship, from one warehouse (?warehouse=<id>) or from each in turn."""
    _require(request.user, WAREHOUSE_ROLES)
    chosen = {pk for pk in map(_int_param, request.GET.getlist("order")[:500]) if pk}
    orders = selectors.ship_list(
        user=request.user, warehouse_id=_ship_warehouse(request), order_ids=chosen or None, limit=None
    )
    printed_at = timezone.now()
    pdf = pick_list_pdf(selectors.pick_list(orders), printed_at=printed_at, orders_chosen=bool(chosen))
    response = HttpResponse(pdf, content_type="application/pdf")
    stamp = company_moment(printed_at).strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'inline; filename="pick-list-{stamp}.pdf"'
    return response


@login_required
def quote_list(request):
    page = ListPage(
        request=request,
        queryset=selectors.quote_list_for_user(user=request.user),
        title=gettext_lazy("Quotes"),
        columns=[
            Column("number", gettext_lazy("Number"), sort="number", link=lambda q: reverse("sales-quote", args=[q.pk])),
            Column("quote_date", gettext_lazy("Date"), sort="quote_date"),
            Column("customer", gettext_lazy("Customer"), sort="customer__name", value=lambda q: q.customer.name),
            Column("status", gettext_lazy("Status"), sort="status", value=lambda q: q.get_status_display()),
            Column("total", gettext_lazy("Total"), sort="total", kind="money"),
            Column("valid_until", gettext_lazy("Valid until"), sort="valid_until"),
        ],
        filters=[Filter("status", gettext_lazy("Status"), Quote.Status.choices)],
        search_fields=["number", "customer__name"],
        default_sort="-quote_date",
        export_name="quotes",
        actions_template="sales/partials/quote_actions.html" if request.user.roles & SELLER_ROLES else None,
        empty_message=gettext_lazy("No quotes yet."),
    )
    return page.response()


@login_required
def contract_list(request):
    page = ListPage(
        request=request,
        queryset=selectors.contract_list_for_user(user=request.user),
        title=gettext_lazy("Contracts"),
        columns=[
            Column(
                "number", gettext_lazy("Number"), sort="number", link=lambda c: reverse("sales-contract", args=[c.pk])
            ),
            Column("title", gettext_lazy("Title"), sort="title"),
            Column("customer", gettext_lazy("Customer"), sort="customer__name", value=lambda c: c.customer.name),
            Column("status", gettext_lazy("Status"), sort="status", value=lambda c: c.get_status_display()),
            Column("end_date", gettext_lazy("Ends"), sort="end_date"),
            Column("total", gettext_lazy("Contract value"), sort="total", kind="money"),
        ],
        filters=[Filter("status", gettext_lazy("Status"), Contract.Status.choices)],
        search_fields=["number", "title", "customer__name"],
        default_sort="-start_date",
        export_name="contracts",
        actions_template="sales/partials/contract_actions.html" if request.user.roles & SELLER_ROLES else None,
        empty_message=gettext_lazy("No contracts yet."),
    )
    return page.response()


@login_required
def invoice_list(request):
    page = ListPage(
        request=request,
        queryset=selectors.invoice_list_for_user(user=request.user),
        title=gettext_lazy("Invoices"),
        columns=[
            Column(
                "number", gettext_lazy("Number"), sort="number", link=lambda i: reverse("sales-invoice", args=[i.pk])
            ),
            Column("kind", gettext_lazy("Kind"), value=lambda i: i.get_kind_display()),
            Column("issue_date", gettext_lazy("Date"), sort="issue_date"),
            Column("due_date", gettext_lazy("Due"), sort="due_date"),
            Column("customer", gettext_lazy("Customer"), sort="customer__name", value=lambda i: i.customer.name),
            Column("rep", gettext_lazy("Sales rep"), value=lambda i: i.rep.display_name),
            Column("status", gettext_lazy("Status"), sort="status", value=lambda i: i.get_status_display()),
            Column("total", gettext_lazy("Total"), sort="total", kind="money"),
            Column("open", gettext_lazy("Open"), kind="money", value=lambda i: i.open_amount),
        ],
        filters=[
            Filter("status", gettext_lazy("Status"), Invoice.Status.choices),
            Filter("kind", gettext_lazy("Kind"), Invoice.Kind.choices),
        ],
        date_filter=DateFilter("date", gettext_lazy("Date"), "issue_date"),
        search_fields=["number", "customer__name"],
        default_sort="-issue_date",
        export_name="invoices",
        empty_message=gettext_lazy("No invoices yet."),
    )
    return page.response()


# --- new documents ----------------------------------------------------------------------------------
def _document_form(
    request,
    form_class,
    create,
    title,
    back,
    *,
    url_name,
    initial=None,
    initial_lines=None,
    document=None,
    credit_panel=False,
    form_kwargs=None,
    line_formset=LineFormSet,
    line_kwargs=None,
    **extra,
):
    """The page of a new or changed document with lines: `create(data, lines)` calls the service
    and returns the document, whose page (`url_name`) comes next. `credit_panel`: the customer's
    credit, kept up to date as the customer and the lines change (orders). The lines' product
    pickers offer what the person may sell."""
    _require(request.user, SELLER_ROLES)
    form = form_class(request.POST or None, user=request.user, initial=initial, **(form_kwargs or {}))
    lines = line_formset(
        request.POST or None,
        prefix="lines",
        initial=initial_lines,
        form_kwargs={"user": request.user, **(line_kwargs or {})},
    )
    if request.method == "POST" and form.is_valid() and lines.is_valid():
        try:
            document = create(form.cleaned_data, lines_from(lines))
            messages.success(request, _("%(number)s saved.") % {"number": document.number})
            return redirect(url_name, pk=document.pk)
        except ApplicationError as error:
            add_error_to_form(form, error)
    return render(
        request,
        "sales/document_form.html",
        {
            "form": form,
            "lines": lines,
            "title": title,
            "back": back,
            "document": document,
            "credit_panel": credit_panel,
            "with_lots": line_formset is OrderLineFormSet,
            **extra,
        },
    )


def _order_header(user, customer) -> tuple[dict, dict]:
    """(initial values, form kwargs) of a new order's header for `customer` (None: not chosen)."""
    defaults = order_defaults(user=user, customer=customer)
    initial = {"warehouse": defaults.warehouse.pk if defaults.warehouse else None}
    if customer is not None:
        initial.update(customer=customer.pk, payment=defaults.payment)
    kwargs = {"payment_terms_days": defaults.payment_terms_days, "customer_known": customer is not None}
    return initial, kwargs


@login_required
def order_defaults_view(request):
    """The header of a new order for the customer just chosen (htmx): payment (credit with the
    customer's terms when they have an approved limit, else cash) and warehouse. A customer the
    reader may not sell to gets the defaults of no customer."""
    _require(request.user, SELLER_ROLES)
    customer_id = _int_param(request.GET.get("customer"))
    customer = customer_list_for_user(user=request.user).filter(pk=customer_id).first() if customer_id else None
    initial, kwargs = _order_header(request.user, customer)
    form = OrderForm(user=request.user, initial=initial, **kwargs)
    response = render(request, "sales/partials/order_defaults.html", {"form": form})
    response["HX-Trigger-After-Swap"] = "orderDefaults"
    return response


@login_required
def order_new(request):
    """A new order; from the customer's page (`?customer=`) with the customer chosen and the
    header's defaults for them (see `sales.defaults`)."""

    def create(data, lines):
        return services.order_create(
            actor=request.user,
            customer=data["customer"],
            payment=data["payment"],
            lines=lines,
            warehouse=data.get("warehouse"),
            note=data.get("note", ""),
        )

    customer_id = _int_param(request.GET.get("customer"))
    customer = customer_list_for_user(user=request.user).filter(pk=customer_id).first() if customer_id else None
    initial, form_kwargs = _order_header(request.user, customer)
    return _document_form(
        request,
        OrderForm,
        create,
        _("New sales order"),
        reverse("sales-orders"),
        url_name="sales-order",
        initial=initial,
        credit_panel=True,
        form_kwargs=form_kwargs,
        line_formset=OrderLineFormSet,
        header_template="sales/partials/order_header.html",
    )


@login_required
def order_edit(request, pk):
    """A draft (or rejected) order: header and lines; the customer stays."""
    order = _get(selectors.order_list_for_user(user=request.user).select_related("customer"), pk)
    if order.status not in (SalesOrder.Status.DRAFT, SalesOrder.Status.REJECTED):
        messages.error(request, _("Only a draft order can be changed."))
        return redirect("sales-order", pk=order.pk)

    lines = list(order.lines.order_by("position"))

    def save(data, lines):
        return services.order_update(
            order=order,
            actor=request.user,
            lines=lines,
            payment=data["payment"],
            warehouse=data.get("warehouse"),
            note=data.get("note", ""),
        )

    return _document_form(
        request,
        OrderEditForm,
        save,
        _("Change sales order %(number)s") % {"number": order.number},
        reverse("sales-order", args=[order.pk]),
        url_name="sales-order",
        initial={"payment": order.payment, "warehouse": order.warehouse_id, "note": order.note},
        initial_lines=line_initial(lines),
        document=order,
        credit_panel=True,
        form_kwargs={"payment_terms_days": payment_for(order.customer)[1]},
        line_formset=OrderLineFormSet,
        line_kwargs={"lot_ids": [line.lot_id for line in lines if line.lot_id]},
        header_template="sales/partials/order_header.html",
    )


@login_required
def quote_new(request):
    """A new quote; from an opportunity's page (`?opportunity=`) with its customer chosen."""

    def create(data, lines):
        return services.quote_create(
            actor=request.user,
            customer=data["customer"],
            lines=lines,
            valid_until=data.get("valid_until"),
            note=data.get("note", ""),
            opportunity=data.get("opportunity"),
        )

    initial = {}
    opportunity_id = _int_param(request.GET.get("opportunity"))
    if opportunity_id:
        from salesops.crm.selectors import opportunity_list_for_user

        opportunity = _get(opportunity_list_for_user(user=request.user), opportunity_id)
        initial = {"customer": opportunity.customer_id, "opportunity": opportunity.pk}
    elif customer_id := _int_param(request.GET.get("customer")):
        initial = {"customer": customer_id}
    return _document_form(
        request,
        QuoteForm,
        create,
        _("New quote"),
        reverse("sales-quotes"),
        url_name="sales-quote",
        initial=initial or None,
    )


@login_required
def quote_edit(request, pk):
    """A draft or returned quote: validity, note and lines; the customer stays. Changing a
    returned quote starts its next revision."""
    quote = _get(selectors.quote_list_for_user(user=request.user).select_related("customer"), pk)
    if quote.status not in Quote.EDITABLE:
        messages.error(request, _("Only a draft or returned quote can be changed."))
        return redirect("sales-quote", pk=quote.pk)

    def save(data, lines):
        return services.quote_update(
            quote=quote, actor=request.user, lines=lines, valid_until=data.get("valid_until"), note=data.get("note", "")
        )

    return _document_form(
        request,
        QuoteEditForm,
        save,
        _("Change quote %(number)s") % {"number": quote.number},
        reverse("sales-quote", args=[quote.pk]),
        url_name="sales-quote",
        initial={"valid_until": quote.valid_until, "note": quote.note},
        initial_lines=line_initial(quote.lines.order_by("position")),
        document=quote,
    )


@login_required
def contract_new(request):
    def create(data, lines):
        return services.contract_create(
            actor=request.user,
            customer=data["customer"],
            title=data["title"],
            start_date=data["start_date"],
            end_date=data["end_date"],
            lines=lines,
            terms=data.get("terms", ""),
            payment_terms_days=data["payment_terms_days"],
            quote=data.get("quote"),
        )

    initial, initial_lines = None, None
    quote_id = _int_param(request.GET.get("quote"))
    if quote_id:  # from the quote's page: its customer and lines
        quote = _get(selectors.quote_list_for_user(user=request.user), quote_id)
        initial = {"customer": quote.customer_id, "quote": quote.pk, "title": quote.number}
        initial_lines = line_initial(quote.lines.order_by("position"))
    return _document_form(
        request,
        ContractForm,
        create,
        _("New contract"),
        reverse("sales-contracts"),
        url_name="sales-contract",
        initial=initial,
        initial_lines=initial_lines,
    )


# --- credit at the point of sale --------------------------------------------------------------------
def _int_param(value):
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**31 else None


def _typed_amount(lines, customer, *, on_date, prices_include_tax=None):
    """The total of the lines typed so far, priced as the order service prices them (lines
    still incomplete are left out; 0 when none is complete)."""
    typed = [form.cleaned_data for form in lines.forms if form.is_valid() and form.cleaned_data.get("product")]
    typed = [line for line in typed if line.get("quantity") and line["quantity"] > 0]
    if not typed:
        return ZERO
    try:
        prepared = services.prepare_lines(
            lines=typed, customer=customer, on_date=on_date, prices_include_tax=prices_include_tax, allow_lots=True
        )
    except ApplicationError:
        return ZERO
    return sum((line["amount"] for line in prepared), ZERO)


@login_required
def order_credit(request):
    """The credit panel of the order form (htmx): the chosen customer's limit, exposure,
    available and overdue amounts, and what the order as typed so far meets on submit. Only
    for a customer the reader may see (404 otherwise); an order being changed (`order`) keeps
    its customer and is left out of its own exposure."""
    order = None
    if "order" in request.GET:
        order = _get(selectors.order_list_for_user(user=request.user), _int_param(request.GET["order"]))
        customer_id = order.customer_id
    elif request.GET.get("customer"):
        customer_id = _int_param(request.GET["customer"])
    else:  # no customer chosen yet
        return render(request, "sales/partials/order_credit.html", {"outlook": None})
    customer = customer_list_for_user(user=request.user).filter(pk=customer_id).first() if customer_id else None
    if customer is None:
        raise Http404
    payment = request.GET.get("payment") or (order.payment if order else SalesOrder.Payment.CREDIT)
    if payment not in SalesOrder.Payment.values:
        payment = SalesOrder.Payment.CREDIT
    lot_ids = list(order.lines.exclude(lot=None).values_list("lot_id", flat=True)) if order else []
    amount = _typed_amount(
        OrderLineFormSet(request.GET, prefix="lines", form_kwargs={"lot_ids": lot_ids}),
        customer,
        on_date=order.order_date if order else timezone.localdate(),
        prices_include_tax=order.prices_include_tax if order else None,
    )
    outlook = selectors.order_credit_outlook(
        customer=customer, amount=amount, payment=payment, order_id=order.pk if order else None
    )
    return render(request, "sales/partials/order_credit.html", {"outlook": outlook})


# --- details ----------------------------------------------------------------------------------------
def _order_page(request, order, submit_form=None):
    user = request.user
    deliveries = list(order.deliveries.all())
    lines = list(order.lines.select_related("product", "lot"))
    can_ship = bool(user.roles & WAREHOUSE_ROLES) or user.is_superuser
    # a line sold from a lot leaves from that lot: no other lot is offered for it
    tracked = (
        [line for line in lines if line.product.lot_tracked and line.open_quantity > 0 and not line.lot_id]
        if can_ship
        else []
    )
    choices = issuable_lots(warehouse_id=order.warehouse_id, product_ids={line.product_id for line in tracked})
    return render(
        request,
        "sales/order_detail.html",
        {
            "order": order,
            "lines": lines,
            "vat": vat_summary(lines),
            "prices_include_tax": order.prices_include_tax,
            "lot_lines": [(line, choices.get(line.product_id, [])) for line in tracked],
            "deliveries": deliveries,
            "invoices": order.invoices.all(),
            "payments": order.receipts.all(),
            "returns": order.returns.all(),
            "history": history_for(order)[:50],
            "can_sell": bool(user.roles & SELLER_ROLES) or user.is_superuser,
            "can_ship": can_ship,
            "can_invoice": (bool(user.roles & INVOICE_ROLES) or user.is_superuser) and any(d for d in deliveries),
            "submit_form": submit_form or OrderSubmitForm(order=order),
            "can_record_payment": user.is_superuser or user.has_role(Role.FINANCE),
            "return_form": ReturnForm(),
            "credit_outlook": _draft_outlook(order, user),
        },
    )


def _draft_outlook(order, user):
    """What submitting the draft would meet, said on its page before the submit button (to
    those who may see the customer's figures)."""
    if order.status != SalesOrder.Status.DRAFT:
        return None
    if not customer_list_for_user(user=user).filter(pk=order.customer_id).exists():
        return None
    return selectors.order_credit_outlook(
        customer=order.customer, amount=order.total, payment=order.payment, order_id=order.pk
    )


@login_required
def order_detail(request, pk):
    return _order_page(request, _get(selectors.order_list_for_user(user=request.user), pk))


@login_required
def quote_detail(request, pk):
    quote = _get(selectors.quote_list_for_user(user=request.user).select_related("opportunity__stage"), pk)
    lines = list(quote.lines.select_related("product"))
    return render(
        request,
        "sales/quote_detail.html",
        {
            "doc": quote,
            "lines": lines,
            "vat": vat_summary(lines),
            "prices_include_tax": quote.prices_include_tax,
            "history": history_for(quote)[:50],
            "can_sell": bool(request.user.roles & SELLER_ROLES),
            "can_edit": bool(request.user.roles & SELLER_ROLES) and quote.status in Quote.EDITABLE,
            "opportunity": selectors.quote_opportunity(user=request.user, quote=quote),
            "orders": quote.orders.all(),
            "contracts": quote.contracts.all(),
            "revisions": quote.revisions.all(),
        },
    )


@login_required
def contract_detail(request, pk):
    contract = _get(selectors.contract_list_for_user(user=request.user), pk)
    return render(
        request,
        "sales/contract_detail.html",
        {
            "doc": contract,
            "lines": contract.lines.select_related("product"),
            "history": history_for(contract)[:50],
            "can_sell": bool(request.user.roles & SELLER_ROLES),
            "changes": contract.changes.all(),
            "orders": contract.orders.all(),
        },
    )


@login_required
def delivery_detail(request, pk):
    delivery = _get(selectors.delivery_list_for_user(user=request.user), pk)
    return render(
        request,
        "sales/delivery_detail.html",
        {
            "doc": delivery,
            "lines": delivery.lines.select_related("product"),
            "lots": issued_lots(
                reference_type=services.ORDER_REFERENCE, reference_id=delivery.order_id, at=delivery.issued_at
            ),
            "history": history_for(delivery)[:50],
            "can_confirm": bool(request.user.roles & RECEIPT_ROLES) and delivery.status == Delivery.Status.ISSUED,
        },
    )


@login_required
def invoice_detail(request, pk):
    invoice = _get(selectors.invoice_list_for_user(user=request.user), pk)
    lines = list(invoice.lines.select_related("product"))
    return render(
        request,
        "sales/invoice_detail.html",
        {
            "doc": invoice,
            "lines": lines,
            "vat": vat_summary(lines),
            "prices_include_tax": prices_include_tax(invoice),
            "history": history_for(invoice)[:50],
        },
    )


_PDF_SOURCES = {
    "order": selectors.order_list_for_user,
    "quote": selectors.quote_list_for_user,
    "contract": selectors.contract_list_for_user,
    "delivery": selectors.delivery_list_for_user,
    "invoice": selectors.invoice_list_for_user,
}


@login_required
def document_pdf_view(request, kind, pk):
    source = _PDF_SOURCES.get(kind)
    if source is None:
        raise Http404
    document = _get(source(user=request.user), pk)
    response = HttpResponse(document_pdf(document), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{document.number}.pdf"'
    return response


# --- actions ----------------------------------------------------------------------------------------
@login_required
@require_POST
def order_submit(request, pk):
    """Submit from the order page: a value that is not valid is shown next to its field and
    nothing is submitted."""
    _require(request.user, SELLER_ROLES)
    order = _get(selectors.order_list_for_user(user=request.user), pk)
    form = OrderSubmitForm(request.POST, order=order)
    if form.is_valid():
        try:
            order = services.order_submit(order=order, actor=request.user, **form.submit_values())
        except ApplicationError as error:
            add_error_to_form(form, error)
        else:
            messages.success(
                request, _("%(number)s: %(status)s.") % {"number": order.number, "status": order.get_status_display()}
            )
            return redirect("sales-order", pk=order.pk)
    return _order_page(request, order, submit_form=form)


@login_required
@require_POST
@action_view
def order_cancel(request, pk):
    _require(request.user, SELLER_ROLES)
    order = services.order_cancel(order=_get(selectors.order_list_for_user(user=request.user), pk), actor=request.user)
    messages.success(request, _("%(number)s cancelled.") % {"number": order.number})
    return redirect("sales-order", pk=order.pk)


@login_required
@require_POST
@action_view
def order_ship(request, pk):
    _require(request.user, WAREHOUSE_ROLES)
    order = _get(selectors.order_list_for_user(user=request.user), pk)
    quantities = {}
    for line in order.lines.all():
        raw = request.POST.get(f"qty-{line.pk}")
        if raw not in (None, ""):
            quantities[line.pk] = raw
    delivery = services.delivery_issue(
        order=order,
        actor=request.user,
        quantities=quantities or None,
        picked_up_by=request.POST.get("picked_up_by", ""),
        lots={line.pk: request.POST.get(f"lot-{line.pk}") for line in order.lines.all()},
        lot_reason=request.POST.get("lot_reason", ""),
    )
    messages.success(request, _("%(number)s: goods issued (货已出库).") % {"number": delivery.number})
    return redirect(request.POST.get("next") or reverse("sales-order", args=[order.pk]))


@login_required
@require_POST
@action_view
def delivery_confirm(request, pk):
    _require(request.user, RECEIPT_ROLES)
    delivery = _get(selectors.delivery_list_for_user(user=request.user), pk)
    services.delivery_confirm(delivery=delivery, actor=request.user, received_by=request.POST.get("received_by", ""))
    messages.success(request, _("Receipt confirmed."))
    return redirect("sales-delivery", pk=delivery.pk)


@login_required
@require_POST
@action_view
def order_invoice(request, pk):
    _require(request.user, INVOICE_ROLES)
    order = _get(selectors.order_list_for_user(user=request.user), pk)
    invoice = services.invoice_create(deliveries=order.deliveries.all(), actor=request.user)
    messages.success(request, _("Invoice %(number)s issued.") % {"number": invoice.number})
    return redirect("sales-invoice", pk=invoice.pk)


@login_required
@require_POST
@action_view
def order_return(request, pk):
    _require(request.user, SELLER_ROLES)
    order = _get(selectors.order_list_for_user(user=request.user), pk)
    form = ReturnForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the kind and the reason."))
        return redirect("sales-order", pk=order.pk)
    sales_return = services.return_request(
        order=order, actor=request.user, kind=form.cleaned_data["kind"], reason=form.cleaned_data["reason"]
    )
    messages.success(
        request,
        _("%(number)s: %(status)s.") % {"number": sales_return.number, "status": sales_return.get_status_display()},
    )
    return redirect("sales-order", pk=order.pk)


@login_required
@require_POST
@action_view
def quote_submit(request, pk):
    _require(request.user, SELLER_ROLES)
    quote = services.quote_submit(quote=_get(selectors.quote_list_for_user(user=request.user), pk), actor=request.user)
    messages.success(
        request, _("%(number)s: %(status)s.") % {"number": quote.number, "status": quote.get_status_display()}
    )
    return redirect("sales-quote", pk=quote.pk)


@login_required
@require_POST
@action_view
def quote_order(request, pk):
    _require(request.user, SELLER_ROLES)
    quote = _get(selectors.quote_list_for_user(user=request.user), pk)
    order = services.quote_to_order(
        quote=quote, actor=request.user, payment=request.POST.get("payment", SalesOrder.Payment.CREDIT)
    )
    return redirect("sales-order", pk=order.pk)


@login_required
@require_POST
@action_view
def contract_submit(request, pk):
    _require(request.user, SELLER_ROLES)
    contract = services.contract_submit(
        contract=_get(selectors.contract_list_for_user(user=request.user), pk), actor=request.user
    )
    messages.success(
        request, _("%(number)s: %(status)s.") % {"number": contract.number, "status": contract.get_status_display()}
    )
    return redirect("sales-contract", pk=contract.pk)


@login_required
def contract_change(request, pk):
    """合同变更: the page that asks for a change of a contract in force — its lines (prices,
    quantities), end, value or terms — with the contract's open orders and what happens to
    them. Lines left as they are change nothing."""
    contract = _get(selectors.contract_list_for_user(user=request.user), pk)
    if contract.status != Contract.Status.ACTIVE:
        messages.error(request, _("Only a contract in force can be changed."))
        return redirect("sales-contract", pk=contract.pk)

    def save(data, lines):
        return services.contract_change_request(contract=contract, actor=request.user, lines=lines, **data)

    return _document_form(
        request,
        ContractChangeForm,
        save,
        _("Change contract %(number)s") % {"number": contract.number},
        reverse("sales-contract", args=[contract.pk]),
        url_name="sales-contract-change-detail",
        initial_lines=line_initial(contract.lines.order_by("position")),
        document=contract,
        open_orders=selectors.contract_open_orders(contract=contract),
        save_label=_("Request approval"),
    )


@login_required
def contract_change_detail(request, pk):
    """A contract change: what it changes (lines before and after, end, value, terms), its
    state, and the contract's open orders with what the change means for them."""
    change = _get(selectors.contract_change_list_for_user(user=request.user), pk)
    proposed = list(change.lines.select_related("product"))
    before = {line["product"]: line for line in change.previous_lines}
    after = {line.product_id: line for line in proposed}
    rows = [
        {
            "product": line.product,
            "before": before.get(line.product_id),
            "quantity": line.quantity,
            "unit_price": line.unit_price,
            "amount": line.amount,
        }
        for line in proposed
    ]
    removed = [line for product, line in before.items() if product not in after]
    return render(
        request,
        "sales/contract_change_detail.html",
        {
            "change": change,
            "contract": change.contract,
            "rows": rows,
            "removed": removed,
            "open_orders": selectors.contract_open_orders(contract=change.contract),
            "history": history_for(change)[:50],
        },
    )
