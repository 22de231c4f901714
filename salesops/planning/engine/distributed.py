"""Forecasting beyond one machine: statsforecast on a Dask cluster.

statsforecast runs its models on Spark, Dask or Ray unchanged through its own distributed
backend (Fugue): given a Dask DataFrame instead of a pandas one, ``StatsForecast.forecast``
partitions the series by id over the cluster's workers and returns a Dask DataFrame. The
models, their parameters and the data are the same as in one process, so the forecasts are
the same numbers (the benchmark `bench/forecast_distributed.py` checks it on 100,000 series).

Why Dask rather than Ray: Dask and its scheduler (`distributed`) are pure Python (about 25 MB
installed, no binary of their own), start a local cluster in a second on a laptop or a CI
machine, and talk to a real cluster by its scheduler address; Ray brings a large binary
runtime (a few hundred MB) and its own object store, which is more than a sales department's
server needs and more than CI should install to test it.

Where to run: ``SALESOPS_FORECAST_ENGINE=dask`` makes the forecast runs of the web page and
``salesops forecast --engine dask`` use a cluster: ``SALESOPS_DASK_SCHEDULER`` names one
(``tcp://scheduler:8786``), otherwise a local cluster of ``SALESOPS_DASK_WORKERS`` processes
(default 2) is started for the run and stopped after it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pandas as pd

ENGINES = ("local", "dask")
PARTITIONS_PER_WORKER = 4


@contextmanager
def dask_client(*, address: str = "", workers: int = 2) -> Iterator[Any]:
    """A Dask client of the cluster at `address`, or of a local cluster of `workers`
    single-threaded processes started for the block (and stopped after it)."""
    from distributed import Client, LocalCluster

    if address:
        client = Client(address)
        try:
            yield client
        finally:
            client.close()
        return
    with (
        LocalCluster(
            n_workers=max(1, workers), threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client


@contextmanager
def forecast_engine(*, name: str, address: str = "", workers: int = 2) -> Iterator[Any]:
    """The engine argument of `forecast_panel`: None for one process, a Dask client for "dask"."""
    if name not in ENGINES:
        raise ValueError(f"forecast engine {name!r} is not one of {', '.join(ENGINES)}")
    if name == "local":
        yield None
        return
    with dask_client(address=address, workers=workers) as client:
        yield client


def run_on_dask(
    *, client: Any, forecaster: Any, frame: pd.DataFrame, horizon: int, fitted: bool
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """`forecaster.forecast` on the cluster of `client`; results as pandas, sorted by series
    and period like the one-process call returns them."""
    import dask.dataframe as dd

    workers = max(1, len(client.scheduler_info().get("workers", {})))
    ids = frame["unique_id"].nunique()
    partitions = max(1, min(ids, workers * PARTITIONS_PER_WORKER))
    distributed = dd.from_pandas(frame, npartitions=partitions, sort=False)
    with _current(client):
        result = forecaster.forecast(df=distributed, h=horizon, fitted=fitted)
        forecasts = _sorted(result.compute())
        fitted_values = _sorted(forecaster.forecast_fitted_values().compute()) if fitted else None
    return forecasts, fitted_values


@contextmanager
def _current(client: Any) -> Iterator[None]:
    """Make `client` the one Dask (and so Fugue's Dask engine) uses in this block."""
    with client.as_current():
        yield


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.astype({"unique_id": "int64"})
    return frame.sort_values(["unique_id", "ds"], kind="stable").reset_index(drop=True)
