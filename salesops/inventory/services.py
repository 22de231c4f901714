"""Stock movements. Every change of stock goes through these functions, which write the
immutable ledger lines and update the balances in the same transaction.

Concurrency: the balance rows of one call are locked with SELECT … FOR UPDATE in primary-key
order (PostgreSQL), so two issues of the last units serialise and the second one sees what
the first left; on SQLite the IMMEDIATE transaction mode serialises writers. Every function
uses a fixed number of queries whatever the number of lines (bulk reads, bulk writes).

Lots: products tracked by lot also move per lot (see salesops.inventory.lots); their moves
carry the lot, one move per product and lot.

Costing: moving average per product and warehouse. A receipt with cost c of quantity q on a
balance (Q, A) gives A' = (Q·A + q·c) / (Q + q) when Q + q > 0, else c. Issues leave the
average unchanged and are valued at it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from salesops.core import formatting
from salesops.core.exceptions import ValidationFailed
from salesops.inventory.bulk import insert_many, update_many
from salesops.inventory.exceptions import InsufficientStock
from salesops.inventory.lots import (
    Allocation,
    LotSpec,
    receive_lots,
    release_lots,
    reserve_lots,
    take_lots,
    tracked_products,
)
from salesops.inventory.models import StockBalance, StockMove, StockReservation, Warehouse

COST_PLACES = Decimal("0.0001")


@dataclass(frozen=True)
class StockLine:
    product_id: int
    quantity: Decimal
    unit_cost: Decimal | None = None
    # Lot-tracked products: on receipt a LotSpec or an existing lot id (none: a lot named after
    # the document); on issue a lot id overriding first-expiry-first-out (none: FEFO).
    lot: LotSpec | int | None = None


@dataclass(frozen=True)
class Reference:
    type: str
    id: int | None = None
    number: str = ""


def _merge(lines: Iterable[StockLine]) -> dict[int, StockLine]:
    """One line per product: quantities summed, cost weighted."""
    quantities: dict[int, Decimal] = defaultdict(Decimal)
    values: dict[int, Decimal] = defaultdict(Decimal)
    has_cost: set[int] = set()
    for line in lines:
        quantity = Decimal(line.quantity)
        if quantity <= 0:
            raise ValidationFailed(fields={"quantity": [_("Quantities must be greater than zero.")]})
        quantities[line.product_id] += quantity
        if line.unit_cost is not None:
            has_cost.add(line.product_id)
            values[line.product_id] += quantity * Decimal(line.unit_cost)
    return {
        pid: StockLine(pid, qty, (values[pid] / qty).quantize(COST_PLACES) if pid in has_cost else None)
        for pid, qty in quantities.items()
    }


def lock_balances(*, warehouse: Warehouse, product_ids: Iterable[int]) -> dict[int, StockBalance]:
    """The balance rows of these products in this warehouse, locked (in id order); rows that
    are missing are created first, so the usual case is one query."""
    product_ids = sorted(set(product_ids))

    def locked():
        balances = StockBalance.objects.select_for_update().filter(warehouse=warehouse, product_id__in=product_ids)
        return {balance.product_id: balance for balance in balances.order_by("pk")}

    balances = locked()
    missing = [StockBalance(warehouse=warehouse, product_id=pid) for pid in product_ids if pid not in balances]
    if missing:
        insert_many(
            StockBalance, missing, ["product", "warehouse", "on_hand", "reserved", "avg_cost"], ignore_conflicts=True
        )
        balances = locked()
    return balances


MOVE_FIELDS = [
    "product",
    "warehouse",
    "kind",
    "quantity",
    "unit_cost",
    "reference_type",
    "reference_id",
    "reference_number",
    "lot",
    "reason",
    "actor",
    "at",
]


def _write(balances: dict[int, StockBalance], moves: list[StockMove]) -> list[StockMove]:
    """One UPDATE of the balances and one INSERT of the moves, whatever their number (the
    returned moves carry no primary key)."""
    update_many(StockBalance, list(balances.values()), ["on_hand", "reserved", "avg_cost"])
    insert_many(StockMove, moves, MOVE_FIELDS)
    return moves


def _split_by_lot(move: StockMove, allocations: list[Allocation], sign: int) -> list[StockMove]:
    """The product's move, or one move per lot when the product is lot-tracked."""
    mine = [a for a in allocations if a.product_id == move.product_id]
    if not mine:
        return [move]
    moves = []
    for allocation in mine:
        part = StockMove(**{f.attname: getattr(move, f.attname) for f in StockMove._meta.concrete_fields})
        part.quantity = sign * allocation.quantity
        part.lot_id = allocation.lot_id
        moves.append(part)
    return moves


def _shortages(warehouse, merged, balances, extra_available=None) -> list[dict]:
    if warehouse.allow_negative:
        return []
    extra_available = extra_available or {}
    short = []
    for pid, line in merged.items():
        available = balances[pid].available + extra_available.get(pid, Decimal("0"))
        if line.quantity > available:
            short.append(
                {
                    "product": pid,
                    "sku": str(pid),
                    "requested": f"{line.quantity.normalize():f}",
                    "available": f"{max(available, Decimal('0')).normalize():f}",
                }
            )
    return short


