"""Stock documents: purchase orders and their receipts, production receipts, adjustments,
transfers (调拨) and store replenishment orders (门店订货 → 配送 → 门店验收入库).

Each posting calls the ledger services of `salesops.inventory.services` once per warehouse, so
it takes a fixed number of queries whatever its number of lines. Transfers: sending issues the
goods from the source (they are then in transit, valued at the source's average cost, which the
TRANSFER_OUT moves record); receiving books what actually arrived at the destination at that same
cost. A received quantity that differs from the sent one is kept on the line and listed in the
difference report; the missing goods left the source and never arrived (a loss to investigate).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salesops.catalog.models import Product
from salesops.core import formatting
from salesops.core.audit import audit_record, model_create, model_update
from salesops.core.exceptions import ValidationFailed
from salesops.core.models import AuditEvent
from salesops.core.numbering import next_number
from salesops.core.state import StateMachine
from salesops.inventory.bulk import insert_many, update_many
from salesops.inventory.lots import LotSpec
from salesops.inventory.models import (
    PurchaseOrder,
    PurchaseOrderLine,
    ReplenishmentLine,
    ReplenishmentOrder,
    StockDocument,
    StockMove,
    Supplier,
    SupplierItem,
    Transfer,
    TransferLine,
    Warehouse,
)
from salesops.inventory.services import Reference, StockLine, stock_adjust, stock_issue, stock_receive

TRANSFER_STATES = StateMachine(
    {
        Transfer.Status.DRAFT: {Transfer.Status.IN_TRANSIT, Transfer.Status.CANCELLED},
        Transfer.Status.IN_TRANSIT: {Transfer.Status.RECEIVED},
    }
)
PO_STATES = StateMachine(
    {
        PurchaseOrder.Status.DRAFT: {
            PurchaseOrder.Status.PENDING,
            PurchaseOrder.Status.OPEN,
            PurchaseOrder.Status.CANCELLED,
        },
        PurchaseOrder.Status.PENDING: {
            PurchaseOrder.Status.OPEN,
            PurchaseOrder.Status.DRAFT,
            PurchaseOrder.Status.CANCELLED,
        },
        PurchaseOrder.Status.OPEN: {
            PurchaseOrder.Status.PARTIAL,
            PurchaseOrder.Status.RECEIVED,
            PurchaseOrder.Status.CANCELLED,
        },
        PurchaseOrder.Status.PARTIAL: {
            PurchaseOrder.Status.PARTIAL,
            PurchaseOrder.Status.RECEIVED,
            PurchaseOrder.Status.CANCELLED,
        },
    }
)
PO_DOC_TYPE = "purchase_order"
SUPPLIER_FIELDS = {"contact", "phone", "email", "lead_time_days", "receipt_tolerance_pct", "active"}
SUPPLIER_ITEM_FIELDS = {"lead_time_days", "min_order_qty", "order_multiple", "unit_cost", "preferred"}
CENT = Decimal("0.01")
REPLENISHMENT_STATES = StateMachine(
    {
        ReplenishmentOrder.Status.REQUESTED: {ReplenishmentOrder.Status.SHIPPED, ReplenishmentOrder.Status.CANCELLED},
        ReplenishmentOrder.Status.SHIPPED: {ReplenishmentOrder.Status.RECEIVED},
    }
)


def _transition(instance, machine: StateMachine, status: str, actor, note: str = "", extra_fields=()) -> None:
    machine.check(instance.status, status)
    before = instance.status
    instance.status = status
    instance.save(update_fields=["status", *extra_fields])
    audit_record(
        instance=instance,
        action=AuditEvent.Action.TRANSITION,
        actor=actor,
        changes={"status": [before, status]},
        note=note,
    )


def _quantities(lines) -> list[tuple[int, Decimal]]:
    """(product id, quantity) pairs, checked: positive and each product once."""
    result, seen = [], set()
    for item in lines:
        pid = item[0].pk if isinstance(item[0], Product) else int(item[0])
        quantity = Decimal(item[1])
        if not quantity.is_finite() or quantity <= 0 or not 0 < pid < 2**63:
            raise ValidationFailed(fields={"lines": [_("Quantities must be greater than zero.")]})
        if pid in seen:
            raise ValidationFailed(fields={"lines": [_("A product is listed twice.")]})
        seen.add(pid)
        result.append((pid, quantity, *item[2:]))
    if not result:
        raise ValidationFailed(fields={"lines": [_("List at least one product.")]})
    known = set(Product.objects.filter(pk__in=seen).values_list("pk", flat=True))
    if seen - known:
        raise ValidationFailed(fields={"lines": [_("A product does not exist.")]}, code="unknown_product")
    return result


# --- suppliers and purchase orders ----------------------------------------------------------------
@transaction.atomic
def supplier_create(*, code: str, name: str, actor, **fields) -> Supplier:
    if Supplier.objects.filter(code=code).exists():
        raise ValidationFailed(fields={"code": [_("A supplier with this code already exists.")]})
    allowed = {k: v for k, v in fields.items() if k in SUPPLIER_FIELDS}
    return model_create(instance=Supplier(code=code, name=name, **allowed), actor=actor)


@transaction.atomic
def supplier_item_save(*, supplier: Supplier, product, actor, **terms) -> SupplierItem:
    """The terms a supplier sells a product on (lead time, minimum, multiple, cost)."""
    item = SupplierItem.objects.filter(supplier=supplier, product=product).first()
    allowed = {k: v for k, v in terms.items() if k in SUPPLIER_ITEM_FIELDS}
    if item is None:
        return model_create(instance=SupplierItem(supplier=supplier, product=product, **allowed), actor=actor)
    item, _changed = model_update(instance=item, fields=list(allowed), data=allowed, actor=actor)
    return item


def _po_line(order: PurchaseOrder, product: Product, quantity: Decimal, unit_cost) -> PurchaseOrderLine:
    line = PurchaseOrderLine(
        order=order,
        product=product,
        quantity=quantity,
        unit_cost=Decimal("0") if unit_cost is None else unit_cost,
        tax_rate=product.tax_rate,
    )
    line.clean_fields(exclude=["order", "product"])  # the order is saved after its lines are checked
    return line


def purchase_order_totals(lines) -> tuple[Decimal, Decimal, Decimal]:
    """(before tax, VAT, total) of the lines: VAT per line at the product's rate, rounded per line."""
    net = tax = Decimal("0")
    for line in lines:
        amount = line.amount
        net += amount
        tax += (amount * line.tax_rate / 100).quantize(CENT)
    return net, tax, net + tax


