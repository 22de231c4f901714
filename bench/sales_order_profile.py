"""Queries and CPU of one order create and one submit through the API on PostgreSQL.

    .venv/bin/python bench/sales_order_profile.py [--lines 3] [--over-limit] [--profile [--only salesops/] | --floor]

Creates the throwaway database `bench_sales_order_profile` on 127.0.0.1 (dropped at the end),
loads the same minimal organisation as `bench/sales_order_api.py`, then posts a credit order
and submits it with Django's test client, token-authenticated like the API benchmark
(confirmed; with --over-limit each goes to the over-limit approval). Printed: the queries of
one create and one submit (grouped by statement shape), then the CPU of a create+submit and of
`GET /api/v1/me/` (the API benchmark's baseline) in alternating batches, best batch of each,
and their ratio. With --profile, the top of cProfile (CPU time) instead (PROFILE_SORT=tottime to
sort by own time; --only to keep the lines of matching files; PROFILE_CALLERS=pattern to print
who calls the matching functions).

With --floor, what one ORM statement costs against the same SQL sent through Django's cursor
(no query building, no model instances), for the shapes the order path uses, and what the
ORM statements of a create+submit cost on their own in units of `GET /api/v1/me/`: a lower
bound for the ratio as long as the order path is written with the ORM.
"""

import argparse
import cProfile
import os
import pstats
import re
import subprocess
import sys
import time
from collections import Counter

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DB = "bench_sales_order_profile"


def shape(sql: str) -> str:
    sql = re.sub(r"'[^']*'", "?", sql)
    sql = re.sub(r"\b\d+(\.\d+)?\b", "?", sql)
    return sql[:160]


NOT_ORM = ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE", 'SELECT "authtoken', 'SELECT "core_userrole')


def cpu_per_call(work, calls: int) -> float:
    started = time.process_time()
    for _ in range(calls):
        work()
    return (time.process_time() - started) / calls


def sql_sent_by(statement) -> tuple[str, object]:
    """The SQL and parameters the ORM hands to the cursor when `statement()` runs."""
    from django.db import connection

    sent = []

    def record(execute, sql, params, many, context):
        sent.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        statement()
    return sent[0]


