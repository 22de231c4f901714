"""Demo products: a flour and food range (面粉, 挂面, 食用油, 调味品) with raw materials and
packaging, multi-level bills of materials, price lists, an applied price change in the history
and one waiting for approval. Everything through the catalog services and the approval engine."""

import datetime
from decimal import Decimal

from salesops.approvals.models import ApprovalRequest, ApprovalTask
from salesops.approvals.services import approval_decide
from salesops.catalog import services
from salesops.catalog.models import Product

ORDER = 30

FAMILIES = [
    # code, name, English, parent
    ("FG", "成品", "Finished goods", None),
    ("FLOUR", "面粉", "Flour", "FG"),
    ("NOODLE", "挂面", "Noodles", "FG"),
    ("OIL", "食用油", "Cooking oil", "FG"),
    ("SEASON", "调味品", "Seasonings", "FG"),
    ("GIFT", "礼盒", "Gift boxes", "FG"),
    ("RAW", "原料", "Raw materials", None),
    ("PACK", "包材", "Packaging", None),
]

RAW = [
    # sku, name, English, spec, unit, family, cost
    ("RM-WHEAT", "小麦", "Wheat", "国标二等", "kg", "RAW", "2.80"),
    ("RM-SALT", "食盐", "Salt", "食品级", "kg", "RAW", "1.20"),
    ("RM-SOY", "大豆", "Soybeans", "非转基因", "kg", "RAW", "4.60"),
    ("RM-PEANUT", "花生", "Peanuts", "一级", "kg", "RAW", "9.80"),
    ("RM-RAPESEED", "油菜籽", "Rapeseed", "一级", "kg", "RAW", "6.10"),
    ("PK-BAG25", "25kg编织袋", "25 kg woven bag", "", "pcs", "PACK", "1.10"),
    ("PK-BAG5", "5kg复合袋", "5 kg laminated bag", "", "pcs", "PACK", "0.45"),
    ("PK-BAG1", "1kg小袋", "1 kg pouch", "", "pcs", "PACK", "0.15"),
    ("PK-CARTON", "纸箱", "Carton", "五层瓦楞", "pcs", "PACK", "2.30"),
    ("PK-BOTTLE5", "5L PET瓶", "5 L PET bottle", "", "pcs", "PACK", "1.60"),
    ("PK-BOTTLE1", "500ml玻璃瓶", "500 ml glass bottle", "", "pcs", "PACK", "0.90"),
    ("PK-GIFTBOX", "礼盒外盒", "Gift box case", "", "pcs", "PACK", "6.50"),
]

# Shelf life of the lot-tracked families (flour's manual: production date, first in first out).
SHELF_LIFE = {"FLOUR": 180, "NOODLE": 365, "OIL": 540, "SEASON": 540}

FLOURS = [("高筋", "Bread"), ("中筋", "All-purpose"), ("低筋", "Cake"), ("全麦", "Wholemeal"), ("饺子", "Dumpling")]
NOODLES = [
    ("龙须", "Dragon-whisker"),
    ("鸡蛋", "Egg"),
    ("荞麦", "Buckwheat"),
    ("宽面", "Wide"),
    ("菠菜", "Spinach"),
    ("刀削", "Knife-cut"),
]
OILS = [
    ("花生油", "Peanut oil", "RM-PEANUT", "2.6"),
    ("大豆油", "Soybean oil", "RM-SOY", "5.2"),
    ("菜籽油", "Rapeseed oil", "RM-RAPESEED", "2.9"),
]
SEASONINGS = [
    ("生抽", "Light soy sauce"),
    ("老抽", "Dark soy sauce"),
    ("香醋", "Aromatic vinegar"),
    ("料酒", "Cooking wine"),
    ("蚝油", "Oyster sauce"),
    ("鸡精", "Chicken essence"),
    ("辣椒酱", "Chili sauce"),
]


def _ean(seq: int) -> str:
    from salesops.catalog.models import ean13_check_digit

    first12 = f"690{1234:04d}{seq:05d}"
    return first12 + str(ean13_check_digit(first12))


def _approve(request, *, now=None) -> None:
    if request is None:
        return
    while True:
        task = ApprovalTask.objects.filter(request=request, status=ApprovalTask.Status.OPEN).first()
        if task is None:
            return
        approval_decide(task=task, actor=task.assignee, decision="approve", now=now)


