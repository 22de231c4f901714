"""Benchmark: the forecast on a Dask cluster against one process, on the same data and cores.

Runs ``forecast_history`` (model auto by default) on the synthetic data of
`bench/forecast.py` twice:

* single process: this machine, statsforecast with ``n_jobs = --workers`` processes;
* Dask: a local cluster of ``--workers`` single-threaded worker processes, the models run
  through statsforecast's distributed backend (`salesops.planning.engine.distributed`);
  the cluster is started before the timing (its start-up is printed apart).

Prints the wall time and the CPU time of each (this process plus its pool or worker
processes; for Dask also split between this process, where the local scheduler runs, and
the workers), their ratio, and the largest absolute difference between the two forecasts
and the number of series whose chosen model differs (both must be 0: the forecasts are
identical). Both runs are warmed up on 199 series first, sent to the pool or the cluster, so
that no worker imports or compiles the models during the timing (a long-lived cluster's
workers are warm; the cold start of a local cluster is printed apart).

Run: ``.venv/bin/python bench/forecast_distributed.py --series 100000 --months 36 --horizon 3 --workers 2``
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from forecast import cpu_seconds, synthetic_history  # noqa: E402

from salesops.planning.engine import forecast as engine_forecast  # noqa: E402
from salesops.planning.engine.distributed import forecast_engine  # noqa: E402
from salesops.planning.engine.forecast import MODEL_CHOICES, forecast_history  # noqa: E402


def warm_up(*, history, engine=None, **options) -> float:
    """Forecast a few series with every group sent to the pool or the cluster, so that the
    worker processes have imported and compiled the models before the timing."""
    threshold, engine_forecast.PARALLEL_MIN_SERIES = engine_forecast.PARALLEL_MIN_SERIES, 1
    started = time.perf_counter()
    try:
        forecast_history(history=history, n_jobs=2, engine=engine, **options)
    finally:
        engine_forecast.PARALLEL_MIN_SERIES = threshold
    return time.perf_counter() - started


def workers_cpu(client) -> float:
    return float(sum(client.run(time.process_time).values()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=100_000)
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--horizon", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--model", default="auto", choices=MODEL_CHOICES)
    args = parser.parse_args()

    history = synthetic_history(n_series=args.series, n_months=args.months)
    warm = history[history["series"] < "SKU00200"]
    options = {"horizon": args.horizon, "model": args.model}
    print(
        f"{args.series:,} series x {args.months} months ({len(history):,} rows), horizon {args.horizon}, "
        f"model {args.model}, {args.workers} workers, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}"
    )

    warm_up(history=warm, **options)
    cpu, wall = cpu_seconds(), time.perf_counter()
    local = forecast_history(history=history, n_jobs=args.workers, **options)
    local_wall, local_cpu = time.perf_counter() - wall, cpu_seconds() - cpu
    print(f"single process (n_jobs {args.workers}): {local_wall:8.1f} s wall  {local_cpu:8.1f} s CPU")

    started = time.perf_counter()
    with forecast_engine(name="dask", workers=args.workers) as client:
        print(f"local Dask cluster started in {time.perf_counter() - started:.1f} s", end="")
        print(f", its workers warmed up in {warm_up(history=warm, engine=client, **options):.1f} s")
        cpu, workers, wall = cpu_seconds(), workers_cpu(client), time.perf_counter()
        remote = forecast_history(history=history, n_jobs=args.workers, engine=client, **options)
        dask_wall = time.perf_counter() - wall
        here, there = cpu_seconds() - cpu, workers_cpu(client) - workers
        dask_cpu = here + there
    print(
        f"Dask, {args.workers} worker processes:   {dask_wall:8.1f} s wall  {dask_cpu:8.1f} s CPU"
        f"  (this process with the scheduler {here:.1f} s, workers {there:.1f} s)"
    )
    print(f"ratio Dask / single process:  {dask_wall / local_wall:8.2f} wall  {dask_cpu / local_cpu:8.2f} CPU")

    difference = float(np.max(np.abs(local["forecast"].to_numpy() - remote["forecast"].to_numpy()), initial=0.0))
    models = int((local["model"].to_numpy() != remote["model"].to_numpy()).sum() // args.horizon)
    same_rows = local[["series", "period"]].equals(remote[["series", "period"]])
    print(
        f"identical forecasts: max |difference| {difference:.3g}, series with another model {models}, "
        f"same rows {same_rows}  (load average {os.getloadavg()[0]:.1f})"
    )
    if difference != 0.0 or models or not same_rows:
        raise SystemExit("the forecasts on Dask differ from the single-process ones")


if __name__ == "__main__":
    main()
