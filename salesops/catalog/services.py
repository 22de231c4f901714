"""Writes of products and families."""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salesops.catalog.models import Product, ProductFamily
from salesops.core.audit import audit_record, model_create, model_update
from salesops.core.exceptions import ValidationFailed
from salesops.core.models import AuditEvent
from salesops.core.state import StateMachine

PRODUCT_FIELDS = [
    "name",
    "name_en",
    "spec",
    "spec_en",
    "unit",
    "family",
    "cost",
    "list_price",
    "tax_rate",
    "active",
    "source",
    "lead_time_days",
    "lot_rule",
    "lot_qty",
    "safety_stock",
    "quantity_decimals",
    "order_multiple",
    "min_order_qty",
    "yield_pct",
    "lot_tracked",
    "shelf_life_days",
    "expiry_warning_days",
]

PRODUCT_STATES = StateMachine(
    {
        Product.Status.DRAFT: {Product.Status.PENDING, Product.Status.APPROVED},
        Product.Status.PENDING: {Product.Status.APPROVED, Product.Status.REJECTED, Product.Status.DRAFT},
        Product.Status.REJECTED: {Product.Status.PENDING},
        Product.Status.APPROVED: set(),
    }
)


@transaction.atomic
def family_create(*, code: str, name: str, parent: ProductFamily | None = None, actor=None, **fields) -> ProductFamily:
    family = ProductFamily(code=code, name=name, parent=parent, name_en=fields.get("name_en", ""))
    model_create(instance=family, actor=actor)
    family.path = f"{parent.path if parent else '/'}{family.pk}/"
    family.save(update_fields=["path"])
    return family


@transaction.atomic
def product_create(*, sku: str, name: str, actor=None, **fields) -> Product:
    """A new product starts as a request (draft); it can be sold once approved."""
    if Product.objects.filter(sku=sku).exists():
        raise ValidationFailed(fields={"sku": [_("A product with this SKU already exists.")]})
    if fields.get("family", "") is None:
        fields.pop("family")  # the model's default: the family "Unassigned"
    product = Product(sku=sku, name=name, **{k: v for k, v in fields.items() if k in PRODUCT_FIELDS})
    return model_create(instance=product, actor=actor)


@transaction.atomic
def product_update(*, product: Product, data: dict, actor) -> Product:
    if "family" in data and data["family"] is None:
        raise ValidationFailed(fields={"family": [_("Every product belongs to a family: choose one.")]})
    product, _changed = model_update(instance=product, fields=PRODUCT_FIELDS, data=data, actor=actor)
    return product


@transaction.atomic
def product_set_status(*, product: Product, status: str, actor, note: str = "") -> Product:
    product = Product.objects.select_for_update().get(pk=product.pk)
    PRODUCT_STATES.check(product.status, status)
    before = product.status
    product.status = status
    product.save(update_fields=["status"])
    audit_record(
        instance=product,
        action=AuditEvent.Action.TRANSITION,
        actor=actor,
        changes={"status": [before, status]},
        note=note,
    )
    return product


# --- new product requests (商品建档) ------------------------------------------------------------
NEW_PRODUCT = "new_product"
PRICE_CHANGE = "price_change"


def _product_decided(product: Product, status: str) -> None:
    if product.status != status and PRODUCT_STATES.can(product.status, status):
        product_set_status(product=product, status=status, actor=None, note="approval")


