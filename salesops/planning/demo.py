"""Demo of the monthly S&OP cycle, through the planning services.

Frozen forecast versions for the last four months (so accuracy and lags show), the current
month's baseline with reps' inputs and overrides (left open for the sales admin to submit),
family targets, work centres and routings, S&OP packs (last month closed, this month open),
an aggregate plan scenario, last month's and this month's MPS and production plans (issued,
acknowledged, daily production, weekly fulfilment with reasons for misses), next month's
plan in draft (due by the 29th), purchase orders of the bought finished goods for the pack's
months, and an MRP run with planned orders, two of them converted.
The statistical forecasts cover the finished goods only, to keep loading quick.
"""

from __future__ import annotations

import datetime
from decimal import ROUND_CEILING, Decimal

from django.utils import timezone

ORDER = 60


def _at(day: datetime.date, hour: int = 17) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def build(ctx):
    from salesops.catalog.models import Product, ProductFamily
    from salesops.planning import services
    from salesops.planning.models import FamilyTarget, ForecastLine, RoutingStep, WorkCentre
    from salesops.planning.periods import add_months, month_start

    rng = ctx.rng("planning")
    planner = ctx.user("planner")
    salesadmin, director = ctx.user("salesadmin"), ctx.user("director")
    finished = ProductFamily.objects.filter(code="FG").first()
    products = Product.objects.filter(active=True)
    if finished is not None:
        products = products.filter(family__path__startswith=finished.path)
    product_ids = list(products.order_by("pk").values_list("pk", flat=True)[:40])
    if not product_ids:
        ctx.say("planning: no products, skipped")
        return
    # the demo makes to demand: finished goods stock from the opening balance stays with the warehouse
    services.planning_policy_update(actor=planner, mps_net_stock=False)
    launch = _launch_products(ctx, planner)
    product_ids += [product.pk for product in launch]
    for family in ProductFamily.objects.filter(products__pk__in=product_ids).distinct():
        FamilyTarget.objects.get_or_create(
            family=family, defaults={"target_days_of_cover": Decimal(rng.choice([20, 25, 30]))}
        )

    this_month = month_start(ctx.today)
    reps = [ctx.user(name) for name in ("rep1", "rep2", "rep3")]
    # frozen versions of the last four months, submitted at each month's end
    for back in (4, 3, 2, 1):
        version_month = add_months(this_month, -back)
        run = services.forecast_run_create(
            actor=planner, first_period=add_months(version_month, 1), product_ids=product_ids, enqueue=False
        )
        run = services.forecast_run_execute(run=run, n_jobs=1)
        _inputs_and_overrides(run=run, reps=reps, salesadmin=salesadmin, rng=rng, product_ids=product_ids)
        if back == 1:
            _launch_volumes(run=run, launch=launch, salesadmin=salesadmin)
        last_day = add_months(version_month, 1) - datetime.timedelta(days=1)
        services.forecast_submit(run=run, actor=salesadmin, at=_at(last_day))
    # this month's run, with inputs and overrides, not yet submitted
    current = services.forecast_run_create(
        actor=planner, first_period=add_months(this_month, 1), product_ids=product_ids, enqueue=False
    )
    current = services.forecast_run_execute(run=current, n_jobs=1)
    _inputs_and_overrides(run=current, reps=reps, salesadmin=salesadmin, rng=rng, product_ids=product_ids)
    _launch_volumes(run=current, launch=launch, salesadmin=salesadmin)
    _bought_goods_on_order(ctx, product_ids=product_ids, first_month=add_months(this_month, 1))

    # capacity: two work centres, a routing step per made product
    mill = WorkCentre.objects.get_or_create(code="MILL", defaults={"name": "磨粉车间", "hours_per_week": 120})[0]
    pack = WorkCentre.objects.get_or_create(code="PACK", defaults={"name": "包装车间", "hours_per_week": 80})[0]
    for product in Product.objects.filter(active=True, source=Product.Source.MAKE):
        if not product.routing.exists():
            RoutingStep.objects.create(product=product, work_centre=mill, hours_per_unit=Decimal("0.02"))
            RoutingStep.objects.create(product=product, work_centre=pack, hours_per_unit=Decimal("0.01"))

    # last month: MPS, plan, reports and a closed S&OP pack
    last_month = add_months(this_month, -1)
    _month_of_production(ctx, rng, month=last_month, planner=planner, close_all=True)
    pack_last = services.sop_pack_prepare(month=last_month, actor=director)
    services.sop_decision_add(
        pack=pack_last,
        text="节前备货：面粉提前两周生产 Build flour stock two weeks before the festival",
        owner=planner,
        actor=director,
        due_date=last_month + datetime.timedelta(days=20),
        family=ProductFamily.objects.filter(code="FLOUR").first(),
    )
    services.sop_pack_close(
        pack=pack_last, actor=director, at=_at(add_months(this_month, 0) - datetime.timedelta(days=1))
    )
    # this month
    schedule = _month_of_production(ctx, rng, month=this_month, planner=planner, close_all=False)
    services.production_plan_create(month=add_months(this_month, 1), actor=planner, schedule=schedule)  # draft
    pack_now = services.sop_pack_prepare(month=this_month, actor=director)
    services.sop_decision_add(
        pack=pack_now,
        text="挂面产能不足，评估周末加班 Noodle capacity short: evaluate weekend shifts",
        owner=planner,
        actor=director,
        family=ProductFamily.objects.filter(code="NOODLE").first(),
    )
    services.sop_decision_add(
        pack=pack_now,
        text="新品无安全库存：下月前备足25天的量 Launches have no stock cover: build 25 days before next month",
        owner=planner,
        actor=director,
        due_date=add_months(this_month, 1) - datetime.timedelta(days=7),
        family=ProductFamily.objects.filter(code="NEW").first(),
    )
    services.aggregate_scenario_create(
        name="成品 未来半年",
        family=finished,
        first_period=add_months(this_month, 1),
        actor=planner,
        inputs=_aggregate_inputs(finished, add_months(this_month, 1)),
    )
    # MRP on this month's schedule; two planned orders converted by purchasing and the planner
    run = services.mrp_run_create(actor=planner, schedule=schedule, enqueue=False)
    run = services.mrp_run_execute(run=run)
    from salesops.planning.models import PlannedOrder

    purchase = run.planned_orders.filter(kind=PlannedOrder.Kind.PURCHASE).order_by("release_date", "pk").first()
    if purchase is not None:
        services.planned_order_convert(planned=purchase, actor=ctx.user("purchasing"))
    made = run.planned_orders.filter(kind=PlannedOrder.Kind.PRODUCTION).order_by("release_date", "pk").first()
    if made is not None:
        services.planned_order_convert(planned=made, actor=planner)
    lines = ForecastLine.objects.filter(run=current).count()
    ctx.say(
        f"planning: 5 forecast runs ({lines} lines in the open one), 4 frozen versions, MRP {run.n_planned} "
        f"planned orders, {run.n_exceptions} exceptions"
    )


