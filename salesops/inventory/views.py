"""Pages of stock: levels, ledger, purchase orders, production receipts and adjustments,
transfers, store replenishment, stocktakes and the reports. Thin: permission → form →
selector → one service → render."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.http import require_POST

from salesops.catalog.models import ProductFamily
from salesops.catalog.permissions import (
    PURCHASE_ROLES,
    STOCK_WRITE_ROLES,
    STOCKTAKE_ROLES,
    reads_products,
    sees_costs,
    sees_stock,
)
from salesops.core import bounds, formatting
from salesops.core.audit import history_for
from salesops.core.exceptions import ApplicationError
from salesops.core.export import xlsx_response
from salesops.core.listing import Column, Filter, ListPage
from salesops.core.selectors import company_date
from salesops.core.tabular import read_table
from salesops.core.web import action_view, add_error_to_form, save_form
from salesops.inventory import documents, expiry, selectors
from salesops.inventory import stocktake as stocktakes
from salesops.inventory.forms import (
    CountImportForm,
    PurchaseOrderForm,
    ReplenishmentForm,
    StockDocumentForm,
    StocktakeForm,
    SupplierForm,
    TransferForm,
)
from salesops.inventory.lots import LotSpec
from salesops.inventory.models import (
    LotDisposal,
    PurchaseOrder,
    ReplenishmentOrder,
    StockDocument,
    StockMove,
    Stocktake,
    StocktakeLine,
    Transfer,
    Warehouse,
)
from salesops.inventory.pdf import purchase_order_pdf as purchase_order_pdf_bytes


def _require_stock(user) -> None:
    if not sees_stock(user):
        raise Http404


def _require(user, roles) -> None:
    if not (user.is_superuser or user.roles & roles):
        raise Http404


def _warehouse_filter():
    return Filter(
        "warehouse",
        _("Warehouse"),
        [(str(w.pk), w.name) for w in Warehouse.objects.filter(active=True)],
        lookup="warehouse_id",
    )


def _quantities_from_post(post, prefix: str) -> dict[int, Decimal]:
    """Inputs named <prefix><product id> → {product id: quantity}; empty inputs are skipped."""
    result = {}
    for key, value in post.items():
        if key.startswith(prefix) and value.strip() != "":
            try:
                result[bounds.parse_int(key[len(prefix) :], min_value=1)] = bounds.parse_decimal(value)
            except ValidationError:
                raise ApplicationError(_("“%(value)s” is not a number.") % {"value": value[:40]})
    return result


# --- stock levels and ledger -----------------------------------------------------------------------
@login_required
def stock_list(request):
    if not reads_products(request.user):
        raise Http404
    stock, costs = sees_stock(request.user), sees_costs(request.user)
    columns = [
        Column(
            "product__sku",
            _("SKU"),
            sort="product__sku",
            link=lambda b: reverse("product-detail", args=[b.product_id]),
        ),
        Column("product", _("Product"), sort="product__name", value=lambda b: b.product.display_name),
        Column("warehouse", _("Warehouse"), sort="warehouse__code", value=lambda b: b.warehouse.name),
    ]
    if stock:
        columns += [
            Column("on_hand", _("On hand"), sort="on_hand", kind="quantity", unit=lambda b: b.product),
            Column("reserved", _("Reserved"), sort="reserved", kind="quantity", unit=lambda b: b.product),
        ]
    columns.append(Column("available_qty", _("Available"), sort="available_qty", numeric=True))
    if costs:
        columns += [
            Column("avg_cost", _("Average cost"), sort="avg_cost", kind="money"),
            Column(
                "value",
                _("Value"),
                sort="value",
                numeric=True,
                value=lambda b: Decimal(b.value).quantize(Decimal("0.01")),
            ),
        ]
    page = ListPage(
        request=request,
        queryset=selectors.balance_list_for_user(user=request.user),
        title=_("Stock levels"),
        columns=columns,
        filters=[_warehouse_filter()],
        search_fields=["product__sku", "product__name", "product__name_en", "product__barcodes__code"],
        default_sort="product__sku",
        export_name="stock",
        empty_message=_("No stock yet."),
    )
    return page.response()


@login_required
def move_list(request):
    _require_stock(request.user)
    kinds = {value: str(label) for value, label in StockMove.Kind.choices}  # translated once per page
    page = ListPage(
        request=request,
        queryset=selectors.move_list_for_user(user=request.user),
        title=_("Stock ledger"),
        columns=[
            Column("at", _("Time"), sort="at", value=lambda m: timezone.localtime(m.at)),
            Column("kind", _("Kind"), sort="kind", value=lambda m: kinds.get(m.kind, m.kind)),
            Column(
                "product__sku",
                _("SKU"),
                sort="product__sku",
                link=lambda m: reverse("product-detail", args=[m.product_id]),
            ),
            Column("product", _("Product"), value=lambda m: m.product.display_name),
            Column("warehouse", _("Warehouse"), value=lambda m: m.warehouse.name),
            Column("quantity", _("Quantity"), sort="quantity", kind="quantity", unit=lambda m: m.product),
            Column("unit_cost", _("Unit cost"), kind="money"),
            Column("reference_number", _("Document"), sort="reference_number"),
            Column("actor", _("By"), value=lambda m: m.actor.display_name if m.actor_id else ""),
        ],
        filters=[Filter("kind", _("Kind"), list(kinds.items())), _warehouse_filter()],
        search_fields=["product__sku", "product__name", "reference_number"],
        default_sort="-at",
        export_name="stock-ledger",
    )
    return page.response()


# --- suppliers and purchase orders -------------------------------------------------------------------
@login_required
def supplier_list(request):
    _require(request.user, PURCHASE_ROLES)
    form = SupplierForm(request.POST or None)
    saved = save_form(
        request,
        form,
        lambda data: documents.supplier_create(actor=request.user, **data),
        success=_("Supplier added."),
        redirect_to="suppliers",
    )
    if saved:
        return saved
    page = ListPage(
        request=request,
        queryset=selectors.supplier_list_for_user(user=request.user),
        title=_("Suppliers"),
        columns=[
            Column("code", _("Code"), sort="code"),
            Column("name", _("Name"), sort="name"),
            Column("contact", _("Contact")),
            Column("phone", _("Phone")),
        ],
        search_fields=["code", "name", "contact"],
        default_sort="code",
        export_name="suppliers",
        extra={"form": form, "form_title": _("Add a supplier")},
    )
    return page.response("inventory/list_with_form.html")


@login_required
def purchase_order_list(request):
    _require_stock(request.user)
    page = ListPage(
        request=request,
        queryset=selectors.purchase_order_list_for_user(user=request.user),
        title=_("Purchase orders"),
        columns=[
            Column(
                "number",
                _("Number"),
                sort="number",
                link=lambda o: reverse("purchase-order-detail", args=[o.pk]),
            ),
            Column("supplier", _("Supplier"), sort="supplier__name", value=lambda o: o.supplier.name),
            Column("warehouse", _("Warehouse"), value=lambda o: o.warehouse.name),
            Column("expected_date", _("Expected date"), sort="expected_date"),
            Column("total", _("Total incl. VAT"), sort="total", kind="money"),
            Column("status", _("Status"), sort="status", value=lambda o: o.get_status_display()),
        ],
        filters=[Filter("status", _("Status"), PurchaseOrder.Status.choices)],
        search_fields=["number", "supplier__name"],
        default_sort="-expected_date",
        export_name="purchase-orders",
        actions_template="inventory/partials/new_button.html" if request.user.has_role(*PURCHASE_ROLES) else None,
        extra={"new_url": reverse("purchase-order-new"), "new_label": _("New purchase order")},
    )
    return page.response()


@login_required
def purchase_order_new(request):
    _require(request.user, PURCHASE_ROLES)
    form = PurchaseOrderForm(request.POST or None, initial={"expected_date": company_date()})
    saved = save_form(
        request,
        form,
        lambda data: documents.purchase_order_create(
            supplier=data["supplier"],
            warehouse=data["warehouse"],
            expected_date=data["expected_date"],
            note=data["note"],
            lines=[(row[0], row[1], row[2] if len(row) > 2 else None) for row in data["lines"]],
            actor=request.user,
        ),
        success=_("Purchase order drafted: check it, then submit it."),
        redirect_to=lambda order: reverse("purchase-order-detail", args=[order.pk]),
    )
    return saved or render(
        request,
        "inventory/document_form.html",
        {"form": form, "title": _("New purchase order"), "back": reverse("purchase-orders")},
    )


def _lot_specs_from_post(post, lines) -> dict[int, LotSpec]:
    """Lot code, production and expiry dates typed for the lot-tracked lines being received."""
    specs = {}
    for line in lines:
        code = post.get(f"lot_{line.product_id}", "").strip()
        if not line.product.lot_tracked or not code or not post.get(f"q_{line.product_id}", "").strip():
            continue
        try:
            produced = datetime.date.fromisoformat(post.get(f"pd_{line.product_id}", ""))
            expiry_text = post.get(f"exp_{line.product_id}", "").strip()
            expiry = datetime.date.fromisoformat(expiry_text) if expiry_text else None
        except ValueError:
            raise ApplicationError(
                _("%(sku)s: enter the production date (and expiry date) of lot %(lot)s.")
                % {"sku": line.product.sku, "lot": code}
            )
        specs[line.product_id] = LotSpec(code=code[:40], production_date=produced, expiry_date=expiry)
    return specs


@login_required
def purchase_order_detail(request, pk: int):
    _require_stock(request.user)
    order = get_object_or_404(
        selectors.purchase_order_list_for_user(user=request.user).select_related("created_by"), pk=pk
    )
    lines = list(order.lines.select_related("product"))
    if request.method == "POST":
        _require(request.user, STOCK_WRITE_ROLES)
        try:
            documents.purchase_order_receive(
                order=order,
                quantities=_quantities_from_post(request.POST, "q_"),
                lots=_lot_specs_from_post(request.POST, lines),
                actor=request.user,
            )
            messages.success(request, _("Receipt booked."))
        except ApplicationError as error:
            messages.error(request, "; ".join(str(m) for ms in error.fields.values() for m in ms) or str(error.message))
        return redirect("purchase-order-detail", pk=pk)
    status = PurchaseOrder.Status
    purchasing = request.user.has_role(*PURCHASE_ROLES)
    return render(
        request,
        "inventory/purchase_order_detail.html",
        {
            "order": order,
            "lines": lines,
            "receivable": order.status in {status.OPEN, status.PARTIAL} and request.user.has_role(*STOCK_WRITE_ROLES),
            "can_submit": purchasing and order.status == status.DRAFT,
            "can_cancel": purchasing and order.status in {status.DRAFT, status.PENDING, status.OPEN, status.PARTIAL},
            "history": history_for(order)[:50],
            "costs": sees_costs(request.user),
        },
    )


@login_required
@require_POST
@action_view
def purchase_order_action(request, pk: int, action: str):
    _require(request.user, PURCHASE_ROLES)
    order = get_object_or_404(selectors.purchase_order_list_for_user(user=request.user), pk=pk)
    if action == "submit":
        order = documents.purchase_order_submit(order=order, actor=request.user)
        if order.status == PurchaseOrder.Status.PENDING:
            messages.success(request, _("Sent for approval."))
        else:
            messages.success(request, _("Ordered and sent to the supplier."))
    elif action == "cancel":
        documents.purchase_order_cancel(order=order, actor=request.user)
        messages.success(request, _("Purchase order cancelled."))
    else:
        raise Http404
    return redirect("purchase-order-detail", pk=pk)


@login_required
def purchase_order_pdf(request, pk: int):
    _require_stock(request.user)
    order = get_object_or_404(
        selectors.purchase_order_list_for_user(user=request.user).select_related("created_by"), pk=pk
    )
    response = HttpResponse(purchase_order_pdf_bytes(order), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{order.number}.pdf"'
    return response


# --- production receipts and adjustments ---------------------------------------------------------
@login_required
def stock_document_list(request):
    _require_stock(request.user)
    page = ListPage(
        request=request,
        queryset=selectors.stock_document_list_for_user(user=request.user),
        title=_("Production receipts and adjustments"),
        columns=[
            Column(
                "number",
                _("Number"),
                sort="number",
                link=lambda d: reverse("stock-moves") + f"?q={d.number}",
            ),
            Column("kind", _("Kind"), sort="kind", value=lambda d: d.get_kind_display()),
            Column("warehouse", _("Warehouse"), value=lambda d: d.warehouse.name),
            Column("note", _("Note")),
            Column(
                "created_at",
                _("Created"),
                sort="created_at",
                value=lambda d: timezone.localtime(d.created_at),
            ),
        ],
        filters=[Filter("kind", _("Kind"), StockDocument.Kind.choices)],
        search_fields=["number", "note"],
        default_sort="-created_at",
        export_name="stock-documents",
        actions_template="inventory/partials/new_button.html" if request.user.has_role(*STOCK_WRITE_ROLES) else None,
        extra={"new_url": reverse("stock-document-new"), "new_label": _("New receipt or adjustment")},
    )
    return page.response()


@login_required
def stock_document_new(request):
    _require(request.user, STOCK_WRITE_ROLES)
    form = StockDocumentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["kind"] == "production":
                if any(row[1] <= 0 for row in data["lines"]):
                    raise ApplicationError(_("A production receipt has positive quantities only."))
                documents.production_receipt_post(
                    warehouse=data["warehouse"],
                    note=data["note"],
                    lines=[(r[0], r[1], r[2] if len(r) > 2 else None) for r in data["lines"]],
                    actor=request.user,
                )
            else:
                documents.adjustment_post(
                    warehouse=data["warehouse"],
                    note=data["note"],
                    deltas={r[0].pk: r[1] for r in data["lines"]},
                    actor=request.user,
                )
            messages.success(request, _("Posted."))
            return redirect("stock-documents")
        except ApplicationError as error:
            add_error_to_form(form, error)
    return render(
        request,
        "inventory/document_form.html",
        {"form": form, "back": reverse("stock-documents"), "title": _("New receipt or adjustment")},
    )


# --- transfers ------------------------------------------------------------------------------------
@login_required
def transfer_list(request):
    _require_stock(request.user)
    page = ListPage(
        request=request,
        queryset=selectors.transfer_list_for_user(user=request.user),
        title=_("Transfers"),
        columns=[
            Column("number", _("Number"), sort="number", link=lambda t: reverse("transfer-detail", args=[t.pk])),
            Column("source", pgettext("transfer", "From"), value=lambda t: t.source.name),
            Column("destination", pgettext("transfer", "To"), value=lambda t: t.destination.name),
            Column("status", _("Status"), sort="status", value=lambda t: t.get_status_display()),
            Column(
                "sent_at",
                pgettext("goods", "Sent"),
                sort="sent_at",
                value=lambda t: timezone.localtime(t.sent_at) if t.sent_at else "",
            ),
            Column("has_difference", _("Difference"), value=lambda t: _("yes") if t.has_difference else ""),
        ],
        filters=[
            Filter("status", _("Status"), Transfer.Status.choices),
            Filter(
                "difference",
                _("Difference"),
                [("1", _("with difference"))],
                lookup="has_difference",
            ),
        ],
        search_fields=["number", "note"],
        default_sort="-created_at",
        export_name="transfers",
        actions_template="inventory/partials/new_button.html" if request.user.has_role(*STOCK_WRITE_ROLES) else None,
        extra={"new_url": reverse("transfer-new"), "new_label": _("New transfer")},
    )
    return page.response()


@login_required
def transfer_new(request):
    _require(request.user, STOCK_WRITE_ROLES)
    form = TransferForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            transfer = documents.transfer_create(
                source=data["source"],
                destination=data["destination"],
                note=data["note"],
                lines=[(r[0], r[1]) for r in data["lines"]],
                actor=request.user,
            )
            return redirect("transfer-detail", pk=transfer.pk)
        except ApplicationError as error:
            add_error_to_form(form, error)
    return render(
        request,
        "inventory/document_form.html",
        {"form": form, "title": _("New transfer"), "back": reverse("transfers")},
    )


@login_required
def transfer_detail(request, pk: int):
    _require_stock(request.user)
    transfer = get_object_or_404(selectors.transfer_list_for_user(user=request.user), pk=pk)
    lines = transfer.lines.select_related("product")
    paginator = Paginator(lines, 100)
    page = paginator.get_page(request.GET.get("page"))
    differences = [line for line in lines if line.received_quantity is not None and line.difference]
    for line in differences:
        line.difference_value = (line.difference * line.unit_cost).quantize(Decimal("0.01"))
    return render(
        request,
        "inventory/transfer_detail.html",
        {
            "transfer": transfer,
            "page": page,
            "differences": differences,
            "difference_value": sum((d.difference * d.unit_cost for d in differences), Decimal("0")),
            "can_act": request.user.has_role(*STOCK_WRITE_ROLES),
            "history": history_for(transfer)[:50],
            "costs": sees_costs(request.user),
        },
    )


@login_required
@require_POST
@action_view
def transfer_action(request, pk: int, action: str):
    _require(request.user, STOCK_WRITE_ROLES)
    transfer = get_object_or_404(selectors.transfer_list_for_user(user=request.user), pk=pk)
    if action == "send":
        documents.transfer_send(transfer=transfer, actor=request.user)
        messages.success(request, _("Sent: the goods are in transit."))
    elif action == "receive":
        documents.transfer_receive(
            transfer=transfer, actor=request.user, received=_quantities_from_post(request.POST, "r_")
        )
        messages.success(request, _("Received."))
    elif action == "cancel":
        documents.transfer_cancel(transfer=transfer, actor=request.user)
    else:
        raise Http404
    return redirect("transfer-detail", pk=pk)


# --- store replenishment --------------------------------------------------------------------------
@login_required
def replenishment_list(request):
    _require_stock(request.user)
    page = ListPage(
        request=request,
        queryset=selectors.replenishment_list_for_user(user=request.user),
        title=_("Store replenishment"),
        columns=[
            Column(
                "number",
                _("Number"),
                sort="number",
                link=lambda o: reverse("replenishment-detail", args=[o.pk]),
            ),
            Column("store", _("Store"), value=lambda o: o.store.name),
            Column("source", _("Distribution centre"), value=lambda o: o.source.name),
            Column("status", _("Status"), sort="status", value=lambda o: o.get_status_display()),
            Column(
                "created_at",
                _("Ordered"),
                sort="created_at",
                value=lambda o: timezone.localtime(o.created_at),
            ),
        ],
        filters=[Filter("status", _("Status"), ReplenishmentOrder.Status.choices)],
        search_fields=["number"],
        default_sort="-created_at",
        export_name="replenishment",
        actions_template="inventory/partials/new_button.html" if request.user.has_role(*STOCK_WRITE_ROLES) else None,
        extra={"new_url": reverse("replenishment-new"), "new_label": _("New store order")},
    )
    return page.response()


@login_required
def replenishment_new(request):
    _require(request.user, STOCK_WRITE_ROLES)
    form = ReplenishmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            order = documents.replenishment_create(
                store=data["store"],
                source=data["source"],
                lines=[(r[0], r[1]) for r in data["lines"]],
                actor=request.user,
            )
            return redirect("replenishment-detail", pk=order.pk)
        except ApplicationError as error:
            add_error_to_form(form, error)
    return render(
        request,
        "inventory/document_form.html",
        {"form": form, "title": _("New store order"), "back": reverse("replenishments")},
    )


@login_required
def replenishment_detail(request, pk: int):
    _require_stock(request.user)
    order = get_object_or_404(selectors.replenishment_list_for_user(user=request.user), pk=pk)
    transfer_lines = {line.product_id: line for line in order.transfer.lines.all()} if order.transfer_id else {}
    lines = [
        {"line": line, "sent": transfer_lines.get(line.product_id)} for line in order.lines.select_related("product")
    ]
    return render(
        request,
        "inventory/replenishment_detail.html",
        {
            "order": order,
            "lines": lines,
            "can_act": request.user.has_role(*STOCK_WRITE_ROLES),
            "history": history_for(order)[:50],
        },
    )


@login_required
@require_POST
@action_view
def replenishment_action(request, pk: int, action: str):
    _require(request.user, STOCK_WRITE_ROLES)
    order = get_object_or_404(selectors.replenishment_list_for_user(user=request.user), pk=pk)
    if action == "ship":
        documents.replenishment_ship(order=order, actor=request.user, shipped=_quantities_from_post(request.POST, "s_"))
        messages.success(request, _("Shipped to the store."))
    elif action == "receive":
        documents.replenishment_receive(
            order=order, actor=request.user, received=_quantities_from_post(request.POST, "r_")
        )
        messages.success(request, _("The store booked the delivery."))
    else:
        raise Http404
    return redirect("replenishment-detail", pk=pk)


# --- stocktakes -------------------------------------------------------------------------------------
@login_required
def stocktake_list(request):
    _require_stock(request.user)
    page = ListPage(
        request=request,
        queryset=selectors.stocktake_list_for_user(user=request.user),
        title=_("Stocktakes"),
        columns=[
            Column("number", _("Number"), sort="number", link=lambda s: reverse("stocktake-detail", args=[s.pk])),
            Column("warehouse", _("Warehouse"), value=lambda s: s.warehouse.name),
            Column("family", _("Family"), value=lambda s: s.family or _("all products")),
            Column(
                "frozen_at",
                _("Frozen at"),
                sort="frozen_at",
                value=lambda s: timezone.localtime(s.frozen_at),
            ),
            Column("status", _("Status"), sort="status", value=lambda s: s.get_status_display()),
        ],
        filters=[Filter("status", _("Status"), Stocktake.Status.choices)],
        search_fields=["number"],
        default_sort="-frozen_at",
        export_name="stocktakes",
        actions_template="inventory/partials/new_button.html" if request.user.has_role(*STOCKTAKE_ROLES) else None,
        extra={"new_url": reverse("stocktake-new"), "new_label": _("Freeze and count")},
    )
    return page.response()


@login_required
def stocktake_new(request):
    _require(request.user, STOCKTAKE_ROLES)
    form = StocktakeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        stocktake = stocktakes.stocktake_freeze(
            warehouse=data["warehouse"],
            family=data["family"],
            approval_threshold=data["approval_threshold"],
            actor=request.user,
        )
        messages.success(request, _("Book quantities frozen. Print the count sheet and start counting."))
        return redirect("stocktake-detail", pk=stocktake.pk)
    return render(
        request,
        "inventory/document_form.html",
        {
            "form": form,
            "title": _("Freeze and count"),
            "back": reverse("stocktakes"),
            "intro": _(
                "Freezing takes a snapshot of the book quantities. Goods may keep moving while you count: "
                "each count is compared with the book quantity at the moment it was entered."
            ),
        },
    )


def _stocktake_lines(stocktake: Stocktake, request):
    lines = stocktake.lines.select_related("product").order_by("product__sku")
    query = request.GET.get("q", "").strip()
    if query:
        lines = lines.filter(product__sku__icontains=query) | lines.filter(product__name__icontains=query)
    if request.GET.get("show") == "variance":
        lines = lines.exclude(variance=0)
    elif request.GET.get("show") == "uncounted":
        lines = lines.filter(counted_quantity__isnull=True)
    return lines


@login_required
def stocktake_detail(request, pk: int):
    _require_stock(request.user)
    stocktake = get_object_or_404(selectors.stocktake_list_for_user(user=request.user), pk=pk)
    can_count = request.user.has_role(*STOCKTAKE_ROLES) and stocktake.status == Stocktake.Status.COUNTING
    if request.method == "POST":
        if not can_count:
            raise Http404
        try:
            counted = stocktakes.stocktake_record_counts(
                stocktake=stocktake, counts=_quantities_from_post(request.POST, "c_"), actor=request.user
            )
            messages.success(request, _("%(n)d counts saved.") % {"n": counted})
        except ApplicationError as error:
            messages.error(request, "; ".join(str(m) for ms in error.fields.values() for m in ms) or str(error.message))
        return redirect(request.get_full_path())
    all_lines = list(stocktake.lines.select_related("product"))
    if stocktake.status == Stocktake.Status.COUNTING:
        stocktakes.compute_variances(stocktake, all_lines)  # a live preview; stored on submit
    total = stocktakes.variance_value(all_lines)
    gain = sum((line.variance * line.unit_cost for line in all_lines if line.variance > 0), Decimal("0"))
    loss = sum((line.variance * line.unit_cost for line in all_lines if line.variance < 0), Decimal("0"))
    preview = {line.pk: line for line in all_lines}
    page = Paginator(_stocktake_lines(stocktake, request), 100).get_page(request.GET.get("page"))
    rows = [preview.get(line.pk, line) for line in page.object_list]
    from salesops.approvals.models import ApprovalRequest

    approval = ApprovalRequest.objects.filter(doc_type=stocktakes.DOC_TYPE, object_id=str(stocktake.pk)).first()
    return render(
        request,
        "inventory/stocktake_detail.html",
        {
            "stocktake": stocktake,
            "page": page,
            "rows": rows,
            "total": total,
            "gain": gain,
            "loss": loss,
            "counted": sum(1 for line in all_lines if line.counted_quantity is not None),
            "line_count": len(all_lines),
            "can_count": can_count,
            "approval": approval,
            "import_form": CountImportForm(),
            "history": history_for(stocktake)[:50],
            "costs": sees_costs(request.user),
            "q": request.GET.get("q", ""),
            "show": request.GET.get("show", ""),
        },
    )


@login_required
def stocktake_sheet(request, pk: int):
    """The count sheet: a PDF to print (?format=pdf), a printable page, or Excel with
    ?format=xlsx (columns sku, name, counted) to fill in and import."""
    _require_stock(request.user)
    stocktake = get_object_or_404(selectors.stocktake_list_for_user(user=request.user), pk=pk)
    lines = stocktake.lines.select_related("product").order_by("product__sku")
    if request.GET.get("format") == "xlsx":
        rows = (
            [
                line.product.sku,
                line.product.display_name,
                line.product.display_spec,
                line.product.unit,
                "" if line.counted_quantity is None else line.counted_quantity,
            ]
            for line in lines
        )
        return xlsx_response(f"count-sheet-{stocktake.number}", ["sku", "name", "spec", "unit", "counted"], rows)
    if request.GET.get("format") == "pdf":
        from salesops.inventory.pdf import count_sheet_pdf

        response = HttpResponse(count_sheet_pdf(stocktake, lines), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="count-sheet-{stocktake.number}.pdf"'
        return response
    return render(request, "inventory/stocktake_sheet.html", {"stocktake": stocktake, "lines": lines})


@login_required
@require_POST
@action_view
def stocktake_import(request, pk: int):
    _require(request.user, STOCKTAKE_ROLES)
    stocktake = get_object_or_404(selectors.stocktake_list_for_user(user=request.user), pk=pk)
    form = CountImportForm(request.POST, request.FILES)
    if not form.is_valid():
        raise ApplicationError(_("Choose a file."))
    upload = form.cleaned_data["file"]
    rows = read_table(upload.name, upload.read())
    counts, errors = {}, []
    for number, row in enumerate(rows, start=2):
        if not row.get("sku") or row.get("counted", "") == "":
            continue
        try:
            counts[row["sku"]] = bounds.clean_field_value(StocktakeLine, "counted_quantity", row["counted"])
        except ValidationError as error:
            errors.append(_("Row %(n)d: %(problem)s") % {"n": number, "problem": error.messages[0]})
    if errors:
        raise ApplicationError("; ".join(errors[:10]) + _(" — nothing was imported."))
    counted = stocktakes.stocktake_record_counts(stocktake=stocktake, counts=counts, actor=request.user)
    messages.success(request, _("%(n)d counts imported.") % {"n": counted})
    return redirect("stocktake-detail", pk=pk)


@login_required
@require_POST
@action_view
def stocktake_action(request, pk: int, action: str):
    _require(request.user, STOCKTAKE_ROLES)
    stocktake = get_object_or_404(selectors.stocktake_list_for_user(user=request.user), pk=pk)
    if action == "submit":
        stocktake = stocktakes.stocktake_submit(
            stocktake=stocktake, actor=request.user, allow_uncounted=request.POST.get("allow_uncounted") == "yes"
        )
        if stocktake.status == Stocktake.Status.POSTED:
            messages.success(request, _("Variances posted."))
        else:
            messages.success(request, _("The variance is above the threshold: sent for approval."))
    elif action == "cancel":
        stocktakes.stocktake_cancel(stocktake=stocktake, actor=request.user)
    elif action == "reopen":
        stocktakes.stocktake_reopen(stocktake=stocktake, actor=request.user)
    else:
        raise Http404
    return redirect("stocktake-detail", pk=pk)


# --- reports ----------------------------------------------------------------------------------------
@login_required
def reorder_warning_list(request):
    _require_stock(request.user)
    page = ListPage(
        request=request,
        queryset=selectors.reorder_warnings(user=request.user),
        title=_("Reorder warnings"),
        columns=[
            Column(
                "product__sku",
                _("SKU"),
                sort="product__sku",
                link=lambda w: reverse("product-detail", args=[w.product_id]),
            ),
            Column("product", _("Product"), value=lambda w: w.product.display_name),
            Column("warehouse", _("Warehouse"), sort="warehouse__code", value=lambda w: w.warehouse.name),
            Column("available_qty", _("Available"), sort="available_qty", numeric=True),
            Column("level", _("Warning level"), sort="level", numeric=True),
            Column("shortfall", _("Shortfall"), sort="shortfall", numeric=True),
            Column("lead", _("Lead time (days)"), value=lambda w: w.product.lead_time_days),
        ],
        filters=[_warehouse_filter()],
        search_fields=["product__sku", "product__name"],
        default_sort="-shortfall",
        export_name="reorder-warnings",
        empty_message=_("Every product is above its warning level."),
    )
    return page.response()


def _page_link(request, number: int) -> str:
    params = request.GET.copy()
    params["page"] = number
    return "?" + params.urlencode()


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


IDLE_CHOICES = [
    ("30", gettext_lazy("30+ days")),
    ("90", gettext_lazy("90+ days")),
    ("180", gettext_lazy("180+ days")),
    ("365", gettext_lazy("365+ days")),
]


@login_required
def slow_moving(request):
    """呆滞/冗余 as a list page: filters (warehouse, family, idle days), search, sort, paging,
    export; the value per age bucket above it (one aggregate query over what is filtered)."""
    _require_stock(request.user)
    today = company_date()
    min_days = _int(request.GET.get("min_days")) or 0
    families = list(ProductFamily.objects.order_by("path").values_list("pk", "name", "path"))
    paths = {str(pk): path for pk, _name, path in families}
    row = {}

    def cached(balance) -> dict:
        # one computed row per balance and request: the cells below read it several times
        if balance.pk not in row:
            row[balance.pk] = selectors.slow_moving_row(balance, today)
        return row[balance.pk]

    labels = {
        key: str(label)
        for key, label in [
            ("sku", _("SKU")),
            ("product", _("Product")),
            ("warehouse", _("Warehouse")),
            ("on_hand", _("On hand")),
            ("value", _("Value")),
            ("last_issue", _("Last issue")),
            ("days_issue", _("Days since issue")),
            ("last_receipt", _("Last receipt")),
            ("days_receipt", _("Days since receipt")),
            ("bucket", _("Age bucket")),
        ]
    }
    page = ListPage(
        request=request,
        queryset=selectors.slow_moving_queryset(user=request.user, today=today),
        title=_("Slow-moving stock"),
        columns=[
            Column(
                "product__sku",
                labels["sku"],
                sort="product__sku",
                link=lambda b: reverse("product-detail", args=[b.product_id]),
            ),
            Column("product", labels["product"], sort="product__name", value=lambda b: b.product.display_name),
            Column("warehouse", labels["warehouse"], sort="warehouse__code", value=lambda b: b.warehouse.name),
            Column(
                "on_hand",
                labels["on_hand"],
                sort="on_hand",
                kind="quantity",
                unit=lambda b: b.product,
                value=lambda b: b.on_hand,
            ),
            Column("value", labels["value"], sort="value", kind="money", value=lambda b: cached(b)["value"]),
            Column("last_issue", labels["last_issue"], sort="last_issue_at", value=lambda b: cached(b)["last_issue"]),
            Column("days_issue", labels["days_issue"], numeric=True, value=lambda b: cached(b)["days_since_issue"]),
            Column(
                "last_receipt",
                labels["last_receipt"],
                sort="last_receipt_at",
                value=lambda b: cached(b)["last_receipt"],
            ),
            Column(
                "days_receipt", labels["days_receipt"], numeric=True, value=lambda b: cached(b)["days_since_receipt"]
            ),
            Column("idle", labels["bucket"], sort="idle_since", value=lambda b: cached(b)["bucket"]),
        ],
        filters=[
            _warehouse_filter(),
            Filter(
                "family",
                _("Family"),
                [(str(pk), name) for pk, name, _path in families],
                apply=lambda qs, value: qs.filter(product__family__path__startswith=paths[value]),
            ),
            Filter(
                "min_days",
                _("Idle for at least"),
                IDLE_CHOICES,
                apply=lambda qs, value: selectors.slow_moving_idle_filter(qs, int(value), today),
            ),
        ],
        search_fields=["product__sku", "product__name", "product__name_en"],
        default_sort="idle",
        export_name="slow-moving",
        empty_message=_("No stock matches."),
    )
    if min_days > 0 and "min_days" not in page.active_filters:
        # any number of days typed into the address works too, not only the chips
        page.filtered = selectors.slow_moving_idle_filter(page.filtered, min_days, today)
    if request.GET.get("export") == "xlsx":
        return page.export()
    buckets = selectors.slow_moving_buckets(page.filtered, today)
    chart = {
        "xAxis": {"type": "category", "data": list(buckets)},
        "yAxis": {"type": "value"},
        "tooltip": {},
        "series": [{"type": "bar", "name": labels["value"], "data": [float(v) for v in buckets.values()]}],
    }
    page.extra.update({"buckets": buckets, "chart": json.dumps(chart), "total": sum(buckets.values(), Decimal("0"))})
    return page.response("inventory/slow_moving.html")


@login_required
def stock_value(request):
    _require(request.user, frozenset(selectors.stock_roles()))
    if not sees_costs(request.user):
        raise Http404
    try:
        day = datetime.date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        day = company_date()
    warehouse_id = _int(request.GET.get("warehouse"))
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time.max))
    rows = selectors.stock_value_at(user=request.user, at=moment, warehouse_id=warehouse_id)
    if request.GET.get("export") == "xlsx":
        return xlsx_response(
            f"stock-value-{day}",
            [_("Warehouse"), _("SKU"), _("Product"), _("Quantity"), _("Value")],
            ([r["warehouse__name"], r["product__sku"], r["product__name"], r["quantity"], r["value"]] for r in rows),
        )
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    by_warehouse: dict[str, Decimal] = {}
    for r in rows:
        by_warehouse[r["warehouse__name"]] = by_warehouse.get(r["warehouse__name"], Decimal("0")) + r["value"]
    return render(
        request,
        "inventory/stock_value.html",
        {
            "page": page,
            "page_link_prev": _page_link(request, page.previous_page_number()) if page.has_previous() else None,
            "page_link_next": _page_link(request, page.next_page_number()) if page.has_next() else None,
            "count": len(rows),
            "day": day,
            "warehouse_id": warehouse_id,
            "warehouses": Warehouse.objects.filter(active=True),
            "by_warehouse": by_warehouse,
            "total": sum(by_warehouse.values(), Decimal("0")),
        },
    )


# --- lots and expiry --------------------------------------------------------------------------------
def _clear_filter():
    return Filter(
        "clear",
        _("Show"),
        [("1", _("Expired or near expiry"))],
        apply=lambda queryset, value: expiry.lots_to_clear(queryset=queryset) if value == "1" else queryset,
    )


@login_required
def lot_list(request):
    """Stock by lot; with the filter, the lots to clear, each with its actions."""
    _require_stock(request.user)
    today = company_date()
    page = ListPage(
        request=request,
        queryset=selectors.lot_balance_list_for_user(user=request.user).filter(on_hand__gt=0),
        title=_("Stock by lot"),
        columns=[
            Column("sku", _("SKU"), sort="product__sku", value=lambda b: b.product.sku),
            Column("product", _("Product"), value=lambda b: b.product.display_name),
            Column("lot", _("Lot"), sort="lot__code", value=lambda b: b.lot.code),
            Column("warehouse", _("Warehouse"), value=lambda b: b.warehouse.name),
            Column(
                "production_date",
                _("Production date"),
                sort="lot__production_date",
                value=lambda b: b.lot.production_date,
            ),
            Column("expiry_date", _("Expiry date"), sort="lot__expiry_date", value=lambda b: b.lot.expiry_date),
            Column(
                "days_left",
                _("Days to expiry"),
                numeric=True,
                value=lambda b: (b.lot.expiry_date - today).days if b.lot.expiry_date else None,
            ),
            Column(
                "on_hand",
                _("On hand"),
                sort="on_hand",
                kind="quantity",
                unit=lambda b: b.product,
                value=lambda b: b.on_hand,
            ),
            Column(
                "promised",
                _("Reserved for orders"),
                sort="promised",
                kind="quantity",
                unit=lambda b: b.product,
                value=lambda b: b.promised or None,
            ),
            Column(
                "discount_pct",
                _("Clearance discount %"),
                sort="lot__discount_pct",
                kind="quantity",
                unit=2,
                value=lambda b: b.lot.discount_pct or None,
            ),
            Column("actions", _("Clear"), template="inventory/partials/lot_actions.html"),
        ],
        filters=[_clear_filter(), _warehouse_filter()],
        search_fields=["product__sku", "product__name", "lot__code"],
        default_sort="lot__expiry_date",
        export_name="lots",
        extra={"can_clear": request.user.has_role(*STOCK_WRITE_ROLES), "kinds": LotDisposal.Kind.choices},
    )
    return page.response()


@login_required
@require_POST
@action_view
def lot_dispose(request, pk: int):
    _require(request.user, STOCK_WRITE_ROLES)
    balance = get_object_or_404(selectors.lot_balance_list_for_user(user=request.user), pk=pk)
    disposal = expiry.lot_disposal_create(
        balance=balance,
        kind=request.POST.get("kind", ""),
        quantity=request.POST.get("quantity", ""),
        reason=request.POST.get("reason", ""),
        actor=request.user,
    )
    if disposal.status == LotDisposal.Status.PENDING:
        messages.success(request, _("%(number)s sent for approval.") % {"number": disposal.number})
    else:
        messages.success(request, _("%(number)s posted.") % {"number": disposal.number})
    return redirect(f"{reverse('lots')}?clear=1")


@login_required
@require_POST
@action_view
def lot_discount(request, pk: int):
    _require(request.user, STOCK_WRITE_ROLES)
    balance = get_object_or_404(selectors.lot_balance_list_for_user(user=request.user), pk=pk)
    lot = expiry.lot_discount_set(
        lot=balance.lot,
        percent=request.POST.get("percent", ""),
        reason=request.POST.get("discount_reason", ""),
        actor=request.user,
    )
    pct = formatting.quantity(lot.discount_pct, 2)
    messages.success(request, _("Lot %(lot)s: clearance discount %(pct)s %%.") % {"lot": lot.code, "pct": pct})
    return redirect(f"{reverse('lots')}?clear=1")


@login_required
def lot_disposal_list(request):
    _require_stock(request.user)
    page = ListPage(
        request=request,
        queryset=selectors.lot_disposal_list_for_user(user=request.user),
        title=_("Lot write-offs and returns"),
        columns=[
            Column("number", _("Number"), sort="number"),
            Column("kind", _("Action"), value=lambda d: d.get_kind_display()),
            Column("sku", _("SKU"), value=lambda d: d.lot.product.sku),
            Column("lot", _("Lot"), value=lambda d: d.lot.code),
            Column("expiry_date", _("Expiry date"), value=lambda d: d.lot.expiry_date),
            Column("warehouse", _("Warehouse"), value=lambda d: d.warehouse.name),
            Column(
                "quantity", _("Quantity"), kind="quantity", unit=lambda d: d.lot.product, value=lambda d: d.quantity
            ),
            Column("value", _("Value"), sort="value", kind="money", value=lambda d: d.value),
            Column("reason", _("Reason")),
            Column("status", _("Status"), sort="status", value=lambda d: d.get_status_display()),
        ],
        filters=[
            Filter("kind", _("Action"), LotDisposal.Kind.choices),
            Filter("status", _("Status"), LotDisposal.Status.choices),
        ],
        search_fields=["number", "lot__code", "lot__product__sku"],
        default_sort="-created_at",
        export_name="lot-disposals",
    )
    return page.response()