@transaction.atomic
def purchase_order_create(
    *,
    supplier: Supplier,
    lines,
    expected_date: datetime.date,
    actor,
    warehouse: Warehouse | None = None,
    note: str = "",
    at=None,
) -> PurchaseOrder:
    """A draft purchase order. `lines`: (product or id, quantity, unit cost or None) triples; a
    missing cost is the supplier's price for the item, else the product's standard cost.
    Quantities must be positive and below a billion, costs not negative, and the goods not
    expected before the day the order is made (today; `at` only when loading history).
    Planning's planned purchases become drafts through this function."""
    checked = _quantities(lines)
    errors = {}
    if expected_date < timezone.localdate(at or timezone.now()):
        errors["expected_date"] = [_("The expected date cannot be in the past.")]
    warehouse = warehouse or Warehouse.objects.filter(active=True, kind=Warehouse.Kind.WAREHOUSE).order_by("pk").first()
    if warehouse is None:
        errors["warehouse"] = [_("Choose the receiving warehouse.")]
    if errors:
        raise ValidationFailed(fields=errors)
    products = Product.objects.in_bulk([pid for pid, *_r in checked])
    prices = dict(
        SupplierItem.objects.filter(supplier=supplier, product_id__in=products).values_list("product_id", "unit_cost")
    )
    order = PurchaseOrder(
        number=next_number(prefix="PO"),
        supplier=supplier,
        warehouse=warehouse,
        expected_date=expected_date,
        note=note,
        created_by=actor,
    )
    order_lines = []
    try:
        for pid, qty, *rest in checked:
            cost = rest[0] if rest and rest[0] is not None else prices.get(pid, products[pid].cost)
            order_lines.append(_po_line(order, products[pid], qty, Decimal(cost)))
    except DjangoValidationError as error:
        raise ValidationFailed(
            fields={"lines": [_("%(sku)s: %(error)s") % {"sku": products[pid].sku, "error": " ".join(error.messages)}]}
        )
    order.total_net, order.total_tax, order.total = purchase_order_totals(order_lines)
    model_create(instance=order, actor=actor)
    for line in order_lines:
        line.order = order
    insert_many(
        PurchaseOrderLine,
        order_lines,
        ["order", "product", "quantity", "received_quantity", "unit_cost", "tax_rate", "closed"],
    )
    return order


