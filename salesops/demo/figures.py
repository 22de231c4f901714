"""The demo's supply and S&OP figures, measured: is the demo believable?

`demo_figures()` reads what the loaded demo holds and returns the numbers a planner would look
at first: days of cover of every finished product that sells (stock on hand over the average
daily demand of the last 90 days), the monthly demand history and its season (the largest full
month over the smallest), the aggregate plan scenario (production, workforce), the S&OP pack
of this month (on hand, cover per family) and whether each family's forecast equals the sum of
its products. `manage.py demo_figures` prints them; the demo's tests assert their bounds.
"""

from __future__ import annotations

import datetime
import statistics
from collections import defaultdict
from decimal import Decimal

COVER_WINDOW_DAYS = 90


def _finished_products():
    from salesops.catalog.models import Product, ProductFamily

    finished = ProductFamily.objects.filter(code="FG").first()
    products = Product.objects.filter(active=True)
    if finished is not None:
        products = products.filter(family__path__startswith=finished.path)
    return list(products.select_related("family").order_by("sku"))


def cover_days(*, today: datetime.date) -> dict[str, float | None]:
    """{sku: days of cover} of the finished products: stock on hand over the average daily
    quantity ordered in the last 90 days (`salesops.demo.demo.daily_demand`); None when
    nothing was ordered in the window."""
    from salesops.demo.demo import daily_demand
    from salesops.inventory.selectors import on_hand_by_product

    products = _finished_products()
    ids = [p.pk for p in products]
    daily = daily_demand(today=today, days=COVER_WINDOW_DAYS)
    stock = on_hand_by_product(ids)
    cover = {}
    for product in products:
        rate = daily.get(product.pk)
        cover[product.sku] = round(float((stock.get(product.pk) or 0) / rate), 1) if rate else None
    return cover


def raw_cover_weeks(*, today: datetime.date) -> dict[str, float | None]:
    """{sku: weeks of cover} of the bought components of the made products: stock on hand over
    the weekly requirement of the last 90 days' orders, exploded through the bills of materials."""
    from salesops.catalog.models import Product
    from salesops.demo.demo import _explosion, daily_demand
    from salesops.inventory.selectors import on_hand_by_product

    made = list(Product.objects.filter(source=Product.Source.MAKE).values_list("pk", flat=True))
    per_unit = _explosion(made)
    weekly = defaultdict(Decimal)
    for pid, rate in daily_demand(today=today, days=COVER_WINDOW_DAYS).items():
        for component, quantity in per_unit.get(pid, {}).items():
            weekly[component] += rate * quantity * 7
    components = sorted({c for explosion in per_unit.values() for c in explosion})
    stock = on_hand_by_product(components)
    skus = dict(Product.objects.filter(pk__in=components).values_list("pk", "sku"))
    return {skus[c]: round(float((stock.get(c) or 0) / weekly[c]), 1) if weekly[c] else None for c in components}


def monthly_demand(*, today: datetime.date, months: int = 24) -> dict[str, float]:
    """{"YYYY-MM": quantity sold} of the full months before this one."""
    from salesops.planning.history import read_history
    from salesops.planning.periods import add_months, month_ordinal, month_start

    this_month = month_start(today)
    firsts = [add_months(this_month, -k) for k in range(months, 0, -1)]
    history = read_history(start=firsts[0], end=firsts[-1])
    totals = defaultdict(float)
    for m, q in zip(history.month.tolist(), history.quantity.tolist(), strict=True):
        totals[m] += q
    return {f"{first:%Y-%m}": round(totals[month_ordinal(first)], 1) for first in firsts}


def aggregate_plan() -> dict | None:
    from salesops.planning.models import AggregatePlanScenario

    scenario = AggregatePlanScenario.objects.order_by("-pk").first()
    if scenario is None:
        return None
    periods = (scenario.result or {}).get("periods", [])
    return {
        "name": scenario.name,
        "status": scenario.status,
        "message": scenario.message,
        "total_cost": float(scenario.total_cost or 0),
        "demand": [p["demand"] for p in periods],
        "production": [p["production"] for p in periods],
        "workforce": [p["workforce"] for p in periods],
        "inventory": [p["inventory"] for p in periods],
        "initial_inventory": scenario.inputs.get("initial_inventory"),
        "initial_workforce": scenario.inputs.get("initial_workforce"),
    }


def family_sum_mismatches() -> list[str]:
    """Forecast lines whose family (or total) value is not the sum of its products', in the latest run."""
    from salesops.planning.models import ForecastLine, ForecastRun

    run = ForecastRun.objects.filter(lines__isnull=False).order_by("-pk").first()
    if run is None:
        return []
    lines = list(ForecastLine.objects.filter(run=run).select_related("product__family", "family"))
    by_family = defaultdict(Decimal)
    total = defaultdict(Decimal)
    for line in lines:
        if line.level == ForecastLine.Level.PRODUCT:
            by_family[(line.product.family_id, line.period)] += line.consensus
            total[line.period] += line.consensus
    problems = []
    for line in lines:
        if line.level == ForecastLine.Level.FAMILY:
            expected = by_family[(line.family_id, line.period)]
        elif line.level == ForecastLine.Level.TOTAL:
            expected = total[line.period]
        else:
            continue
        if abs(line.consensus - expected) > Decimal("0.5"):
            name = line.family.code if line.family else "total"
            problems.append(f"{name} {line.period:%Y-%m}: {line.consensus} != {expected}")
    return problems


def sop_pack(*, today: datetime.date) -> list[dict]:
    from salesops.planning.models import SopPack
    from salesops.planning.periods import month_start

    pack = SopPack.objects.filter(month=month_start(today)).first()
    if pack is None:
        return []
    return [
        {
            "family": family["code"],
            "on_hand": family["on_hand"],
            "demand": [row["demand"] for row in family["future"]],
            "inventory": [row["inventory"] for row in family["future"]],
            "cover": [row["days_of_cover"] for row in family["future"]],
            "gaps": family["gaps"],
            "actuals": [row["quantity"] for row in family["actuals"]],
        }
        for family in pack.data.get("families", [])
    ]


def demo_figures(*, today: datetime.date | None = None) -> dict:
    from salesops.core.selectors import company_date

    today = today or company_date()
    cover = cover_days(today=today)
    known = sorted(value for value in cover.values() if value is not None)
    monthly = monthly_demand(today=today)
    full = [value for value in monthly.values() if value > 0]
    return {
        "cover": cover,
        "cover_min": known[0] if known else None,
        "cover_median": statistics.median(known) if known else None,
        "cover_max": known[-1] if known else None,
        "monthly": monthly,
        "season_ratio": round(max(full) / min(full), 2) if full else None,
        "raw_cover_weeks": raw_cover_weeks(today=today),
        "aggregate": aggregate_plan(),
        "family_mismatches": family_sum_mismatches(),
        "sop_pack": sop_pack(today=today),
    }