def _raise_shortage(short: list[dict], *, lots: bool = False) -> None:
    from salesops.catalog.models import Product

    products = Product.objects.in_bulk([s["product"] for s in short])
    for item in short:
        product = products.get(item["product"])
        item["sku"] = product.sku if product else item["sku"]
    # The items keep machine-readable quantities (the API returns them); the text people read
    # shows them with the product's decimals.
    detail = "; ".join(
        _("%(sku)s: requested %(requested)s, available %(available)s")
        % {
            "sku": item["sku"],
            "requested": formatting.quantity(item["requested"], products.get(item["product"])),
            "available": formatting.quantity(item["available"], products.get(item["product"])),
        }
        for item in short[:10]
    )
    if lots:
        raise InsufficientStock(
            _("Not enough stock in lots that may be issued (not expired, not reserved for other orders): %(detail)s")
            % {"detail": detail},
            items=short,
        )
    raise InsufficientStock(_("Not enough stock: %(detail)s") % {"detail": detail}, items=short)


@transaction.atomic
def stock_receive(
    *,
    warehouse: Warehouse,
    lines: Iterable[StockLine],
    reference: Reference,
    actor,
    kind: str = StockMove.Kind.RECEIPT,
    at=None,
) -> list[StockMove]:
    lines = list(lines)
    merged = _merge(lines)
    balances = lock_balances(warehouse=warehouse, product_ids=merged)
    moment = at or timezone.now()
    allocations = receive_lots(
        warehouse_id=warehouse.pk,
        lines=lines,
        tracked=tracked_products(merged),
        reference_number=reference.number,
        moment=moment,
    )
    moves = []
    for pid, line in merged.items():
        balance = balances[pid]
        cost = line.unit_cost if line.unit_cost is not None else balance.avg_cost
        new_quantity = balance.on_hand + line.quantity
        if new_quantity > 0 and balance.on_hand > 0:
            balance.avg_cost = ((balance.on_hand * balance.avg_cost + line.quantity * cost) / new_quantity).quantize(
                COST_PLACES
            )
        else:
            balance.avg_cost = cost
        balance.on_hand = new_quantity
        moves += _split_by_lot(
            StockMove(
                product_id=pid,
                warehouse=warehouse,
                kind=kind,
                quantity=line.quantity,
                unit_cost=cost,
                reference_type=reference.type,
                reference_id=reference.id,
                reference_number=reference.number,
                actor=actor,
                at=moment,
            ),
            allocations,
            1,
        )
    return _write(balances, moves)


@transaction.atomic
def stock_issue(
    *,
    warehouse: Warehouse,
    lines: Iterable[StockLine],
    reference: Reference,
    actor,
    kind: str = StockMove.Kind.ISSUE,
    consume_reservation: bool = True,
    at=None,
    reason: str = "",
    allow_expired: bool = False,
) -> list[StockMove]:
    """Take stock out. With `consume_reservation`, the reference's own reservation is used
    first, so an order issues what was promised to it even when others took the rest.
    Lot-tracked products leave first-expiry-first-out, or from the lot a line names (with a
    `reason`); expired lots only when `allow_expired` (write-offs, returns to the supplier)."""
    lines = list(lines)
    merged = _merge(lines)
    balances = lock_balances(warehouse=warehouse, product_ids=merged)
    reservations = {}
    if consume_reservation and reference.id is not None:
        reservations = {
            r.product_id: r
            for r in StockReservation.objects.select_for_update().filter(
                warehouse=warehouse,
                reference_type=reference.type,
                reference_id=reference.id,
                product_id__in=list(merged),
            )
        }
    own = {pid: r.quantity for pid, r in reservations.items()}
    short = _shortages(warehouse, merged, balances, own)
    if short:
        _raise_shortage(short)
    moment = at or timezone.now()
    allocations = take_lots(
        warehouse_id=warehouse.pk,
        lines=lines,
        tracked=tracked_products(merged),
        moment=moment,
        skip_expired=not allow_expired,
        reason=reason,
        reference=reference,
    )
    moves, emptied, changed = [], [], []
    for pid, line in merged.items():
        balance = balances[pid]
        reservation = reservations.get(pid)
        if reservation is not None:
            used = min(reservation.quantity, line.quantity)
            reservation.quantity -= used
            balance.reserved -= used
            (emptied if reservation.quantity == 0 else changed).append(reservation)
        balance.on_hand -= line.quantity
        moves += _split_by_lot(
            StockMove(
                product_id=pid,
                warehouse=warehouse,
                kind=kind,
                quantity=-line.quantity,
                unit_cost=balance.avg_cost,
                reference_type=reference.type,
                reference_id=reference.id,
                reference_number=reference.number,
                reason=reason,
                actor=actor,
                at=moment,
            ),
            allocations,
            -1,
        )
    if emptied:
        StockReservation.objects.filter(pk__in=[r.pk for r in emptied]).delete()
    if changed:
        update_many(StockReservation, changed, ["quantity"])
    return _write(balances, moves)


