"""Forecasts on a Dask cluster (statsforecast's distributed backend) equal those of one process.

One local cluster of two single-threaded worker processes serves the whole module; the
command and the web run reach it by its scheduler address, as they would a real cluster.
Model groups go to the cluster from ``PARALLEL_MIN_SERIES`` series on, so the tests lower
that threshold to send a few hundred (or a couple of) series there, and check that they went.
"""

from __future__ import annotations

import datetime
import socket
import subprocess
import sys
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from django.test import override_settings
from django.utils import timezone

from salesops.cli import main
from salesops.planning.engine import distributed
from salesops.planning.engine import forecast as engine_forecast
from salesops.planning.engine.distributed import ForecastEngineError, engine_problems, forecast_engine
from salesops.planning.engine.forecast import forecast_history

N_SERIES = 120
N_MONTHS = 26


def synthetic_history(*, n_series: int = N_SERIES, n_months: int = N_MONTHS, seed: int = 7) -> pd.DataFrame:
    """Seasonal, flat, intermittent, new and stopped series; months without sales have no row."""
    rng = np.random.default_rng(seed)
    t = np.arange(n_months)
    kind = rng.choice(["seasonal", "flat", "intermittent", "new"], size=n_series, p=[0.6, 0.15, 0.2, 0.05])
    level = rng.lognormal(mean=4.0, sigma=1.0, size=n_series)
    amplitude = np.where(kind == "seasonal", rng.uniform(0.1, 0.5, size=n_series), 0.0)
    season = np.sin(2 * np.pi * (t[None, :] + rng.integers(0, 12, size=n_series)[:, None]) / 12)
    demand = level[:, None] * (1 + amplitude[:, None] * season) * (1 + rng.normal(0.0, 0.12, (n_series, n_months)))
    intermittent = kind == "intermittent"
    occurs = rng.random((n_series, n_months)) < 0.3
    demand[intermittent] = np.where(occurs[intermittent], rng.poisson(3.0, (intermittent.sum(), n_months)) + 1, 0)
    demand[kind == "new"] *= t >= n_months - 5
    demand[rng.random(n_series) < 0.03, -8:] = 0
    quantity = np.maximum(np.round(demand), 0)
    series = np.char.add("S", np.char.zfill(np.arange(n_series).astype(str), 4))
    periods = np.array([f"{2022 + m // 12}-{m % 12 + 1:02d}" for m in t])
    rows = quantity.ravel() > 0
    return pd.DataFrame(
        {
            "series": np.repeat(series, n_months)[rows],
            "period": np.tile(periods, n_series)[rows],
            "quantity": quantity.ravel()[rows],
        }
    )


@pytest.fixture(scope="module")
def cluster():
    """A local Dask cluster of two worker processes, for the whole module."""
    with forecast_engine(name="dask", workers=2) as client:
        yield client


@pytest.fixture
def dask_calls(monkeypatch):
    """Send groups from 20 series on to the cluster; record the size of each group sent."""
    monkeypatch.setattr(engine_forecast, "PARALLEL_MIN_SERIES", 20)
    calls: list[int] = []
    run_on_dask = distributed.run_on_dask

    def recording(**kwargs):
        calls.append(int(kwargs["frame"]["unique_id"].nunique()))
        return run_on_dask(**kwargs)

    monkeypatch.setattr(distributed, "run_on_dask", recording)
    return calls


def test_forecasts_on_the_cluster_equal_those_of_one_process(cluster, dask_calls):
    # given a few hundred series of every kind
    history = synthetic_history()

    # when they are forecast in one process and on the two workers of the cluster
    local = forecast_history(history=history, horizon=3, n_jobs=1)
    assert dask_calls == []
    remote = forecast_history(history=history, horizon=3, n_jobs=1, engine=cluster)

    # then the model groups ran on the cluster and gave the same models and numbers
    assert sum(dask_calls) >= N_SERIES // 2
    assert set(local["model"]) >= {"ets", "theta", "croston"}
    pd.testing.assert_frame_equal(local[["series", "period", "model"]], remote[["series", "period", "model"]])
    np.testing.assert_allclose(remote["forecast"], local["forecast"], rtol=1e-12, atol=1e-9)
    np.testing.assert_array_equal(remote["seasonal_naive"], local["seasonal_naive"])


