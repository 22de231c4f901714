"""The forecast hierarchy: product ↔ family ↔ total, always adding up.

Products are forecast (one statistical series each); a family's figures are the sum of its
products' and the total's the sum of every product's, for the baseline, the seasonal naive
and the consensus alike (bottom-up). A person may override a family or the total (top-down):
the new figure is spread over its products in proportion to their consensus (their baseline
when the consensus is all zero, evenly when that is zero too), each product's change recorded
as an override with the same reason, and the sums are written again. So the family figure a
page shows is the sum of the product figures every other page (the S&OP pack, the MPS) reads.
Products without a family count in the total only (the catalogue puts every product in one).
"""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_DOWN, Decimal

from salesops.planning.models import ForecastLine

Q3 = Decimal("0.001")
L = ForecastLine.Level
SUM_FIELDS = ("baseline", "seasonal_naive", "consensus")


def spread(total: Decimal, weights: list[Decimal]) -> list[Decimal]:
    """`total` split over `weights` in proportion, to 0.001, adding up exactly (the rounding
    remainder goes to the largest share)."""
    if not weights:
        return []
    weight_sum = sum(weights, Decimal("0"))
    if weight_sum <= 0:
        weights, weight_sum = [Decimal("1")] * len(weights), Decimal(len(weights))
    shares = [(total * w / weight_sum).quantize(Q3, rounding=ROUND_DOWN) for w in weights]
    largest = max(range(len(weights)), key=lambda k: weights[k])
    shares[largest] += total - sum(shares, Decimal("0"))
    return shares


def reconcile(*, run_id: int, periods=None) -> None:
    """Write the family and total lines of a run (of `periods`, or all) as sums of its products."""
    products = ForecastLine.objects.filter(run_id=run_id, level=L.PRODUCT)
    if periods is not None:
        products = products.filter(period__in=list(periods))
    sums: dict[tuple[str, int | None, object], list[Decimal]] = defaultdict(lambda: [Decimal("0")] * 3)
    for family_id, period, *values in products.values_list("product__family_id", "period", *SUM_FIELDS):
        keys = [(L.TOTAL, None, period)] + ([(L.FAMILY, family_id, period)] if family_id else [])
        for key in keys:
            sums[key] = [a + b for a, b in zip(sums[key], values, strict=True)]
    existing = ForecastLine.objects.filter(run_id=run_id, level__in=[L.FAMILY, L.TOTAL])
    if periods is not None:
        existing = existing.filter(period__in=list(periods))
    changed, seen = [], set()
    for line in existing:
        key = (line.level, line.family_id, line.period)
        seen.add(key)
        values = sums.get(key, [Decimal("0")] * 3)
        if [line.baseline, line.seasonal_naive, line.consensus] != values:
            line.baseline, line.seasonal_naive, line.consensus = values
            changed.append(line)
    ForecastLine.objects.bulk_update(changed, list(SUM_FIELDS), batch_size=2000)
    ForecastLine.objects.bulk_create(
        [
            ForecastLine(
                run_id=run_id,
                level=level,
                family_id=family_id,
                period=period,
                baseline=values[0],
                seasonal_naive=values[1],
                consensus=values[2],
                model="sum",
            )
            for (level, family_id, period), values in sums.items()
            if (level, family_id, period) not in seen
        ],
        batch_size=2000,
    )


def children_of(line: ForecastLine):
    """The product lines a family or total line adds up, locked for the change."""
    products = ForecastLine.objects.select_for_update().filter(run_id=line.run_id, level=L.PRODUCT, period=line.period)
    if line.level == L.FAMILY:
        products = products.filter(product__family_id=line.family_id)
    return list(products.order_by("pk"))


def top_down(line: ForecastLine, value: Decimal) -> list[tuple[ForecastLine, Decimal]]:
    """(product line, new consensus) pairs that make `line` add up to `value`."""
    children = children_of(line)
    weights = [child.consensus for child in children]
    if sum(weights, Decimal("0")) <= 0:
        weights = [child.baseline for child in children]
    return list(zip(children, spread(value, weights), strict=True))