@transaction.atomic
def purchase_order_submit(*, order: PurchaseOrder, actor, at=None) -> PurchaseOrder:
    """Send a draft on: for approval when a rule of the approval engine asks for it (above an
    amount, say), otherwise ordered at once and sent to the supplier."""
    from salesops.approvals.services import approval_submit

    order = PurchaseOrder.objects.select_for_update().select_related("supplier").get(pk=order.pk)
    PO_STATES.check(order.status, PurchaseOrder.Status.OPEN)
    request = approval_submit(document=order, doc_type=PO_DOC_TYPE, actor=actor, now=at)
    if request is not None:
        _transition(order, PO_STATES, PurchaseOrder.Status.PENDING, actor)
        return order
    return _po_place(order, actor, at=at)


def _po_place(order: PurchaseOrder, actor, at=None) -> PurchaseOrder:
    order.sent_at = at or timezone.now()
    _transition(order, PO_STATES, PurchaseOrder.Status.OPEN, actor, extra_fields=["sent_at"])
    if order.supplier.email:
        from salesops.inventory.pdf import purchase_order_send

        transaction.on_commit(lambda: purchase_order_send(order_id=order.pk))
    return order


def _purchase_order_facts():
    """What the approver of a purchase order reads: the supplier, every line with its price
    (the purchase price is what the order is about, so every approver of it sees it) and the
    totals with VAT."""
    from rest_framework import serializers

    from salesops.approvals.facts import HIDDEN, DocumentFacts, Facts, money
    from salesops.approvals.facts import quantity as quantity_field

    class PurchaseLineFacts(Facts):
        product_id = serializers.IntegerField(read_only=True, style=HIDDEN)
        product = serializers.CharField(source="product.__str__", label=gettext_lazy("Product"), read_only=True)
        quantity = quantity_field(gettext_lazy("Quantity"))
        unit_cost = serializers.DecimalField(
            max_digits=14, decimal_places=4, label=gettext_lazy("Purchase price"), read_only=True
        )
        tax_rate = serializers.DecimalField(max_digits=5, decimal_places=2, label=gettext_lazy("VAT %"), read_only=True)
        amount = money(gettext_lazy("Amount before tax"))

    class PurchaseLines(serializers.ListSerializer):
        def get_attribute(self, order):
            return order.lines.select_related("product").order_by("id")

    class PurchaseOrderFacts(DocumentFacts):
        number = serializers.CharField(label=gettext_lazy("Number"), read_only=True)
        supplier_id = serializers.IntegerField(read_only=True, style=HIDDEN)
        supplier = serializers.CharField(source="supplier.name", label=gettext_lazy("Supplier"), read_only=True)
        warehouse = serializers.CharField(source="warehouse.name", label=gettext_lazy("Warehouse"), read_only=True)
        expected_date = serializers.DateField(label=gettext_lazy("Expected date"), read_only=True)
        note = serializers.CharField(label=gettext_lazy("Note"), read_only=True)
        total_net = money(gettext_lazy("Total before tax"))
        total_tax = money(gettext_lazy("VAT"))
        total = money(gettext_lazy("Total incl. VAT"))
        lines = PurchaseLines(child=PurchaseLineFacts(), read_only=True, label=gettext_lazy("Lines"))

    return PurchaseOrderFacts


