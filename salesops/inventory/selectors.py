"""Reads of stock: balances, ledger, documents and the reports (reorder warnings, slow-moving
stock, stock value at a date), scoped by role (see salesops.catalog.permissions).

Stock value at a date comes from the ledger: Σ quantity and Σ quantity × unit cost of the moves
up to that moment. Receipts carry their purchase cost, issues the moving average of the moment
(see salesops.inventory.services), so the sum is the moving-average value of the stock then.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import DecimalField, ExpressionWrapper, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from salesops.catalog.models import Product
from salesops.catalog.permissions import STOCK_ROLES, reads_products, sees_stock
from salesops.inventory.models import (
    LotBalance,
    LotDisposal,
    LotReservation,
    PurchaseOrder,
    ReorderLevel,
    ReplenishmentOrder,
    StockBalance,
    StockDocument,
    StockMove,
    Stocktake,
    Supplier,
    SupplierItem,
    Transfer,
    Warehouse,
)

VALUE = DecimalField(max_digits=20, decimal_places=4)


def _stock_or_none(user, queryset: QuerySet) -> QuerySet:
    return queryset if sees_stock(user) else queryset.none()


def warehouse_list() -> QuerySet[Warehouse]:
    return Warehouse.objects.filter(active=True)


def balance_list_for_user(*, user) -> QuerySet[StockBalance]:
    """Stock roles: every balance. Sales roles: balances of sellable products (availability
    only; the API and pages leave out costs for them). Anyone else: nothing."""
    balances = StockBalance.objects.select_related("product", "product__family", "warehouse").annotate(
        available_qty=F("on_hand") - F("reserved"),
        value=ExpressionWrapper(F("on_hand") * F("avg_cost"), output_field=VALUE),
    )
    if sees_stock(user):
        return balances
    if reads_products(user):
        return balances.filter(product__status=Product.Status.APPROVED, product__active=True)
    return balances.none()


def on_hand_by_product(product_ids) -> dict[int, Decimal]:
    """Stock on hand of each of these products over every warehouse (products without a
    balance are left out)."""
    return dict(
        StockBalance.objects.filter(product_id__in=list(product_ids))
        .values("product_id")
        .annotate(total=Sum("on_hand"))
        .values_list("product_id", "total")
    )


def balance_for(*, product_id: int, warehouse_id: int) -> StockBalance | None:
    """One balance by its unique key: the stock level lookup used by scanners and orders."""
    return StockBalance.objects.filter(product_id=product_id, warehouse_id=warehouse_id).first()


def move_list_for_user(*, user) -> QuerySet[StockMove]:
    return _stock_or_none(user, StockMove.objects.select_related("product", "warehouse", "actor"))


def transfer_list_for_user(*, user) -> QuerySet[Transfer]:
    return _stock_or_none(user, Transfer.objects.select_related("source", "destination"))


def stocktake_list_for_user(*, user) -> QuerySet[Stocktake]:
    return _stock_or_none(user, Stocktake.objects.select_related("warehouse", "family"))


def purchase_order_list_for_user(*, user) -> QuerySet[PurchaseOrder]:
    return _stock_or_none(user, PurchaseOrder.objects.select_related("supplier", "warehouse"))


def replenishment_list_for_user(*, user) -> QuerySet[ReplenishmentOrder]:
    return _stock_or_none(user, ReplenishmentOrder.objects.select_related("store", "source"))


def stock_document_list_for_user(*, user) -> QuerySet[StockDocument]:
    return _stock_or_none(user, StockDocument.objects.select_related("warehouse"))


def supplier_list_for_user(*, user) -> QuerySet[Supplier]:
    return _stock_or_none(user, Supplier.objects.all())


def supplier_item_list_for_user(*, user) -> QuerySet[SupplierItem]:
    return _stock_or_none(user, SupplierItem.objects.select_related("supplier", "product"))


def lot_balance_list_for_user(*, user) -> QuerySet[LotBalance]:
    """Lot balances, each with `promised` (what the lot promised to orders in that warehouse)."""
    promised = (
        LotReservation.objects.filter(lot=OuterRef("lot"), warehouse=OuterRef("warehouse"))
        .values("lot")
        .annotate(total=Sum("quantity"))
        .values("total")
    )
    balances = LotBalance.objects.select_related("lot", "product", "warehouse").annotate(
        promised=Coalesce(Subquery(promised, output_field=DecimalField(max_digits=16, decimal_places=3)), Decimal("0"))
    )
    return _stock_or_none(user, balances)


def lot_disposal_list_for_user(*, user) -> QuerySet[LotDisposal]:
    return _stock_or_none(user, LotDisposal.objects.select_related("lot", "lot__product", "warehouse", "created_by"))


# --- reports --------------------------------------------------------------------------------------
def reorder_warnings(*, user=None) -> QuerySet[ReorderLevel]:
    """库存预警: product/warehouse pairs whose available quantity is below the warning level."""
    levels = ReorderLevel.objects.select_related("product", "warehouse", "product__family")
    if user is not None and not sees_stock(user):
        return levels.none()
    from django.db.models import Value

    available = StockBalance.objects.filter(product_id=OuterRef("product_id"), warehouse_id=OuterRef("warehouse_id"))
    return (
        levels.annotate(
            available_qty=Coalesce(
                Subquery(available.annotate(a=F("on_hand") - F("reserved")).values("a")[:1]),
                Value(Decimal("0")),
                output_field=DecimalField(max_digits=16, decimal_places=3),
            )
        )
        .filter(available_qty__lt=F("level"))
        .annotate(shortfall=ExpressionWrapper(F("level") - F("available_qty"), output_field=VALUE))
    )


AGE_BUCKETS = [(30, "0–30"), (90, "31–90"), (180, "91–180"), (365, "181–365"), (None, ">365")]


def age_bucket(days: int | None) -> str:
    if days is None:
        return "—"
    for limit, label in AGE_BUCKETS:
        if limit is None or days <= limit:
            return label
    return AGE_BUCKETS[-1][1]


ISSUE_KINDS = (StockMove.Kind.ISSUE, StockMove.Kind.TRANSFER_OUT)
RECEIPT_KINDS = (StockMove.Kind.RECEIPT, StockMove.Kind.PRODUCTION, StockMove.Kind.TRANSFER_IN)


def _day_start(day: datetime.date) -> datetime.datetime:
    """The first moment of a day in the company's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _last_move(kinds) -> Subquery:
    return Subquery(
        StockMove.objects.filter(
            product_id=OuterRef("product_id"), warehouse_id=OuterRef("warehouse_id"), kind__in=kinds
        )
        .order_by("-at")
        .values("at")[:1]
    )