def build(ctx):
    rng = ctx.rng("catalog")
    purchasing = ctx.user("purchasing")
    planner = ctx.user("planner")
    families = {}
    for code, name, name_en, parent in FAMILIES:
        families[code] = services.family_create(
            code=code, name=name, name_en=name_en, parent=families.get(parent), actor=ctx.user("admin")
        )
    made = []

    def add(sku, name, name_en, spec, unit, family, cost, price, source="buy", spec_en="", lead=7, lot=None):
        product = services.product_create(
            sku=sku,
            name=name,
            name_en=name_en,
            spec=spec,
            spec_en=spec_en or spec,
            unit=unit,
            family=families[family],
            cost=Decimal(cost),
            list_price=Decimal(price),
            tax_rate=Decimal("9"),
            source=source,
            lead_time_days=lead,
            lot_rule="FOQ" if lot else "LFL",
            lot_qty=Decimal(lot or 0),
            safety_stock=Decimal(rng.choice([0, 5, 10, 20]) if family not in {"RAW", "PACK"} else 0),
            # real units: weights to the gram, everything else counted; flour leaves the mill at 98 %
            quantity_decimals=3 if unit == "kg" else 0,
            yield_pct=Decimal("98") if family == "FLOUR" else Decimal("100"),
            lot_tracked=family in SHELF_LIFE,
            shelf_life_days=SHELF_LIFE.get(family),
            expiry_warning_days=30 if family == "FLOUR" else 60,
            actor=purchasing if source == "buy" else planner,
        )
        made.append(product)
        return product

    for sku, name, name_en, spec, unit, family, cost in RAW:
        add(sku, name, name_en, spec, unit, family, cost, "0", lead=rng.choice([7, 10, 14]), lot=1000)
    seq = 1
    for index, (name, name_en) in enumerate(FLOURS, start=1):
        for size, _bag, unit_price in [("25kg", "PK-BAG25", 4.4), ("5kg", "PK-BAG5", 5.2), ("1kg", "PK-BAG1", 6.4)]:
            kg = Decimal(size[:-2])
            cost = (kg * Decimal("3.5")).quantize(Decimal("0.01"))
            add(
                f"FL-{index:02d}-{size.upper()}",
                f"{name}小麦粉",
                f"{name_en} flour",
                size,
                "袋",
                "FLOUR",
                cost,
                (kg * Decimal(str(unit_price))).quantize(Decimal("0.01")),
                source="make",
                lead=3,
            )
    for index, (name, name_en) in enumerate(NOODLES, start=1):
        add(
            f"NO-{index:02d}",
            f"{name}挂面",
            f"{name_en} noodles",
            "1kg",
            "袋",
            "NOODLE",
            "4.20",
            str(Decimal("8.50") + index),
            source="make",
            spec_en="1 kg",
            lead=2,
        )
    for index, (name, name_en, _raw, _kg) in enumerate(OILS, start=1):
        add(
            f"OI-{index:02d}-5L",
            f"{name}",
            name_en,
            "5L",
            "桶",
            "OIL",
            str(40 + index * 6),
            str(62 + index * 9),
            source="make",
            lead=5,
        )
        add(
            f"OI-{index:02d}-500",
            f"{name}(小瓶)",
            f"{name_en} (small)",
            "500ml",
            "瓶",
            "OIL",
            str(6 + index),
            str(11 + index * 2),
            source="make",
            lead=5,
        )
    for index, (name, name_en) in enumerate(SEASONINGS, start=1):
        add(f"SE-{index:02d}", name, name_en, "500ml", "瓶", "SEASON", str(3 + index % 4), str(7 + index), lead=10)
    add("GB-01", "节日挂面礼盒", "Festive noodle gift box", "6×1kg", "盒", "GIFT", "32", "68", source="make", lead=5)
    add("GB-02", "粮油礼盒", "Grain and oil gift box", "面粉5kg+油5L", "盒", "GIFT", "80", "158", source="make", lead=5)
    by_sku = {p.sku: p for p in made}

    # Barcodes and packaging units of the finished goods (carton of 24 bags, etc.).
    for product in made:
        if product.family.code in {"RAW", "PACK"}:
            continue
        services.barcode_add(product=product, code=_ean(seq), actor=purchasing)
        seq += 1
        if product.sku.endswith("1KG") or product.sku.startswith(("NO-", "SE-")):
            services.packaging_add(
                product=product,
                name="箱",
                name_en="carton",
                factor=24 if "1KG" in product.sku or product.sku.startswith("NO-") else 12,
                actor=purchasing,
            )
        elif product.sku.startswith("OI-") and product.sku.endswith("5L"):
            services.packaging_add(product=product, name="箱", name_en="carton", factor=4, actor=purchasing)

    # Bills of materials (valid from the start of last year; one line replaced this year).
    start = datetime.date(ctx.today.year - 1, 1, 1)
    for product in made:
        sku = product.sku
        if sku.startswith("FL-"):
            kg = Decimal(product.spec[:-2])
            bag = {"25KG": "PK-BAG25", "5KG": "PK-BAG5", "1KG": "PK-BAG1"}[sku.split("-")[-1]]
            services.bom_line_add(
                parent=product,
                component=by_sku["RM-WHEAT"],
                quantity=kg * Decimal("1.32"),
                scrap_pct=Decimal("1.5"),
                valid_from=start,
                actor=planner,
            )
            services.bom_line_add(parent=product, component=by_sku[bag], quantity=1, valid_from=start, actor=planner)
        elif sku.startswith("NO-"):
            # noodles are made from the all-purpose 25 kg flour: wheat sits two levels down
            services.bom_line_add(
                parent=product,
                component=by_sku["FL-02-25KG"],
                quantity=Decimal("0.04"),
                scrap_pct=Decimal("3"),
                valid_from=start,
                actor=planner,
            )
            services.bom_line_add(
                parent=product, component=by_sku["RM-SALT"], quantity=Decimal("0.015"), valid_from=start, actor=planner
            )
            services.bom_line_add(
                parent=product, component=by_sku["PK-BAG1"], quantity=1, valid_from=start, actor=planner
            )
            services.bom_line_add(
                parent=product,
                component=by_sku["PK-CARTON"],
                quantity=Decimal("0.0417"),
                valid_from=start,
                actor=planner,
            )
        elif sku.startswith("OI-"):
            index = int(sku.split("-")[1])
            raw = by_sku[OILS[index - 1][2]]
            per_litre = Decimal(OILS[index - 1][3])
            litres = Decimal("5") if sku.endswith("5L") else Decimal("0.5")
            services.bom_line_add(
                parent=product,
                component=raw,
                quantity=per_litre * litres,
                scrap_pct=Decimal("2"),
                valid_from=start,
                actor=planner,
            )
            bottle = by_sku["PK-BOTTLE5" if sku.endswith("5L") else "PK-BOTTLE1"]
            services.bom_line_add(parent=product, component=bottle, quantity=1, valid_from=start, actor=planner)
    # Gift boxes: noodles (which carry cartons themselves) and a carton at the first level too.
    services.bom_line_add(
        parent=by_sku["GB-01"], component=by_sku["NO-01"], quantity=3, valid_from=start, actor=planner
    )
    services.bom_line_add(
        parent=by_sku["GB-01"], component=by_sku["NO-02"], quantity=3, valid_from=start, actor=planner
    )
    services.bom_line_add(
        parent=by_sku["GB-01"], component=by_sku["PK-CARTON"], quantity=1, valid_from=start, actor=planner
    )
    services.bom_line_add(
        parent=by_sku["GB-01"], component=by_sku["PK-GIFTBOX"], quantity=1, valid_from=start, actor=planner
    )
    services.bom_line_add(
        parent=by_sku["GB-02"], component=by_sku["FL-01-5KG"], quantity=1, valid_from=start, actor=planner
    )
    services.bom_line_add(
        parent=by_sku["GB-02"], component=by_sku["OI-01-5L"], quantity=1, valid_from=start, actor=planner
    )
    services.bom_line_add(
        parent=by_sku["GB-02"], component=by_sku["PK-GIFTBOX"], quantity=1, valid_from=start, actor=planner
    )

    # New products are requests approved through the approval engine; one stays waiting.
    pending = by_sku["SE-07"]
    for product in made:
        product = services.product_submit(product=product, actor=product_actor(product, purchasing, planner))
        if product.pk == pending.pk:
            continue
        _approve(ApprovalRequest.objects.filter(doc_type="new_product", object_id=str(product.pk)).first())

    # Price lists: the standard list for everyone, a supermarket list (KA) a little lower.
    standard = services.price_list_create(
        code="STD", name="标准价格表", valid_from=start, is_default=True, actor=purchasing
    )
    supermarket = services.price_list_create(
        code="KA", name="商超价格表", channel="supermarket", valid_from=start, actor=purchasing
    )
    finished = [p for p in made if p.family.parent_id == families["FG"].pk]
    services.price_list_set_prices(
        price_list=standard, prices={p.pk: p.list_price for p in finished}, valid_from=start, actor=purchasing
    )
    services.price_list_set_prices(
        price_list=supermarket,
        prices={p.pk: (p.list_price * Decimal("0.95")).quantize(Decimal("0.01")) for p in finished},
        valid_from=start,
        actor=purchasing,
    )

    # A price change applied two months ago (wheat went up) and one waiting for approval (oil).
    past = ctx.today - datetime.timedelta(days=60)
    flours = [p for p in finished if p.sku.startswith("FL-")]
    change = services.price_change_create(
        effective_date=past,
        reason="小麦收购价上涨 Wheat purchase price up",
        price_list=standard,
        actor=purchasing,
        lines=[(p, (p.list_price * Decimal("1.04")).quantize(Decimal("0.1"))) for p in flours],
    )
    services.price_change_submit(change=change, actor=purchasing)
    _approve(ApprovalRequest.objects.filter(doc_type="price_change", object_id=str(change.pk)).first())
    oils = [p for p in finished if p.sku.startswith("OI-")]
    change = services.price_change_create(
        effective_date=ctx.today + datetime.timedelta(days=14),
        reason="油料成本上涨 Oilseed cost up",
        actor=purchasing,
        lines=[(p, (p.list_price * Decimal("1.06")).quantize(Decimal("0.1"))) for p in oils],
    )
    services.price_change_submit(change=change, actor=purchasing)
    approved = Product.objects.filter(status=Product.Status.APPROVED).count()
    ctx.say(f"{len(made)} products ({len(finished)} finished, {approved} approved), BOMs, 2 price lists, price changes")


def product_actor(product, purchasing, planner):
    return purchasing if product.source == "buy" else planner
