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
from salesops.inventory.models import Lot, LotBalance


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


def share_out(candidates, need: Decimal, left: dict[int, Decimal]) -> tuple[list[tuple[LotBalance, Decimal]], Decimal]:
    """Take `need` from the candidates in their order, each as far as what is `left` of it
    (by balance id, reduced as it is taken). Gives the (balance, quantity) taken and what is
    still missing."""
    shares = []
    for balance in candidates:
        if need <= 0:
            break
        use = min(left[balance.pk], need)
        if use <= 0:
            continue
        left[balance.pk] -= use
        need -= use
        shares.append((balance, use))
    return shares, need


def take_lots(
    *, warehouse_id: int, lines, tracked, moment, skip_expired: bool = True, reason: str = ""
) -> list[Allocation]:
    """Take the tracked lines out of their lots: the named lot (an override, which needs a
    reason unless the document is itself about that lot), else FEFO. Refuses when the lots
    that may be picked do not hold enough."""
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
    taken: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    short = []
    for line in wanted:
        candidates = pickable(by_product[line.product_id], lot_id=line.lot, today=today, skip_expired=skip_expired)
        shares, need = share_out(candidates, Decimal(line.quantity), left)
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
    return [Allocation(pid, lot, quantity) for (pid, lot), quantity in taken.items()]
