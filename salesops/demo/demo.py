"""The demo's supply step, after the sales history and the field visits, before planning:
stock sized to the demand it serves, so that cover reads in weeks and not in millennia.

- Finished goods: each product that sold in the last 90 days is brought up to a cover drawn
  between `COVER_TARGET_DAYS` (3½ to 6½ weeks: above the S&OP families' targets of 20–30 days,
  so most months show no gap, and well inside flour's 180-day shelf life) by the evening's
  production receipt (bought products: a supplier delivery). Nothing is taken away: a product
  already above its target keeps its stock.
- Raw materials and packaging: the last six months of production consume them through the
  bills of materials (one issue to production a month), the suppliers deliver call-offs on
  top of the purchase orders of the inventory demo, and what is left is 2–5 weeks of the
  current requirement, so MRP has purchases to plan.

`salesops.demo.figures` measures the result; `salesops/demo/tests/test_believable.py` asserts
its bounds.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import ROUND_CEILING, Decimal

from django.utils import timezone

ORDER = 58
COVER_TARGET_DAYS = (24, 45)
RAW_COVER_WEEKS = (2, 5)
CONSUMPTION_MONTHS = 6


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _main_warehouse():
    from salesops.inventory.models import Warehouse

    return Warehouse.objects.filter(code="MAIN").first() or Warehouse.objects.order_by("pk").first()


def build(ctx) -> None:
    warehouse = _main_warehouse()
    if warehouse is None:
        ctx.say("supply: no warehouse, skipped")
        return
    topped = _top_up_finished_goods(ctx, warehouse)
    components = _size_raw_materials(ctx, warehouse)
    ctx.say(f"supply: {topped} finished products topped up to their cover, {components} components sized to the BOMs")


def daily_demand(*, today: datetime.date, days: int = 90) -> dict[int, Decimal]:
    """{product id: average daily quantity ordered} over the `days` before today: the orders
    taken (sold, or waiting for a credit approval or a payment), not drafts, rejected or cancelled."""
    from salesops.planning.history import SOLD_STATUSES
    from salesops.sales.models import OrderLine, SalesOrder

    taken = (*SOLD_STATUSES, SalesOrder.Status.PENDING_APPROVAL, SalesOrder.Status.PENDING_PAYMENT)
    sold = defaultdict(Decimal)
    for pid, quantity, cancelled in OrderLine.objects.filter(
        order__status__in=taken,
        order__order_date__gte=today - datetime.timedelta(days=days),
        order__order_date__lt=today,
    ).values_list("product_id", "quantity", "cancelled_quantity"):
        sold[pid] += quantity - cancelled
    return {pid: quantity / days for pid, quantity in sold.items() if quantity > 0}


def _top_up_finished_goods(ctx, warehouse) -> int:
    from salesops.catalog.models import Product
    from salesops.inventory.demo import receive_made_and_bought
    from salesops.inventory.selectors import on_hand_by_product
    from salesops.inventory.services import StockLine

    rng = ctx.rng("supply-cover")
    daily = daily_demand(today=ctx.today)
    products = Product.objects.in_bulk(list(daily))
    stock = on_hand_by_product(daily)
    made, bought = [], []
    for pid in sorted(daily):
        product = products[pid]
        target = daily[pid] * rng.randint(*COVER_TARGET_DAYS)
        missing = (target - (stock.get(pid) or Decimal("0"))).to_integral_value(rounding=ROUND_CEILING)
        if missing > 0:
            line = StockLine(pid, missing, product.cost)
            (made if product.source == Product.Source.MAKE else bought).append(line)
    evening = _at(ctx.today - datetime.timedelta(days=1), 20)
    keeper = ctx.user("warehouse")
    receive_made_and_bought(
        warehouse=warehouse, made=made, bought=bought, actor=keeper, at=evening, number=f"{ctx.today:%Y%m%d}"
    )
    return len(made) + len(bought)


def _explosion(products) -> dict[int, dict[int, Decimal]]:
    """{made product id: {bought component id: quantity per unit}}, through every BOM level."""
    from salesops.catalog.models import BomLine

    lines = defaultdict(list)
    for line in BomLine.objects.filter(valid_to__isnull=True).select_related("parent", "component"):
        lines[line.parent_id].append(line)
    memo: dict[int, dict[int, Decimal]] = {}

    def explode(pid: int, depth: int = 0) -> dict[int, Decimal]:
        if pid in memo:
            return memo[pid]
        result = defaultdict(Decimal)
        for line in lines.get(pid, []):
            per_unit = line.quantity * (1 + line.scrap_pct / 100) * 100 / (line.parent.yield_pct or 100)
            if line.component_id in lines and depth < 10:
                for component, quantity in explode(line.component_id, depth + 1).items():
                    result[component] += per_unit * quantity
            else:
                result[line.component_id] += per_unit
        memo[pid] = dict(result)
        return memo[pid]

    return {pid: explode(pid) for pid in products}


def _whole(quantity: Decimal, product) -> Decimal:
    """`quantity` in the product's unit: weights to the gram, counted things whole (rounded up)."""
    return quantity.quantize(Decimal(1).scaleb(-(product.quantity_decimals or 0)), rounding=ROUND_CEILING)


