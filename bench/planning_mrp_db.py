"""MRP from the database and back: 20,000 items, 6 BOM levels, ~60,000 BOM lines, 52 weeks.

The data set is the one of bench/mrp.py (same generator and seed), stored with bulk_create
in a fresh temporary SQLite database: products (lead time in days = weeks x 7, lot rules,
safety stock; items with components are made, the others bought), BOM lines, stock balances,
an MPS with the independent demand, and scheduled receipts as open purchase order lines
(bought items) and open production orders (made items). Then, in the same run:

  - the regenerative run from the database and back exactly as the page starts it
    (`mrp_run_execute` with its defaults: read with values_list into numpy, plan, peg every
    planned order, write planned orders with their pegging, exceptions and capacity);
  - the engine alone and the pegging alone on the same arrays (`run_mrp`, `peg_table`);
  - as a baseline, the same run without pegging;
  - the page's run again, now also deleting the previous run's open planned orders (the
    steady state: each regenerative run replaces the plan before it).

Wall and CPU time are printed for each (the machine may be shared).

    .venv/bin/python bench/planning_mrp_db.py [--items 20000]
"""

from __future__ import annotations

import argparse
import datetime
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from crm_common import setup  # noqa: E402


def timed(label: str, func):
    wall, cpu = time.perf_counter(), time.process_time()
    result = func()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(f"{label:<58} {wall:8.2f} s wall {cpu:8.2f} s CPU")
    return result, wall, cpu


