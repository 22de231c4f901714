"""Forecast accuracy (预测达成率) from the frozen versions and the sales history.

"The forecast" of a month is the consensus of the version frozen the month before (lag 1);
lags 2 and 3 come from the versions frozen two and three months before. Per product, family
and month: actual, forecast, WAPE, MAPE and bias (`engine.accuracy.accuracy_by`); per lag:
`lag_accuracy`; value added of the consensus over the statistical baseline:
`forecast_value_added`. Per rep: the reps' own inputs (of the runs that were submitted) against
what each rep actually sold of those products in those months.
"""

from __future__ import annotations

import datetime

import pandas as pd

from salesops.catalog.models import Product, ProductFamily
from salesops.planning.engine.accuracy import accuracy_by, forecast_value_added, lag_accuracy
from salesops.planning.history import read_history
from salesops.planning.models import ForecastInput, ForecastLine, ForecastVersion, ForecastVersionRow
from salesops.planning.periods import add_months, month_ordinal, month_start, ordinal_month


def _frames(*, first: datetime.date, last: datetime.date, product_ids=None):
    rows = ForecastVersionRow.objects.filter(level=ForecastLine.Level.PRODUCT, period__gte=first, period__lte=last)
    if product_ids is not None:
        rows = rows.filter(product_id__in=list(product_ids))
    snapshots = pd.DataFrame(
        list(rows.values_list("version__month", "period", "product_id", "baseline", "consensus")),
        columns=["version_month", "period", "product", "baseline", "value"],
    )
    history = read_history(start=first, end=last, product_ids=product_ids)
    actuals = pd.DataFrame({"product": history.product, "month": history.month, "actual": history.quantity})
    actuals = actuals.groupby(["product", "month"], as_index=False)["actual"].sum()
    actuals["period"] = [ordinal_month(m) for m in actuals["month"].tolist()]
    return snapshots, actuals, history


def accuracy_report(*, months: int = 12, today: datetime.date | None = None, family_id: int | None = None) -> dict:
    """Everything the accuracy page shows, as plain rows (numbers as fractions)."""
    last = add_months(month_start(today or datetime.date.today()), -1)
    first = add_months(last, -(months - 1))
    products = Product.objects.all()
    if family_id:
        family = ProductFamily.objects.filter(pk=family_id).first()
        products = products.filter(family__path__startswith=family.path) if family else products.none()
    catalogue = {pk: (sku, name, fam) for pk, sku, name, fam in products.values_list("pk", "sku", "name", "family_id")}
    families = dict(ProductFamily.objects.values_list("pk", "name"))
    snapshots, actuals, history = _frames(first=first, last=last, product_ids=list(catalogue))
    snapshots = snapshots[snapshots["product"].isin(list(catalogue))] if len(snapshots) else snapshots
    empty = {"months": [], "by_month": [], "by_family": [], "by_product": [], "by_rep": [], "lags": [], "fva": []}
    if snapshots.empty:
        return {**empty, "first": first, "last": last}
    snapshots["value"] = snapshots["value"].astype(float)
    snapshots["baseline"] = snapshots["baseline"].astype(float)
    snapshots["lag"] = [
        month_ordinal(p) - month_ordinal(v)
        for v, p in zip(snapshots["version_month"], snapshots["period"], strict=True)
    ]
    snapshots["family"] = [families.get(catalogue[p][2], "") for p in snapshots["product"].tolist()]
    lag1 = snapshots[snapshots["lag"] == 1].copy()
    merged = lag1.merge(actuals[["product", "period", "actual"]], on=["product", "period"], how="left")
    merged["actual"] = merged["actual"].fillna(0.0)
    merged["month"] = [f"{p:%Y-%m}" for p in merged["period"]]
    merged["sku"] = [catalogue[p][0] for p in merged["product"].tolist()]
    merged["family_id"] = [catalogue[p][2] for p in merged["product"].tolist()]

    def rows(frame: pd.DataFrame) -> list[dict]:
        return frame.to_dict("records")

    by_month = accuracy_by(frame=merged, by=["month"], forecast="value")
    by_family = accuracy_by(frame=merged, by=["family_id", "family"], forecast="value")
    by_product = accuracy_by(frame=merged, by=["product", "sku"], forecast="value")
    fva = forecast_value_added(frame=merged, by=["month"], consensus="value", baseline="baseline")
    lags = lag_accuracy(
        snapshots=snapshots.assign(
            version_month=[f"{v:%Y-%m}" for v in snapshots["version_month"]],
            period=[f"{p:%Y-%m}" for p in snapshots["period"]],
        ),
        actuals=actuals.assign(period=[f"{p:%Y-%m}" for p in actuals["period"]]),
        keys=["product"],
    )
    by_rep = _rep_accuracy(first=first, last=last, history=history, product_ids=list(catalogue))
    return {
        "first": first,
        "last": last,
        "months": sorted(merged["month"].unique().tolist()),
        "by_month": rows(by_month),
        "by_family": rows(by_family),
        "by_product": rows(by_product),
        "by_rep": by_rep,
        "lags": rows(lags),
        "fva": rows(fva),
    }


def _rep_accuracy(*, first, last, history, product_ids) -> list[dict]:
    from salesops.core.models import User

    submitted_runs = ForecastVersion.objects.values_list("run_id", "month")
    frames = []
    for run_id, version_month in submitted_runs:
        period = add_months(version_month, 1)
        if not first <= period <= last:
            continue
        frames.extend(
            ForecastInput.objects.filter(run_id=run_id, period=period, product_id__in=product_ids).values_list(
                "rep_id", "product_id", "period", "quantity"
            )
        )
    if not frames:
        return []
    inputs = pd.DataFrame(frames, columns=["rep", "product", "period", "forecast"])
    inputs["forecast"] = inputs["forecast"].astype(float)
    inputs["month"] = [month_ordinal(p) for p in inputs["period"]]
    inputs = inputs.groupby(["rep", "product", "month"], as_index=False)["forecast"].sum()
    sold = pd.DataFrame(
        {"rep": history.rep, "product": history.product, "month": history.month, "actual": history.quantity}
    )
    sold = sold.groupby(["rep", "product", "month"], as_index=False)["actual"].sum()
    merged = inputs.merge(sold, on=["rep", "product", "month"], how="left")
    merged["actual"] = merged["actual"].fillna(0.0)
    result = accuracy_by(frame=merged, by=["rep"])
    names = {u.pk: u.display_name for u in User.objects.filter(pk__in=result["rep"].tolist())}
    result["name"] = [names.get(r, "") for r in result["rep"].tolist()]
    return result.to_dict("records")
