"""ABC grading of 100,000 customers over 2,000,000 order lines on SQLite (target < 5 s).

Order lines do not exist in this area, so a synthetic `bench_order_line` table (2,000,000
rows) stands in; its aggregate (one GROUP BY) is fed through the measure-provider interface
into `grading_run` (aggregate, classification with ties by name, 100,000 CustomerGrade rows,
current grade on Customer). Baselines in the same run: the bare aggregate query, and the
classification alone in pure Python (the exact-decimal reference rule).

Run: ``cd bench && ../.venv/bin/python crm_grading.py [customers] [lines]``
(CRM_BENCH_VAR=<dir> keeps the generated database for the next run.)"""

import random
import sys
import time
from decimal import Decimal

from crm_common import org, setup

CUSTOMERS = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
LINES = int(sys.argv[2]) if len(sys.argv) > 2 else 2_000_000


def _generate(connection, people):
    from salesops.crm.models import Customer

    rep, team = people["rep1"], people["rep1"].org_unit
    for offset in range(0, CUSTOMERS, 20_000):
        Customer.objects.bulk_create(
            [
                Customer(code=f"G{i:07d}", name=f"客户{i % (CUSTOMERS // 2)}", owner=rep, team=team)
                for i in range(offset, min(offset + 20_000, CUSTOMERS))
            ]
        )
    first = Customer.objects.order_by("pk").values_list("pk", flat=True).first()
    rng = random.Random(7)
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_order_line (id INTEGER PRIMARY KEY, customer_id INTEGER, amount NUMERIC)")
        for offset in range(0, LINES, 100_000):
            cursor.executemany(
                "INSERT INTO bench_order_line (customer_id, amount) VALUES (?, ?)",
                [
                    (first + int(rng.paretovariate(1.2) * 97) % CUSTOMERS, round(rng.uniform(10, 5000), 2))
                    for _ in range(min(100_000, LINES - offset))
                ],
            )


def clock(func):
    start, start_cpu = time.perf_counter(), time.process_time()
    result = func()
    return result, time.perf_counter() - start, time.process_time() - start_cpu


def main():
    setup("grading")
    from django.db import connection

    from salesops.crm import grading
    from salesops.crm.models import Customer, CustomerGrade

    people = org()
    start = time.perf_counter()
    if "bench_order_line" not in connection.introspection.table_names():
        _generate(connection, people)
        print(f"generated {CUSTOMERS:,} customers and {LINES:,} order lines in {time.perf_counter() - start:.1f} s")
    else:
        print(f"reusing {Customer.objects.count():,} customers and their order lines")

    def order_lines_measure(*, start, end):
        with connection.cursor() as cursor:
            cursor.execute("SELECT customer_id, SUM(amount) FROM bench_order_line GROUP BY customer_id")
            return {pk: Decimal(str(round(total, 2))) for pk, total in cursor.fetchall()}

    grading.register_grading_measure("bench_order_lines", order_lines_measure)
    values, agg_wall, agg_cpu = clock(lambda: order_lines_measure(start=None, end=None))
    print(
        f"baseline: aggregate of {LINES:,} lines alone: {agg_wall:.2f} s wall, {agg_cpu:.2f} s CPU "
        f"({len(values):,} customers with sales)"
    )
    positive = [(str(k), v) for k, v in values.items()]
    _rows, py_wall, py_cpu = clock(lambda: grading.fallback_abc(positive, cutoffs=(40, 80)))
    print(f"baseline: pure-Python classification alone: {py_wall:.2f} s wall, {py_cpu:.2f} s CPU")
    for label in ("first run", "second run"):
        run, wall, cpu = clock(lambda: grading.grading_run(measure="bench_order_lines"))
        print(
            f"full grading run, {label} (aggregate + classify + {run.customers:,} grade rows + current grades): "
            f"{wall:.2f} s wall, {cpu:.2f} s CPU (target < 5 s); ratio to the aggregate alone {wall / agg_wall:.1f}x"
        )
    assert CustomerGrade.objects.filter(run=run).count() == Customer.objects.count()
    print("grades:", {g: Customer.objects.filter(grade=g).count() for g in "ABC"})


if __name__ == "__main__":
    main()