def populate(n_items: int):
    import numpy as np
    from django.db import transaction
    from mrp import PERIODS, generate

    from salesops.catalog.models import BomLine, Product
    from salesops.core.models import User
    from salesops.inventory.models import PurchaseOrder, PurchaseOrderLine, StockBalance, Supplier, Warehouse
    from salesops.planning.models import MasterSchedule, MpsLine, ProductionOrder
    from salesops.planning.periods import week_start

    data = generate(n_items=n_items)
    items, bom, demand, receipts = data["items"], data["bom"], data["demand"], data["receipts"]
    makes = set(bom["parent"].tolist())
    user = User.objects.create(username="bench-planner")
    first_week = week_start(datetime.date.today())
    batch = 5000
    with transaction.atomic():
        Product.objects.bulk_create(
            [
                Product(
                    sku=row.item,
                    name=row.item,
                    status="approved",
                    source="make" if row.item in makes else "buy",
                    lead_time_days=int(row.lead_time) * 7,
                    lot_rule=row.lot_rule,
                    lot_qty=Decimal(int(row.lot_qty)),
                    safety_stock=Decimal(int(row.safety_stock)),
                )
                for row in items.itertuples()
            ],
            batch_size=batch,
        )
        ids = dict(Product.objects.values_list("sku", "pk"))
        start = first_week - datetime.timedelta(days=365)
        BomLine.objects.bulk_create(
            [
                BomLine(parent_id=ids[p], component_id=ids[c], quantity=Decimal(int(q)), valid_from=start)
                for p, c, q in zip(bom["parent"], bom["component"], bom["qty_per"], strict=True)
            ],
            batch_size=batch,
        )
        warehouse = Warehouse.objects.create(code="BENCH", name="Bench")
        StockBalance.objects.bulk_create(
            [
                StockBalance(product_id=ids[row.item], warehouse=warehouse, on_hand=Decimal(int(row.on_hand)))
                for row in items.itertuples()
                if row.on_hand
            ],
            batch_size=batch,
        )
        schedule = MasterSchedule.objects.create(
            number="MPS-BENCH",
            first_week=first_week,
            weeks=PERIODS,
            consumption="max",
            frozen_weeks=2,
            demand_time_fence_weeks=2,
            planning_time_fence_weeks=8,
            created_by=user,
        )
        cells = demand.groupby(["item", "period"], as_index=False)["quantity"].sum()
        zero = Decimal("0")
        MpsLine.objects.bulk_create(
            [
                MpsLine(
                    schedule=schedule,
                    product_id=ids[i],
                    week=first_week + datetime.timedelta(weeks=int(t) - 1),
                    forecast=zero,
                    orders=zero,
                    demand=Decimal(int(q)),
                    projected=zero,
                    quantity=Decimal(int(q)),
                )
                for i, t, q in zip(cells["item"], cells["period"], cells["quantity"], strict=True)
            ],
            batch_size=batch,
        )
        supplier = Supplier.objects.create(code="BENCH", name="Bench")
        bought = receipts[~receipts["item"].isin(makes)]
        made = receipts[receipts["item"].isin(makes)]
        orders = {}
        for period in sorted(set(bought["period"].tolist())):
            orders[period] = PurchaseOrder.objects.create(
                number=f"PO-BENCH-{period}",
                supplier=supplier,
                warehouse=warehouse,
                expected_date=first_week + datetime.timedelta(weeks=int(period) - 1),
                created_by=user,
            )
        PurchaseOrderLine.objects.bulk_create(
            [
                PurchaseOrderLine(order=orders[int(t)], product_id=ids[i], quantity=Decimal(int(q)), unit_cost=zero)
                for i, t, q in zip(bought["item"], bought["period"], bought["quantity"], strict=True)
            ],
            batch_size=batch,
        )
        ProductionOrder.objects.bulk_create(
            [
                ProductionOrder(
                    number=f"MO-BENCH-{k}",
                    product_id=ids[i],
                    quantity=Decimal(int(q)),
                    created_by=user,
                    due_date=first_week + datetime.timedelta(weeks=int(t) - 1),
                )
                for k, (i, t, q) in enumerate(zip(made["item"], made["period"], made["quantity"], strict=True))
            ],
            batch_size=batch,
        )
    print(
        f"data: {len(items)} items, {len(bom)} BOM lines, {len(cells)} MPS cells, {len(bought)} open PO lines, "
        f"{len(made)} production orders, {PERIODS} weeks; {int(np.isin(items['item'], list(makes)).sum())} made items"
    )
    return schedule, user


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=20000)
    args = parser.parse_args()
    var = setup("planning-mrp-db")
    print(f"temporary SQLite database in {var}")
    from salesops.planning.engine.mrp import peg_table, run_mrp
    from salesops.planning.models import PlannedOrder
    from salesops.planning.mrp_db import load_problem, mrp_run_create, mrp_run_execute

    (schedule, user), _wall, _cpu = timed("generate and bulk_create the data set", lambda: populate(args.items))

    # What the page runs: the task calls mrp_run_execute(run=...) with its default, pegging stored.
    run = mrp_run_create(actor=user, schedule=schedule, weeks=schedule.weeks, enqueue=False)
    run, db_wall, db_cpu = timed(
        "MRP from the database and back, as the page runs it", lambda: mrp_run_execute(run=run)
    )
    assert run.status == "done", run.message
    print(f"  {run.n_items} items, {run.n_planned} planned orders, {run.n_exceptions} exceptions; {run.message}")
    assert PlannedOrder.objects.filter(run=run).count() == run.n_planned
    assert not PlannedOrder.objects.filter(run=run, pegging="").exists(), "every planned order is pegged"
    print(f"  target for this run: < 10 s ({'met' if db_wall < 10 else 'NOT met'} on wall, CPU {db_cpu:.2f} s)")

    (problem, _ids, _make), _w, _c = timed(
        "read the problem from the database (values_list → numpy)",
        lambda: load_problem(first_week=run.first_week, weeks=run.weeks, schedule=schedule),
    )
    result, engine_wall, _ = timed("engine alone on the same arrays (run_mrp)", lambda: run_mrp(problem=problem))
    assert len(result.planned_orders) == run.n_planned
    pegs, _w, _c = timed(
        "pegging alone on the same arrays (peg_table)", lambda: peg_table(problem=problem, result=result)
    )
    print(f"  {len(pegs)} pegs; database run / engine alone: {db_wall / engine_wall:.1f}x")

    bare = mrp_run_create(actor=user, schedule=schedule, weeks=schedule.weeks, enqueue=False)
    bare, _w, _c = timed(
        "baseline: the same run without pegging (replaces the plan)", lambda: mrp_run_execute(run=bare, pegging=False)
    )
    print(f"  {bare.message}")
    assert PlannedOrder.objects.filter(run=run).count() == 0

    again = mrp_run_create(actor=user, schedule=schedule, weeks=schedule.weeks, enqueue=False)
    again, _w, _c = timed("again as the page runs it, replacing the previous plan", lambda: mrp_run_execute(run=again))
    print(f"  {again.message}")
    assert PlannedOrder.objects.filter(run=bare).count() == 0
    assert PlannedOrder.objects.filter(run=again).count() == again.n_planned == run.n_planned


if __name__ == "__main__":
    main()
