"""Forecast accuracy metrics on tiny hand-computed data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from salesops.planning.engine.accuracy import (
    accuracy_by,
    accuracy_rows,
    bias,
    forecast_value_added,
    lag_accuracy,
    lag_accuracy_rows,
    mape,
    months_between,
    value_added_rows,
    wape,
)


def test_wape_mape_bias_on_hand_computed_pairs():
    # errors: +2, -5, +1 on actuals 10, 20, 0
    actual = [10, 20, 0]
    forecast = [12, 15, 1]

    assert wape(actual=actual, forecast=forecast) == pytest.approx(8 / 30)
    assert mape(actual=actual, forecast=forecast) == pytest.approx((0.2 + 0.25) / 2)  # zero actual skipped
    assert bias(actual=actual, forecast=forecast) == pytest.approx(-2 / 30)


def test_metrics_are_none_when_undefined():
    assert wape(actual=[0, 0], forecast=[1, 2]) is None
    assert mape(actual=[0, 0], forecast=[1, 2]) is None
    assert bias(actual=[0, 0], forecast=[1, 2]) is None
    assert wape(actual=[], forecast=[]) is None


def test_perfect_forecast_has_zero_errors():
    assert wape(actual=[3, 4], forecast=[3, 4]) == 0.0
    assert mape(actual=[3, 4], forecast=[3, 4]) == 0.0
    assert bias(actual=[3, 4], forecast=[3, 4]) == 0.0


def test_mismatched_lengths_are_rejected():
    with pytest.raises(ValueError, match="differ in length"):
        wape(actual=[1, 2], forecast=[1])


def test_accuracy_by_group():
    # given two products over two months
    frame = pd.DataFrame(
        {
            "product": ["p1", "p1", "p2", "p2"],
            "month": ["2024-01", "2024-02", "2024-01", "2024-02"],
            "actual": [10.0, 30.0, 0.0, 0.0],
            "forecast": [15.0, 25.0, 5.0, 0.0],
        }
    )

    # when
    per_product = accuracy_by(frame=frame, by=["product"])
    per_month = accuracy_by(frame=frame, by=["month"])
    overall = accuracy_by(frame=frame, by=[])

    # then
    assert per_product.to_dict("records") == [
        {
            "product": "p1",
            "n": 2,
            "actual": 40.0,
            "forecast": 40.0,
            "wape": 0.25,
            "mape": pytest.approx((0.5 + 5 / 30) / 2),
            "bias": 0.0,
        },
        {"product": "p2", "n": 2, "actual": 0.0, "forecast": 5.0, "wape": None, "mape": None, "bias": None},
    ]
    assert per_month.to_dict("records") == [
        {"month": "2024-01", "n": 2, "actual": 10.0, "forecast": 20.0, "wape": 1.0, "mape": 0.5, "bias": 1.0},
        {
            "month": "2024-02",
            "n": 2,
            "actual": 30.0,
            "forecast": 25.0,
            "wape": pytest.approx(5 / 30),
            "mape": pytest.approx(5 / 30),
            "bias": pytest.approx(-5 / 30),
        },
    ]
    assert overall.to_dict("records") == [
        {
            "n": 4,
            "actual": 40.0,
            "forecast": 45.0,
            "wape": 0.375,
            "mape": pytest.approx((0.5 + 5 / 30) / 2),
            "bias": 0.125,
        },
    ]


def test_accuracy_by_reports_missing_columns():
    with pytest.raises(ValueError, match="^accuracy input is missing column\\(s\\) rep$"):
        accuracy_by(frame=pd.DataFrame({"actual": [1], "forecast": [1]}), by=["rep"])


def test_months_between():
    start = pd.Series(["2023-11", "2024-03", "2024-03"])
    end = pd.Series(["2024-02", "2024-03", "2024-06"])
    assert months_between(start=start, end=end).tolist() == [3, 0, 3]


def test_lag_accuracy_compares_each_frozen_version_with_actuals():
    # given versions frozen in January and February, each covering the next three months
    snapshots = pd.DataFrame(
        {
            "version_month": ["2024-01"] * 3 + ["2024-02"] * 3 + ["2024-02"],
            "period": ["2024-02", "2024-03", "2024-04", "2024-03", "2024-04", "2024-05", "2024-02"],
            "series": ["p1"] * 7,
            "value": [10.0, 20.0, 30.0, 18.0, 28.0, 99.0, 7.0],
        }
    )
    # and actuals up to April only (May is the future)
    actuals = pd.DataFrame(
        {
            "period": ["2024-02", "2024-03", "2024-04"],
            "series": ["p1"] * 3,
            "actual": [12.0, 20.0, 25.0],
        }
    )

    # when
    result = lag_accuracy(snapshots=snapshots, actuals=actuals)

    # then: lag 1 pairs Jan->Feb (10 vs 12) and Feb->Mar (18 vs 20); lag 2 pairs Jan->Mar (20 vs 20)
    # and Feb->Apr (28 vs 25); lag 3 pairs Jan->Apr (30 vs 25); Feb->May has no actual yet and
    # Feb->Feb (lag 0) is not a lag asked for
    assert result.to_dict("records") == [
        {
            "lag": 1,
            "n": 2,
            "actual": 32.0,
            "forecast": 28.0,
            "wape": 0.125,
            "mape": pytest.approx((2 / 12 + 2 / 20) / 2),
            "bias": -0.125,
        },
        {
            "lag": 2,
            "n": 2,
            "actual": 45.0,
            "forecast": 48.0,
            "wape": pytest.approx(3 / 45),
            "mape": pytest.approx(3 / 25 / 2),
            "bias": pytest.approx(3 / 45),
        },
        {"lag": 3, "n": 1, "actual": 25.0, "forecast": 30.0, "wape": 0.2, "mape": 0.2, "bias": 0.2},
    ]


def test_lag_accuracy_counts_a_missing_actual_inside_the_observed_span_as_zero():
    snapshots = pd.DataFrame(
        {
            "version_month": ["2024-01", "2024-01"],
            "period": ["2024-02", "2024-02"],
            "series": ["p1", "p2"],
            "family": ["f", "f"],
            "value": [10.0, 5.0],
        }
    )
    actuals = pd.DataFrame({"period": ["2024-02"], "series": ["p1"], "actual": [10.0]})

    result = lag_accuracy(snapshots=snapshots, actuals=actuals, by=["family"])

    assert result.to_dict("records") == [
        {"lag": 1, "family": "f", "n": 2, "actual": 10.0, "forecast": 15.0, "wape": 0.5, "mape": 0.0, "bias": 0.5},
    ]


def test_forecast_value_added_is_baseline_wape_minus_consensus_wape():
    frame = pd.DataFrame(
        {
            "family": ["f1", "f1", "f2"],
            "actual": [100.0, 100.0, 0.0],
            "baseline": [80.0, 140.0, 3.0],
            "consensus": [95.0, 110.0, 0.0],
        }
    )

    result = forecast_value_added(frame=frame, by=["family"])

    assert result.to_dict("records") == [
        {
            "family": "f1",
            "n": 2,
            "actual": 200.0,
            "wape_baseline": 0.3,
            "wape_consensus": 0.075,
            "fva": pytest.approx(0.225),
            "bias_baseline": 0.1,
            "bias_consensus": 0.025,
        },
        {
            "family": "f2",
            "n": 1,
            "actual": 0.0,
            "wape_baseline": None,
            "wape_consensus": None,
            "fva": None,
            "bias_baseline": None,
            "bias_consensus": None,
        },
    ]


# --- the plain-array functions agree with the dataframe functions ------------------------------------------
def _close(left, right):
    """Rows equal in keys and types; floats equal to rounding (group sums may add in another order)."""
    assert len(left) == len(right)
    for row_left, row_right in zip(left, right, strict=True):
        assert row_left.keys() == row_right.keys()
        for key, value in row_left.items():
            other = row_right[key]
            if value is None or other is None:
                assert value is None and other is None, key
            elif isinstance(value, float) or isinstance(other, float):
                assert value == pytest.approx(other, rel=1e-12, abs=1e-12), key
            else:
                assert value == other and type(value) is type(other), key


def _random_pairs(rng, size):
    # quantities with zeros (undefined metrics), decimals and repeated keys
    actual = rng.choice([0.0, 0.0, 1.0, 2.5, 10.0, 33.3, 120.0], size=size) * rng.integers(0, 3, size=size)
    return {
        "month": [f"2024-{m:02d}" for m in rng.integers(1, 13, size=size)],
        "family_id": rng.integers(1, 4, size=size).tolist(),
        "product": rng.integers(1, 9, size=size).tolist(),
        "actual": actual,
        "consensus": np.round(rng.uniform(0, 150, size=size), 3),
        "baseline": np.round(rng.uniform(0, 150, size=size), 3),
    }


@pytest.mark.parametrize("seed", range(40))
def test_accuracy_rows_and_value_added_rows_match_the_dataframe_functions(seed):
    rng = np.random.default_rng(seed)
    data = _random_pairs(rng, int(rng.integers(0, 60)))
    frame = pd.DataFrame(data)
    for by in (["month"], ["family_id", "product"], ["product"], []):
        keys = [tuple(data[column][i] for column in by) for i in range(len(frame))]
        expected = accuracy_by(frame=frame, by=by, forecast="consensus").to_dict("records")
        _close(accuracy_rows(keys=keys, names=by, actual=data["actual"], forecast=data["consensus"]), expected)
        expected = forecast_value_added(frame=frame, by=by).to_dict("records")
        got = value_added_rows(
            keys=keys, names=by, actual=data["actual"], consensus=data["consensus"], baseline=data["baseline"]
        )
        _close(got, expected)


@pytest.mark.parametrize("seed", range(40))
def test_lag_accuracy_rows_match_the_dataframe_function(seed):
    rng = np.random.default_rng(seed)
    size = int(rng.integers(0, 80))
    version = rng.integers(0, 10, size=size)
    period = version + rng.integers(-1, 6, size=size)  # lags -1..5; only 1-3 count
    series = rng.integers(1, 6, size=size).tolist()
    value = np.round(rng.uniform(0, 50, size=size), 2)
    observed = int(rng.integers(0, 40))
    actual_series = rng.integers(1, 6, size=observed).tolist()
    actual_period = rng.integers(2, 9, size=observed)  # a span narrower than the forecasts'
    actual = rng.choice([0.0, 1.0, 4.0, 12.5], size=observed)

    def month(ordinal):
        return f"{2020 + ordinal // 12}-{ordinal % 12 + 1:02d}"

    expected = lag_accuracy(
        snapshots=pd.DataFrame(
            {
                "version_month": [month(v) for v in version.tolist()],
                "period": [month(p) for p in period.tolist()],
                "series": series,
                "value": value,
            }
        ),
        actuals=pd.DataFrame(
            {"period": [month(p) for p in actual_period.tolist()], "series": actual_series, "actual": actual}
        ),
    ).to_dict("records")
    got = lag_accuracy_rows(
        series=series,
        version_month=version,
        period=period,
        value=value,
        actual_series=actual_series,
        actual_period=actual_period,
        actual=actual,
    )
    _close(got, expected)


def test_accuracy_rows_on_hand_computed_pairs():
    # two months, one family; a missing family sorts last and an all-zero month has no WAPE
    rows = accuracy_rows(
        keys=[("2024-02", 7), ("2024-01", 7), ("2024-01", None), ("2024-03", 7)],
        names=["month", "family_id"],
        actual=[20.0, 10.0, 10.0, 0.0],
        forecast=[15.0, 12.0, 10.0, 4.0],
    )
    assert rows == [
        {
            "month": "2024-01",
            "family_id": 7,
            "n": 1,
            "actual": 10.0,
            "forecast": 12.0,
            "wape": 0.2,
            "mape": 0.2,
            "bias": 0.2,
        },
        {
            "month": "2024-01",
            "family_id": None,
            "n": 1,
            "actual": 10.0,
            "forecast": 10.0,
            "wape": 0.0,
            "mape": 0.0,
            "bias": 0.0,
        },
        {
            "month": "2024-02",
            "family_id": 7,
            "n": 1,
            "actual": 20.0,
            "forecast": 15.0,
            "wape": 0.25,
            "mape": 0.25,
            "bias": -0.25,
        },
        {
            "month": "2024-03",
            "family_id": 7,
            "n": 1,
            "actual": 0.0,
            "forecast": 4.0,
            "wape": None,
            "mape": None,
            "bias": None,
        },
    ]
    assert accuracy_rows(keys=[], names=["month"], actual=[], forecast=[]) == []
    (overall,) = accuracy_rows(keys=[(), ()], names=[], actual=[10.0, 30.0], forecast=[15.0, 25.0])
    assert overall["n"] == 2 and overall["wape"] == 0.25 and overall["bias"] == 0.0


def test_value_added_rows_is_baseline_wape_minus_consensus_wape():
    (row,) = value_added_rows(
        keys=[("f1",), ("f1",)],
        names=["family"],
        actual=[100.0, 100.0],
        consensus=[95.0, 110.0],
        baseline=[80.0, 140.0],
    )
    assert row["wape_baseline"] == 0.3 and row["wape_consensus"] == 0.075
    assert row["fva"] == pytest.approx(0.225)


def test_lag_accuracy_rows_by_hand():
    # versions frozen in months 10 and 11; actuals observed for months 11-13 only
    rows = lag_accuracy_rows(
        series=["p1", "p1", "p1", "p2"],
        version_month=[10, 10, 11, 11],
        period=[11, 13, 12, 14],
        value=[10.0, 30.0, 18.0, 5.0],
        actual_series=["p1", "p1", "p1"],
        actual_period=[11, 13, 13],
        actual=[12.0, 20.0, 5.0],
    )
    # lag 1: 10 vs 12, and month 12 of p1 has no actual inside the span: 18 vs 0; lag 3: 30 vs 25;
    # p2's month 14 lies after the last observed month and is left out
    assert rows == [
        {"lag": 1, "n": 2, "actual": 12.0, "forecast": 28.0, "wape": 20 / 12, "mape": 2 / 12, "bias": 16 / 12},
        {"lag": 3, "n": 1, "actual": 25.0, "forecast": 30.0, "wape": 0.2, "mape": 0.2, "bias": 0.2},
    ]