def new_product_document_type():
    from django.urls import reverse
    from django.utils.translation import gettext_lazy

    from salesops.approvals.registry import ConditionField, DocumentType
    from salesops.catalog.approval_facts import NewProductFacts

    return DocumentType(
        key=NEW_PRODUCT,
        label=gettext_lazy("New product"),
        model=Product,
        fields={
            "list_price": gettext_lazy("List price"),
            "cost": gettext_lazy("Standard cost"),
            "source": ConditionField(gettext_lazy("Make or buy"), kind="choice", choices=Product.Source.values),
        },
        values=lambda p: {"list_price": p.list_price, "cost": p.cost, "source": p.source},
        summary=lambda p: {
            "sku": p.sku,
            "name": p.name,
            "name_en": p.name_en,
            "spec": p.spec,
            "unit": p.unit,
            "family": p.family.name if p.family_id else "",
            "list_price": str(p.list_price),
            "source": p.source,
        },
        requester=lambda p: _requester_of(p),
        title=lambda p: _("New product %(sku)s %(name)s") % {"sku": p.sku, "name": p.name},
        on_approved=lambda p, request: _product_decided(p, Product.Status.APPROVED),
        on_rejected=lambda p, request: _product_decided(p, Product.Status.REJECTED),
        on_returned=lambda p, request: _product_decided(p, Product.Status.DRAFT),
        on_cancelled=lambda p, request: _product_decided(p, Product.Status.DRAFT),
        url=lambda p: reverse("product-detail", args=[p.pk]),
        facts=NewProductFacts,
    )


def _requester_of(product: Product):
    from salesops.core.audit import history_for

    event = history_for(product).filter(action=AuditEvent.Action.TRANSITION).exclude(actor=None).first()
    if event is None:
        event = history_for(product).exclude(actor=None).last()
    return event.actor if event else None


@transaction.atomic
def product_submit(*, product: Product, actor) -> Product:
    """Send a new product for approval (the purchasing manager by the default rule). When no
    approval rule applies, the product is approved at once."""
    from salesops.approvals.services import approval_submit

    product = product_set_status(product=product, status=Product.Status.PENDING, actor=actor)
    request = approval_submit(document=product, doc_type=NEW_PRODUCT, actor=actor)
    if request is None:
        product = product_set_status(
            product=product, status=Product.Status.APPROVED, actor=actor, note=_("No approval rule applies.")
        )
    return product


# --- barcodes and packaging ---------------------------------------------------------------------
@transaction.atomic
def barcode_add(*, product: Product, code: str, actor, packaging=None):
    from salesops.catalog.models import Barcode, ean13_is_valid

    code = (code or "").strip()
    if not ean13_is_valid(code):
        raise ValidationFailed(
            fields={
                "code": [
                    _("“%(code)s” is not a valid EAN-13 barcode (13 digits with a correct check digit).")
                    % {"code": code}
                ]
            }
        )
    if Barcode.objects.filter(code=code).exists():
        raise ValidationFailed(fields={"code": [_("This barcode already belongs to a product.")]})
    return model_create(instance=Barcode(product=product, code=code, packaging=packaging), actor=actor)


@transaction.atomic
def barcode_remove(*, barcode, actor) -> None:
    from salesops.core.audit import model_delete

    model_delete(instance=barcode, actor=actor)


@transaction.atomic
def packaging_add(*, product: Product, name: str, factor, actor, name_en: str = ""):
    from salesops.catalog.models import PackagingUnit

    if PackagingUnit.objects.filter(product=product, name=name).exists():
        raise ValidationFailed(fields={"name": [_("This product already has a packaging unit with this name.")]})
    return model_create(
        instance=PackagingUnit(product=product, name=name, name_en=name_en, factor=Decimal(factor)), actor=actor
    )


# --- bills of materials ---------------------------------------------------------------------------
def _bom_graph(on_date: datetime.date | None = None) -> dict[int, set[int]]:
    from salesops.catalog.models import BomLine

    lines = BomLine.objects.all()
    if on_date is not None:
        lines = lines.filter(valid_from__lte=on_date).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on_date))
    graph: dict[int, set[int]] = defaultdict(set)
    for parent_id, component_id in lines.values_list("parent_id", "component_id"):
        graph[parent_id].add(component_id)
    return graph


def _path_between(graph: dict[int, set[int]], start: int, goal: int) -> list[int] | None:
    """A path start → … → goal through the BOM graph (depth first), or None."""
    stack = [(start, [start])]
    seen = set()
    while stack:
        node, path = stack.pop()
        if node == goal:
            return path
        if node in seen:
            continue
        seen.add(node)
        for child in sorted(graph.get(node, ())):
            stack.append((child, [*path, child]))
    return None


