"""Lots (批次) of lot-tracked products inside the ledger services.

A lot-tracked product's stock is also kept per lot and warehouse (`LotBalance`), and every
move of it names its lot, so the lot balances always add up to the product's balance and
each lot balance equals the sum of its moves (a property-based test walks random sequences).

- Receipts name the lot they bring (`LotSpec`: code, production date, expiry), or an existing
  lot (its id: transfers arriving, returns); without one, the receipt opens a lot named after
  its document and day ("PO2026-0001-20261202"), produced that day and expiring after the
  product's shelf life.
- Issues pick first-expiry-first-out (FEFO; lots without expiry last, then by production date,
  i.e. FIFO): expired lots are never picked for an issue. A person may name the lot instead
  (an override) and must then say why; the reason is kept on the move.
- Corrections (adjustments, stocktake variances) that take stock out take it from the lots in
  the same order, expired lots first in line, since those are the goods that go missing or
  are thrown away.
- An order line sold from a lot promises that lot's goods (`LotReservation`, beside the
  product's reservation): other documents' first-expiry-first-out issues leave promised goods
  in the lot, and a lot promises no more than it holds. A document that names the lot itself
  (a write-off, a return to the supplier) takes what is there: the goods are gone either way,
  and the order's delivery then says the lot is short.

Lot balances are locked in primary-key order like the product balances, after them.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from salesops.core.exceptions import ValidationFailed
from salesops.core.selectors import company_date
from salesops.inventory.bulk import insert_many, update_many
from salesops.inventory.exceptions import InsufficientStock
from salesops.inventory.models import Lot, LotBalance, LotReservation


@dataclass(frozen=True)
class LotSpec:
    code: str
    production_date: datetime.date
    expiry_date: datetime.date | None = None


@dataclass(frozen=True)
class Allocation:
    product_id: int
    lot_id: int
    quantity: Decimal  # positive: taken out, or brought in


def tracked_products(product_ids) -> dict[int, int | None]:
    """{product id: shelf life in days} of the lot-tracked products among these."""
    from salesops.catalog.models import Product

    return dict(Product.objects.filter(pk__in=list(product_ids), lot_tracked=True).values_list("pk", "shelf_life_days"))


def lock_lot_balances(*, warehouse_id: int, lot_ids=None, product_ids=None) -> dict[int, LotBalance]:
    """Lot balances of this warehouse (by lot ids, or every lot of these products), locked in id order."""
    balances = LotBalance.objects.select_for_update().select_related("lot").filter(warehouse_id=warehouse_id)
    if lot_ids is not None:
        balances = balances.filter(lot_id__in=list(lot_ids))
    if product_ids is not None:
        balances = balances.filter(product_id__in=list(product_ids))
    return {balance.lot_id: balance for balance in balances.order_by("pk")}


def _lot_for(product_id: int, spec: LotSpec, existing: dict[tuple[int, str], Lot]) -> Lot:
    lot = existing.get((product_id, spec.code))
    if lot is None:
        lot = Lot(
            product_id=product_id,
            code=spec.code,
            production_date=spec.production_date,
            expiry_date=spec.expiry_date,
        )
        if spec.expiry_date is not None and spec.expiry_date < spec.production_date:
            raise ValidationFailed(fields={"expiry_date": [_("The expiry date is before the production date.")]})
        lot.save()
        existing[(product_id, spec.code)] = lot
    elif (lot.production_date, lot.expiry_date) != (spec.production_date, spec.expiry_date):
        raise ValidationFailed(
            fields={"lot": [_("Lot %(code)s exists with other dates.") % {"code": spec.code}]}, code="lot_dates"
        )
    return lot


def default_spec(*, reference_number: str, shelf_life_days: int | None, moment) -> LotSpec:
    produced = timezone.localdate(moment) if timezone.is_aware(moment) else moment.date()
    expiry = produced + datetime.timedelta(days=shelf_life_days) if shelf_life_days else None
    day = produced.strftime("%Y%m%d")
    return LotSpec(
        code=f"{reference_number}-{day}" if reference_number else day, production_date=produced, expiry_date=expiry
    )


def receive_lots(*, warehouse_id: int, lines, tracked: dict[int, int | None], reference_number: str, moment):
    """Book the tracked lines into their lots; returns the allocations (one per product and lot)."""
    quantities: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    specs = []
    for line in lines:
        if line.product_id not in tracked:
            continue
        if isinstance(line.lot, int):
            quantities[(line.product_id, line.lot)] += Decimal(line.quantity)
            continue
        spec = line.lot or default_spec(
            reference_number=reference_number, shelf_life_days=tracked[line.product_id], moment=moment
        )
        specs.append((line, spec))
    if specs:
        existing = {
            (lot.product_id, lot.code): lot
            for lot in Lot.objects.filter(
                product_id__in={line.product_id for line, _s in specs}, code__in={spec.code for _l, spec in specs}
            )
        }
        for line, spec in specs:
            lot = _lot_for(line.product_id, spec, existing)
            quantities[(line.product_id, lot.pk)] += Decimal(line.quantity)
    if not quantities:
        return []
    balances = lock_lot_balances(warehouse_id=warehouse_id, lot_ids={lot for _p, lot in quantities})
    missing = [
        LotBalance(lot_id=lot, product_id=pid, warehouse_id=warehouse_id)
        for pid, lot in quantities
        if lot not in balances
    ]
    if missing:
        insert_many(LotBalance, missing, ["lot", "product", "warehouse", "on_hand"], ignore_conflicts=True)
        balances = lock_lot_balances(warehouse_id=warehouse_id, lot_ids={lot for _p, lot in quantities})
    for (pid, lot), quantity in quantities.items():
        if balances[lot].product_id != pid:
            raise ValidationFailed(fields={"lot": [_("This lot belongs to another product.")]})
        balances[lot].on_hand += quantity
    update_many(LotBalance, list(balances.values()), ["on_hand"])
    return [Allocation(pid, lot, quantity) for (pid, lot), quantity in quantities.items()]


def _is_reference(reference) -> bool:
    return reference is not None and reference.id is not None


def promised(*, warehouse_ids, lot_ids) -> dict[tuple[int, int], dict[tuple[str, int], Decimal]]:
    """{(warehouse id, lot id): {(reference type, reference id): quantity}}: what each lot has
    promised, and to which documents."""
    claims: dict[tuple[int, int], dict[tuple[str, int], Decimal]] = defaultdict(dict)
    for warehouse_id, lot_id, kind, ref, quantity in LotReservation.objects.filter(
        warehouse_id__in=list(warehouse_ids), lot_id__in=list(lot_ids)
    ).values_list("warehouse_id", "lot_id", "reference_type", "reference_id", "quantity"):
        claims[(warehouse_id, lot_id)][(kind, ref)] = quantity
    return claims


def promised_to_others(claims: dict[tuple[str, int], Decimal], reference=None) -> Decimal:
    """Of one lot's `promised` claims, what belongs to documents other than `reference`."""
    own = (reference.type, reference.id) if _is_reference(reference) else None
    return sum((quantity for key, quantity in claims.items() if key != own), Decimal("0"))


