"""Benchmark: AR ageing over 200,000 invoices, today and at a past date, documents only.

Data: `ar_common.py`, the same data set as `ar_ageing.py` (200,000 invoices paid by receipts
through dated allocations, instalments, reversals, credit notes; `--keep DIR` builds it once and
both benchmarks reuse it). Times, best of N runs, `credit.ageing.ageing` grouped by customer,
rep and team, without the money on account (`ar_ageing.py` times that):
- today (the open amount kept on each document), and
- at a past date (open amounts rebuilt from the allocations dated up to that day).
Baseline in the same run: a plain COUNT/SUM over the same invoice table, and a plain GROUP BY
customer SUM. Wall time and process CPU time (SQLite runs in this process) are printed for
each, and each ageing as a ratio to the GROUP BY baseline. The target (< 2 s) is checked on
the wall time; on a loaded machine the CPU time is the fairer figure.

Run: ``.venv/bin/python bench/credit_ageing.py [--invoices 200000] [--runs 5] [--keep DIR]``
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
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", help="directory to keep the database in and reuse on the next run")
    args = parser.parse_args()
    ensure_data(args.invoices, setup(args.keep))

    from django.db.models import Count, Sum

    from salesops.credit.ageing import ageing
    from salesops.credit.models import Allocation
    from salesops.credit.money import money_total
    from salesops.sales.models import Invoice

    everything = Invoice.objects.all()
    today = datetime.date.today()
    past = today - datetime.timedelta(days=180)
    print(f"before: {load_average()}")
    print(f"{'':45s} {'wall ms':>9s} {'cpu ms':>9s} {'cpu / GROUP BY':>15s}")
    rows = []
    for label, action in [
        ("baseline COUNT/SUM over invoices", lambda: everything.aggregate(n=Count("pk"), s=Sum("total"))),
        ("baseline GROUP BY customer SUM", lambda: list(everything.values("customer_id").annotate(s=Sum("total")))),
        ("ageing today by customer", lambda: ageing(everything, as_of=today, group_by="customer")),
        ("ageing today by rep", lambda: ageing(everything, as_of=today, group_by="rep")),
        ("ageing today by team", lambda: ageing(everything, as_of=today, group_by="team")),
        (f"ageing at {past} by customer", lambda: ageing(everything, as_of=past, group_by="customer")),
        (f"ageing at {past} by rep", lambda: ageing(everything, as_of=past, group_by="rep")),
        (f"ageing at {past} by team", lambda: ageing(everything, as_of=past, group_by="team")),
    ]:
        wall, cpu, _result = best_of(args.runs, action)
        rows.append((label, wall, cpu))
        baseline_cpu = rows[1][2] if len(rows) > 1 else cpu
        print(f"{label:45s} {wall * 1000:9.1f} {cpu * 1000:9.1f} {cpu / baseline_cpu:14.1f}x")
    print(f"after: {load_average()}")
    for as_of in (today, past):
        data = ageing(everything, as_of=as_of, group_by="team")
        # the same open total the slow way: documents issued by then less what settled them by then
        documents = everything.exclude(status="cancelled").filter(issue_date__lte=as_of)
        expected = (
            money_total(documents, "total")
            - money_total(Allocation.objects.filter(invoice__in=documents, allocated_on__lte=as_of), "amount")
            + money_total(Allocation.objects.filter(credit_note__in=documents, allocated_on__lte=as_of), "amount")
        )
        check = "agrees" if data["totals"]["total"] == expected else f"DIFFERS from {expected}"
        print(f"open at {as_of}:", {key: str(value) for key, value in data["totals"].items()}, check)
        if data["totals"]["total"] != expected:
            sys.exit(1)
    worst = max(wall for label, wall, _cpu in rows if label.startswith("ageing"))
    worst_cpu = max(cpu for label, _wall, cpu in rows if label.startswith("ageing"))
    print(
        f"slowest ageing: {worst * 1000:.0f} ms wall, {worst_cpu * 1000:.0f} ms cpu "
        f"(target < 2000 ms): {'OK' if worst < 2 else 'TOO SLOW'}"
    )


if __name__ == "__main__":
    main()