AGGREGATE_CREW = 5  # the packing crew of the finished goods
AGGREGATE_HOURS_PER_MONTH = 22 * 8


def _aggregate_inputs(family, first_period) -> dict:
    """The aggregate plan of a family sized to it, six months ahead.

    Demand: the consensus forecast where there is one (three months), after it the same
    months of last year scaled to the forecast's level (a seasonal naive). The crew of five
    is about 90 % busy on the average month; the stock it starts from is the family's stock
    on hand and it ends with three weeks of demand. Costs in yuan: a worker's hour 28 (about
    4,900 a month), overtime at 1.5 times, hiring 3,000, a layoff 9,000 (severance), the
    material the family's average standard cost, holding 2 % of it a month, and a
    subcontracted unit its material plus its labour at one and a half times."""
    from django.db.models import Sum

    from salesops.catalog.models import Product
    from salesops.inventory.models import StockBalance
    from salesops.planning.history import read_history
    from salesops.planning.periods import add_months, month_ordinal
    from salesops.planning.review import family_demand

    periods = 6
    months = [add_months(first_period, k) for k in range(periods)]
    forecast = family_demand(family=family, first_period=first_period, periods=periods)
    products = Product.objects.filter(active=True, family__path__startswith=family.path)
    ids = list(products.values_list("pk", flat=True))
    history = read_history(start=add_months(months[0], -12), end=add_months(months[-1], -12), product_ids=ids)
    last_year = dict.fromkeys(months, 0.0)
    for ordinal, quantity in zip(history.month.tolist(), history.quantity.tolist(), strict=True):
        for m in months:
            if month_ordinal(add_months(m, -12)) == ordinal:
                last_year[m] += quantity
    known = [k for k, value in enumerate(forecast) if value > 0]
    level = sum(forecast[k] for k in known) / max(sum(last_year[months[k]] for k in known), 1)
    demand = [value if value > 0 else round(last_year[months[k]] * level) for k, value in enumerate(forecast)]
    average = max(sum(demand) / len(demand), 1)
    hours_per_unit = round(AGGREGATE_CREW * AGGREGATE_HOURS_PER_MONTH * 0.9 / average, 2)
    costs = [(p.cost, p.pk) for p in products if p.cost]
    material = float(sum(c for c, _pk in costs) / len(costs)) if costs else 10.0
    regular_hour = 28
    stock = StockBalance.objects.filter(product__in=products).aggregate(t=Sum("on_hand"))["t"] or 0
    return {
        "demand": demand,
        "initial_workforce": AGGREGATE_CREW,
        "days_per_period": 22,
        "hours_per_day": 8,
        "labour_hours_per_unit": hours_per_unit,
        "initial_inventory": round(float(stock)),
        "final_inventory_min": round(average * 21 / 30),
        "costs": {
            "material": round(material, 2),
            "holding": round(material * 0.02, 2),
            "backlog": round(material * 0.2, 2),
            "hire": 3000,
            "layoff": 9000,
            "regular_hour": regular_hour,
            "overtime_hour": regular_hour * 1.5,
            "subcontract": round(material + hours_per_unit * regular_hour * 1.5, 2),
        },
    }