@transaction.atomic
def bom_line_add(
    *,
    parent: Product,
    component: Product,
    quantity,
    actor,
    scrap_pct=Decimal("0"),
    valid_from: datetime.date | None = None,
    valid_to: datetime.date | None = None,
):
    """Add a component to a parent's bill of materials. A component that (directly or further
    down) contains the parent would make a loop; it is refused with the loop spelled out."""
    from salesops.catalog.models import BomLine

    if parent.pk == component.pk:
        raise ValidationFailed(
            _("A product cannot contain itself: %(loop)s") % {"loop": f"{parent.sku} → {parent.sku}"},
            fields={"component": [_("A product cannot contain itself.")]},
        )
    if valid_to and valid_from and valid_to < valid_from:
        raise ValidationFailed(fields={"valid_to": [_("The end date is before the start date.")]})
    # Lock the BOM as a whole (every parent's lines) so two concurrent additions cannot close a loop.
    list(Product.objects.select_for_update().filter(pk__in=[parent.pk, component.pk]).order_by("pk"))
    path = _path_between(_bom_graph(), component.pk, parent.pk)
    if path is not None:
        skus = dict(Product.objects.filter(pk__in=path).values_list("pk", "sku"))
        loop = " → ".join([parent.sku, *[skus[pk] for pk in path]])
        raise ValidationFailed(
            _("This would make a loop in the bill of materials: %(loop)s") % {"loop": loop},
            fields={"component": [_("Loop: %(loop)s") % {"loop": loop}]},
            code="bom_cycle",
        )
    line = BomLine(
        parent=parent,
        component=component,
        quantity=Decimal(quantity),
        scrap_pct=Decimal(scrap_pct),
        valid_from=valid_from or timezone.localdate(),
        valid_to=valid_to,
    )
    return model_create(instance=line, actor=actor)


@transaction.atomic
def bom_line_end(*, line, valid_to: datetime.date, actor):
    line, _changed = model_update(instance=line, fields=["valid_to"], data={"valid_to": valid_to}, actor=actor)
    return line


# --- price lists and price changes (变价单) -----------------------------------------------------
@transaction.atomic
def price_list_create(*, code: str, name: str, valid_from: datetime.date, actor, **fields):
    from salesops.catalog.models import PriceList

    settable = {"channel", "is_default", "valid_to", "currency", "prices_include_tax"}
    allowed = {k: v for k, v in fields.items() if k in settable}
    if PriceList.objects.filter(code=code).exists():
        raise ValidationFailed(fields={"code": [_("A price list with this code already exists.")]})
    return model_create(instance=PriceList(code=code, name=name, valid_from=valid_from, **allowed), actor=actor)


@transaction.atomic
def price_list_set_prices(*, price_list, prices: dict[int, Decimal], valid_from: datetime.date, actor) -> int:
    """Set prices of products in a list from a date (initial set-up and approved changes).
    The item valid before is closed the day before, so history stays whole."""
    from salesops.catalog.models import PriceListItem

    product_ids = sorted(prices)
    current = {
        item.product_id: item
        for item in PriceListItem.objects.select_for_update()
        .filter(price_list=price_list, product_id__in=product_ids, valid_from__lt=valid_from)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=valid_from))
    }
    closing = []
    for item in current.values():
        item.valid_to = valid_from - datetime.timedelta(days=1)
        closing.append(item)
    PriceListItem.objects.bulk_update(closing, ["valid_to"])
    PriceListItem.objects.filter(price_list=price_list, product_id__in=product_ids, valid_from=valid_from).delete()
    PriceListItem.objects.bulk_create(
        [
            PriceListItem(price_list=price_list, product_id=pid, price=Decimal(prices[pid]), valid_from=valid_from)
            for pid in product_ids
        ]
    )
    audit_record(
        instance=price_list,
        action=AuditEvent.Action.UPDATE,
        actor=actor,
        changes={"prices": [None, len(product_ids)]},
        note=str(valid_from),
    )
    return len(product_ids)


