"""Posting a 2,000-line transfer (send, then receive) on SQLite (target < 2 s each).
Baseline in the same run: the same transfer sent line by line (one ledger call per line),
measured on 200 lines and scaled.

    .venv/bin/python bench/inventory_transfer.py [lines]
"""

import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from inventory_common import org, products_and_warehouses, setup  # noqa: E402


def main(lines: int = 2_000) -> None:
    setup("inventory-transfer")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from salesops.inventory import documents
    from salesops.inventory.services import Reference, StockLine, stock_issue, stock_receive

    keeper = org()["warehouse"]
    main_wh, dc, ids = products_and_warehouses(lines)
    stock_receive(
        warehouse=main_wh,
        lines=[StockLine(pid, Decimal("50"), Decimal("2")) for pid in ids],
        reference=Reference("bench"),
        actor=None,
    )
    transfer = documents.transfer_create(source=main_wh, destination=dc, lines=[(pid, 7) for pid in ids], actor=keeper)
    start, cpu = time.perf_counter(), time.process_time()
    with CaptureQueriesContext(connection) as sent:
        documents.transfer_send(transfer=transfer, actor=keeper)
    send, send_cpu = time.perf_counter() - start, time.process_time() - cpu
    start, cpu = time.perf_counter(), time.process_time()
    with CaptureQueriesContext(connection) as received:
        documents.transfer_receive(transfer=transfer, actor=keeper)
    receive, receive_cpu = time.perf_counter() - start, time.process_time() - cpu

    sample = 200
    start, cpu = time.perf_counter(), time.process_time()
    for pid in ids[:sample]:
        stock_issue(
            warehouse=main_wh,
            lines=[StockLine(pid, Decimal("1"))],
            reference=Reference("baseline"),
            actor=None,
            kind="transfer_out",
            consume_reservation=False,
        )
    baseline = (time.perf_counter() - start) * lines / sample
    baseline_cpu = (time.process_time() - cpu) * lines / sample

    print(f"transfer of {lines:,} lines on SQLite")
    print(f"{'':31}{'wall':>9} {'cpu':>9}")
    print(f"  send (in transit)            {send:7.2f} s {send_cpu:7.2f} s   ({len(sent)} queries)   target < 2 s")
    print(f"  receive                      {receive:7.2f} s {receive_cpu:7.2f} s   ({len(received)} queries)")
    print(
        f"  baseline send, line by line  {baseline:7.2f} s {baseline_cpu:7.2f} s"
        f"   (measured on {sample} lines, scaled)   ratio {baseline / send:.1f}×"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2_000)