LAUNCH = [
    # sku, name, English, unit, lead time (days), launch volume per month
    ("NP-01", "杂粮挂面", "Multigrain noodles", "箱", 3, 600),
    ("NP-02", "燕麦面粉", "Oat flour", "袋", 3, 400),
    ("NP-03", "杂粮礼盒", "Multigrain gift box", "盒", 7, 120),
]


def _launch_products(ctx, planner):
    """A new product line with new components and no stock: MRP has work to do. The gift box
    contains the noodles, and oats are used by both, so oats sit on two BOM levels."""
    from salesops.catalog import services as catalog
    from salesops.catalog.models import Product, ProductFamily

    parent = ProductFamily.objects.filter(code="FG").first()
    family = catalog.family_create(code="NEW", name="新品", name_en="New launches", parent=parent, actor=planner)
    start = ctx.today - datetime.timedelta(days=120)
    components = {}
    for sku, name, name_en, lead, rule, lot in [
        ("RM-OAT", "燕麦", "Oats", 14, "FOQ", 500),
        ("PK-NEWBAG", "新品包装袋", "Launch pouch", 7, "LFL", 0),
    ]:
        components[sku] = catalog.product_create(
            sku=sku,
            name=name,
            name_en=name_en,
            unit="kg" if sku == "RM-OAT" else "pcs",
            actor=planner,
            source=Product.Source.BUY,
            lead_time_days=lead,
            lot_rule=rule,
            lot_qty=Decimal(lot),
            cost=Decimal("3"),
            family=ProductFamily.objects.filter(code="RAW" if sku == "RM-OAT" else "PACK").first(),
        )
    wheat = Product.objects.filter(sku="RM-WHEAT").first()
    made = []
    for sku, name, name_en, unit, lead, _volume in LAUNCH:
        made.append(
            catalog.product_create(
                sku=sku,
                name=name,
                name_en=name_en,
                unit=unit,
                actor=planner,
                family=family,
                source=Product.Source.MAKE,
                lead_time_days=lead,
                cost=Decimal("20"),
                list_price=Decimal("35"),
            )
        )
    noodles, oat_flour, gift = made
    catalog.bom_line_add(
        parent=noodles, component=components["RM-OAT"], quantity=Decimal("4"), valid_from=start, actor=planner
    )
    if wheat is not None:
        catalog.bom_line_add(parent=noodles, component=wheat, quantity=Decimal("6"), valid_from=start, actor=planner)
    catalog.bom_line_add(
        parent=noodles, component=components["PK-NEWBAG"], quantity=Decimal("1"), valid_from=start, actor=planner
    )
    catalog.bom_line_add(
        parent=oat_flour, component=components["RM-OAT"], quantity=Decimal("5"), valid_from=start, actor=planner
    )
    catalog.bom_line_add(
        parent=oat_flour, component=components["PK-NEWBAG"], quantity=Decimal("1"), valid_from=start, actor=planner
    )
    catalog.bom_line_add(parent=gift, component=noodles, quantity=Decimal("2"), valid_from=start, actor=planner)
    catalog.bom_line_add(
        parent=gift, component=components["RM-OAT"], quantity=Decimal("1"), valid_from=start, actor=planner
    )
    return made