class Promised:
    """What each lot balance has promised, by document, while an issue or a pick plan shares
    the lots out: FEFO keeps every promise back (`kept`, by balance id); a line that names the
    lot for the document it was promised to uses that promise up (`use`)."""

    def __init__(self, balances):
        balances = list(balances)
        claims = promised(warehouse_ids={b.warehouse_id for b in balances}, lot_ids={b.lot_id for b in balances})
        self.by_balance = {b.pk: dict(claims.get((b.warehouse_id, b.lot_id), {})) for b in balances}
        self.kept = {pk: sum(owed.values(), Decimal("0")) for pk, owed in self.by_balance.items()}
        self.used: dict[int, Decimal] = defaultdict(Decimal)  # by lot id: what `use` took of its promises

    def use(self, shares, reference) -> None:
        if not _is_reference(reference):
            return
        key = (reference.type, reference.id)
        for balance, quantity in shares:
            owed = self.by_balance.get(balance.pk, {})
            used = min(quantity, owed.get(key, Decimal("0")))
            if used > 0:
                owed[key] -= used
                self.kept[balance.pk] -= used
                self.used[balance.lot_id] += used


def reserve_lots(*, warehouse, lines, reference) -> None:
    """Promise the lines that name a lot (its id) from that lot, beside the product's
    reservation. Refused when the lot's goods in the warehouse, less what it has promised
    already (to any document), are short."""
    from salesops.core import formatting

    wanted: dict[int, Decimal] = defaultdict(Decimal)
    for line in lines:
        if isinstance(line.lot, int):
            wanted[line.lot] += Decimal(line.quantity)
    if not wanted:
        return
    balances = lock_lot_balances(warehouse_id=warehouse.pk, lot_ids=wanted)
    claims = promised(warehouse_ids=[warehouse.pk], lot_ids=wanted)
    short = []
    lots = Lot.objects.select_related("product").in_bulk(list(wanted))
    for lot_id, quantity in wanted.items():
        held = balances[lot_id].on_hand if lot_id in balances else Decimal("0")
        free = held - promised_to_others(claims[(warehouse.pk, lot_id)])
        if quantity > free:
            short.append((lots[lot_id], quantity, max(free, Decimal("0"))))
    if short:
        raise InsufficientStock(
            "; ".join(
                _(
                    "Lot %(lot)s in %(warehouse)s: requested %(requested)s, free %(available)s "
                    "(what it holds less what it has reserved for other orders)"
                )
                % {
                    "lot": lot.code,
                    "warehouse": warehouse.name,
                    "requested": formatting.quantity(quantity, lot.product),
                    "available": formatting.quantity(free, lot.product),
                }
                for lot, quantity, free in short
            ),
            items=[
                {
                    "product": lot.product_id,
                    "sku": lot.product.sku,
                    "lot": lot.code,
                    "requested": f"{quantity.normalize():f}",
                    "available": f"{free.normalize():f}",
                }
                for lot, quantity, free in short
            ],
        )
    existing = {
        r.lot_id: r
        for r in LotReservation.objects.select_for_update().filter(
            warehouse=warehouse, reference_type=reference.type, reference_id=reference.id, lot_id__in=list(wanted)
        )
    }
    new, changed = [], []
    for lot_id, quantity in wanted.items():
        if lot_id in existing:
            existing[lot_id].quantity += quantity
            changed.append(existing[lot_id])
        else:
            new.append(
                LotReservation(
                    lot_id=lot_id,
                    warehouse=warehouse,
                    quantity=quantity,
                    reference_type=reference.type,
                    reference_id=reference.id,
                )
            )
    LotReservation.objects.bulk_create(new)
    if changed:
        update_many(LotReservation, changed, ["quantity"])


