"""Demo stock: a main warehouse, a distribution centre and a store; suppliers with their terms;
months of purchase orders (ordered, sent, received within tolerance) and production receipts;
lots of the flour, noodles, oil and seasonings with their production and expiry dates (one
near expiry, one expired waiting to be cleared); a transfer in transit and one received short;
store replenishment; a stocktake with variances waiting for approval; products below their
warning level; slow gift boxes for the slow-moving report. Stock is sized to the demand: the
sales demo's orders are produced for month by month (`production_for_sales`) into the main
warehouse, which ships them, so cover is a matter of weeks (the demo's supply step,
`salesops.demo.demo`, then tops it up to each product's cover and sizes the raw materials to the
bills of materials). All through the inventory services."""

import datetime
from decimal import Decimal

from django.utils import timezone

from salesops.catalog.models import Product
from salesops.inventory import alerts, documents
from salesops.inventory import stocktake as stocktakes
from salesops.inventory.models import Warehouse

ORDER = 35


def _at(day: datetime.date, hour: int = 10):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def build(ctx):
    rng = ctx.rng("inventory")
    keeper = ctx.user("warehouse")
    purchasing = ctx.user("purchasing")
    today = ctx.today
    main = documents.warehouse_create(code="MAIN", name="主仓库", actor=keeper)
    dc = documents.warehouse_create(
        code="DC", name="上海配送中心", kind=Warehouse.Kind.DISTRIBUTION_CENTRE, actor=keeper
    )
    store = documents.warehouse_create(code="S01", name="麦丰旗舰店", kind=Warehouse.Kind.STORE, actor=keeper)
    suppliers = [
        documents.supplier_create(
            code="SUP-GRAIN",
            name="中粮贸易有限公司",
            contact="周经理",
            phone="021-55550101",
            email="orders@grain.example.com",
            lead_time_days=10,
            receipt_tolerance_pct=Decimal("3"),
            actor=purchasing,
        ),
        documents.supplier_create(
            code="SUP-PACK",
            name="华东包装材料厂",
            contact="吴经理",
            phone="0512-66660202",
            email="sales@pack.example.com",
            lead_time_days=7,
            receipt_tolerance_pct=Decimal("5"),
            actor=purchasing,
        ),
        documents.supplier_create(
            code="SUP-SEASON",
            name="江南调味品有限公司",
            contact="郑经理",
            phone="0571-77770303",
            email="order@season.example.com",
            lead_time_days=14,
            actor=purchasing,
        ),
    ]
    products = list(Product.objects.select_related("family__parent").order_by("sku"))
    raw = [p for p in products if p.family.code == "RAW"]
    pack = [p for p in products if p.family.code == "PACK"]
    seasonings = [p for p in products if p.family.code == "SEASON"]
    made = [p for p in products if p.source == "make"]
    # The terms each supplier sells on: MRP orders in their minimums and multiples.
    for supplier, items, minimum, multiple in [
        (suppliers[0], raw, Decimal("1000"), Decimal("500")),
        (suppliers[1], pack, Decimal("500"), Decimal("100")),
        (suppliers[2], seasonings, Decimal("24"), Decimal("12")),
    ]:
        for product in items:
            documents.supplier_item_save(
                supplier=supplier,
                product=product,
                min_order_qty=minimum,
                order_multiple=multiple,
                unit_cost=product.cost,
                actor=purchasing,
            )

    # Six months of purchase orders, ordered and received in one or two deliveries. The raw
    # materials and packaging come in about 15 finished units' worth per product and month (through
    # the bills of materials); the demo's supply step (`salesops.demo.demo`) adds the call-offs that
    # the production of the sales history consumed, so what is left is weeks of requirement.
    from salesops.demo.demo import _explosion

    usage = {}
    for components in _explosion([p.pk for p in made]).values():
        for component, quantity in components.items():
            usage[component] = usage.get(component, Decimal("0")) + quantity
    for month in range(6, 0, -1):
        day = today - datetime.timedelta(days=30 * month)
        for supplier, items in [(suppliers[0], raw), (suppliers[1], pack), (suppliers[2], seasonings)]:
            lines = []
            for p in items:
                size = usage.get(p.pk, Decimal("0")) * 15 if p in raw or p in pack else Decimal("24")
                quantity = (size * rng.randint(8, 12) / 10).to_integral_value()
                if quantity >= 10:  # delivered in two parts
                    lines.append((p, quantity, p.cost * Decimal(rng.randint(95, 106)) / 100))
            if not lines:
                continue
            ordered = _at(day - datetime.timedelta(days=supplier.lead_time_days), 9)
            order = documents.purchase_order_create(
                supplier=supplier, warehouse=main, lines=lines, expected_date=day, actor=purchasing, at=ordered
            )
            documents.purchase_order_submit(order=order, actor=purchasing, at=ordered)
            first = {p.pk: (qty * Decimal("0.6")).quantize(Decimal("1")) for p, qty, _c in lines}
            documents.purchase_order_receive(order=order, quantities=first, actor=keeper, at=_at(day))
            if month > 1:
                rest = {p.pk: qty - first[p.pk] for p, qty, _c in lines}
                documents.purchase_order_receive(
                    order=order, quantities=rest, actor=keeper, at=_at(day + datetime.timedelta(days=4))
                )
    # One order sent, expected next week, and one draft (planning's planned purchases become such drafts).
    sent = documents.purchase_order_create(
        supplier=suppliers[0],
        warehouse=main,
        expected_date=today + datetime.timedelta(7),
        lines=[(p, Decimal("3000"), p.cost) for p in raw[:3]],
        actor=purchasing,
    )
    documents.purchase_order_submit(order=sent, actor=purchasing)
    documents.purchase_order_create(
        supplier=suppliers[1],
        warehouse=main,
        expected_date=today + datetime.timedelta(14),
        lines=[(p, Decimal("1000"), None) for p in pack[:2]],
        actor=purchasing,
        note="补包材 packaging top-up",
    )

    # Production receipts of finished goods every two weeks into the main warehouse, in lots.
    gift_boxes = [p for p in made if p.family.code == "GIFT"]
    for fortnight in range(12, 0, -1):
        day = today - datetime.timedelta(days=14 * fortnight)
        # a part of each month's production (the rest is made for the orders: `production_for_sales`)
        lines = [(p, Decimal(rng.randint(8, 16)), p.cost) for p in made if p not in gift_boxes]
        documents.production_receipt_post(warehouse=main, lines=lines, actor=keeper, note="生产入库", at=_at(day, 16))
    # Gift boxes were made for last year's festival and have hardly moved since (slow-moving).
    old_day = today - datetime.timedelta(days=320)
    documents.production_receipt_post(
        warehouse=main,
        lines=[(p, Decimal("150"), p.cost) for p in gift_boxes],
        actor=keeper,
        note="中秋礼盒",
        at=_at(old_day, 16),
    )
    documents.transfer_receive(
        transfer=documents.transfer_send(
            transfer=documents.transfer_create(
                source=main, destination=dc, actor=keeper, lines=[(p, Decimal("30")) for p in gift_boxes]
            ),
            actor=keeper,
            at=_at(old_day + datetime.timedelta(days=2)),
        ),
        actor=keeper,
        at=_at(old_day + datetime.timedelta(days=3)),
    )

    # The distribution centre is stocked from the main warehouse by transfers.
    sellable = [p for p in made if p.family.code != "GIFT"] + seasonings
    for weeks_ago in (10, 6, 3):
        day = today - datetime.timedelta(weeks=weeks_ago)
        transfer = documents.transfer_create(
            source=main, destination=dc, actor=keeper, lines=[(p, Decimal(rng.randint(5, 15))) for p in sellable]
        )
        documents.transfer_send(transfer=transfer, actor=keeper, at=_at(day, 8))
        short = {}
        if weeks_ago == 3:  # received short: one line arrived with 12 bags missing
            line = transfer.lines.get(product=sellable[1])
            short = {sellable[1].pk: line.quantity - 2}
        documents.transfer_receive(
            transfer=transfer, actor=keeper, received=short or None, at=_at(day + datetime.timedelta(days=1), 9)
        )
    # One transfer is on the road right now.
    in_transit = documents.transfer_create(
        source=main,
        destination=dc,
        actor=keeper,
        note="周补货 weekly top-up",
        lines=[(p, Decimal(rng.randint(5, 10))) for p in sellable[:12]],
    )
    documents.transfer_send(transfer=in_transit, actor=keeper, at=_at(today - datetime.timedelta(days=1), 15))

    # The store orders from the distribution centre: one delivered, one just ordered.
    shop_range = [p for p in sellable if p.sku.endswith(("1KG", "500")) or p.sku.startswith(("NO-", "SE-"))][:10]
    order = documents.replenishment_create(
        store=store, source=dc, actor=keeper, lines=[(p, Decimal(rng.randint(2, 5))) for p in shop_range]
    )
    documents.replenishment_ship(order=order, actor=keeper, at=_at(today - datetime.timedelta(days=5), 7))
    first_line = order.lines.first()
    documents.replenishment_receive(
        order=order,
        actor=keeper,
        received={first_line.product_id: first_line.quantity - 2},
        at=_at(today - datetime.timedelta(days=5), 14),
    )
    documents.replenishment_create(
        store=store, source=dc, actor=keeper, lines=[(p, Decimal(rng.randint(2, 5))) for p in shop_range[:6]]
    )

    # Warning levels in the distribution centre and the store; a few products fall below.
    for product in sellable:
        alerts.reorder_level_set(product=product, warehouse=dc, level=Decimal("30"), actor=ctx.user("planner"))
    for product in shop_range:
        alerts.reorder_level_set(product=product, warehouse=store, level=Decimal("3"), actor=ctx.user("planner"))
    for product in raw:
        alerts.reorder_level_set(product=product, warehouse=main, level=Decimal("8000"), actor=ctx.user("planner"))
    alerts.reorder_alerts_run()

    # A stocktake of the oil family in the distribution centre: counted, variances above the
    # threshold, waiting for approval.
    from salesops.catalog.models import ProductFamily

    oil = ProductFamily.objects.get(code="OIL")
    stocktake = stocktakes.stocktake_freeze(
        warehouse=dc,
        family=oil,
        actor=keeper,
        approval_threshold=Decimal("200"),
        at=_at(today - datetime.timedelta(days=1), 18),
    )
    counts = {}
    for index, line in enumerate(stocktake.lines.all()):
        delta = [-5, -3, 4, -8, 2, -6][index % 6]
        counts[line.product_id] = max(line.snapshot_quantity + delta, Decimal("0"))
    stocktakes.stocktake_record_counts(
        stocktake=stocktake, counts=counts, actor=keeper, counted_at=_at(today - datetime.timedelta(days=1), 19)
    )
    stocktakes.stocktake_submit(stocktake=stocktake, actor=keeper)
    # in the distribution centre: the main warehouse ships the sales orders first-expiry-first-out
    _lots_to_clear(ctx, dc, made)
    ctx.say(
        "3 warehouses, 6 months of purchases and production, transfers (one in transit), store orders, "
        f"a stocktake ({stocktake.get_status_display()}), reorder warnings"
    )