def _bought_goods_on_order(ctx, *, product_ids, first_month) -> None:
    """Purchasing orders the finished goods the company buys (the seasonings) for each month of
    the S&OP horizon: the month's consensus forecast in the supplier's minimums and multiples,
    expected on the month's first day. Next month's order is sent; the later ones are drafts."""
    from salesops.catalog.models import Product
    from salesops.inventory import documents
    from salesops.inventory.models import SupplierItem
    from salesops.planning.forecasting import latest_consensus
    from salesops.planning.periods import add_months
    from salesops.planning.review import FUTURE_MONTHS

    purchasing = ctx.user("purchasing")
    bought = list(Product.objects.filter(pk__in=product_ids, source=Product.Source.BUY).values_list("pk", flat=True))
    months = [add_months(first_month, k) for k in range(FUTURE_MONTHS)]
    consensus = latest_consensus(product_ids=bought, months=months)
    terms = {}
    for item in SupplierItem.objects.filter(product_id__in=bought).select_related("supplier").order_by("pk"):
        terms.setdefault(item.product_id, item)
    for position, month in enumerate(months):
        per_supplier = {}
        for pid, item in terms.items():
            forecast = consensus.get((pid, month), Decimal("0"))
            if forecast <= 0:
                continue
            quantity = max(forecast, item.min_order_qty)
            multiple = item.order_multiple or Decimal("1")
            quantity = (quantity / multiple).to_integral_value(rounding=ROUND_CEILING) * multiple
            per_supplier.setdefault(item.supplier, []).append((pid, quantity, None))
        expected = max(month, ctx.today)  # the pack counts a purchase in the month it is expected
        for supplier, lines in per_supplier.items():
            order = documents.purchase_order_create(
                supplier=supplier,
                lines=lines,
                expected_date=expected,
                actor=purchasing,
                note="按预测采购 To the forecast",
            )
            if position == 0:
                documents.purchase_order_submit(order=order, actor=purchasing)


def _launch_volumes(*, run, launch, salesadmin) -> None:
    from salesops.planning import services
    from salesops.planning.models import ForecastLine

    volumes = {sku: volume for sku, *_rest, volume in LAUNCH}
    for product in launch:
        for line in ForecastLine.objects.filter(run=run, product=product).order_by("period"):
            services.forecast_override(
                line=line,
                new_value=volumes[product.sku],
                actor=salesadmin,
                reason="新品上市铺货量 Launch volume agreed with the key accounts",
            )