def slow_moving_queryset(
    *,
    user,
    warehouse_id: int | None = None,
    family_path: str | None = None,
    min_days: int = 0,
    today: datetime.date | None = None,
) -> QuerySet[StockBalance]:
    """呆滞/冗余: the balances with stock, annotated with the last issue (sales or transfer out)
    and the last receipt (each one indexed lookup of the ledger), the moment the stock has been
    idle since (last issue, else last receipt) and the value. `min_days` keeps those idle at
    least that many days. Ordered oldest first."""
    if not sees_stock(user):
        return StockBalance.objects.none()
    today = today or timezone.localdate()
    balances = (
        StockBalance.objects.filter(on_hand__gt=0)
        .select_related("product", "warehouse")
        .annotate(
            last_issue_at=_last_move(ISSUE_KINDS),
            last_receipt_at=_last_move(RECEIPT_KINDS),
        )
        .annotate(
            idle_since=Coalesce(F("last_issue_at"), F("last_receipt_at")),
            value=ExpressionWrapper(F("on_hand") * F("avg_cost"), output_field=VALUE),
        )
    )
    if warehouse_id:
        balances = balances.filter(warehouse_id=warehouse_id)
    if family_path:
        balances = balances.filter(product__family__path__startswith=family_path)
    if min_days:
        balances = slow_moving_idle_filter(balances, min_days, today)
    return balances.order_by(F("idle_since").asc(nulls_last=True), "-value", "pk")


def slow_moving_idle_filter(queryset: QuerySet, min_days: int, today: datetime.date) -> QuerySet:
    """Idle days ≥ min_days  ⇔  idle since before the start of the day (today − min_days + 1)."""
    if min_days <= 0:
        return queryset
    return queryset.filter(idle_since__lt=_day_start(today - datetime.timedelta(days=min_days - 1)))


def slow_moving_row(balance: StockBalance, today: datetime.date) -> dict:
    issued, received = balance.last_issue_at, balance.last_receipt_at
    days_issue = (today - timezone.localdate(issued)).days if issued else None
    days_receipt = (today - timezone.localdate(received)).days if received else None
    idle = days_issue if days_issue is not None else days_receipt
    return {
        "balance": balance,
        "product": balance.product,
        "warehouse": balance.warehouse,
        "on_hand": balance.on_hand,
        "value": (balance.on_hand * balance.avg_cost).quantize(Decimal("0.01")),
        "last_issue": timezone.localdate(issued) if issued else None,
        "days_since_issue": days_issue,
        "last_receipt": timezone.localdate(received) if received else None,
        "days_since_receipt": days_receipt,
        "idle_days": idle,
        "bucket": age_bucket(idle),
    }


