"""Posting a 10,000-line stocktake on SQLite (target < 5 s), with goods moving during the
count. Baseline in the same run: posting the same kind of variances one line at a time
(a per-line loop, as a naive implementation would), measured on 500 lines and scaled.

    .venv/bin/python bench/inventory_stocktake.py [lines]
"""

import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from inventory_common import org, products_and_warehouses, setup  # noqa: E402


def main(lines: int = 10_000) -> None:
    setup("inventory-stocktake")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from salesops.inventory import stocktake as st
    from salesops.inventory.services import Reference, StockLine, stock_adjust, stock_issue, stock_receive

    people = org()
    keeper = people["warehouse"]
    warehouse, _dc, ids = products_and_warehouses(lines)
    stock_receive(
        warehouse=warehouse,
        lines=[StockLine(pid, Decimal("100"), Decimal("3")) for pid in ids],
        reference=Reference("bench"),
        actor=None,
    )

    start, cpu = time.perf_counter(), time.process_time()
    stocktake = st.stocktake_freeze(warehouse=warehouse, actor=keeper, approval_threshold=Decimal("999999999"))
    freeze, freeze_cpu = time.perf_counter() - start, time.process_time() - cpu
    # goods keep moving while counting: 1,000 products issue 5 units each
    stock_issue(
        warehouse=warehouse,
        lines=[StockLine(pid, Decimal("5")) for pid in ids[:1000]],
        reference=Reference("order", 1),
        actor=None,
    )
    counts = {pid: Decimal(95 if i < 1000 else 100 - (i % 7 == 0)) for i, pid in enumerate(ids)}
    start, cpu = time.perf_counter(), time.process_time()
    st.stocktake_record_counts(stocktake=stocktake, counts=counts, actor=keeper)
    record, record_cpu = time.perf_counter() - start, time.process_time() - cpu
    start, cpu = time.perf_counter(), time.process_time()
    with CaptureQueriesContext(connection) as queries:
        stocktake = st.stocktake_submit(stocktake=stocktake, actor=keeper)
    post, post_cpu = time.perf_counter() - start, time.process_time() - cpu
    assert stocktake.status == "posted", stocktake.status

    sample = 500
    start, cpu = time.perf_counter(), time.process_time()
    for pid in ids[:sample]:
        stock_adjust(
            warehouse=warehouse,
            deltas={pid: Decimal("-1")},
            reference=Reference("baseline"),
            actor=None,
            kind="stocktake",
        )
    baseline = (time.perf_counter() - start) * lines / sample
    baseline_cpu = (time.process_time() - cpu) * lines / sample

    print(f"stocktake of {lines:,} lines on SQLite")
    print(f"{'':31}{'wall':>9} {'cpu':>9}")
    print(f"  freeze (snapshot)            {freeze:7.2f} s {freeze_cpu:7.2f} s")
    print(f"  record {lines:,} counts        {record:7.2f} s {record_cpu:7.2f} s")
    print(f"  submit + post variances      {post:7.2f} s {post_cpu:7.2f} s   ({len(queries)} queries)   target < 5 s")
    print(
        f"  baseline, one line at a time {baseline:7.2f} s {baseline_cpu:7.2f} s"
        f"   (measured on {sample} lines, scaled)   ratio {baseline / post:.1f}×"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