def _lots_to_clear(ctx, warehouse, made) -> None:
    """A flour lot close to its expiry and one past it, in `warehouse`: the near-expiry
    list has work, and writing off above the rule's value waits for the general manager."""
    from salesops.approvals.services import approval_rule_create
    from salesops.inventory.expiry import DOC_TYPE
    from salesops.inventory.lots import LotSpec
    from salesops.inventory.services import Reference, StockLine, stock_receive

    flour = [p for p in made if p.family.code == "FLOUR" and p.lot_tracked][:2]
    today = ctx.today
    for product, (code, produced) in zip(flour, [("FL-L-OLD", 170), ("FL-L-EXP", 200)], strict=False):
        day = today - datetime.timedelta(days=produced)
        stock_receive(
            warehouse=warehouse,
            lines=[
                StockLine(
                    product.pk,
                    Decimal("12"),
                    product.cost,
                    lot=LotSpec(code, day, day + datetime.timedelta(days=product.shelf_life_days or 180)),
                )
            ],
            reference=Reference("stock_document", None, code),
            actor=ctx.user("warehouse"),
            at=_at(day, 15),
        )
    for doc_type, name, name_zh, field, value in [
        (DOC_TYPE, "Write-off above ¥500: general manager", "报废超过500元需总经理批准", "value", "500"),
        (
            "purchase_order",
            "Purchase order from ¥50,000: general manager",
            "采购订单满5万需总经理批准",
            "amount",
            "50000",
        ),
    ]:
        approval_rule_create(
            actor=ctx.user("admin"),
            doc_type=doc_type,
            name=name,
            name_zh=name_zh,
            conditions=[{"field": field, "operator": ">=", "value": value}],
            steps=[{"approver": "general_manager"}],
        )