def slow_moving_buckets(queryset: QuerySet[StockBalance], today: datetime.date | None = None) -> dict[str, Decimal]:
    """Value per age bucket of a slow-moving queryset, in one aggregate query."""
    today = today or timezone.localdate()
    aggregates, lower = {}, None
    for index, (limit, _label) in enumerate(AGE_BUCKETS):
        condition = Q(idle_since__isnull=False)
        if limit is not None:  # idle days ≤ limit  ⇔  idle since the start of (today − limit) or later
            condition &= Q(idle_since__gte=_day_start(today - datetime.timedelta(days=limit)))
        if lower is not None:
            condition &= Q(idle_since__lt=_day_start(today - datetime.timedelta(days=lower)))
        aggregates[f"b{index}"] = Sum("value", filter=condition, default=Decimal("0"))
        lower = limit
    totals = queryset.order_by().aggregate(**aggregates)
    return {
        label: Decimal(totals[f"b{index}"] or 0).quantize(Decimal("0.01"))
        for index, (_limit, label) in enumerate(AGE_BUCKETS)
    }


def slow_moving(
    *,
    user,
    warehouse_id: int | None = None,
    family_path: str | None = None,
    min_days: int = 0,
    today: datetime.date | None = None,
) -> list[dict]:
    """The slow-moving report as rows (see `slow_moving_queryset`)."""
    today = today or timezone.localdate()
    queryset = slow_moving_queryset(
        user=user, warehouse_id=warehouse_id, family_path=family_path, min_days=min_days, today=today
    )
    return [slow_moving_row(balance, today) for balance in queryset]


def stock_value_at(*, user, at: datetime.datetime, warehouse_id: int | None = None) -> list[dict]:
    """Quantity and value per product and warehouse at a moment, from the ledger."""
    if not sees_stock(user):
        return []
    moves = StockMove.objects.filter(at__lte=at)
    if warehouse_id:
        moves = moves.filter(warehouse_id=warehouse_id)
    rows = (
        moves.values("product_id", "product__sku", "product__name", "warehouse_id", "warehouse__name")
        .annotate(
            total_quantity=Sum("quantity"),
            total_value=Sum(ExpressionWrapper(F("quantity") * F("unit_cost"), output_field=VALUE)),
        )
        .filter(~Q(total_quantity=0))
        .order_by("warehouse__name", "product__sku")
    )
    return [
        {
            **row,
            "quantity": row["total_quantity"],
            "value": (row["total_value"] or Decimal("0")).quantize(Decimal("0.01")),
        }
        for row in rows
    ]


def stock_roles() -> frozenset:
    return STOCK_ROLES


# --- lots -----------------------------------------------------------------------------------------
def issued_lots(*, reference_type: str, reference_id: int, at) -> list[StockMove]:
    """The lots an issue took out (the moves of that document at that moment that name a lot),
    first-expiry first: what a delivery and its delivery note show."""
    return list(
        StockMove.objects.filter(reference_type=reference_type, reference_id=reference_id, at=at, lot__isnull=False)
        .select_related("lot", "product")
        .order_by("product__sku", "lot__expiry_date", "lot__code")
    )


def issuable_lots(*, warehouse_id: int, product_ids) -> dict[int, list[LotBalance]]:
    """Lots with stock per product in a warehouse, first-expiry first (expired ones included,
    marked by their date): the choices of an issue that overrides FEFO."""
    choices: dict[int, list[LotBalance]] = {}
    for balance in (
        LotBalance.objects.filter(warehouse_id=warehouse_id, product_id__in=list(product_ids), on_hand__gt=0)
        .select_related("lot")
        .order_by("lot__expiry_date", "lot__production_date", "lot_id")
    ):
        choices.setdefault(balance.product_id, []).append(balance)
    return choices


def purchase_lines_to_come():
    """Purchase order lines whose goods are still to come (drafts, pending, ordered, partly
    received; not closed short): the supply planning counts on, in MRP and the S&OP pack alike."""
    from salesops.inventory.models import PurchaseOrderLine

    return PurchaseOrderLine.objects.filter(
        order__status__in=[
            PurchaseOrder.Status.DRAFT,
            PurchaseOrder.Status.PENDING,
            PurchaseOrder.Status.OPEN,
            PurchaseOrder.Status.PARTIAL,
        ],
        closed=False,
    )
