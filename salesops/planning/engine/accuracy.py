"""Forecast accuracy: WAPE, MAPE, bias, frozen-version lag accuracy, forecast value added.

All metrics are returned as fractions (0.125 means 12.5%), computed over a set of
(actual, forecast) pairs, e.g. all months of one product or all products of one month:

* **WAPE** (weighted absolute percentage error) = ``sum(|forecast - actual|) / sum(|actual|)``.
  Undefined (``None``) when every actual is zero. It weights errors by volume, so a slow
  mover's miss counts little; it is the headline figure (forecast accuracy = 1 - WAPE).
* **MAPE** (mean absolute percentage error) = mean of ``|forecast - actual| / |actual|``
  over the pairs whose actual is not zero; pairs with a zero actual are skipped.
  Undefined (``None``) when no actual is non-zero.
* **Bias** = ``sum(forecast - actual) / sum(actual)``: positive means over-forecasting.
  Undefined (``None``) when the actuals sum to zero.

Grouped versions take a long dataframe with one row per (keys..., period) and return one
row per group with ``n`` (pairs), ``actual`` and ``forecast`` (sums) and the three metrics;
undefined metrics are ``None`` (object columns), never NaN, so they serialise as empty.

**Lag accuracy.** Each month the submitted forecast is frozen as a version
(``version_month``) covering the next months. The lag of a forecast value is the number of
months from its version month to the period it forecasts: the version frozen in March for
April is lag 1, for May lag 2, for June lag 3. Lag accuracy compares, for each lag, the
frozen values with what actually happened.

**Forecast value added (FVA)** of the consensus over the statistical baseline is
``WAPE(baseline) - WAPE(consensus)``: positive when the overrides reduced the error. It
is reported with both WAPEs so that a reader sees the level as well as the difference.

Pure functions on numpy/pandas (dataframes) or numpy and lists (the ``*_rows`` functions);
no database access.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

ArrayLike = Sequence[float] | np.ndarray | pd.Series


def _pair(*, actual: ArrayLike, forecast: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    actual_array = np.asarray(actual, dtype=float)
    forecast_array = np.asarray(forecast, dtype=float)
    if actual_array.shape != forecast_array.shape:
        raise ValueError(f"actual and forecast differ in length ({actual_array.size} and {forecast_array.size})")
    return actual_array, forecast_array


def wape(*, actual: ArrayLike, forecast: ArrayLike) -> float | None:
    """``sum(|forecast - actual|) / sum(|actual|)``; ``None`` when all actuals are zero."""
    actual_array, forecast_array = _pair(actual=actual, forecast=forecast)
    denominator = np.abs(actual_array).sum()
    if denominator == 0:
        return None
    return float(np.abs(forecast_array - actual_array).sum() / denominator)


def mape(*, actual: ArrayLike, forecast: ArrayLike) -> float | None:
    """Mean of ``|forecast - actual| / |actual|`` where actual != 0; ``None`` if there is none."""
    actual_array, forecast_array = _pair(actual=actual, forecast=forecast)
    defined = actual_array != 0
    if not defined.any():
        return None
    errors = np.abs(forecast_array[defined] - actual_array[defined]) / np.abs(actual_array[defined])
    return float(errors.mean())


def bias(*, actual: ArrayLike, forecast: ArrayLike) -> float | None:
    """``sum(forecast - actual) / sum(actual)``; ``None`` when the actuals sum to zero."""
    actual_array, forecast_array = _pair(actual=actual, forecast=forecast)
    denominator = actual_array.sum()
    if denominator == 0:
        return None
    return float((forecast_array - actual_array).sum() / denominator)


def _none_where_nan(values: pd.Series) -> pd.Series:
    return values.astype(object).where(values.notna(), None)


def _require_columns(*, frame: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise ValueError(f"{what} is missing column(s) {', '.join(missing)}")


def accuracy_by(
    *,
    frame: pd.DataFrame,
    by: Sequence[str],
    actual: str = "actual",
    forecast: str = "forecast",
) -> pd.DataFrame:
    """WAPE, MAPE and bias per group of ``frame``.

    ``frame`` has one row per pair with the grouping columns ``by`` (e.g. ``["product"]``,
    ``["family", "month"]``, ``["rep"]``; empty for one overall row) and the ``actual`` and
    ``forecast`` columns. Returns columns ``*by, n, actual, forecast, wape, mape, bias``
    sorted by the group keys; undefined metrics are ``None``.
    """
    by = list(by)
    _require_columns(frame=frame, columns=[*by, actual, forecast], what="accuracy input")
    actual_values = frame[actual].to_numpy(dtype=float)
    forecast_values = frame[forecast].to_numpy(dtype=float)
    abs_error = np.abs(forecast_values - actual_values)
    abs_actual = np.abs(actual_values)
    nonzero = actual_values != 0
    ape = np.divide(abs_error, abs_actual, out=np.zeros_like(abs_error), where=nonzero)
    # Sums per group with np.bincount over the group numbers: a pandas named aggregation of
    # seven columns costs tens of milliseconds per call even on a few hundred rows.
    if by:
        groups = pd.DataFrame({column: frame[column] for column in by}).groupby(by, sort=True, dropna=False)
        codes = groups.ngroup().to_numpy()
        result = groups.size().rename("n").reset_index()
    else:
        codes = np.zeros(len(frame), dtype=np.int64)
        result = pd.DataFrame({"n": [len(frame)] if len(frame) else []})
    k = len(result)

    def total(weights: np.ndarray) -> np.ndarray:
        return np.bincount(codes, weights=weights, minlength=k)[:k] if len(codes) else np.zeros(k)

    sums_actual, sums_forecast = total(actual_values), total(forecast_values)
    sums_error, sums_abs_actual = total(abs_error), total(abs_actual)
    ape_sum, ape_n = total(ape), total(nonzero.astype(float))
    result["n"] = result["n"].astype(np.int64)
    result["actual"] = sums_actual
    result["forecast"] = sums_forecast
    with np.errstate(divide="ignore", invalid="ignore"):
        result["wape"] = _none_where_nan(
            pd.Series(np.where(sums_abs_actual != 0, sums_error / sums_abs_actual, np.nan))
        )
        result["mape"] = _none_where_nan(pd.Series(np.where(ape_n > 0, ape_sum / ape_n, np.nan)))
        result["bias"] = _none_where_nan(
            pd.Series(np.where(sums_actual != 0, (sums_forecast - sums_actual) / sums_actual, np.nan))
        )
    return result


def months_between(*, start: pd.Series, end: pd.Series) -> pd.Series:
    """Whole months from ``start`` to ``end`` (``YYYY-MM`` strings, dates or periods)."""
    start_period = pd.PeriodIndex(pd.to_datetime(start.astype(str)), freq="M")
    end_period = pd.PeriodIndex(pd.to_datetime(end.astype(str)), freq="M")
    months = (end_period.year - start_period.year) * 12 + (end_period.month - start_period.month)
    return pd.Series(np.asarray(months), index=start.index)


def lag_accuracy(
    *,
    snapshots: pd.DataFrame,
    actuals: pd.DataFrame,
    keys: Sequence[str] = ("series",),
    by: Sequence[str] = (),
    lags: Sequence[int] = (1, 2, 3),
    value: str = "value",
    actual: str = "actual",
) -> pd.DataFrame:
    """Accuracy of frozen forecast versions by lag.

    ``snapshots`` has the columns ``version_month``, ``period``, ``keys`` (what is forecast,
    e.g. ``series`` or ``product``) and ``value`` (the frozen forecast). ``actuals`` has
    ``period``, ``keys`` and ``actual``. Periods and version months are ``YYYY-MM`` strings,
    dates or monthly periods. The lag of a snapshot row is ``months_between(version_month,
    period)``; only ``lags`` are kept. Snapshot rows are matched with actuals on ``keys`` and
    period; a forecast period without an actual row counts as an actual of zero only if it
    lies within the actuals' span of periods, otherwise (the future) it is left out.

    Returns :func:`accuracy_by` grouped by ``lag`` and then ``by`` (columns of the
    snapshots, e.g. ``["family"]``).
    """
    keys, by = list(keys), list(by)
    _require_columns(frame=snapshots, columns=["version_month", "period", *keys, *by, value], what="snapshots")
    _require_columns(frame=actuals, columns=["period", *keys, actual], what="actuals")
    frozen = snapshots[["version_month", "period", *dict.fromkeys([*keys, *by]), value]].copy()
    frozen["lag"] = months_between(start=frozen["version_month"], end=frozen["period"])
    frozen = frozen[frozen["lag"].isin(list(lags))]
    frozen["_period"] = pd.PeriodIndex(pd.to_datetime(frozen["period"].astype(str)), freq="M")

    observed = actuals[["period", *keys, actual]].copy()
    observed["_period"] = pd.PeriodIndex(pd.to_datetime(observed["period"].astype(str)), freq="M")
    observed = observed.groupby([*keys, "_period"], sort=False, as_index=False)[actual].sum()
    observed = observed.rename(columns={actual: "_actual"})

    merged = frozen.merge(observed, on=[*keys, "_period"], how="left")
    if len(observed):
        last_observed = observed["_period"].max()
        first_observed = observed["_period"].min()
        in_span = (merged["_period"] >= first_observed) & (merged["_period"] <= last_observed)
    else:
        in_span = pd.Series(False, index=merged.index)
    merged = merged[in_span].copy()
    merged["_actual"] = merged["_actual"].fillna(0.0)
    return accuracy_by(frame=merged, by=["lag", *by], actual="_actual", forecast=value)


def forecast_value_added(
    *,
    frame: pd.DataFrame,
    by: Sequence[str] = (),
    actual: str = "actual",
    consensus: str = "consensus",
    baseline: str = "baseline",
) -> pd.DataFrame:
    """Did the overrides help? Per group: both WAPEs, both biases and FVA.

    ``frame`` has one row per pair with ``actual``, ``consensus`` (the submitted forecast
    after overrides) and ``baseline`` (the statistical forecast) columns plus the ``by``
    columns. Returns columns ``*by, n, actual, wape_baseline, wape_consensus, fva,
    bias_baseline, bias_consensus`` where ``fva = wape_baseline - wape_consensus``
    (positive: the consensus is more accurate); ``None`` where undefined.
    """
    by = list(by)
    _require_columns(frame=frame, columns=[*by, actual, consensus, baseline], what="value-added input")
    of_baseline = accuracy_by(frame=frame, by=by, actual=actual, forecast=baseline)
    of_consensus = accuracy_by(frame=frame, by=by, actual=actual, forecast=consensus)
    result = of_baseline[[*by, "n", "actual"]].copy()
    result["wape_baseline"] = of_baseline["wape"]
    result["wape_consensus"] = of_consensus["wape"]
    result["fva"] = pd.Series(
        [
            None if base is None or cons is None else base - cons
            for base, cons in zip(of_baseline["wape"], of_consensus["wape"], strict=True)
        ],
        index=result.index,
        dtype=object,
    )
    result["bias_baseline"] = of_baseline["bias"]
    result["bias_consensus"] = of_consensus["bias"]
    return result


# --- plain arrays -----------------------------------------------------------------------------------------
# The same metrics without dataframes, for callers that hold rows as lists or numpy arrays (the
# accuracy page: a few hundred pairs, where building and grouping dataframes costs far more than the
# arithmetic). Results match the dataframe functions above: sums per group are taken with
# np.bincount in row order, undefined metrics are ``None`` and rows come sorted by their key.


def _key_order(value):
    # None sorts last, like a missing group key in a dataframe group-by.
    return (value is None, value)


def _group_codes(keys: Sequence[tuple]) -> tuple[np.ndarray, list[tuple]]:
    """Group numbers (by sorted key) for one key tuple per row, and the sorted distinct keys."""
    index: dict[tuple, int] = {}
    first_seen = [index.setdefault(key, len(index)) for key in keys]
    distinct = list(index)
    order = sorted(range(len(distinct)), key=lambda i: tuple(_key_order(v) for v in distinct[i]))
    rank = np.empty(len(distinct), dtype=np.int64)
    rank[order] = np.arange(len(distinct), dtype=np.int64)
    codes = rank[np.asarray(first_seen, dtype=np.int64)] if first_seen else np.zeros(0, dtype=np.int64)
    return codes, [distinct[i] for i in order]


def _grouped_metrics(codes: np.ndarray, k: int, actual_values: np.ndarray, forecast_values: np.ndarray) -> dict:
    abs_error = np.abs(forecast_values - actual_values)
    abs_actual = np.abs(actual_values)
    nonzero = actual_values != 0
    ape = np.divide(abs_error, abs_actual, out=np.zeros_like(abs_error), where=nonzero)

    def total(weights: np.ndarray) -> np.ndarray:
        return np.bincount(codes, weights=weights, minlength=k)[:k] if len(codes) else np.zeros(k)

    sums_actual, sums_forecast = total(actual_values), total(forecast_values)
    sums_error, sums_abs_actual = total(abs_error), total(abs_actual)
    ape_sum, ape_n = total(ape), total(nonzero.astype(float))
    with np.errstate(divide="ignore", invalid="ignore"):
        wape_values = np.where(sums_abs_actual != 0, sums_error / sums_abs_actual, np.nan)
        mape_values = np.where(ape_n > 0, ape_sum / ape_n, np.nan)
        bias_values = np.where(sums_actual != 0, (sums_forecast - sums_actual) / sums_actual, np.nan)

    def defined(values: np.ndarray) -> list:
        return [None if v != v else v for v in values.tolist()]  # NaN is the only value unequal to itself

    return {
        "n": np.bincount(codes, minlength=k)[:k].tolist() if len(codes) else [0] * k,
        "actual": sums_actual.tolist(),
        "forecast": sums_forecast.tolist(),
        "wape": defined(wape_values),
        "mape": defined(mape_values),
        "bias": defined(bias_values),
    }


def accuracy_rows(*, keys: Sequence[tuple], names: Sequence[str], actual: ArrayLike, forecast: ArrayLike) -> list[dict]:
    """:func:`accuracy_by` on plain arrays.

    ``keys`` holds one tuple per pair (the group it belongs to, e.g. ``(month,)`` or
    ``(family_id, family_name)``), ``names`` the names of the tuple's fields. Returns one dict
    per group, sorted by key, with the key fields and ``n, actual, forecast, wape, mape, bias``.
    With no key fields (``names`` empty, every key ``()``) the result is one overall row.
    """
    actual_values, forecast_values = _pair(actual=actual, forecast=forecast)
    if len(keys) != actual_values.size:
        raise ValueError(f"keys and values differ in length ({len(keys)} and {actual_values.size})")
    if not names and not len(keys):
        return []
    codes, groups = _group_codes(keys)
    metrics = _grouped_metrics(codes, len(groups), actual_values, forecast_values)
    fields = ("n", "actual", "forecast", "wape", "mape", "bias")
    return [
        {**dict(zip(names, key, strict=True)), **{field: metrics[field][i] for field in fields}}
        for i, key in enumerate(groups)
    ]


def lag_accuracy_rows(
    *,
    series: Sequence,
    version_month: ArrayLike,
    period: ArrayLike,
    value: ArrayLike,
    actual_series: Sequence,
    actual_period: ArrayLike,
    actual: ArrayLike,
    lags: Sequence[int] = (1, 2, 3),
) -> list[dict]:
    """:func:`lag_accuracy` on plain arrays, one row per lag.

    Months are integer ordinals (e.g. months since 1970-01), so the lag of a frozen value is
    ``period - version_month``. The frozen values (``series, version_month, period, value``)
    are matched with the actuals (``actual_series, actual_period, actual``; several rows of
    one series and period are added up) on series and period. A period without an actual
    counts as zero if it lies within the actuals' span of periods; later periods are left out.
    """
    version_months = np.asarray(version_month, dtype=np.int64)
    periods = np.asarray(period, dtype=np.int64)
    values = np.asarray(value, dtype=float)
    actual_periods = np.asarray(actual_period, dtype=np.int64)
    observed: dict[tuple, float] = {}
    keys = zip(actual_series, actual_periods.tolist(), strict=True)
    for key, quantity in zip(keys, np.asarray(actual, dtype=float).tolist(), strict=True):
        observed[key] = observed.get(key, 0.0) + quantity
    if not observed:
        return []
    first_observed, last_observed = int(actual_periods.min()), int(actual_periods.max())
    lag_values = periods - version_months
    keep = np.isin(lag_values, np.asarray(list(lags), dtype=np.int64))
    keep &= (periods >= first_observed) & (periods <= last_observed)
    kept = np.flatnonzero(keep).tolist()
    series_list = list(series)
    period_list = periods.tolist()
    matched = [observed.get((series_list[i], period_list[i]), 0.0) for i in kept]
    return accuracy_rows(
        keys=[(lag,) for lag in lag_values[kept].tolist()],
        names=["lag"],
        actual=np.asarray(matched, dtype=float),
        forecast=values[kept],
    )


def value_added_rows(
    *, keys: Sequence[tuple], names: Sequence[str], actual: ArrayLike, consensus: ArrayLike, baseline: ArrayLike
) -> list[dict]:
    """:func:`forecast_value_added` on plain arrays (``keys``/``names`` as in :func:`accuracy_rows`)."""
    of_baseline = accuracy_rows(keys=keys, names=names, actual=actual, forecast=baseline)
    of_consensus = accuracy_rows(keys=keys, names=names, actual=actual, forecast=consensus)
    result = []
    for base, cons in zip(of_baseline, of_consensus, strict=True):
        row = {name: base[name] for name in names}
        row.update(
            n=base["n"],
            actual=base["actual"],
            wape_baseline=base["wape"],
            wape_consensus=cons["wape"],
            fva=None if base["wape"] is None or cons["wape"] is None else base["wape"] - cons["wape"],
            bias_baseline=base["bias"],
            bias_consensus=cons["bias"],
        )
        result.append(row)
    return result
