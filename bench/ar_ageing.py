"""Benchmark: AR ageing at a past date over 200,000 invoices, with the allocation model.

Data: `ar_common.py` (200,000 invoices paid by receipts through dated allocations, with
instalments, reversals, credit notes and money on account; `--keep DIR` keeps it for the next
runs of this benchmark and of `credit_ageing.py`).

Times, best of N runs, `credit.ageing.ageing` at a date 180 days ago grouped by customer, rep
and team, with the money on account (the receipts), as the ageing page runs it. Baseline in
the same run: a plain scan of the same rows — one SUM over the invoices issued by then and one
over the allocations dated by then (which is also the open total the ageing must report;
checked). Target: the slowest ageing < 2 s wall. Wall and process CPU time are printed (SQLite
runs in this process), with the load average before and after: on a loaded machine the CPU
time is the fairer figure.

Run: ``.venv/bin/python bench/ar_ageing.py [--invoices 200000] [--runs 3] [--keep DIR]``
"""

from __future__ import annotations

import argparse
import datetime
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ar_common import best_of, ensure_data, load_average, setup  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invoices", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", help="directory to keep the database in and reuse on the next run")
    args = parser.parse_args()
    ensure_data(args.invoices, setup(args.keep))

    from salesops.credit.ageing import ageing
    from salesops.credit.models import Allocation, Receipt
    from salesops.credit.money import money_total
    from salesops.sales.models import Invoice

    everything, money = Invoice.objects.all(), Receipt.objects.all()
    past = datetime.date.today() - datetime.timedelta(days=180)

    def plain_scan():
        issued = money_total(everything.filter(issue_date__lte=past), "total")
        paid = money_total(Allocation.objects.filter(receipt__isnull=False, allocated_on__lte=past), "amount")
        return issued - paid

    print(f"before: {load_average()}")
    print(f"{'':42s} {'wall ms':>9s} {'cpu ms':>9s} {'× baseline':>11s}")
    wall, cpu, expected = best_of(args.runs, plain_scan)
    print(f"{'baseline: plain scan (2 SUMs)':42s} {wall * 1000:9.1f} {cpu * 1000:9.1f} {1:10.1f}x")
    base = wall
    worst = worst_cpu = 0.0
    for group in ("customer", "rep", "team"):
        label = f"ageing at {past} by {group}"
        g_wall, g_cpu, report = best_of(
            args.runs, lambda g=group: ageing(everything, as_of=past, group_by=g, receipts=money)
        )
        worst, worst_cpu = max(worst, g_wall), max(worst_cpu, g_cpu)
        print(f"{label:42s} {g_wall * 1000:9.1f} {g_cpu * 1000:9.1f} {g_wall / base:10.1f}x")
        if report["totals"]["total"] != expected:
            sys.exit(f"ageing by {group} reports {report['totals']['total']}, the rows say {expected}")
    print(f"after: {load_average()}")
    print(f"open at {past}: {expected:,.2f} (ageing = invoices issued − allocations dated by then: agrees)")
    print(
        f"slowest ageing at a past date: {worst * 1000:.0f} ms wall, {worst_cpu * 1000:.0f} ms cpu "
        f"(target < 2000 ms wall): {'OK' if worst < 2 else 'TOO SLOW'}"
    )


if __name__ == "__main__":
    main()