def purchase_order_document_type():
    from salesops.approvals.registry import DocumentType

    def back_to_draft(order, request):
        if order.status == PurchaseOrder.Status.PENDING:
            _transition(order, PO_STATES, PurchaseOrder.Status.DRAFT, None)

    return DocumentType(
        key=PO_DOC_TYPE,
        label=gettext_lazy("Purchase order"),
        model=PurchaseOrder,
        fields={"amount": gettext_lazy("Total incl. VAT"), "lines": gettext_lazy("Number of lines")},
        values=lambda order: {"amount": order.total, "lines": order.lines.count()},
        summary=lambda order: {
            "number": order.number,
            "supplier": order.supplier.name,
            "expected_date": str(order.expected_date),
            "total_net": str(order.total_net),
            "total_tax": str(order.total_tax),
            "total": str(order.total),
            "lines": [
                f"{line.product.sku}: {line.quantity.normalize():f} × {line.unit_cost.normalize():f}"
                for line in order.lines.select_related("product")[:50]
            ],
        },
        requester=lambda order: order.created_by,
        title=lambda order: (
            _("Purchase order %(number)s · %(supplier)s") % {"number": order.number, "supplier": order.supplier.name}
        ),
        on_approved=lambda order, request: _po_place(order, None),
        on_rejected=back_to_draft,
        on_returned=back_to_draft,
        on_cancelled=back_to_draft,
        url=lambda order: reverse("purchase-order-detail", args=[order.pk]),
        facts=_purchase_order_facts(),
    )


def _receipt_error(product, most: Decimal) -> ValidationFailed:
    return ValidationFailed(
        fields={
            "lines": [
                _("%(sku)s: at most %(open)s still to receive.")
                % {"sku": product.sku, "open": formatting.quantity(most, product)}
            ]
        },
        code="over_receipt",
    )


@transaction.atomic
def purchase_order_receive(
    *, order: PurchaseOrder, quantities: dict[int, Decimal], actor, at=None, lots: dict[int, LotSpec] | None = None
) -> PurchaseOrder:
    """Book a (partial) delivery: `quantities` by product id, lot-tracked products in the lot of
    `lots` (by product id; none: a lot named after the order). A line may receive up to the
    supplier's tolerance above what was ordered; once within the tolerance below it, the line is
    complete (closed short) and the order is received when every line is."""
    order = PurchaseOrder.objects.select_for_update().select_related("supplier", "warehouse").get(pk=order.pk)
    if order.status not in {PurchaseOrder.Status.OPEN, PurchaseOrder.Status.PARTIAL}:
        raise ValidationFailed(_("Only an ordered purchase order can be received."), code="po_not_ordered")
    tolerance = order.supplier.receipt_tolerance_pct / 100
    lines = {line.product_id: line for line in order.lines.select_related("product")}
    lots = lots or {}
    receive = []
    for pid, quantity in quantities.items():
        quantity = Decimal(quantity)
        if quantity == 0:
            continue
        line = lines.get(int(pid))
        if line is None:
            raise ValidationFailed(fields={"lines": [_("A product is not on this order.")]})
        most = line.quantity * (1 + tolerance) - line.received_quantity
        if quantity < 0 or quantity > most or line.closed:
            raise _receipt_error(line.product, max(most, Decimal("0")) if not line.closed else Decimal("0"))
        line.received_quantity += quantity
        line.closed = line.received_quantity >= line.quantity * (1 - tolerance)
        receive.append(StockLine(line.product_id, quantity, line.unit_cost, lot=lots.get(line.product_id)))
    if not receive:
        raise ValidationFailed(fields={"lines": [_("Enter the received quantities.")]})
    stock_receive(
        warehouse=order.warehouse,
        lines=receive,
        reference=Reference("purchase_order", order.pk, order.number),
        actor=actor,
        at=at,
    )
    update_many(PurchaseOrderLine, list(lines.values()), ["received_quantity", "closed"])
    done = all(line.open_quantity == 0 for line in lines.values())
    _transition(
        order,
        PO_STATES,
        PurchaseOrder.Status.RECEIVED if done else PurchaseOrder.Status.PARTIAL,
        actor,
        note=_("received %(n)d lines") % {"n": len(receive)},
    )
    return order