PRICE_CHANGE_STATES = StateMachine(
    {
        "draft": {"pending", "approved", "cancelled"},
        "pending": {"approved", "rejected", "draft", "cancelled"},
        "rejected": {"draft"},
        "approved": {"applied", "cancelled"},
        "applied": set(),
        "cancelled": set(),
    }
)


def _change_set_status(change, status: str, actor=None, note: str = "") -> None:
    PRICE_CHANGE_STATES.check(change.status, status)
    before = change.status
    change.status = status
    fields = ["status"]
    if status == "applied":
        change.applied_at = timezone.now()
        fields.append("applied_at")
    change.save(update_fields=fields)
    audit_record(
        instance=change,
        action=AuditEvent.Action.TRANSITION,
        actor=actor,
        changes={"status": [before, status]},
        note=note,
    )


def current_price(*, product: Product, price_list=None, on_date: datetime.date) -> Decimal:
    if price_list is None:
        return product.list_price
    from salesops.catalog.models import PriceListItem

    item = (
        PriceListItem.objects.filter(price_list=price_list, product=product, valid_from__lte=on_date)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on_date))
        .order_by("-valid_from")
        .first()
    )
    return item.price if item else product.list_price


@transaction.atomic
def price_change_create(
    *, effective_date: datetime.date, reason: str, lines: list[tuple[Product, Decimal]], actor, price_list=None
):
    """A draft 变价单. Old prices are read now (the price the product has on the effective date)."""
    from salesops.catalog.models import PriceChange, PriceChangeLine
    from salesops.core.numbering import next_number

    if not lines:
        raise ValidationFailed(fields={"lines": [_("List at least one product.")]})
    if not (reason or "").strip():
        raise ValidationFailed(fields={"reason": [_("Say why the prices change.")]})
    seen = set()
    for product, price in lines:
        if product.pk in seen:
            raise ValidationFailed(fields={"lines": [_("%(sku)s is listed twice.") % {"sku": product.sku}]})
        seen.add(product.pk)
        if Decimal(price) < 0:
            raise ValidationFailed(fields={"lines": [_("%(sku)s: a price cannot be negative.") % {"sku": product.sku}]})
    change = PriceChange(
        number=next_number(prefix="PC", width=5),
        price_list=price_list,
        effective_date=effective_date,
        reason=reason.strip(),
        created_by=actor,
    )
    model_create(instance=change, actor=actor)
    PriceChangeLine.objects.bulk_create(
        [
            PriceChangeLine(
                change=change,
                product=product,
                old_price=current_price(product=product, price_list=price_list, on_date=effective_date),
                new_price=Decimal(price),
            )
            for product, price in lines
        ]
    )
    return change


def _change_total_pct(change) -> Decimal:
    biggest = Decimal("0")
    for line in change.lines.all():
        if line.change_pct is not None:
            biggest = max(biggest, abs(line.change_pct))
    return biggest


def price_change_document_type():
    from django.urls import reverse
    from django.utils.translation import gettext_lazy

    from salesops.approvals.registry import DocumentType
    from salesops.catalog.approval_facts import PriceChangeFacts
    from salesops.catalog.models import PriceChange

    return DocumentType(
        key=PRICE_CHANGE,
        label=gettext_lazy("Price change"),
        model=PriceChange,
        fields={
            "max_change_pct": gettext_lazy("Largest change %"),
            "products": gettext_lazy("Number of products"),
        },
        values=lambda c: {"max_change_pct": _change_total_pct(c), "products": c.lines.count()},
        summary=lambda c: {
            "number": c.number,
            "effective_date": c.effective_date.isoformat(),
            "reason": c.reason,
            "price_list": c.price_list.code if c.price_list_id else "",
            "lines": [
                f"{line.product.sku} {line.product.name}: {line.old_price} → {line.new_price}"
                for line in c.lines.select_related("product")
            ],
        },
        requester=lambda c: c.created_by,
        title=lambda c: _("Price change %(number)s") % {"number": c.number},
        on_approved=lambda c, request: _price_change_approved(c),
        on_rejected=lambda c, request: _change_set_status(c, "rejected"),
        on_returned=lambda c, request: _change_set_status(c, "draft"),
        on_cancelled=lambda c, request: _change_set_status(c, "draft") if c.status == "pending" else None,
        url=lambda c: reverse("price-change-detail", args=[c.pk]),
        facts=PriceChangeFacts,
    )