def production_for_sales(ctx, *, warehouse, demand) -> None:
    """Finished goods made (or, for bought products, received) into `warehouse` the evening
    before each month starts, for the orders of that month: `demand` is (order day, product,
    quantity) of every order the sales demo will take. Each month brings the stock up to the
    month's orders and 5 % more, counting what the warehouse already holds on that day (the
    fortnightly production receipts, the transfers out), so nothing waits for goods and the
    stock stays a matter of weeks; the supply step tops it up to its cover at the end."""
    from collections import defaultdict

    from salesops.inventory.models import StockMove
    from salesops.inventory.services import StockLine

    if not demand:
        return
    needed = defaultdict(Decimal)  # (month, product id) -> quantity ordered
    products = {}
    for day, product, quantity in demand:
        needed[(day.replace(day=1), product.pk)] += Decimal(quantity)
        products[product.pk] = product
    months = sorted({month for month, _pid in needed})
    # what the warehouse already holds or will hold, dated: the other demo steps' moves
    moves = defaultdict(list)
    for pid, at, quantity in StockMove.objects.filter(warehouse=warehouse, product_id__in=list(products)).values_list(
        "product_id", "at", "quantity"
    ):
        moves[pid].append((timezone.localtime(at).date(), quantity))
    keeper = ctx.user("warehouse")
    made_so_far = defaultdict(Decimal)
    ordered_so_far = defaultdict(Decimal)
    for month in months:
        lines_made, lines_bought = [], []
        for pid, product in products.items():
            month_need = needed[(month, pid)]
            if not month_need:
                continue
            held = sum((q for day, q in moves[pid] if day < month), Decimal("0"))
            projected = held + made_so_far[pid] - ordered_so_far[pid]
            quantity = (month_need * Decimal("1.05") - projected).to_integral_value()
            ordered_so_far[pid] += month_need
            if quantity <= 0:
                continue
            made_so_far[pid] += quantity
            line = StockLine(pid, quantity, product.cost)
            (lines_made if product.source == "make" else lines_bought).append(line)
        at = _at(month - datetime.timedelta(days=1), 20)
        receive_made_and_bought(
            warehouse=warehouse, made=lines_made, bought=lines_bought, actor=keeper, at=at, number=f"{month:%Y%m}"
        )


def receive_made_and_bought(*, warehouse, made, bought, actor, at, number: str) -> None:
    """Book what the demo's factory made (a production receipt PR-<number>) and what it bought
    (a purchase receipt PO-<number>) into the warehouse at `at`."""
    from salesops.inventory.models import StockMove
    from salesops.inventory.services import Reference, stock_receive

    for lines, kind, reference in (
        (made, StockMove.Kind.PRODUCTION, Reference("demo_production", None, f"PR-{number}")),
        (bought, StockMove.Kind.RECEIPT, Reference("demo_purchase", None, f"PO-{number}")),
    ):
        if lines:
            stock_receive(warehouse=warehouse, lines=lines, reference=reference, actor=actor, kind=kind, at=at)
