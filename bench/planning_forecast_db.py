"""Forecast pipeline from the database: 10,000 monthly series of 36 months, horizon 3, auto.

The synthetic history of bench/forecast.py (same generator and seed) is stored as confirmed
order lines (one order per month, bulk_create) of 10,000 products in 50 families, in a fresh
temporary SQLite database. Then, in the same run:

  - the full pipeline of a forecast run (`forecast_run_execute`): read the order lines from the
    database, aggregate by product and month and by family, forecast with the engine, store
    one ForecastLine per series and month;
  - the engine's statsforecast calls made directly on ready-made frames of the same arrays
    (bench/forecast.py `time_direct`), the time of the statistical work alone;
  - the ratio (target <= 1.5), wall and CPU time (this process and its workers);
  - the WAPE of the automatic choice and of seasonal naive on a 3-month holdout.

    .venv/bin/python bench/planning_forecast_db.py [--series 10000] [--months 36] [--jobs 2]
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from crm_common import setup  # noqa: E402

FAMILIES = 50


def populate(history, n_series: int):
    from django.db import transaction

    from salesops.catalog.models import Product
    from salesops.catalog.services import family_create
    from salesops.core.tests.factories import make_org
    from salesops.crm.services import customer_create
    from salesops.inventory.models import Warehouse
    from salesops.sales.models import OrderLine, SalesOrder

    org = make_org()
    rep = org["rep1"]
    customer = customer_create(actor=rep, name="Bench customer", owner=rep)
    warehouse = Warehouse.objects.create(code="BENCH", name="Bench")
    families = [family_create(code=f"F{k:02d}", name=f"Family {k}") for k in range(FAMILIES)]
    with transaction.atomic():
        Product.objects.bulk_create(
            [
                Product(sku=f"SKU{k:05d}", name=f"SKU{k:05d}", status="approved", family=families[k % FAMILIES])
                for k in range(1, n_series + 1)
            ],
            batch_size=5000,
        )
        ids = dict(Product.objects.values_list("sku", "pk"))
        zero = Decimal("0")
        for period, rows in history.groupby("period", sort=True):
            year, month = (int(part) for part in period.split("-"))
            order = SalesOrder.objects.create(
                number=f"SO-BENCH-{period}",
                customer=customer,
                rep=rep,
                team=rep.org_unit,
                warehouse=warehouse,
                status="confirmed",
                order_date=datetime.date(year, month, 15),
            )
            OrderLine.objects.bulk_create(
                [
                    OrderLine(
                        order=order,
                        position=k + 1,
                        product_id=ids[sku],
                        quantity=Decimal(int(q)),
                        unit_price=zero,
                        list_price=zero,
                        amount=zero,
                    )
                    for k, (sku, q) in enumerate(zip(rows["series"], rows["quantity"], strict=True))
                ],
                batch_size=5000,
            )
    last = history["period"].max()
    year, month = (int(part) for part in last.split("-"))
    first_period = datetime.date(year + month // 12, month % 12 + 1, 1)
    return org["planner"], first_period, list(ids.values())


def cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=10_000)
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--no-holdout", action="store_true")
    args = parser.parse_args()
    var = setup("planning-forecast-db")
    from forecast import synthetic_history, time_direct

    from salesops.planning.engine.forecast import default_n_jobs, forecast_history, holdout_evaluation
    from salesops.planning.forecasting import forecast_run_create, forecast_run_execute
    from salesops.planning.models import ForecastLine

    jobs = args.jobs or default_n_jobs()
    history = synthetic_history(n_series=args.series, n_months=args.months)
    started = time.perf_counter()
    planner, first_period, product_ids = populate(history, args.series)
    print(
        f"temporary SQLite database in {var}: {args.series:,} products in {FAMILIES} families, {len(history):,} "
        f"order lines over {args.months} months (stored in {time.perf_counter() - started:.1f} s); n_jobs {jobs}, "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}"
    )
    # Warm up imports and compiled code on a few series so that neither timing pays for them.
    forecast_history(history=history[history["series"] < "SKU00030"], horizon=3, n_jobs=1)

    run = forecast_run_create(actor=planner, first_period=first_period, horizon=3, enqueue=False)
    cpu, wall = cpu_seconds(), time.perf_counter()
    run = forecast_run_execute(run=run, n_jobs=jobs)
    pipeline_wall, pipeline_cpu = time.perf_counter() - wall, cpu_seconds() - cpu
    assert run.status == "done", run.message
    stored = ForecastLine.objects.filter(run=run).count()
    print(
        f"pipeline from the database and back: {pipeline_wall:7.1f} s wall {pipeline_cpu:7.1f} s CPU "
        f"({run.n_series:,} series, {stored:,} lines stored)"
    )
    direct_wall, direct_cpu = time_direct(history=history, horizon=3, n_jobs=jobs)
    print(f"statsforecast called directly:       {direct_wall:7.1f} s wall {direct_cpu:7.1f} s CPU")
    print(
        f"ratio pipeline / direct:             {pipeline_wall / direct_wall:7.2f} wall "
        f"{pipeline_cpu / direct_cpu:7.2f} CPU   (target <= 1.5)"
    )
    if not args.no_holdout:
        holdout = holdout_evaluation(history=history, horizon=3, model="auto", n_jobs=jobs)
        print(
            f"3-month holdout: WAPE auto {100 * holdout.wape_model:.1f}%, seasonal naive "
            f"{100 * holdout.wape_seasonal_naive:.1f}%"
        )


if __name__ == "__main__":
    main()
