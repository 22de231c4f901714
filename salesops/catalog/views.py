"""Pages of the product master: products, families, BOMs, price lists, price changes, price
history, import and export. Thin: permission → form → selector → one service → render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from salesops.catalog import importing, selectors, services
from salesops.catalog.forms import (
    BarcodeForm,
    BomLineForm,
    FamilyForm,
    ImportForm,
    PackagingForm,
    PriceChangeForm,
    PriceListForm,
    ProductForm,
)
from salesops.catalog.models import ImportBatch, PriceChange, PriceList, Product, ProductFamily
from salesops.catalog.permissions import (
    PRICE_WRITE_ROLES,
    PRODUCT_WRITE_ROLES,
    reads_products,
    sees_costs,
    sees_stock,
)
from salesops.core.audit import history_for
from salesops.core.exceptions import ApplicationError
from salesops.core.export import xlsx_response
from salesops.core.listing import Column, Filter, ListPage
from salesops.core.roles import Role
from salesops.core.selectors import company_date
from salesops.core.web import action_view, add_error_to_form, save_form

PRICE_READ_ROLES = frozenset(PRICE_WRITE_ROLES | {Role.FINANCE, Role.GENERAL_MANAGER, Role.SALES_DIRECTOR})


def _require(user, roles) -> None:
    if not (user.is_superuser or user.roles & roles):
        raise Http404


def _product_or_404(user, pk) -> Product:
    try:
        return selectors.product_get_for_user(user=user, pk=pk)
    except Product.DoesNotExist:
        raise Http404


@login_required
def product_list(request):
    if not reads_products(request.user):
        raise Http404
    costs = sees_costs(request.user)
    columns = [
        Column("sku", _("SKU"), sort="sku", link=lambda p: reverse("product-detail", args=[p.pk])),
        Column("name", _("Name"), sort="name", value=lambda p: p.display_name),
        Column("spec", _("Specification"), value=lambda p: p.display_spec),
        Column("family", _("Family"), sort="family__path", value=lambda p: p.family or ""),
        Column("unit", pgettext("measure", "Unit"), sort="unit"),
        Column("list_price", _("List price"), sort="list_price", kind="money"),
    ]
    if costs:
        columns.append(Column("cost", _("Standard cost"), sort="cost", kind="money"))
    columns.append(Column("status", _("Status"), sort="status", value=lambda p: p.get_status_display()))
    top_families = [(str(f.pk), f.name) for f in ProductFamily.objects.filter(parent__isnull=True)]
    page = ListPage(
        request=request,
        queryset=selectors.product_list_for_user(user=request.user),
        title=_("Products"),
        columns=columns,
        filters=[
            Filter("status", _("Status"), Product.Status.choices),
            Filter("source", _("Make or buy"), Product.Source.choices),
            Filter(
                "family",
                _("Family"),
                top_families,
                apply=lambda qs, v: qs.filter(family__path__startswith=ProductFamily.objects.get(pk=v).path),
            ),
        ],
        search_fields=["sku", "name", "name_en", "spec", "barcodes__code"],
        default_sort="sku",
        export_name="products",
        actions_template="catalog/partials/product_actions.html"
        if request.user.has_role(*PRODUCT_WRITE_ROLES)
        else None,
        empty_message=_("No products yet. Create one or import a file."),
    )
    page.filtered = page.filtered.distinct()
    return page.response()


@login_required
def product_detail(request, pk: int):
    product = _product_or_404(request.user, pk)
    user = request.user
    today = company_date()
    context = {
        "product": product,
        "costs": sees_costs(user),
        "can_edit": user.has_role(*PRODUCT_WRITE_ROLES),
        "barcodes": product.barcodes.all(),
        "packaging": product.packaging.all(),
        "bom": selectors.bom_explode(product=product, on_date=today),
        "bom_lines": product.bom_lines.select_related("component").order_by("component__sku", "valid_from"),
        "where_used": selectors.where_used(product=product),
        "prices": selectors.price_items_for(product=product)[:50],
        "price_today": selectors.price_for(product=product, on_date=today),
        "history": history_for(product)[:50],
        "barcode_form": BarcodeForm(),
        "packaging_form": PackagingForm(),
        "bom_form": BomLineForm(initial={"valid_from": today, "scrap_pct": 0}),
    }
    if reads_products(user):
        from salesops.inventory.selectors import balance_list_for_user

        context["balances"] = balance_list_for_user(user=user).filter(product=product).order_by("warehouse__code")
        context["sees_stock"] = sees_stock(user)
        if sees_stock(user):
            context["reorder_levels"] = product.reorder_levels.select_related("warehouse")
    return render(request, "catalog/product_detail.html", context)


@login_required
def product_edit(request, pk: int | None = None):
    _require(request.user, PRODUCT_WRITE_ROLES)
    product = _product_or_404(request.user, pk) if pk else None
    form = ProductForm(request.POST or None, instance=Product.objects.get(pk=pk) if pk else None)
    if product:
        form.fields["sku"].disabled = True

    def save(cleaned_data):
        data = dict(cleaned_data)
        if product:
            data.pop("sku", None)
            return services.product_update(product=product, data=data, actor=request.user)
        sku, name = data.pop("sku"), data.pop("name")
        return services.product_create(sku=sku, name=name, actor=request.user, **data)

    saved = save_form(
        request,
        form,
        save,
        success=_("Product saved."),
        redirect_to=lambda saved_product: reverse("product-detail", args=[saved_product.pk]),
    )
    if saved:
        return saved
    return render(request, "catalog/product_form.html", {"form": form, "product": product})


@login_required
@require_POST
@action_view
def product_submit(request, pk: int):
    _require(request.user, PRODUCT_WRITE_ROLES)
    product = _product_or_404(request.user, pk)
    product = services.product_submit(product=product, actor=request.user)
    if product.status == Product.Status.APPROVED:
        messages.success(request, _("Product approved."))
    else:
        messages.success(request, _("Sent for approval."))
    return redirect("product-detail", pk=product.pk)


def _detail_form_action(request, pk, form_class, apply):
    _require(request.user, PRODUCT_WRITE_ROLES)
    product = _product_or_404(request.user, pk)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            apply(product, form.cleaned_data)
            messages.success(request, _("Saved."))
        except ApplicationError as error:
            messages.error(
                request,
                str(error.message)
                if not error.fields
                else "; ".join(str(m) for ms in error.fields.values() for m in (ms if isinstance(ms, list) else [ms])),
            )
    else:
        messages.error(request, "; ".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect(reverse("product-detail", args=[product.pk]))


@login_required
@require_POST
def barcode_add(request, pk: int):
    return _detail_form_action(
        request, pk, BarcodeForm, lambda p, d: services.barcode_add(product=p, code=d["code"], actor=request.user)
    )


@login_required
@require_POST
def packaging_add(request, pk: int):
    return _detail_form_action(
        request, pk, PackagingForm, lambda p, d: services.packaging_add(product=p, actor=request.user, **d)
    )


@login_required
@require_POST
def bom_line_add(request, pk: int):
    return _detail_form_action(
        request, pk, BomLineForm, lambda p, d: services.bom_line_add(parent=p, actor=request.user, **d)
    )


@login_required
def family_tree(request):
    if not reads_products(request.user):
        raise Http404
    can_edit = request.user.has_role(*PRODUCT_WRITE_ROLES)
    form = FamilyForm(request.POST or None)
    if request.method == "POST":
        _require(request.user, PRODUCT_WRITE_ROLES)
    saved = save_form(
        request,
        form,
        lambda data: services.family_create(actor=request.user, **data),
        success=_("Family added."),
        redirect_to="product-families",
    )
    if saved:
        return saved
    return render(
        request, "catalog/family_tree.html", {"rows": selectors.family_tree(), "form": form, "can_edit": can_edit}
    )


# --- prices ---------------------------------------------------------------------------------------
@login_required
def price_list_list(request):
    _require(request.user, PRICE_READ_ROLES)
    form = PriceListForm(request.POST or None)
    if request.method == "POST":
        _require(request.user, PRICE_WRITE_ROLES)
    saved = save_form(
        request,
        form,
        lambda data: services.price_list_create(actor=request.user, **data),
        success=_("Price list added."),
        redirect_to="price-lists",
    )
    if saved:
        return saved
    page = ListPage(
        request=request,
        queryset=PriceList.objects.all(),
        title=_("Price lists"),
        columns=[
            Column("code", _("Code"), sort="code", link=lambda p: reverse("price-list-detail", args=[p.pk])),
            Column("name", _("Name"), sort="name"),
            Column("channel", _("Customer channel"), sort="channel"),
            Column("is_default", _("Default"), value=lambda p: _("yes") if p.is_default else ""),
            Column(
                "prices_include_tax",
                _("Prices"),
                sort="prices_include_tax",
                value=lambda p: _("incl. VAT") if p.prices_include_tax else _("excl. VAT"),
            ),
            Column("valid_from", _("Valid from"), sort="valid_from"),
            Column("valid_to", _("Valid to"), sort="valid_to"),
        ],
        search_fields=["code", "name"],
        default_sort="code",
        export_name="price-lists",
        extra={"form": form if request.user.has_role(*PRICE_WRITE_ROLES) else None},
    )
    return page.response("catalog/price_lists.html")


@login_required
def price_list_detail(request, pk: int):
    _require(request.user, PRICE_READ_ROLES)
    price_list = get_object_or_404(PriceList, pk=pk)
    today = timezone.localdate()
    from django.db.models import Q

    current = (
        price_list.items.filter(valid_from__lte=today)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        .select_related("product")
    )
    page = ListPage(
        request=request,
        queryset=current,
        title=price_list.name,
        columns=[
            Column(
                "product__sku",
                _("SKU"),
                sort="product__sku",
                link=lambda i: reverse("product-detail", args=[i.product_id]),
            ),
            Column("product", _("Product"), value=lambda i: i.product.display_name),
            Column("price", _("Price"), sort="price", kind="money"),
            Column("valid_from", _("Valid from"), sort="valid_from"),
            Column("valid_to", _("Valid to")),
        ],
        search_fields=["product__sku", "product__name"],
        default_sort="product__sku",
        export_name=f"price-list-{price_list.code}",
    )
    return page.response()


@login_required
def price_change_list(request):
    _require(request.user, PRICE_READ_ROLES)
    page = ListPage(
        request=request,
        queryset=selectors.price_change_list(),
        title=_("Price changes"),
        columns=[
            Column(
                "number",
                _("Number"),
                sort="number",
                link=lambda c: reverse("price-change-detail", args=[c.pk]),
            ),
            Column("price_list", _("Price list"), value=lambda c: c.price_list or _("List price")),
            Column("effective_date", _("Effective date"), sort="effective_date"),
            Column("reason", _("Reason")),
            Column("status", _("Status"), sort="status", value=lambda c: c.get_status_display()),
            Column("created_by", _("Created by"), value=lambda c: c.created_by.display_name),
        ],
        filters=[Filter("status", _("Status"), PriceChange.Status.choices)],
        search_fields=["number", "reason", "lines__product__sku"],
        default_sort="-effective_date",
        export_name="price-changes",
        actions_template="catalog/partials/price_change_actions.html"
        if request.user.has_role(*PRICE_WRITE_ROLES)
        else None,
        empty_message=_("No price changes yet."),
    )
    page.filtered = page.filtered.distinct()
    return page.response()


@login_required
def price_change_new(request):
    _require(request.user, PRICE_WRITE_ROLES)
    form = PriceChangeForm(request.POST or None)
    saved = save_form(
        request,
        form,
        lambda data: services.price_change_create(
            effective_date=data["effective_date"],
            reason=data["reason"],
            price_list=data["price_list"],
            lines=[(row[0], row[1]) for row in data["lines"]],
            actor=request.user,
        ),
        success=_("Price change saved as a draft. Check it and submit it for approval."),
        redirect_to=lambda change: reverse("price-change-detail", args=[change.pk]),
    )
    if saved:
        return saved
    return render(request, "catalog/price_change_form.html", {"form": form})


@login_required
def price_change_detail(request, pk: int):
    _require(request.user, PRICE_READ_ROLES)
    change = get_object_or_404(PriceChange.objects.select_related("price_list", "created_by"), pk=pk)
    from salesops.approvals.models import ApprovalRequest

    approval = ApprovalRequest.objects.filter(doc_type=services.PRICE_CHANGE, object_id=str(change.pk)).first()
    return render(
        request,
        "catalog/price_change_detail.html",
        {
            "change": change,
            "lines": change.lines.select_related("product"),
            "history": history_for(change)[:50],
            "approval": approval,
            "can_edit": request.user.has_role(*PRICE_WRITE_ROLES),
        },
    )


@login_required
@require_POST
@action_view
def price_change_action(request, pk: int, action: str):
    _require(request.user, PRICE_WRITE_ROLES)
    change = get_object_or_404(PriceChange, pk=pk)
    if action == "submit":
        change = services.price_change_submit(change=change, actor=request.user)
        messages.success(request, _("Sent for approval.") if change.status == "pending" else _("Approved."))
    elif action == "cancel":
        services.price_change_cancel(change=change, actor=request.user)
        messages.success(request, _("Price change cancelled."))
    else:
        raise Http404
    return redirect("price-change-detail", pk=pk)


@login_required
def price_history(request):
    _require(request.user, PRICE_READ_ROLES)
    page = ListPage(
        request=request,
        queryset=selectors.price_history_list(),
        title=_("Price history"),
        columns=[
            Column("applied_at", _("Applied"), sort="applied_at"),
            Column("effective_date", _("Effective date"), sort="effective_date"),
            Column(
                "product__sku",
                _("SKU"),
                sort="product__sku",
                link=lambda h: reverse("product-detail", args=[h.product_id]),
            ),
            Column("product", _("Product"), value=lambda h: h.product.display_name),
            Column("price_list", _("Price list"), value=lambda h: h.price_list or _("List price")),
            Column("old_price", _("Old price"), kind="money"),
            Column("new_price", _("New price"), kind="money"),
            Column(
                "change",
                _("Price change"),
                value=lambda h: h.change.number if h.change_id else "",
                link=lambda h: reverse("price-change-detail", args=[h.change_id]) if h.change_id else "",
            ),
        ],
        search_fields=["product__sku", "product__name", "change__number"],
        default_sort="-applied_at",
        export_name="price-history",
        empty_message=_("No price has changed yet."),
    )
    return page.response()


# --- import and export ---------------------------------------------------------------------------
@login_required
def import_upload(request):
    _require(request.user, PRODUCT_WRITE_ROLES | PRICE_WRITE_ROLES)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            batch = importing.import_batch_create(
                kind=form.cleaned_data["kind"], filename=upload.name, content=upload.read(), actor=request.user
            )
            return redirect("product-import-preview", pk=batch.pk)
        except ApplicationError as error:
            add_error_to_form(form, error)
    recent = ImportBatch.objects.filter(created_by=request.user)[:10]
    return render(request, "catalog/import.html", {"form": form, "recent": recent})


@login_required
def import_preview(request, pk: int):
    batch = get_object_or_404(ImportBatch, pk=pk, created_by=request.user)
    return render(
        request,
        "catalog/import_preview.html",
        {
            "batch": batch,
            "columns": importing.COLUMNS[batch.kind],
            "rows": batch.rows[:500],
            "bad": len(batch.bad_rows),
            "good": len(batch.good_rows),
        },
    )


@login_required
@require_POST
@action_view
def import_commit(request, pk: int):
    batch = get_object_or_404(ImportBatch, pk=pk, created_by=request.user)
    if request.POST.get("discard"):
        importing.import_batch_discard(batch=batch, actor=request.user)
        messages.success(request, _("The file was discarded; nothing was imported."))
        return redirect("product-import")
    only_good = request.POST.get("only_good_rows") == "yes"
    batch = importing.import_batch_commit(batch=batch, actor=request.user, only_good_rows=only_good)
    messages.success(request, _("Imported: %(result)s") % {"result": batch.result})
    return redirect("product-import-preview", pk=batch.pk)


@login_required
def export(request, kind: str, fmt: str):
    if kind not in ("products", "prices") or fmt not in ("xlsx", "csv") or not reads_products(request.user):
        raise Http404
    products = selectors.product_list_for_user(user=request.user)
    headers, rows = importing.export_rows(kind, products)
    if kind == "products" and not sees_costs(request.user):
        index = headers.index("cost")
        headers = [h for i, h in enumerate(headers) if i != index]
        rows = [[v for i, v in enumerate(r) if i != index] for r in rows]
    if fmt == "xlsx":
        return xlsx_response(kind, headers, rows)
    response = HttpResponse(importing.csv_bytes(headers, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{kind}.csv"'
    return response