def _write(path, history: pd.DataFrame) -> None:
    history.to_csv(path, index=False)


def test_command_with_engine_dask_writes_the_same_file_as_local(cluster, dask_calls, tmp_path, capsys):
    history = tmp_path / "history.csv"
    _write(history, synthetic_history(n_series=60, seed=11))
    local_out, dask_out = tmp_path / "local.csv", tmp_path / "dask.csv"
    address = cluster.scheduler.address

    local_code = main(["forecast", "--history", str(history), "--horizon", "3", "--out", str(local_out)])
    dask_code = main(
        [
            "forecast",
            *("--history", str(history), "--horizon", "3", "--out", str(dask_out)),
            *("--engine", "dask", "--scheduler", address),
        ]
    )

    assert (local_code, dask_code) == (0, 0), capsys.readouterr().err
    assert dask_calls, "the command did not use the cluster"
    assert dask_out.read_text() == local_out.read_text()
    assert len(local_out.read_text().splitlines()) == 1 + 60 * 3


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--engine", "spark"], "forecast engine 'spark' is not one of local, dask"),
        (["--engine", "dask", "--scheduler", "scheduler:8786"], "must be tcp or tls://host:port"),
        (["--engine", "dask", "--scheduler", "tcp://scheduler:99999"], "a port from 1 to 65535"),
        (["--engine", "dask", "--workers", "0"], "Dask workers must be a whole number from 1 to 64, got 0"),
        (["--engine", "local", "--scheduler", "tcp://scheduler:8786"], "--scheduler needs --engine dask"),
    ],
)
def test_command_refuses_a_bad_engine_in_one_line(tmp_path, capsys, options, message):
    history = tmp_path / "history.csv"
    _write(history, synthetic_history(n_series=3))
    out = tmp_path / "forecast.csv"

    code = main(["forecast", "--history", str(history), "--horizon", "3", "--out", str(out), *options])

    assert code == 2
    error = capsys.readouterr().err
    assert error.startswith("salesops forecast: error: ") and message in error
    assert len(error.strip().splitlines()) == 1
    assert not out.exists()


def test_command_says_when_the_scheduler_cannot_be_reached(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(distributed, "CONNECT_TIMEOUT", 1.0)
    history = tmp_path / "history.csv"
    _write(history, synthetic_history(n_series=3))
    out = tmp_path / "forecast.csv"
    address = f"tcp://127.0.0.1:{_free_port()}"

    code = main(
        ["forecast", "--history", str(history), "--horizon", "3", "--out", str(out), "--engine", "dask"]
        + ["--scheduler", address]
    )

    assert code == 2
    error = capsys.readouterr().err
    assert f"cannot reach the Dask scheduler at {address} within 1 s" in error
    assert not out.exists()


@pytest.mark.parametrize(
    ("name", "address", "workers", "problems"),
    [
        ("local", "", 2, []),
        ("dask", "tcp://10.0.0.5:8786", 2, []),
        ("dask", "tls://scheduler.example.com:8786", 64, []),
        ("Dask", "", 2, ["forecast engine 'Dask' is not one of local, dask"]),
        ("dask", "tcp://host:8786/x", 2, ["must name a host and a port"]),
        ("dask", "tcp://:8786", 2, ["must name a host and a port"]),
        ("dask", "http://host:8786", 2, ["must be tcp or tls://host:port"]),
        ("dask", "tcp://host :8786", 2, ["contains spaces"]),
        ("dask", "", 65, ["from 1 to 64, got 65"]),
        ("ray", "tcp://host", 0, ["not one of local, dask", "must name a host and a port", "got 0"]),
    ],
)
def test_engine_problems_name_each_mistake(name, address, workers, problems):
    found = engine_problems(name=name, address=address, workers=workers)

    assert len(found) == len(problems)
    for sentence, expected in zip(found, problems, strict=True):
        assert expected in sentence


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("SALESOPS_FORECAST_ENGINE", "spark", "forecast engine 'spark' is not one of local, dask"),
        ("SALESOPS_DASK_SCHEDULER", "scheduler:8786", "must be tcp or tls://host:port"),
        ("SALESOPS_DASK_WORKERS", "two", "SALESOPS_DASK_WORKERS must be an integer, got 'two'"),
    ],
)
def test_settings_refuse_a_bad_engine_at_start(variable, value, message):
    import os

    environment = {**os.environ, variable: value, "DJANGO_SETTINGS_MODULE": "salesops.settings.dev"}
    started = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert started.returncode != 0
    assert "ImproperlyConfigured" in started.stderr and message in started.stderr