@transaction.atomic
def purchase_order_cancel(*, order: PurchaseOrder, actor) -> PurchaseOrder:
    """Cancel what is still to come; a pending approval request is withdrawn first."""
    from salesops.approvals.services import approval_withdraw, pending_request_for

    order = PurchaseOrder.objects.select_for_update().get(pk=order.pk)
    PO_STATES.check(order.status, PurchaseOrder.Status.CANCELLED)
    request = pending_request_for(document=order, doc_type=PO_DOC_TYPE)
    if request is not None:
        approval_withdraw(request=request, actor=actor)
        order.refresh_from_db()
    _transition(order, PO_STATES, PurchaseOrder.Status.CANCELLED, actor)
    return order


# --- production receipts and adjustments ---------------------------------------------------------
@transaction.atomic
def production_receipt_post(*, warehouse: Warehouse, lines, actor, note: str = "", at=None) -> StockDocument:
    """Finished goods from production: `lines` (product or id, quantity[, unit cost])."""
    checked = _quantities(lines)
    document = StockDocument(
        number=next_number(prefix="PR"),
        kind=StockDocument.Kind.PRODUCTION,
        warehouse=warehouse,
        note=note,
        created_by=actor,
    )
    model_create(instance=document, actor=actor)
    stock_receive(
        warehouse=warehouse,
        lines=[
            StockLine(pid, qty, Decimal(rest[0]) if rest and rest[0] is not None else None)
            for pid, qty, *rest in checked
        ],
        reference=Reference("stock_document", document.pk, document.number),
        actor=actor,
        kind=StockMove.Kind.PRODUCTION,
        at=at,
    )
    return document


@transaction.atomic
def adjustment_post(*, warehouse: Warehouse, deltas: dict[int, Decimal], actor, note: str, at=None) -> StockDocument:
    """A signed correction (damage, found goods); the reason is required."""
    if not (note or "").strip():
        raise ValidationFailed(fields={"note": [_("Say why the stock is adjusted.")]})
    if not any(Decimal(q) != 0 for q in deltas.values()):
        raise ValidationFailed(fields={"lines": [_("List at least one product.")]})
    document = StockDocument(
        number=next_number(prefix="ADJ"),
        kind=StockDocument.Kind.ADJUSTMENT,
        warehouse=warehouse,
        note=note.strip(),
        created_by=actor,
    )
    model_create(instance=document, actor=actor)
    stock_adjust(
        warehouse=warehouse,
        deltas=deltas,
        reference=Reference("stock_document", document.pk, document.number),
        actor=actor,
        at=at,
    )
    return document


# --- transfers (调拨) ---------------------------------------------------------------------------
@transaction.atomic
def transfer_create(*, source: Warehouse, destination: Warehouse, lines, actor, note: str = "") -> Transfer:
    if source.pk == destination.pk:
        raise ValidationFailed(fields={"destination": [_("Choose a different warehouse to send to.")]})
    checked = _quantities(lines)
    transfer = Transfer(
        number=next_number(prefix="TR"), source=source, destination=destination, note=note, created_by=actor
    )
    model_create(instance=transfer, actor=actor)
    insert_many(
        TransferLine,
        [TransferLine(transfer=transfer, product_id=pid, quantity=qty) for pid, qty, *_r in checked],
        ["transfer", "product", "quantity", "received_quantity", "unit_cost"],
    )
    return transfer


