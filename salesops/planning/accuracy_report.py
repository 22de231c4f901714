"""Forecast accuracy (预测达成率) from the frozen versions and the sales history.

"The forecast" of a month is the consensus of the version frozen the month before (lag 1);
lags 2 and 3 come from the versions frozen two and three months before. Per product, family
and month: actual, forecast, WAPE, MAPE and bias (`engine.accuracy.accuracy_rows`); per lag:
`lag_accuracy_rows`; value added of the consensus over the statistical baseline:
`value_added_rows`. Per rep: the reps' own inputs (of the runs that were submitted) against
what each rep actually sold of those products in those months.

A page-sized report (hundreds of pairs) is computed on plain lists and numpy arrays read with a
raw cursor: no model instances, no Decimals per row and no dataframes, whose fixed costs
dominate at this size.
"""

from __future__ import annotations

import datetime

import numpy as np

from salesops.catalog.models import Product, ProductFamily
from salesops.planning.engine.accuracy import accuracy_rows, lag_accuracy_rows, value_added_rows
from salesops.planning.history import History, _fetch, read_history
from salesops.planning.models import ForecastInput, ForecastLine, ForecastVersion, ForecastVersionRow
from salesops.planning.periods import add_months, month_ordinal, month_start, ordinal_month, text_month_ordinals

EMPTY = {"months": [], "by_month": [], "by_family": [], "by_product": [], "by_rep": [], "lags": [], "fva": []}


def _month_text(ordinal: int) -> str:
    return f"{ordinal_month(ordinal):%Y-%m}"


def _snapshots(*, first: datetime.date, last: datetime.date, product_ids: list[int]):
    """Frozen product rows: (version month ordinals, period ordinals, product ids, baselines, consensus)."""
    rows = _fetch(
        ForecastVersionRow.objects.filter(
            level=ForecastLine.Level.PRODUCT, period__gte=first, period__lte=last, product_id__in=product_ids
        ).values_list("version__month", "period", "product_id", "baseline", "consensus")
    )
    if not rows:
        return None
    version_months, periods, products, baselines, consensus = zip(*rows, strict=True)
    return (
        text_month_ordinals(version_months),
        text_month_ordinals(periods),
        list(products),
        np.array(baselines, dtype=float),
        np.array(consensus, dtype=float),
    )


def _totals(keys, quantities) -> dict[tuple, float]:
    totals: dict[tuple, float] = {}
    for key, quantity in zip(keys, quantities, strict=True):
        totals[key] = totals.get(key, 0.0) + quantity
    return totals


def accuracy_report(*, months: int = 12, today: datetime.date | None = None, family_id: int | None = None) -> dict:
    """Everything the accuracy page shows, as plain rows (numbers as fractions)."""
    last = add_months(month_start(today or datetime.date.today()), -1)
    first = add_months(last, -(months - 1))
    products = Product.objects.all()
    if family_id:
        family = ProductFamily.objects.filter(pk=family_id).first()
        products = products.filter(family__path__startswith=family.path) if family else products.none()
    catalogue = {pk: (sku, fam) for pk, sku, fam in products.values_list("pk", "sku", "family_id")}
    if not catalogue:
        return {**EMPTY, "first": first, "last": last}
    snapshots = _snapshots(first=first, last=last, product_ids=list(catalogue))
    if snapshots is None:
        return {**EMPTY, "first": first, "last": last}
    families = dict(ProductFamily.objects.values_list("pk", "name"))
    version_month, period, product, baseline, consensus = snapshots
    history = read_history(start=first, end=last, product_ids=list(catalogue))
    history_products = history.product.tolist()
    history_months = history.month.tolist()
    actual_of = _totals(zip(history_products, history_months, strict=True), history.quantity.tolist())

    # lag 1: the forecast of each month
    lag1 = np.flatnonzero(period - version_month == 1).tolist()
    lag1_product = [product[i] for i in lag1]
    lag1_period = period[lag1].tolist()
    lag1_month = [_month_text(p) for p in lag1_period]
    lag1_actual = np.array(
        [actual_of.get(key, 0.0) for key in zip(lag1_product, lag1_period, strict=True)], dtype=float
    )
    lag1_value, lag1_baseline = consensus[lag1], baseline[lag1]
    by_month_keys = [(month,) for month in lag1_month]
    family_ids = [catalogue[p][1] for p in lag1_product]

    by_month = accuracy_rows(keys=by_month_keys, names=["month"], actual=lag1_actual, forecast=lag1_value)
    by_family = accuracy_rows(
        keys=[(f, families.get(f, "")) for f in family_ids],
        names=["family_id", "family"],
        actual=lag1_actual,
        forecast=lag1_value,
    )
    by_product = accuracy_rows(
        keys=[(p, catalogue[p][0]) for p in lag1_product],
        names=["product", "sku"],
        actual=lag1_actual,
        forecast=lag1_value,
    )
    fva = value_added_rows(
        keys=by_month_keys, names=["month"], actual=lag1_actual, consensus=lag1_value, baseline=lag1_baseline
    )
    lags = lag_accuracy_rows(
        series=product,
        version_month=version_month,
        period=period,
        value=consensus,
        actual_series=history_products,
        actual_period=history_months,
        actual=history.quantity,
    )
    return {
        "first": first,
        "last": last,
        "months": sorted(set(lag1_month)),
        "by_month": by_month,
        "by_family": by_family,
        "by_product": by_product,
        "by_rep": _rep_accuracy(first=first, last=last, history=history, product_ids=list(catalogue)),
        "lags": lags,
        "fva": fva,
    }


def _rep_accuracy(*, first, last, history: History, product_ids: list[int]) -> list[dict]:
    from salesops.core.models import User

    # the inputs of each submitted run for the month after its version month (the lag-1 month)
    measured = {}
    for run_id, version_month in ForecastVersion.objects.values_list("run_id", "month"):
        period = add_months(version_month, 1)
        if first <= period <= last:
            measured[(run_id, month_ordinal(period))] = True
    if not measured:
        return []
    rows = _fetch(
        ForecastInput.objects.filter(
            run_id__in={run for run, _ in measured},
            period__in=[ordinal_month(m) for _, m in measured],
            product_id__in=product_ids,
        ).values_list("run_id", "rep_id", "product_id", "period", "quantity")
    )
    if not rows:
        return []
    runs, reps, products, periods, quantities = zip(*rows, strict=True)
    months = text_month_ordinals(periods).tolist()
    keep = [i for i, (run, month) in enumerate(zip(runs, months, strict=True)) if (run, month) in measured]
    if not keep:
        return []
    forecast_of = _totals(
        ((reps[i], products[i], months[i]) for i in keep), np.array([quantities[i] for i in keep], dtype=float).tolist()
    )
    sold = _totals(
        zip(history.rep.tolist(), history.product.tolist(), history.month.tolist(), strict=True),
        history.quantity.tolist(),
    )
    pairs = sorted(forecast_of)
    result = accuracy_rows(
        keys=[(rep,) for rep, _, _ in pairs],
        names=["rep"],
        actual=np.array([sold.get(key, 0.0) for key in pairs], dtype=float),
        forecast=np.array([forecast_of[key] for key in pairs], dtype=float),
    )
    names = {u.pk: u.display_name for u in User.objects.filter(pk__in=[row["rep"] for row in result])}
    for row in result:
        row["name"] = names.get(row["rep"], "")
    return result
