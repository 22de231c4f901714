"""Forecasting beyond one machine: statsforecast on a Dask cluster.

statsforecast runs its models on Spark, Dask or Ray unchanged through its own distributed
backend (``statsforecast.distributed.fugue.FugueBackend``): the series are partitioned by
id over the cluster's workers, and every partition runs the same ``StatsForecast.forecast``
as one process does. The models, their parameters and the data are the same, so the
forecasts are the same numbers (the tests and `bench/forecast_distributed.py` check it).

Two choices of that backend are changed (:class:`~salesops.planning.engine.dask_backend.ExactFugueBackend`),
and why:

* it declares its output columns ``float32``, which rounds a forecast of 12,345.678 to
  12,345.6777 and the in-sample errors that choose the model per series likewise; the
  columns are declared ``float64`` so that a run on the cluster gives what one process gives;
* it partitions by series with Fugue's default algorithm, which on Dask is a
  ``groupby(...).apply`` calling statsforecast once per series (with a pickled result per
  series); here the series are hashed into ``workers x PARTITIONS_PER_WORKER`` partitions
  ("coarse" partitioning) and statsforecast runs once per partition, as it does in one
  process over its own chunks.

Why Dask rather than Ray: Dask and its scheduler (`distributed`) are pure Python (about 25 MB
installed, no binary of their own), start a local cluster with no set-up on a laptop or a CI
machine (11-21 s on the loaded 2-core test machine, workers included), and talk to a real
cluster by its scheduler address; Ray brings a large binary runtime (a few hundred MB) and its
own object store, which is more than a sales department's server needs and more than CI
should install to test it.

Where to run: ``SALESOPS_FORECAST_ENGINE=dask`` makes the forecast runs of the web page and
``salesops forecast --engine dask`` use a cluster: ``SALESOPS_DASK_SCHEDULER`` names one
(``tcp://scheduler:8786``), otherwise a local cluster of ``SALESOPS_DASK_WORKERS`` processes
(default 2) is started for the run and stopped after it. The settings are checked when read
(:func:`engine_problems`); a scheduler that cannot be reached raises
:class:`ForecastEngineError` after ``CONNECT_TIMEOUT`` seconds instead of waiting.

Nothing here imports Django; dask, distributed and fugue are imported only when a cluster
is used, so the settings can import this module cheaply.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
    import pandas as pd

ENGINES = ("local", "dask")
SCHEDULER_SCHEMES = ("tcp", "tls")
MAX_WORKERS = 64
PARTITIONS_PER_WORKER = 4
CONNECT_TIMEOUT = 10.0
"""Seconds to wait for a scheduler before giving up (Dask's own default is 30)."""


class ForecastEngineError(ValueError):
    """The forecast engine is misconfigured or its cluster cannot be reached.

    A ``ValueError``, so that the ``salesops`` command prints it as a one-line error."""


def engine_problems(*, name: str, address: str = "", workers: int = 2) -> list[str]:
    """What is wrong with an engine configuration, as sentences (empty when it is usable)."""
    problems = []
    if name not in ENGINES:
        problems.append(f"forecast engine {name!r} is not one of {', '.join(ENGINES)}")
    if address:
        problems.extend(_address_problems(address))
    if isinstance(workers, bool) or not isinstance(workers, int) or not 1 <= workers <= MAX_WORKERS:
        problems.append(f"Dask workers must be a whole number from 1 to {MAX_WORKERS}, got {workers!r}")
    return problems


def _address_problems(address: str) -> list[str]:
    example = "e.g. tcp://scheduler:8786"
    if any(character.isspace() for character in address):
        return [f"Dask scheduler address {address!r} contains spaces ({example})"]
    parts = urlsplit(address)
    if parts.scheme not in SCHEDULER_SCHEMES or not parts.netloc:
        return [f"Dask scheduler address {address!r} must be {' or '.join(SCHEDULER_SCHEMES)}://host:port ({example})"]
    try:
        port = parts.port
    except ValueError:
        port = -1
    if not parts.hostname or port is None or not 1 <= port <= 65535 or parts.path not in ("", "/"):
        return [f"Dask scheduler address {address!r} must name a host and a port from 1 to 65535 ({example})"]
    return []


def check_engine(*, name: str, address: str = "", workers: int = 2) -> None:
    """Raise :class:`ForecastEngineError` naming every problem of the configuration."""
    problems = engine_problems(name=name, address=address, workers=workers)
    if problems:
        raise ForecastEngineError("; ".join(problems))


@contextmanager
def dask_client(
    *, address: str = "", workers: int = 2, processes: bool = True, connect_timeout: float | None = None
) -> Iterator[Any]:
    """A Dask client of the cluster at `address` (waiting at most `connect_timeout` seconds,
    default ``CONNECT_TIMEOUT``), or of a local cluster of `workers` single-threaded worker
    processes started for the block (and stopped after it)."""
    from distributed import Client, LocalCluster

    if address:
        connect_timeout = CONNECT_TIMEOUT if connect_timeout is None else connect_timeout
        try:
            client = Client(address, timeout=connect_timeout)
        except (OSError, TimeoutError) as error:
            raise ForecastEngineError(
                f"cannot reach the Dask scheduler at {address} within {connect_timeout:g} s ({error})"
            ) from error
        try:
            yield client
        finally:
            client.close()
        return
    with (
        LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=processes,
            scheduler_port=0,
            # No dashboard, and the scheduler's small HTTP server on any free port (not 8787,
            # which a second cluster on the machine would find taken).
            dashboard_address=None,
            scheduler_kwargs={"dashboard": False, "dashboard_address": ":0"},
            # The cluster's routine warnings (a shuffle started, a worker stopped by force at
            # the end) are not the user's business; errors still show.
            silence_logs=logging.ERROR,
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client


@contextmanager
def forecast_engine(
    *, name: str, address: str = "", workers: int = 2, processes: bool = True, connect_timeout: float | None = None
) -> Iterator[Any]:
    """The engine argument of `forecast_panel`: None for one process, a Dask client for "dask"."""
    check_engine(name=name, address=address, workers=workers)
    if name == "local":
        yield None
        return
    with dask_client(address=address, workers=workers, processes=processes, connect_timeout=connect_timeout) as client:
        yield client


def describe_engine(*, name: str, address: str = "", workers: int = 2) -> str:
    """One line naming where forecasts run, for logs and the command's summary."""
    if name == "local":
        return "local (one machine)"
    if address:
        return f"dask at {address}"
    return f"dask (local cluster of {workers} worker process{'es' if workers != 1 else ''})"


def run_on_dask(
    *, client: Any, forecaster: Any, frame: pd.DataFrame, horizon: int, fitted: bool
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """`forecaster.forecast` on the cluster of `client` through statsforecast's Fugue backend;
    results as pandas, sorted by series and period like the one-process call returns them."""
    import dask.dataframe as dd
    from fugue_dask import DaskExecutionEngine

    from salesops.planning.engine.dask_backend import ExactFugueBackend

    workers = max(1, len(client.scheduler_info().get("workers", {})))
    ids = frame["unique_id"].nunique()
    partitions = max(1, min(ids, workers * PARTITIONS_PER_WORKER))
    distributed = dd.from_pandas(frame, npartitions=partitions, sort=False)
    backend = ExactFugueBackend(DaskExecutionEngine(dask_client=client), partitions=partitions)
    result = backend.forecast(
        df=distributed,
        freq=forecaster.freq,
        models=forecaster.models,
        fallback_model=forecaster.fallback_model,
        X_df=None,
        h=horizon,
        level=None,
        fitted=fitted,
        prediction_intervals=None,
        id_col="unique_id",
        time_col="ds",
        target_col="y",
    )
    forecasts = _sorted(result.compute())
    fitted_values = _sorted(backend.forecast_fitted_values().compute()) if fitted else None
    return forecasts, fitted_values


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.astype({"unique_id": "int64"})
    return frame.sort_values(["unique_id", "ds"], kind="stable").reset_index(drop=True)
