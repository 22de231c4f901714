"""Demo stock: a main warehouse, a distribution centre and a store; months of purchase orders
and production receipts; a transfer in transit and one received short; store replenishment;
a stocktake with variances waiting for approval; products below their warning level; slow
gift boxes for the slow-moving report. Plenty of finished goods in the main warehouse for the
two years of sales built on top. All through the inventory services."""

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
    main = documents.warehouse_create(code="MAIN", name="主仓库 Main warehouse", actor=keeper)
    dc = documents.warehouse_create(
        code="DC", name="上海配送中心 Shanghai DC", kind=Warehouse.Kind.DISTRIBUTION_CENTRE, actor=keeper
    )
    store = documents.warehouse_create(
        code="S01", name="麦丰旗舰店 Flagship store", kind=Warehouse.Kind.STORE, actor=keeper
    )
    suppliers = [
        documents.supplier_create(
            code="SUP-GRAIN", name="中粮贸易有限公司", contact="周经理", phone="021-55550101", actor=purchasing
        ),
        documents.supplier_create(
            code="SUP-PACK", name="华东包装材料厂", contact="吴经理", phone="0512-66660202", actor=purchasing
        ),
        documents.supplier_create(
            code="SUP-SEASON", name="江南调味品有限公司", contact="郑经理", phone="0571-77770303", actor=purchasing
        ),
    ]
    products = list(Product.objects.select_related("family__parent").order_by("sku"))
    raw = [p for p in products if p.family.code == "RAW"]
    pack = [p for p in products if p.family.code == "PACK"]
    seasonings = [p for p in products if p.family.code == "SEASON"]
    made = [p for p in products if p.source == "make"]

    # Six months of purchase orders, received in one or two deliveries.
    for month in range(6, 0, -1):
        day = today - datetime.timedelta(days=30 * month)
        for supplier, items, size in [
            (suppliers[0], raw, 20000),
            (suppliers[1], pack, 30000),
            (suppliers[2], seasonings, 6000),
        ]:
            lines = [
                (p, Decimal(size * rng.randint(8, 12) // 10), p.cost * Decimal(rng.randint(95, 106)) / 100)
                for p in items
            ]
            order = documents.purchase_order_create(
                supplier=supplier, warehouse=main, lines=lines, expected_date=day, actor=purchasing
            )
            first = {p.pk: (qty * Decimal("0.6")).quantize(Decimal("1")) for p, qty, _c in lines}
            documents.purchase_order_receive(order=order, quantities=first, actor=keeper, at=_at(day))
            if month > 1:
                rest = {p.pk: qty - first[p.pk] for p, qty, _c in lines}
                documents.purchase_order_receive(
                    order=order, quantities=rest, actor=keeper, at=_at(day + datetime.timedelta(days=4))
                )
    # One open order, expected next week (planning's planned purchases become such orders).
    documents.purchase_order_create(
        supplier=suppliers[0],
        warehouse=main,
        expected_date=today + datetime.timedelta(7),
        lines=[(p, Decimal("15000"), p.cost) for p in raw[:3]],
        actor=purchasing,
    )

    # Production receipts of finished goods every two weeks: plenty for two years of orders.
    gift_boxes = [p for p in made if p.family.code == "GIFT"]
    for fortnight in range(12, 0, -1):
        day = today - datetime.timedelta(days=14 * fortnight)
        lines = [(p, Decimal(rng.randint(8000, 14000)), p.cost) for p in made if p not in gift_boxes]
        documents.production_receipt_post(warehouse=main, lines=lines, actor=keeper, note="生产入库", at=_at(day, 16))
    # Gift boxes were made for last year's festival and have hardly moved since (slow-moving).
    old_day = today - datetime.timedelta(days=320)
    documents.production_receipt_post(
        warehouse=main,
        lines=[(p, Decimal("1500"), p.cost) for p in gift_boxes],
        actor=keeper,
        note="中秋礼盒",
        at=_at(old_day, 16),
    )
    documents.transfer_receive(
        transfer=documents.transfer_send(
            transfer=documents.transfer_create(
                source=main, destination=dc, actor=keeper, lines=[(p, Decimal("300")) for p in gift_boxes]
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
            source=main, destination=dc, actor=keeper, lines=[(p, Decimal(rng.randint(300, 900))) for p in sellable]
        )
        documents.transfer_send(transfer=transfer, actor=keeper, at=_at(day, 8))
        short = {}
        if weeks_ago == 3:  # received short: one line arrived with 12 bags missing
            line = transfer.lines.get(product=sellable[1])
            short = {sellable[1].pk: line.quantity - 12}
        documents.transfer_receive(
            transfer=transfer, actor=keeper, received=short or None, at=_at(day + datetime.timedelta(days=1), 9)
        )
    # One transfer is on the road right now.
    in_transit = documents.transfer_create(
        source=main,
        destination=dc,
        actor=keeper,
        note="周补货 weekly top-up",
        lines=[(p, Decimal(rng.randint(100, 400))) for p in sellable[:12]],
    )
    documents.transfer_send(transfer=in_transit, actor=keeper, at=_at(today - datetime.timedelta(days=1), 15))

    # The store orders from the distribution centre: one delivered, one just ordered.
    shop_range = [p for p in sellable if p.sku.endswith(("1KG", "500")) or p.sku.startswith(("NO-", "SE-"))][:10]
    order = documents.replenishment_create(
        store=store, source=dc, actor=keeper, lines=[(p, Decimal(rng.randint(20, 60))) for p in shop_range]
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
        store=store, source=dc, actor=keeper, lines=[(p, Decimal(rng.randint(20, 60))) for p in shop_range[:6]]
    )

    # Warning levels in the distribution centre and the store; a few products fall below.
    for product in sellable:
        alerts.reorder_level_set(product=product, warehouse=dc, level=Decimal("1200"), actor=ctx.user("planner"))
    for product in shop_range:
        alerts.reorder_level_set(product=product, warehouse=store, level=Decimal("30"), actor=ctx.user("planner"))
    for product in raw:
        alerts.reorder_level_set(product=product, warehouse=main, level=Decimal("60000"), actor=ctx.user("planner"))
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
    ctx.say(
        "3 warehouses, 6 months of purchases and production, transfers (one in transit), store orders, "
        f"a stocktake ({stocktake.get_status_display()}), reorder warnings"
    )