def release_lots(*, reference, warehouse=None) -> None:
    """Give back what the lots promised to a document."""
    rows = LotReservation.objects.filter(reference_type=reference.type, reference_id=reference.id)
    if warehouse is not None:
        rows = rows.filter(warehouse=warehouse)
    rows.delete()


def _use_own_promises(*, warehouse_id: int, reference, used: dict[int, Decimal]) -> None:
    """An issue of `reference` uses up what its lots promised it (`used`, by lot id)."""
    rows = list(
        LotReservation.objects.select_for_update().filter(
            warehouse_id=warehouse_id, reference_type=reference.type, reference_id=reference.id, lot_id__in=list(used)
        )
    )
    emptied, changed = [], []
    for row in rows:
        row.quantity -= min(row.quantity, used[row.lot_id])
        (emptied if row.quantity == 0 else changed).append(row)
    if emptied:
        LotReservation.objects.filter(pk__in=[row.pk for row in emptied]).delete()
    if changed:
        update_many(LotReservation, changed, ["quantity"])


def fefo_key(balance: LotBalance):
    """The order first-expiry-first-out picking takes lots in (the ship list reads the same)."""
    lot = balance.lot
    return (lot.expiry_date is None, lot.expiry_date or datetime.date.max, lot.production_date, lot.pk)