# --- the forecast run of the web page -------------------------------------------------------------------


@pytest.fixture
def product_with_history(org):
    from salesops.planning.periods import add_months, month_start
    from salesops.planning.tests import factories as f

    admin = org["admin"]
    product = f.make_product(admin, "SEASONAL", family=f.make_family(admin))
    warehouse = f.make_warehouse(admin)
    customer = f.make_customer(org, org["rep1"])
    first = add_months(month_start(timezone.localdate()), 1)
    for k in range(1, 25):
        f.sell(
            customer=customer,
            rep=org["rep1"],
            warehouse=warehouse,
            product=product,
            day=add_months(first, -k) + datetime.timedelta(days=3),
            quantity=10 + 3 * (k % 4) + k // 6,
        )
    return {"product": product, "first": first, "planner": org["planner"]}


def _forecast_run(product_with_history):
    from salesops.planning import services

    run = services.forecast_run_create(
        actor=product_with_history["planner"],
        first_period=product_with_history["first"],
        product_ids=[product_with_history["product"].pk],
        enqueue=False,
    )
    return services.forecast_run_execute(run=run, n_jobs=1)


def _baselines(run) -> list[tuple[datetime.date, Decimal, str]]:
    from salesops.planning.models import ForecastLine

    lines = ForecastLine.objects.filter(run=run, level=ForecastLine.Level.PRODUCT).order_by("period")
    return [(line.period, line.baseline, line.model) for line in lines]


@pytest.mark.django_db
def test_web_run_uses_the_configured_cluster_and_records_it(cluster, monkeypatch, product_with_history):
    from salesops.planning.models import JobStatus

    monkeypatch.setattr(engine_forecast, "PARALLEL_MIN_SERIES", 1)
    sent: list[int] = []
    run_on_dask = distributed.run_on_dask
    monkeypatch.setattr(distributed, "run_on_dask", lambda **kw: sent.append(1) or run_on_dask(**kw))

    with override_settings(SALESOPS_FORECAST_ENGINE="local"):
        local = _forecast_run(product_with_history)
    assert sent == []
    with override_settings(SALESOPS_FORECAST_ENGINE="dask", SALESOPS_DASK_SCHEDULER=cluster.scheduler.address):
        remote = _forecast_run(product_with_history)

    assert (local.status, remote.status) == (JobStatus.DONE, JobStatus.DONE), remote.message
    assert (local.engine, remote.engine) == ("local", "dask")
    assert sent, "the run did not use the cluster"
    assert len(_baselines(remote)) == 3
    assert _baselines(remote) == _baselines(local)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("configuration", "message"),
    [
        ({"SALESOPS_FORECAST_ENGINE": "spark"}, "forecast engine 'spark' is not one of local, dask"),
        ({"SALESOPS_FORECAST_ENGINE": "dask", "SALESOPS_DASK_SCHEDULER": "tcp://127.0.0.1:{port}"}, "cannot reach"),
    ],
)
def test_web_run_with_an_unusable_engine_fails_with_the_reason(
    monkeypatch, product_with_history, configuration, message
):
    from salesops.planning.models import ForecastLine, JobStatus

    monkeypatch.setattr(distributed, "CONNECT_TIMEOUT", 1.0)
    configuration = {key: value.format(port=_free_port()) for key, value in configuration.items()}

    with override_settings(**configuration):
        run = _forecast_run(product_with_history)

    assert run.status == JobStatus.FAILED
    assert message in run.message
    assert run.finished_at is not None
    assert not ForecastLine.objects.filter(run=run).exists()


def test_engine_error_is_a_value_error_for_the_command():
    assert issubclass(ForecastEngineError, ValueError)
    with pytest.raises(ForecastEngineError, match="not one of local, dask"), forecast_engine(name="spark"):
        pass