@transaction.atomic
def transfer_send(*, transfer: Transfer, actor, at=None) -> Transfer:
    """The goods leave the source: TRANSFER_OUT moves; the transfer is in transit."""
    transfer = Transfer.objects.select_for_update().select_related("source").get(pk=transfer.pk)
    TRANSFER_STATES.check(transfer.status, Transfer.Status.IN_TRANSIT)
    lines = list(transfer.lines.values_list("product_id", "quantity"))
    stock_issue(
        warehouse=transfer.source,
        lines=[StockLine(pid, qty) for pid, qty in lines],
        reference=Reference("transfer", transfer.pk, transfer.number),
        actor=actor,
        kind=StockMove.Kind.TRANSFER_OUT,
        consume_reservation=False,
        at=at,
    )
    transfer.sent_at = at or timezone.now()
    _transition(transfer, TRANSFER_STATES, Transfer.Status.IN_TRANSIT, actor, extra_fields=["sent_at"])
    return transfer


@transaction.atomic
def transfer_receive(*, transfer: Transfer, actor, received: dict[int, Decimal] | None = None, at=None) -> Transfer:
    """Book what arrived (all that was sent unless `received` says otherwise per product id),
    at the cost it left the source with."""
    transfer = Transfer.objects.select_for_update().select_related("destination").get(pk=transfer.pk)
    TRANSFER_STATES.check(transfer.status, Transfer.Status.RECEIVED)
    received = {int(k): Decimal(v) for k, v in (received or {}).items()}
    lines = list(transfer.lines.all())
    known = {line.product_id for line in lines}
    if set(received) - known:
        raise ValidationFailed(fields={"lines": [_("A product was not sent with this transfer.")]})
    costs, sent_lots = {}, defaultdict(list)
    for pid, cost, lot_id, quantity in StockMove.objects.filter(
        reference_type="transfer", reference_id=transfer.pk, kind=StockMove.Kind.TRANSFER_OUT
    ).values_list("product_id", "unit_cost", "lot_id", "quantity"):
        costs[pid] = cost
        if lot_id is not None:
            sent_lots[pid].append((lot_id, -quantity))
    stock_lines, difference = [], False
    for line in lines:
        quantity = received.get(line.product_id, line.quantity)
        if quantity < 0:
            raise ValidationFailed(fields={"lines": [_("Received quantities cannot be negative.")]})
        line.received_quantity = quantity
        line.unit_cost = costs.get(line.product_id, Decimal("0"))
        difference = difference or quantity != line.quantity
        if quantity > 0:
            stock_lines += _arrived_lots(line.product_id, quantity, line.unit_cost, sent_lots.get(line.product_id))
    if stock_lines:
        stock_receive(
            warehouse=transfer.destination,
            lines=stock_lines,
            reference=Reference("transfer", transfer.pk, transfer.number),
            actor=actor,
            kind=StockMove.Kind.TRANSFER_IN,
            at=at,
        )
    update_many(TransferLine, lines, ["received_quantity", "unit_cost"])
    transfer.received_at = at or timezone.now()
    transfer.has_difference = difference
    _transition(
        transfer,
        TRANSFER_STATES,
        Transfer.Status.RECEIVED,
        actor,
        extra_fields=["received_at", "has_difference"],
        note=_("received with differences") if difference else "",
    )
    return transfer


def _arrived_lots(product_id: int, quantity: Decimal, cost: Decimal, lots) -> list[StockLine]:
    """What arrived, in the lots that were sent (first-expiry first; a surplus joins the last)."""
    if not lots:
        return [StockLine(product_id, quantity, cost)]
    result, left = [], quantity
    for index, (lot_id, sent) in enumerate(lots):
        part = left if index == len(lots) - 1 else min(sent, left)
        if part > 0:
            result.append(StockLine(product_id, part, cost, lot=lot_id))
        left -= part
    return result


