"""`salesops forecast`: statistical baseline forecasts for a `series,period,quantity` CSV file.

Input: a CSV file with a header containing ``series``, ``period`` and ``quantity`` (other
columns are ignored); ``period`` is ``YYYY-MM`` (monthly) or, with ``--freq W``, a date
``YYYY-MM-DD`` (any day of the week). Several rows for one series and period are summed.

Output: a CSV file ``series,period,forecast,model`` sorted by series then period, with
``forecast`` written with three decimals and never negative, and ``model`` naming the
method used for that series (``ets``, ``theta``, ``arima``, ``croston``,
``seasonal_naive``, or the fallbacks ``mean`` for short histories and ``zero`` for series
without demand or discontinued). The methods and the automatic choice are described in
:mod:`salesops.planning.engine.forecast`.

On a terminal a progress bar (on stderr) counts the series as the models run. Any problem
with the input raises ``ValueError`` with a one-line message, which the ``salesops`` entry
point prints on stderr with exit code 2.

Where the models run: ``--engine local`` (default) in this process with ``--jobs`` worker
processes; ``--engine dask`` on a Dask cluster through statsforecast's distributed backend
(:mod:`salesops.planning.engine.distributed`), the one at ``--scheduler tcp://host:8786`` or
else a local cluster of ``--workers`` processes started for the command. The defaults of the
three options are the settings ``SALESOPS_FORECAST_ENGINE``, ``SALESOPS_DASK_SCHEDULER`` and
``SALESOPS_DASK_WORKERS`` read from the environment (the command does not need Django). A
bad engine, address or worker count, or a scheduler that cannot be reached, is a one-line
error too.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import pandas as pd

from salesops.planning.engine.distributed import ENGINES, MAX_WORKERS, check_engine, forecast_engine
from salesops.planning.engine.forecast import FREQUENCIES, MODEL_CHOICES, forecast_history

FORECAST_DECIMALS = 3
INPUT_COLUMNS = ("series", "period", "quantity")
OUTPUT_COLUMNS = ["series", "period", "forecast", "model"]
PROGRESS_CHUNK = 1000


def read_history(*, path: Path) -> pd.DataFrame:
    """Read the history CSV with every column as text (series names stay as written)."""
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except pd.errors.EmptyDataError:
        raise ValueError(f"{path}: empty file (expected a header with {','.join(INPUT_COLUMNS)})")
    missing = [column for column in INPUT_COLUMNS if column not in frame.columns]
    if missing:
        raise ValueError(
            f"{path}: missing column(s) {', '.join(missing)} (expected a header with {','.join(INPUT_COLUMNS)})"
        )
    frame = frame[list(INPUT_COLUMNS)]
    empty_series = frame["series"].str.strip() == ""
    if empty_series.any():
        raise ValueError(f"{path}:{int(empty_series.to_numpy().argmax()) + 2}: empty series")
    quantity = pd.to_numeric(frame["quantity"].str.strip(), errors="coerce")
    bad = quantity.isna().to_numpy()
    if bad.any():
        line = int(bad.argmax())
        raise ValueError(f"{path}:{line + 2}: quantity {frame['quantity'].iloc[line]!r} is not a number")
    return frame.assign(quantity=quantity)


def _terminal_progress():
    """A ``progress(done, total)`` callback drawing a tqdm bar, or None off a terminal."""
    if not sys.stderr.isatty():
        return None, lambda: None
    from tqdm import tqdm

    bar: dict[str, tqdm] = {}

    def progress(done: int, total: int) -> None:
        if "bar" not in bar:
            bar["bar"] = tqdm(total=total, unit="series", desc="forecast", file=sys.stderr)
        bar["bar"].update(done - bar["bar"].n)

    def close() -> None:
        if "bar" in bar:
            bar["bar"].close()

    return progress, close


def run_forecast(
    *,
    history_path: Path,
    output_path: Path | None,
    horizon: int,
    season_length: int | None,
    model: str,
    freq: str = "M",
    n_jobs: int | None = None,
    engine: str = "local",
    scheduler: str = "",
    workers: int = 2,
) -> int:
    """Forecast the history file and write the result (stdout when no path)."""
    if horizon < 1:
        raise ValueError(f"--horizon must be at least 1, got {horizon}")
    if season_length is not None and season_length < 1:
        raise ValueError(f"--season-length must be at least 1, got {season_length}")
    if n_jobs is not None and n_jobs < 1:
        raise ValueError(f"--jobs must be at least 1, got {n_jobs}")
    check_engine(name=engine, address=scheduler, workers=workers)
    if engine == "local" and scheduler:
        raise ValueError("--scheduler needs --engine dask")
    history = read_history(path=history_path)
    progress, close = _terminal_progress()
    try:
        with forecast_engine(name=engine, address=scheduler, workers=workers) as client:
            result = forecast_history(
                history=history,
                horizon=horizon,
                season_length=season_length,
                model=model,
                freq=freq,
                n_jobs=n_jobs,
                progress=progress,
                chunk_size=PROGRESS_CHUNK if progress else None,
                engine=client,
            )
    finally:
        close()
    result = result[OUTPUT_COLUMNS]
    target = sys.stdout if output_path is None else output_path
    result.to_csv(target, index=False, float_format=f"%.{FORECAST_DECIMALS}f", lineterminator="\n")
    return 0


def _handle(args: argparse.Namespace) -> int:
    if args.workers is None:
        args.workers = _integer_setting("SALESOPS_DASK_WORKERS", default=2)
    return run_forecast(
        history_path=Path(args.history),
        output_path=None if args.out == "-" else Path(args.out),
        horizon=args.horizon,
        season_length=args.season_length,
        model=args.model,
        freq=args.freq,
        n_jobs=args.jobs,
        engine=args.engine,
        scheduler=args.scheduler,
        workers=args.workers,
    )


def _integer(text: str) -> int:
    # argparse's own type errors exit with a usage message; ours go through ValueError.
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number")


def _integer_setting(name: str, *, default: int) -> int:
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        return int(text)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, got {text!r}")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``forecast`` subcommand."""
    parser = subparsers.add_parser(
        "forecast",
        help="statistical baseline forecast of series,period,quantity rows",
        description=(
            "Forecast every series HORIZON periods ahead with statsforecast. Input CSV columns: "
            "series,period,quantity (period YYYY-MM; rows of one series and period are summed, "
            "missing periods are zero). Output CSV columns: series,period,forecast,model "
            f"(forecast with {FORECAST_DECIMALS} decimals, never negative). --model auto picks per "
            "series: zero for no or discontinued demand, mean of the last 3 periods for fewer "
            "than 8 periods of history, croston for intermittent demand, otherwise ets, theta or "
            "seasonal_naive, whichever fits the history best (in-sample one-step error)."
        ),
    )
    parser.add_argument(
        "--history", required=True, metavar="history.csv", help="CSV with columns series,period,quantity"
    )
    parser.add_argument("--horizon", required=True, type=_integer, metavar="H", help="periods to forecast")
    parser.add_argument(
        "--season-length",
        type=_integer,
        default=None,
        metavar="N",
        help="periods per season (default 12 for months, 52 for weeks)",
    )
    parser.add_argument("--model", default="auto", choices=MODEL_CHOICES, help="method (default: auto)")
    parser.add_argument(
        "--freq",
        default="M",
        choices=FREQUENCIES,
        help="M: monthly periods YYYY-MM (default); W: weekly, periods are dates",
    )
    parser.add_argument(
        "--jobs",
        type=_integer,
        default=None,
        metavar="N",
        help="worker processes for the model fits (default: up to 2)",
    )
    parser.add_argument(
        "--engine",
        default=os.environ.get("SALESOPS_FORECAST_ENGINE", "local").strip().lower() or "local",
        metavar="{" + ",".join(ENGINES) + "}",
        help="where the models run: local (this machine, default) or dask (a Dask cluster); "
        "default from SALESOPS_FORECAST_ENGINE",
    )
    parser.add_argument(
        "--scheduler",
        default=os.environ.get("SALESOPS_DASK_SCHEDULER", "").strip(),
        metavar="ADDR",
        help="with --engine dask: the scheduler of a running cluster, e.g. tcp://scheduler:8786 "
        "(default SALESOPS_DASK_SCHEDULER; none: a local cluster is started)",
    )
    parser.add_argument(
        "--workers",
        type=_integer,
        default=None,
        metavar="N",
        help=f"with --engine dask and no scheduler: worker processes of the local cluster, 1 to {MAX_WORKERS} "
        "(default SALESOPS_DASK_WORKERS, else 2)",
    )
    parser.add_argument("--out", required=True, metavar="forecast.csv", help="output CSV ('-' for stdout)")
    parser.set_defaults(handler=_handle)