def _price_change_approved(change) -> None:
    _change_set_status(change, "approved")
    if change.effective_date <= timezone.localdate():
        price_change_apply(change=change, actor=None)


@transaction.atomic
def price_change_submit(*, change, actor):
    """Send for the manager's approval; approved changes apply on their effective date."""
    from salesops.approvals.services import approval_submit
    from salesops.catalog.models import PriceChange

    change = PriceChange.objects.select_for_update().get(pk=change.pk)
    _change_set_status(change, "pending", actor)
    request = approval_submit(document=change, doc_type=PRICE_CHANGE, actor=actor)
    if request is None:
        _price_change_approved(change)
    return change


@transaction.atomic
def price_change_cancel(*, change, actor):
    from salesops.catalog.models import PriceChange

    change = PriceChange.objects.select_for_update().get(pk=change.pk)
    _change_set_status(change, "cancelled", actor)
    return change


@transaction.atomic
def price_change_apply(*, change, actor=None):
    """Apply an approved change: new prices in force, old ones kept in the history, finance told."""
    from salesops.catalog.models import PriceChange, PriceHistory
    from salesops.core.models import User
    from salesops.core.roles import Role
    from salesops.core.services import lazy_message, notify

    change = PriceChange.objects.select_for_update().get(pk=change.pk)
    if change.status != "approved":
        return change
    lines = list(change.lines.select_related("product"))
    now = timezone.now()
    history = []
    if change.price_list_id:
        old = {
            line.product_id: current_price(
                product=line.product, price_list=change.price_list, on_date=change.effective_date
            )
            for line in lines
        }
        price_list_set_prices(
            price_list=change.price_list,
            prices={line.product_id: line.new_price for line in lines},
            valid_from=change.effective_date,
            actor=actor,
        )
    else:
        products = {
            p.pk: p for p in Product.objects.select_for_update().filter(pk__in=[line.product_id for line in lines])
        }
        old = {pid: p.list_price for pid, p in products.items()}
        for line in lines:
            products[line.product_id].list_price = line.new_price
        Product.objects.bulk_update(list(products.values()), ["list_price"])
    for line in lines:
        history.append(
            PriceHistory(
                product_id=line.product_id,
                price_list_id=change.price_list_id,
                change=change,
                old_price=old[line.product_id],
                new_price=line.new_price,
                effective_date=change.effective_date,
                applied_at=now,
            )
        )
    PriceHistory.objects.bulk_create(history)
    _change_set_status(change, "applied", actor)
    from django.urls import reverse

    url = reverse("price-change-detail", args=[change.pk])
    for person in User.objects.filter(is_active=True, role_assignments__role=Role.FINANCE).distinct():
        notify(
            user=person,
            title=lazy_message(gettext_lazy("Prices changed: %(number)s"), number=change.number),
            body=lazy_message(
                gettext_lazy("%(count)d products from %(date)s: %(reason)s"),
                count=len(lines),
                date=change.effective_date,
                reason=change.reason,
            ),
            url=url,
            kind="price_change",
        )
    return change


def price_changes_apply_due(*, now=None) -> int:
    """Periodic: apply every approved change whose effective date has come (idempotent)."""
    from salesops.catalog.models import PriceChange

    today = timezone.localdate(now) if now else timezone.localdate()
    count = 0
    for change in PriceChange.objects.filter(status="approved", effective_date__lte=today).order_by(
        "effective_date", "pk"
    ):
        price_change_apply(change=change, actor=None)
        count += 1
    return count