@transaction.atomic
def transfer_cancel(*, transfer: Transfer, actor) -> Transfer:
    transfer = Transfer.objects.select_for_update().get(pk=transfer.pk)
    _transition(transfer, TRANSFER_STATES, Transfer.Status.CANCELLED, actor)
    return transfer


def in_transit_quantities(*, warehouse: Warehouse | None = None) -> dict[int, Decimal]:
    """Units sent and not yet received, by product (towards `warehouse` when given)."""
    lines = TransferLine.objects.filter(transfer__status=Transfer.Status.IN_TRANSIT)
    if warehouse is not None:
        lines = lines.filter(transfer__destination=warehouse)
    totals: dict[int, Decimal] = defaultdict(Decimal)
    for pid, quantity in lines.values("product_id").annotate(total=Sum("quantity")).values_list("product_id", "total"):
        totals[pid] += quantity
    return dict(totals)


# --- store replenishment (门店订货 → 配送 → 门店验收入库) ------------------------------------------
@transaction.atomic
def replenishment_create(*, store: Warehouse, source: Warehouse, lines, actor) -> ReplenishmentOrder:
    if store.kind != Warehouse.Kind.STORE:
        raise ValidationFailed(fields={"store": [_("Only a store orders replenishment.")]})
    checked = _quantities(lines)
    order = ReplenishmentOrder(number=next_number(prefix="RO"), store=store, source=source, created_by=actor)
    model_create(instance=order, actor=actor)
    insert_many(
        ReplenishmentLine,
        [ReplenishmentLine(order=order, product_id=pid, quantity=qty) for pid, qty, *_r in checked],
        ["order", "product", "quantity"],
    )
    return order


@transaction.atomic
def replenishment_ship(*, order: ReplenishmentOrder, actor, shipped: dict[int, Decimal] | None = None, at=None):
    """The distribution centre ships (配送): a transfer from the centre to the store, sent."""
    order = ReplenishmentOrder.objects.select_for_update().select_related("store", "source").get(pk=order.pk)
    REPLENISHMENT_STATES.check(order.status, ReplenishmentOrder.Status.SHIPPED)
    shipped = {int(k): Decimal(v) for k, v in (shipped or {}).items()}
    lines = [(line.product_id, shipped.get(line.product_id, line.quantity)) for line in order.lines.all()]
    lines = [(pid, qty) for pid, qty in lines if qty > 0]
    transfer = transfer_create(
        source=order.source, destination=order.store, lines=lines, actor=actor, note=order.number
    )
    order.transfer = transfer_send(transfer=transfer, actor=actor, at=at)
    _transition(order, REPLENISHMENT_STATES, ReplenishmentOrder.Status.SHIPPED, actor, extra_fields=["transfer"])
    return order


@transaction.atomic
def replenishment_receive(*, order: ReplenishmentOrder, actor, received: dict[int, Decimal] | None = None, at=None):
    """The store checks the delivery and books the received quantities (门店验收入库)."""
    order = ReplenishmentOrder.objects.select_for_update().get(pk=order.pk)
    REPLENISHMENT_STATES.check(order.status, ReplenishmentOrder.Status.RECEIVED)
    transfer_receive(transfer=order.transfer, actor=actor, received=received, at=at)
    _transition(order, REPLENISHMENT_STATES, ReplenishmentOrder.Status.RECEIVED, actor)
    return order


@transaction.atomic
def warehouse_create(
    *, code: str, name: str, actor, kind: str = Warehouse.Kind.WAREHOUSE, allow_negative: bool = False
) -> Warehouse:
    if Warehouse.objects.filter(code=code).exists():
        raise ValidationFailed(fields={"code": [_("A warehouse with this code already exists.")]})
    return model_create(instance=Warehouse(code=code, name=name, kind=kind, allow_negative=allow_negative), actor=actor)
