"""Baseline forecasting engine on small seasonal, flat, intermittent, short and empty series."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from salesops.planning.engine.forecast import (
    build_panel,
    forecast_history,
    holdout_evaluation,
    period_labels,
    period_ordinals,
    plan_models,
)

SEASON = [10, 12, 15, 20, 26, 30, 28, 24, 18, 14, 11, 9]


def months(start_year: int, count: int, first_month: int = 1) -> list[str]:
    return [f"{start_year + (first_month - 1 + i) // 12}-{(first_month - 1 + i) % 12 + 1:02d}" for i in range(count)]


def history_of(series: dict[str, list[float]], start_year: int = 2022) -> pd.DataFrame:
    """Each list ends in the same last month (2024-12 for 36 values from 2022)."""
    rows = []
    last = (start_year + 3) * 12  # exclusive month index: 36 months from January start_year
    for name, values in series.items():
        first = last - len(values)
        for offset, value in enumerate(values):
            index = first + offset
            rows.append((name, f"{index // 12}-{index % 12 + 1:02d}", value))
    return pd.DataFrame(rows, columns=["series", "period", "quantity"])


# ---------------------------------------------------------------------------- periods and panel


def test_month_periods_round_trip():
    ordinals = period_ordinals(periods=pd.Series(["1970-01", "2024-12", "2025-01"]), freq="M")
    assert ordinals.tolist() == [0, 659, 660]
    assert period_labels(ordinals=ordinals, freq="M").tolist() == ["1970-01", "2024-12", "2025-01"]


@pytest.mark.parametrize("bad", ["2024-13", "2024/01", "24-01", "2024-1", ""])
def test_bad_month_is_rejected(bad):
    with pytest.raises(ValueError, match=f"^period '{bad}' is not a month written YYYY-MM$"):
        period_ordinals(periods=pd.Series(["2024-01", bad]), freq="M")


def test_weeks_map_to_their_monday():
    ordinals = period_ordinals(periods=pd.Series(["2024-01-01", "2024-01-07", "2024-01-08"]), freq="W")
    assert ordinals[0] == ordinals[1] == ordinals[2] - 1
    assert period_labels(ordinals=ordinals, freq="W").tolist() == ["2024-01-01", "2024-01-01", "2024-01-08"]


def test_panel_sums_rows_fills_gaps_trims_leading_zeros_and_runs_to_the_common_end():
    history = pd.DataFrame(
        {
            "series": ["b", "b", "b", "a", "a", "a", "c"],
            "period": ["2024-01", "2024-01", "2024-03", "2023-12", "2024-02", "2024-05", "2024-02"],
            "quantity": [1, 2, 4, 0, 5, -1, 0],
        }
    )

    panel = build_panel(history=history)

    assert panel.labels.tolist() == ["a", "b", "c"]
    assert panel.end == period_ordinals(periods=pd.Series(["2024-05"]), freq="M")[0]
    # a: leading zero in 2023-12 and January dropped; a net return (-1) counts as zero
    # b: 3 in January, nothing in February, 4 in March, then zeros up to May
    # c: no demand at all -> empty
    assert panel.lengths.tolist() == [4, 5, 0]
    assert panel.values.tolist() == [5, 0, 0, 0, 3, 0, 4, 0, 0]


def test_panel_reports_missing_columns_and_bad_quantities():
    with pytest.raises(ValueError, match=r"^history is missing column\(s\) quantity"):
        build_panel(history=pd.DataFrame({"series": ["a"], "period": ["2024-01"]}))
    with pytest.raises(ValueError, match="^quantity 'x' is not a number$"):
        build_panel(history=pd.DataFrame({"series": ["a"], "period": ["2024-01"], "quantity": ["x"]}))


# ---------------------------------------------------------------------------- model choice


def test_auto_plan_per_kind_of_series():
    history = history_of(
        {
            "seasonal": SEASON * 3,
            "flat": [50] * 36,
            "intermittent": [0, 0, 7, 0, 0, 0, 5, 0, 0, 9, 0, 0] * 3,
            "new": [4, 6],
            "discontinued": [20] * 24 + [0] * 12,
            "nothing": [0] * 10,
        }
    )
    panel = build_panel(history=history)

    plan = plan_models(panel=panel, model="auto", season_length=12)

    assert dict(zip(panel.labels, plan, strict=True)) == {
        "discontinued": "zero",
        "flat": "ets|theta",
        "intermittent": "croston",
        "new": "mean",
        "nothing": "zero",
        "seasonal": "ets|theta",
    }


def test_a_slow_movers_usual_gap_is_not_discontinuation():
    # one sale every 4 months; the last 3 months empty is normal for it
    panel = build_panel(history=history_of({"slow": [5, 0, 0, 0] * 8 + [5, 0, 0, 0]}))
    assert plan_models(panel=panel, model="auto", season_length=12).tolist() == ["croston"]


def test_unknown_model_is_rejected():
    panel = build_panel(history=history_of({"a": [1] * 12}))
    with pytest.raises(ValueError, match="^unknown model 'prophet'"):
        plan_models(panel=panel, model="prophet", season_length=12)


# ---------------------------------------------------------------------------- forecasts


def test_seasonal_naive_repeats_the_last_season():
    history = history_of({"s": SEASON * 2, "t": list(range(1, 25))})

    result = forecast_history(history=history, horizon=14, model="seasonal_naive")

    assert result.columns.tolist() == ["series", "period", "forecast", "model", "seasonal_naive"]
    assert result["period"].tolist()[:14] == months(2025, 14)
    s = result[result["series"] == "s"]
    assert s["forecast"].tolist() == SEASON + SEASON[:2]
    assert s["seasonal_naive"].tolist() == SEASON + SEASON[:2]
    assert set(s["model"]) == {"seasonal_naive"}
    t = result[result["series"] == "t"]
    assert t["forecast"].tolist() == list(range(13, 25)) + [13, 14]


def test_seasonal_naive_falls_back_to_the_mean_for_less_than_a_season():
    result = forecast_history(history=history_of({"short": [3, 6, 9, 12, 15]}), horizon=2, model="seasonal_naive")
    assert result[["forecast", "model"]].to_dict("records") == [
        {"forecast": 12.0, "model": "mean"},
        {"forecast": 12.0, "model": "mean"},
    ]


def test_auto_on_mixed_series():
    # given
    history = history_of(
        {
            "seasonal": [v * (1 + 0.01 * i) for i, v in enumerate(SEASON * 3)],
            "flat": [50 + (i * 7) % 5 - 2 for i in range(36)],
            "intermittent": [0, 0, 7, 0, 0, 0, 5, 0, 0, 9, 0, 0] * 3,
            "new": [4, 6],
            "discontinued": [20] * 24 + [0] * 12,
            "nothing": [0] * 10,
        }
    )

    # when
    result = forecast_history(history=history, horizon=3, n_jobs=1)

    # then
    assert len(result) == 6 * 3
    assert (result["forecast"] >= 0).all()
    assert result["period"].tolist()[:3] == ["2025-01", "2025-02", "2025-03"]
    by_series = result.groupby("series")
    models = by_series["model"].first().to_dict()
    assert models["intermittent"] == "croston"
    assert models["new"] == "mean"
    assert models["discontinued"] == "zero"
    assert models["nothing"] == "zero"
    assert models["seasonal"] in {"ets", "theta"}
    assert models["flat"] in {"ets", "theta"}
    forecasts = by_series["forecast"].apply(list).to_dict()
    assert forecasts["new"] == [5.0, 5.0, 5.0]
    assert forecasts["discontinued"] == [0.0, 0.0, 0.0]
    assert forecasts["nothing"] == [0.0, 0.0, 0.0]
    assert forecasts["flat"] == pytest.approx([50, 50, 50], abs=2)
    # the seasonal model follows the season: January-March of a 1%-a-month growing pattern
    assert forecasts["seasonal"] == pytest.approx([v * 1.36 for v in SEASON[:3]], rel=0.1)
    assert 0 < forecasts["intermittent"][0] < 9


def test_explicit_model_on_short_series_falls_back_to_the_mean_and_clips_negatives():
    history = history_of({"falling": [70, 60, 50, 40, 30, 20, 10, 0, 0, 0], "tiny": [8]})

    result = forecast_history(history=history, horizon=3, model="arima", n_jobs=1)

    records = result.groupby("series").agg(model=("model", "first"), low=("forecast", "min")).to_dict("index")
    assert records["tiny"] == {"model": "mean", "low": 8.0}
    assert records["falling"]["model"] == "arima"
    assert records["falling"]["low"] >= 0


def test_croston_on_all_series():
    history = history_of({"a": [0, 4, 0, 0, 4, 0, 0, 4, 0, 4], "b": [0] * 5})

    result = forecast_history(history=history, horizon=2, model="croston", n_jobs=1)

    assert result["model"].tolist() == ["croston", "croston", "zero", "zero"]
    assert result["forecast"].iloc[0] == pytest.approx(result["forecast"].iloc[1])
    assert 0 < result["forecast"].iloc[0] <= 4


def test_empty_history_gives_an_empty_result():
    history = pd.DataFrame({"series": [], "period": [], "quantity": []})

    result = forecast_history(history=history, horizon=3)

    assert result.columns.tolist() == ["series", "period", "forecast", "model", "seasonal_naive"]
    assert len(result) == 0


def test_progress_reports_series_done():
    calls = []
    history = history_of({"a": [0, 4, 0, 0] * 3, "b": [0, 0, 2, 0] * 3, "c": [1, 2]})

    forecast_history(
        history=history,
        horizon=1,
        model="croston",
        chunk_size=1,
        n_jobs=1,
        progress=lambda done, total: calls.append((done, total)),
    )

    assert calls == [(0, 3), (1, 3), (2, 3), (3, 3)]


def test_weekly_forecast_periods_are_mondays():
    history = pd.DataFrame(
        {
            "series": ["a"] * 3,
            "period": ["2024-01-03", "2024-01-10", "2024-01-17"],
            "quantity": [1, 2, 3],
        }
    )

    result = forecast_history(history=history, horizon=2, freq="W", model="seasonal_naive")

    assert result["period"].tolist() == ["2024-01-22", "2024-01-29"]
    assert result["model"].tolist() == ["mean", "mean"]
    assert result["forecast"].tolist() == [2.0, 2.0]


def test_holdout_compares_with_seasonal_naive():
    history = history_of({"s": SEASON * 2 + [v + 2 for v in SEASON], "f": [5] * 36})

    result = holdout_evaluation(history=history, horizon=3, model="seasonal_naive")

    # the held-out October-December of the last year are 2 above the year before
    assert result.n_series == 2
    assert result.comparison["period"].tolist() == ["2024-10", "2024-11", "2024-12"] * 2
    assert result.comparison["actual"].tolist() == [5, 5, 5, 16, 13, 11]
    assert result.wape_model == result.wape_seasonal_naive == pytest.approx(6 / 55)
    assert np.allclose(result.comparison["forecast"], [5, 5, 5, 16, 13, 11] - np.array([0, 0, 0, 2, 2, 2]))