@transaction.atomic
def stock_reserve(*, warehouse: Warehouse, lines: Iterable[StockLine], reference: Reference, actor=None) -> None:
    """Promise stock to a document; refuses with InsufficientStock when not available. A line
    that names a lot (its id) is also promised from that lot."""
    if reference.id is None:
        raise ValueError("a reservation needs a reference id")
    lines = list(lines)
    merged = _merge(lines)
    balances = lock_balances(warehouse=warehouse, product_ids=merged)
    short = _shortages(warehouse, merged, balances)
    if short:
        _raise_shortage(short)
    existing = {
        r.product_id: r
        for r in StockReservation.objects.select_for_update().filter(
            warehouse=warehouse, reference_type=reference.type, reference_id=reference.id
        )
    }
    new, changed = [], []
    for pid, line in merged.items():
        balances[pid].reserved += line.quantity
        if pid in existing:
            existing[pid].quantity += line.quantity
            changed.append(existing[pid])
        else:
            new.append(
                StockReservation(
                    product_id=pid,
                    warehouse=warehouse,
                    quantity=line.quantity,
                    reference_type=reference.type,
                    reference_id=reference.id,
                )
            )
    insert_many(
        StockReservation, new, ["product", "warehouse", "quantity", "reference_type", "reference_id", "created_at"]
    )
    if changed:
        update_many(StockReservation, changed, ["quantity"])
    update_many(StockBalance, list(balances.values()), ["reserved"])
    reserve_lots(warehouse=warehouse, lines=lines, reference=reference)


@transaction.atomic
def stock_release(*, reference: Reference, warehouse: Warehouse | None = None) -> None:
    """Give back everything still reserved for a document (cancellation, order closed)."""
    reservations = StockReservation.objects.select_for_update().filter(
        reference_type=reference.type, reference_id=reference.id
    )
    if warehouse is not None:
        reservations = reservations.filter(warehouse=warehouse)
    reservations = list(reservations.order_by("pk"))
    by_warehouse: dict[int, dict[int, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for reservation in reservations:
        by_warehouse[reservation.warehouse_id][reservation.product_id] += reservation.quantity
    for warehouse_id, quantities in by_warehouse.items():
        balances = lock_balances(warehouse=Warehouse(pk=warehouse_id), product_ids=quantities)
        for pid, quantity in quantities.items():
            balances[pid].reserved -= quantity
        update_many(StockBalance, list(balances.values()), ["reserved"])
    StockReservation.objects.filter(pk__in=[r.pk for r in reservations]).delete()
    release_lots(reference=reference, warehouse=warehouse)


@transaction.atomic
def stock_adjust(
    *,
    warehouse: Warehouse,
    deltas: dict[int, Decimal],
    reference: Reference,
    actor,
    kind: str = StockMove.Kind.ADJUSTMENT,
    at=None,
) -> list[StockMove]:
    """Signed corrections (adjustments, stocktake variances), valued at the moving average.
    Reservations are not checked — the goods are simply not there — but on-hand never goes
    below zero unless the warehouse allows it."""
    deltas = {pid: Decimal(q) for pid, q in deltas.items() if Decimal(q) != 0}
    if not deltas:
        return []
    balances = lock_balances(warehouse=warehouse, product_ids=deltas)
    short = []
    for pid, delta in deltas.items():
        if not warehouse.allow_negative and balances[pid].on_hand + delta < 0:
            short.append(
                {
                    "product": pid,
                    "sku": str(pid),
                    "requested": f"{(-delta).normalize():f}",
                    "available": f"{max(balances[pid].on_hand, Decimal('0')).normalize():f}",
                }
            )
    if short:
        _raise_shortage(short)
    moment = at or timezone.now()
    tracked = tracked_products(deltas)
    allocations = take_lots(
        warehouse_id=warehouse.pk,
        lines=[StockLine(pid, -delta) for pid, delta in deltas.items() if delta < 0],
        tracked=tracked,
        moment=moment,
        skip_expired=False,
    ) + receive_lots(
        warehouse_id=warehouse.pk,
        lines=[StockLine(pid, delta) for pid, delta in deltas.items() if delta > 0],
        tracked=tracked,
        reference_number=reference.number,
        moment=moment,
    )
    moves = []
    for pid, delta in deltas.items():
        balance = balances[pid]
        balance.on_hand += delta
        moves += _split_by_lot(
            StockMove(
                product_id=pid,
                warehouse=warehouse,
                kind=kind,
                quantity=delta,
                unit_cost=balance.avg_cost,
                reference_type=reference.type,
                reference_id=reference.id,
                reference_number=reference.number,
                actor=actor,
                at=moment,
            ),
            allocations,
            1 if delta > 0 else -1,
        )
    return _write(balances, moves)