def print_floor(*, shapes: dict, orm_statements: int, me, batches: int, calls: int) -> None:
    """Each ORM statement shape against its own SQL through the cursor, then what
    `orm_statements` statements at the mean ORM cost come to in units of `me()`."""
    from django.db import connection, transaction

    orm_costs = []
    with transaction.atomic():
        for name, statement in shapes.items():
            sql, params = sql_sent_by(statement)

            def raw(sql=sql, params=params):
                with connection.cursor() as cursor:
                    cursor.execute(sql, params)
                    if cursor.description:
                        cursor.fetchall()

            timings = [(cpu_per_call(statement, calls), cpu_per_call(raw, calls)) for _ in range(batches)]
            orm, plain = (min(column) for column in zip(*timings, strict=True))  # alternated, best of each
            orm_costs.append(orm)
            print(f"{name}: ORM {orm * 1e6:.0f} µs, same SQL through the cursor {plain * 1e6:.0f} µs")
    me_cost = min(cpu_per_call(me, calls // 2) for _ in range(batches))
    orm_cost = sum(orm_costs) / len(orm_costs)
    floor = orm_statements * orm_cost
    print(
        f"GET /api/v1/me/: {me_cost * 1000:.2f} ms CPU. A create+submit runs {orm_statements} ORM statements "
        f"besides authentication and transaction control; at the mean {orm_cost * 1e6:.0f} µs above they cost "
        f"{floor * 1000:.1f} ms = {floor / me_cost:.1f}× GET /api/v1/me/ before any request handling "
        f"(the 25 % target allows 4× for everything)"
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=20, help="create+submit per batch")
    parser.add_argument("--batches", type=int, default=5)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--top", type=int, default=45, help="lines of the profile to print")
    parser.add_argument("--only", default="", help="print only profile lines whose file matches this pattern")
    parser.add_argument("--floor", action="store_true", help="cost of one ORM statement vs raw SQL vs GET /me/")
    parser.add_argument(
        "--over-limit",
        action="store_true",
        help="a customer without room: every submit goes to the over-limit approval",
    )
    args = parser.parse_args()
    subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", DB], check=True)
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", DB], check=True)
    os.environ.update(
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{DB}",
        DJANGO_SETTINGS_MODULE="salesops.settings.dev",
        SALESOPS_VAR_DIR="/tmp/bench-sales-order-profile-var",
        SALESOPS_DEBUG="0",
        SALESOPS_LOG_LEVEL="ERROR",
    )
    sys.path.insert(0, ROOT)
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection
        from django.test.utils import CaptureQueriesContext
        from knox.models import AuthToken
        from rest_framework.test import APIClient

        from salesops.core.tests.factories import make_org
        from salesops.credit.models import CreditFile
        from salesops.sales.models import SalesOrder
        from salesops.sales.tests.factories import make_customer, make_products, make_warehouse

        call_command("migrate", verbosity=0)
        org = make_org()
        rep = org["rep1"]
        warehouse = make_warehouse()
        products = make_products(max(args.lines, 3), warehouse=warehouse, price="10.00", stock="10000000")
        customer = make_customer(owner=rep, limit="1.00" if args.over_limit else "100000000.00")
        client = APIClient()
        _token, secret = AuthToken.objects.create(user=rep)
        client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")  # as the API benchmark authenticates
        body = {
            "customer": customer.pk,
            "payment": "credit",
            "warehouse": warehouse.pk,
            "lines": [{"product": p.pk, "quantity": "3"} for p in products[: args.lines]],
        }

        def once():
            response = client.post("/api/v1/orders/", body, format="json", HTTP_HOST="localhost")
            assert response.status_code == 201, response.content[:300]
            order_id = response.json()["id"]
            response = client.post(f"/api/v1/orders/{order_id}/submit/", {}, format="json", HTTP_HOST="localhost")
            assert response.status_code == 200, response.content[:300]
            return order_id

        once()  # warm up
        with CaptureQueriesContext(connection) as create:
            response = client.post("/api/v1/orders/", body, format="json", HTTP_HOST="localhost")
        order_id = response.json()["id"]
        with CaptureQueriesContext(connection) as submit:
            response = client.post(f"/api/v1/orders/{order_id}/submit/", {}, format="json", HTTP_HOST="localhost")
        expected = "pending_approval" if args.over_limit else "confirmed"
        assert response.json()["status"] == expected, response.json()
        for name, ctx in (("create", create), ("submit", submit)):
            print(f"--- {name}: {len(ctx.captured_queries)} queries")
            for sql, n in Counter(shape(q["sql"]) for q in ctx.captured_queries).items():
                print(f"{n:3d}  {sql}")

        def me():
            assert client.get("/api/v1/me/", HTTP_HOST="localhost").status_code == 200

        if args.floor:
            orm_statements = sum(
                not q["sql"].startswith(NOT_ORM) for ctx in (create, submit) for q in ctx.captured_queries
            )
            shapes = {
                "read an order by id": lambda: list(SalesOrder.objects.filter(pk=order_id)),
                "lock a credit file": lambda: list(
                    CreditFile.objects.select_for_update().filter(customer_id=customer.pk)
                ),
                "update an order": lambda: SalesOrder.objects.filter(pk=order_id).update(note=""),
            }
            print_floor(
                shapes=shapes, orm_statements=orm_statements, me=me, batches=args.batches, calls=args.rounds * 10
            )
            return
        if args.profile:
            profiler = cProfile.Profile(time.process_time)  # CPU only: waits on the database are not counted
            profiler.runcall(lambda: [once() for _ in range(args.rounds)])
            stats = pstats.Stats(profiler).sort_stats(os.environ.get("PROFILE_SORT", "cumulative"))
            stats.print_stats(*([args.only] if args.only else []), args.top)
            if os.environ.get("PROFILE_CALLERS"):
                stats.print_callers(os.environ["PROFILE_CALLERS"])
            return
        # alternate batches of both and keep the cheapest batch of each: CPU time on a shared
        # machine only ever comes out too high, so the minimum is the steadiest figure
        order_cpu, me_cpu = [], []
        for _ in range(args.batches):
            order_cpu.append(cpu_per_call(once, args.rounds))
            me_cpu.append(cpu_per_call(me, args.rounds * 4))
        order_best, me_best = min(order_cpu), min(me_cpu)
        print(
            f"create+submit: {order_best * 1000:.1f} ms CPU (best of {args.batches} batches of {args.rounds}); "
            f"GET /api/v1/me/: {me_best * 1000:.2f} ms CPU; ratio {order_best / me_best:.1f}× "
            f"(the API benchmark's 25 % target needs about 4×)"
        )
    finally:
        from django.db import connections

        connections.close_all()
        subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", DB], check=False)


if __name__ == "__main__":
    main()