def _inputs_and_overrides(*, run, reps, salesadmin, rng, product_ids) -> None:
    from salesops.catalog.models import Product
    from salesops.planning import services
    from salesops.planning.models import ForecastLine

    lines = list(
        ForecastLine.objects.filter(run=run, level=ForecastLine.Level.PRODUCT, period=run.first_period).order_by(
            "product_id"
        )
    )
    for rep in reps:
        for line in rng.sample(lines, k=min(3, len(lines))):
            quantity = (line.baseline * Decimal(str(rng.choice([0.3, 0.4, 0.5])))).quantize(Decimal("1"))
            services.forecast_input_save(
                run=run,
                rep=rep,
                product=Product.objects.get(pk=line.product_id),
                period=line.period,
                quantity=quantity,
                actor=rep,
                note="客户备货 customer stocking up",
            )
    services.forecast_inputs_compile(run=run, actor=salesadmin)
    reasons = [
        "节日促销 Festival promotion",
        "新开门店 New outlets opening",
        "竞品降价 Competitor price cut",
        "大客户备货 Key account stocking",
    ]
    for line in rng.sample(lines, k=min(4, len(lines))):
        if line.overrides.exists():
            continue
        factor = Decimal(str(rng.choice([0.8, 0.9, 1.15, 1.25])))
        services.forecast_override(
            line=line,
            new_value=(line.consensus * factor).quantize(Decimal("1")),
            reason=rng.choice(reasons),
            actor=salesadmin,
        )


def _month_of_production(ctx, rng, *, month, planner, close_all: bool):
    from salesops.planning import services
    from salesops.planning.models import PlanAcknowledgement
    from salesops.planning.mps import bucket_fulfilment
    from salesops.planning.periods import add_months, week_start
    from salesops.planning.review import FUTURE_MONTHS

    # the schedule reaches to the end of the S&OP pack's horizon, so every month of the pack has its production
    first_week = week_start(month)
    weeks = ((add_months(month, FUTURE_MONTHS + 1) - first_week).days + 6) // 7
    schedule = services.mps_generate(actor=planner, first_week=first_week, weeks=weeks)
    plan = services.production_plan_create(month=month, actor=planner, schedule=schedule)
    issued = _at(month - datetime.timedelta(days=3), 10)
    plan = services.production_plan_issue(plan=plan, actor=planner, at=issued)
    people = {
        "production": planner,
        "packaging": ctx.user("warehouse"),
        "purchasing": ctx.user("purchasing"),
        "warehouse": ctx.user("warehouse"),
    }
    for department, _label in PlanAcknowledgement.Department.choices:
        services.production_plan_acknowledge(
            plan=plan, department=department, actor=people[department], at=issued + datetime.timedelta(hours=3)
        )
    yesterday = ctx.today - datetime.timedelta(days=1)
    reasons = ["设备检修 Mill maintenance", "原料晚到 Wheat delivered late", "停电半天 Half-day power cut"]
    for bucket in plan.buckets.all():
        if bucket.start > yesterday:
            continue
        days = (min(bucket.end, yesterday) - bucket.start).days + 1
        total_days = (bucket.end - bucket.start).days + 1
        short = rng.random() < 0.4
        for line in bucket.lines.select_related("product"):
            factor = Decimal(str(rng.choice([0.82, 0.9]) if short else rng.choice([1.0, 1.02])))
            total = int((line.planned * factor).to_integral_value())
            for k in range(days):
                quantity = total * (k + 1) // total_days - total * k // total_days
                if quantity > 0:
                    services.production_report_create(
                        date=bucket.start + datetime.timedelta(days=k),
                        product=line.product,
                        quantity=quantity,
                        actor=planner,
                    )
        if bucket.end <= yesterday and (close_all or bucket.end < yesterday):
            summary = bucket_fulfilment(bucket)
            missed = {row["line"].pk: rng.choice(reasons) for row in summary["lines"] if row["missed"]}
            services.plan_bucket_close(bucket=bucket, reasons=missed, actor=planner)
    return schedule
