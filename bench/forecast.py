"""Benchmark: baseline forecast of 10,000 monthly series of 36 months, horizon 3, model auto.

Prints, from one run on the same synthetic data:

* the engine's full pipeline from the long ``series, period, quantity`` table
  (aggregate and fill gaps -> plan models -> statsforecast -> choose -> output table);
* the same statsforecast calls made directly on ready-made ``unique_id, ds, y`` frames of
  the same arrays with the same models and settings (its input is prepared outside the
  timing), i.e. the time of the statistical work alone;
* the ratio of the two (target <= 1.5) and the CPU seconds (this process plus its worker
  processes) of each, which are less sensitive to other load on the machine;
* the WAPE of ``auto`` and of seasonal naive on a 3-month holdout.

Data (fixed seed): 60% seasonal series with trend, 15% flat noisy, 20% intermittent,
5% new products (3-20 months of history); some series stop selling in the last months.
Months without sales have no row, as when read from order lines.

Run: ``.venv/bin/python bench/forecast.py [--series 10000] [--months 36] [--jobs 2]``
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from salesops.planning.engine.forecast import (  # noqa: E402
    build_panel,
    default_n_jobs,
    forecast_history,
    group_frame,
    holdout_evaluation,
    model_groups,
    plan_models,
    statsforecast_models,
)


def synthetic_history(*, n_series: int, n_months: int, seed: int = 20240101) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    t = np.arange(n_months)
    kind = rng.choice(["seasonal", "flat", "intermittent", "new"], size=n_series, p=[0.6, 0.15, 0.2, 0.05])
    level = rng.lognormal(mean=4.0, sigma=1.0, size=n_series)
    trend = rng.normal(0.0, 0.01, size=n_series)
    amplitude = np.where(kind == "seasonal", rng.uniform(0.1, 0.5, size=n_series), 0.0)
    phase = rng.integers(0, 12, size=n_series)
    noise = rng.normal(0.0, 0.12, size=(n_series, n_months))
    season = np.sin(2 * np.pi * (t[None, :] + phase[:, None]) / 12)
    demand = level[:, None] * (1 + trend[:, None] * t) * (1 + amplitude[:, None] * season) * (1 + noise)
    intermittent = kind == "intermittent"
    occurs = rng.random((n_series, n_months)) < rng.uniform(0.15, 0.6, size=n_series)[:, None]
    demand[intermittent] = np.where(occurs[intermittent], rng.poisson(3.0, (intermittent.sum(), n_months)) + 1, 0)
    new = kind == "new"
    launch = n_months - rng.integers(3, 21, size=n_series)
    demand[new] *= t[None, :] >= launch[new, None]
    stopped = rng.random(n_series) < 0.03
    demand[stopped, -8:] = 0
    quantity = np.maximum(np.round(demand), 0)

    series = np.char.add("SKU", np.char.zfill(np.arange(1, n_series + 1).astype(str), 5))
    periods = np.array([f"{2022 + m // 12}-{m % 12 + 1:02d}" for m in t])
    rows = quantity.ravel() > 0
    return pd.DataFrame(
        {
            "series": np.repeat(series, n_months)[rows],
            "period": np.tile(periods, n_series)[rows],
            "quantity": quantity.ravel()[rows],
        }
    )


def cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def time_engine(*, history: pd.DataFrame, horizon: int, n_jobs: int) -> tuple[float, float, pd.DataFrame]:
    cpu, wall = cpu_seconds(), time.perf_counter()
    result = forecast_history(history=history, horizon=horizon, model="auto", n_jobs=n_jobs)
    return time.perf_counter() - wall, cpu_seconds() - cpu, result


def time_direct(*, history: pd.DataFrame, horizon: int, n_jobs: int) -> tuple[float, float]:
    """The engine's statsforecast calls, made directly; inputs prepared before timing."""
    from statsforecast import StatsForecast

    from salesops.planning.engine.forecast import PARALLEL_MIN_SERIES

    panel = build_panel(history=history)
    plan = plan_models(panel=panel, model="auto", season_length=12)
    calls = []
    for group in model_groups(panel=panel, plan=plan, season_length=12):
        jobs = n_jobs if (len(group.series) >= PARALLEL_MIN_SERIES and group.name != "croston") else 1
        calls.append(
            (
                statsforecast_models(name=group.name, season_length=group.season_length),
                group_frame(panel=panel, series=group.series),
                jobs,
                group.compares,
            )
        )
    cpu, wall = cpu_seconds(), time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for models, frame, jobs, fitted in calls:
            StatsForecast(models=models, freq=1, n_jobs=jobs).forecast(df=frame, h=horizon, fitted=fitted)
    return time.perf_counter() - wall, cpu_seconds() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=10_000)
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--horizon", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=default_n_jobs())
    args = parser.parse_args()

    history = synthetic_history(n_series=args.series, n_months=args.months)
    print(
        f"{args.series:,} series x {args.months} months ({len(history):,} rows), horizon {args.horizon}, "
        f"model auto, n_jobs {args.jobs}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}"
    )
    # Warm up imports and compiled code on a few series so that neither timing pays for them.
    forecast_history(history=history[history["series"] < "SKU00030"], horizon=args.horizon, n_jobs=1)

    engine_wall, engine_cpu, result = time_engine(history=history, horizon=args.horizon, n_jobs=args.jobs)
    models = result.drop_duplicates("series")["model"].value_counts().to_dict()
    print(f"engine, full pipeline:       {engine_wall:8.1f} s wall  {engine_cpu:8.1f} s CPU   models {models}")
    direct_wall, direct_cpu = time_direct(history=history, horizon=args.horizon, n_jobs=args.jobs)
    print(f"statsforecast called directly: {direct_wall:6.1f} s wall  {direct_cpu:8.1f} s CPU")
    print(
        f"ratio engine / direct:       {engine_wall / direct_wall:8.2f} wall  {engine_cpu / direct_cpu:8.2f} CPU"
        "   (target <= 1.5)"
    )

    start = time.perf_counter()
    holdout = holdout_evaluation(history=history, horizon=3, model="auto", n_jobs=args.jobs)
    print(
        f"3-month holdout ({time.perf_counter() - start:.1f} s): WAPE auto {100 * holdout.wape_model:.1f}%, "
        f"seasonal naive {100 * holdout.wape_seasonal_naive:.1f}%  (load average {os.getloadavg()[0]:.1f})"
    )


if __name__ == "__main__":
    main()
