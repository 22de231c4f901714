"""Submit time of a 300-line order against a 1-line order, in the same run.

    SALESOPS_VAR_DIR=/tmp/bench-var .venv/bin/python bench/sales_order_submit.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_sales_submit .venv/bin/python bench/sales_order_submit.py

Builds a throwaway test database (Django's test runner machinery), a small organisation and
300 products in stock, then times `order_submit` (credit check, reservation, confirmation)
and counts its queries.
"""

import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salesops.settings.dev")

import django  # noqa: E402

django.setup()

from decimal import Decimal  # noqa: E402

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402


def main(repeat: int = 5) -> None:
    setup_test_environment()
    old = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        from salesops.core.tests.factories import make_org
        from salesops.credit.models import CreditFile
        from salesops.sales import services
        from salesops.sales.tests.factories import make_customer, make_products, make_warehouse

        org = make_org()
        rep = org["rep1"]
        warehouse = make_warehouse()
        products = make_products(300, warehouse=warehouse, price="2.50", stock="100000")
        customer = make_customer(owner=rep, limit="100000000")
        CreditFile.objects.filter(customer=customer).update(limit=Decimal("100000000"))
        results = {}
        for size in (1, 300):
            times, queries = [], 0
            for _ in range(repeat):
                order = services.order_create(
                    actor=rep,
                    customer=customer,
                    payment="credit",
                    warehouse=warehouse,
                    lines=[{"product": p.pk, "quantity": "1"} for p in products[:size]],
                )
                with CaptureQueriesContext(connection) as ctx:
                    start = time.perf_counter()
                    services.order_submit(order=order, actor=rep)
                    times.append(time.perf_counter() - start)
                queries = len(ctx.captured_queries)
            results[size] = (statistics.median(times), max(times), queries)
        print(f"database: {connection.vendor}")
        for size, (median, worst, queries) in results.items():
            print(
                f"{size:>3}-line submit: median {median * 1000:.1f} ms, worst {worst * 1000:.1f} ms, {queries} queries"
            )
        print(f"ratio 300/1: {results[300][0] / results[1][0]:.2f}")
    finally:
        connection.creation.destroy_test_db(old, verbosity=0)


if __name__ == "__main__":
    main()