def pickable(balances, *, lot_id=None, today: datetime.date, skip_expired: bool = True) -> list:
    """Of one product's balances in FEFO order, those an issue may take from: the named lot
    only, else every lot that has not expired (unless `skip_expired` is off)."""
    if lot_id is not None:
        return [b for b in balances if b.lot_id == int(lot_id)]
    if not skip_expired:
        return list(balances)
    return [b for b in balances if b.lot.expiry_date is None or b.lot.expiry_date >= today]


def share_out(
    candidates, need: Decimal, left: dict[int, Decimal], kept: dict[int, Decimal] | None = None
) -> tuple[list[tuple[LotBalance, Decimal]], Decimal]:
    """Take `need` from the candidates in their order, each as far as what is `left` of it
    (by balance id, reduced as it is taken) less what it must keep (`kept`, by balance id:
    what it promised). Gives the (balance, quantity) taken and what is
    still missing."""
    shares = []
    for balance in candidates:
        if need <= 0:
            break
        use = min(left[balance.pk] - (kept or {}).get(balance.pk, Decimal("0")), need)
        if use <= 0:
            continue
        left[balance.pk] -= use
        need -= use
        shares.append((balance, use))
    return shares, need


def take_lots(
    *, warehouse_id: int, lines, tracked, moment, skip_expired: bool = True, reason: str = "", reference=None
) -> list[Allocation]:
    """Take the tracked lines out of their lots: the named lot (an override, which needs a
    reason unless the document is itself about that lot), else FEFO. An issue for a document
    (`reference`) picks by FEFO around what the lots promised (to any document: the document's
    own promise is for its lines that name the lot), and its lines naming a lot use up its own
    promise there; corrections (no reference) take what is there.
    Refuses when the lots that may be picked do not hold enough."""
    wanted = [line for line in lines if line.product_id in tracked]
    if not wanted:
        return []
    named = [line for line in wanted if line.lot is not None]
    if named and not (reason or "").strip():
        raise ValidationFailed(
            fields={"reason": [_("Say why another lot than the first to expire is issued.")]}, code="lot_reason"
        )
    balances = lock_lot_balances(warehouse_id=warehouse_id, product_ids={line.product_id for line in wanted})
    # the company's day (Asia/Shanghai by default), the day expiry is judged by everywhere
    today = company_date(moment) if timezone.is_aware(moment) else moment.date()
    by_product: dict[int, list[LotBalance]] = defaultdict(list)
    for balance in sorted(balances.values(), key=fefo_key):
        by_product[balance.product_id].append(balance)
    left = {balance.pk: balance.on_hand for balance in balances.values()}
    promises = Promised(balances.values()) if reference is not None else None
    taken: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    short = []
    for line in wanted:
        candidates = pickable(by_product[line.product_id], lot_id=line.lot, today=today, skip_expired=skip_expired)
        if line.lot is None:
            shares, need = share_out(candidates, Decimal(line.quantity), left, promises.kept if promises else None)
        else:
            shares, need = share_out(candidates, Decimal(line.quantity), left)
            if promises:
                promises.use(shares, reference)
        for balance, use in shares:
            taken[(line.product_id, balance.lot_id)] += use
        if need > 0:
            short.append(
                {
                    "product": line.product_id,
                    "sku": str(line.product_id),
                    "requested": f"{Decimal(line.quantity).normalize():f}",
                    "available": f"{(Decimal(line.quantity) - need).normalize():f}",
                }
            )
    if short:
        from salesops.inventory.services import _raise_shortage

        _raise_shortage(short, lots=True)
    touched = [b for b in balances.values() if (b.product_id, b.lot_id) in taken]
    for balance in touched:
        balance.on_hand = left[balance.pk]
    update_many(LotBalance, touched, ["on_hand"])
    if promises and promises.used:
        _use_own_promises(warehouse_id=warehouse_id, reference=reference, used=promises.used)
    return [Allocation(pid, lot, quantity) for (pid, lot), quantity in taken.items()]