def _size_raw_materials(ctx, warehouse) -> int:
    from salesops.catalog.models import Product
    from salesops.inventory.models import StockMove
    from salesops.inventory.selectors import on_hand_by_product
    from salesops.inventory.services import Reference, StockLine, stock_issue, stock_receive
    from salesops.planning.periods import add_months, month_start

    rng = ctx.rng("supply-raw")
    keeper = ctx.user("warehouse")
    this_month = month_start(ctx.today)
    first = add_months(this_month, -CONSUMPTION_MONTHS)
    made_ids = list(Product.objects.filter(source=Product.Source.MAKE).values_list("pk", flat=True))
    per_unit = _explosion(made_ids)
    # what was made each month (all warehouses): its components were consumed that month
    consumed = defaultdict(lambda: defaultdict(Decimal))  # month -> component -> quantity
    for pid, at, quantity in StockMove.objects.filter(
        kind=StockMove.Kind.PRODUCTION, product_id__in=made_ids, at__gte=_at(first - datetime.timedelta(days=1), 0)
    ).values_list("product_id", "at", "quantity"):
        day = timezone.localtime(at).date()
        # the month-end receipt (the evening before the month) was made in the days before it
        month = month_start(day)
        if month < first:
            continue
        for component, quantity_per in per_unit.get(pid, {}).items():
            consumed[month][component] += quantity * quantity_per
    components = sorted({c for month in consumed.values() for c in month})
    if not components:
        return 0
    # the current requirement: the last 90 days' demand of the made products, exploded, a week
    daily = daily_demand(today=ctx.today)
    weekly = defaultdict(Decimal)
    for pid, quantity in daily.items():
        for component, quantity_per in per_unit.get(pid, {}).items():
            weekly[component] += quantity * quantity_per * 7
    stock = on_hand_by_product(components)
    products = Product.objects.in_bulk(components)
    months = sorted(consumed)
    calls = defaultdict(list)  # month -> call-off lines
    for component in components:
        product = products[component]
        total = sum((consumed[m][component] for m in months), Decimal("0"))
        target = weekly[component] * rng.randint(*RAW_COVER_WEEKS)
        missing = target + total - (stock.get(component) or Decimal("0"))
        if missing <= 0 or total <= 0:
            continue
        for m in months:
            share = _whole(missing * consumed[m][component] / total + 1, product)
            if share > 0:
                calls[m].append(StockLine(component, share, product.cost))
    for m in months:
        if calls[m]:
            stock_receive(
                warehouse=warehouse,
                lines=calls[m],
                reference=Reference("demo_purchase", None, f"CO-{m:%Y%m}"),
                actor=keeper,
                at=_at(m, 9),
            )
    for m in months:
        lines = [
            StockLine(component, _whole(quantity, products[component]), None)
            for component, quantity in sorted(consumed[m].items())
            if quantity > 0
        ]
        if lines:
            at = _at(min(add_months(m, 1) - datetime.timedelta(days=1), ctx.today - datetime.timedelta(days=1)), 18)
            stock_issue(
                warehouse=warehouse,
                lines=lines,
                reference=Reference("demo_consumption", None, f"MI-{m:%Y%m}"),
                actor=keeper,
                at=at,
                reason="生产领料",
            )
    return len(components)
