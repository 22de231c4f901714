"""Sustained order create+submit through the API with 16 concurrent clients on PostgreSQL,
compared with a trivial authenticated endpoint (GET /api/v1/me/) in the same run.

    .venv/bin/python bench/sales_order_api.py [--seconds 20] [--clients 16] [--port 8190]

Creates a throwaway database `bench_sales_api` on 127.0.0.1 (dropped at the end), migrates
it, loads a minimal organisation (16 customers with credit limits, 20 products in stock),
starts gunicorn on it, drives each phase from 16 threads with urllib for a bounded time,
and checks at the end that no customer's credit exposure exceeds its limit.
Reports throughput of both phases, their ratio (target ≥ 25 %), and the p99 latency of the
order phase (target < 250 ms; one create + one submit per iteration, each request timed).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DB = "bench_sales_api"
URL = f"postgres://postgres@127.0.0.1:5432/{DB}"
PY = os.path.join(ROOT, ".venv", "bin", "python")

SETUP = r"""
import json
from decimal import Decimal
from rest_framework.authtoken.models import Token
from salesops.core.tests.factories import make_org
from salesops.sales.tests.factories import make_customer, make_products, make_warehouse
org = make_org()
rep = org["rep1"]
warehouse = make_warehouse()
products = make_products(20, warehouse=warehouse, price="10.00", stock="10000000")
customers = [make_customer(owner=rep, limit="20000.00") for _ in range(16)]
token, _ = Token.objects.get_or_create(user=rep)
print(json.dumps({"token": token.key, "customers": [c.pk for c in customers],
                  "products": [p.pk for p in products], "warehouse": warehouse.pk}))
"""

CHECK = r"""
from salesops.credit.models import CreditFile
from salesops.credit.services import exposure_for
bad = [(f.customer_id, exposure_for(customer_id=f.customer_id), f.limit) for f in CreditFile.objects.all()
       if exposure_for(customer_id=f.customer_id) > f.limit]
print(len(bad))
"""


def env():
    return {
        **os.environ,
        "DATABASE_URL": URL,
        "DJANGO_SETTINGS_MODULE": "salesops.settings.dev",
        "SALESOPS_VAR_DIR": "/tmp/bench-sales-api-var",
        "DEBUG": "0",
    }


def run(code):
    return (
        subprocess.run(
            [PY, "manage.py", "shell", "-c", code], cwd=ROOT, env=env(), check=True, capture_output=True, text=True
        )
        .stdout.strip()
        .splitlines()[-1]
    )


def call(port, token, method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, method=method)
    request.add_header("Authorization", f"Token {token}")
    request.add_header("Content-Type", "application/json")
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            payload, status = response.read(), response.status
    except urllib.error.HTTPError as error:
        payload, status = error.read(), error.code
    return time.perf_counter() - start, status, payload


def phase(clients, seconds, work):
    latencies, counts, errors = [], [0] * clients, []
    stop = time.perf_counter() + seconds
    lock = threading.Lock()

    def loop(index):
        while time.perf_counter() < stop:
            try:
                timings = work(index)
            except Exception as error:  # noqa: BLE001
                errors.append(repr(error))
                continue
            with lock:
                latencies.extend(timings)
            counts[index] += 1

    threads = [threading.Thread(target=loop, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    latencies.sort()
    p99 = latencies[int(len(latencies) * 0.99) - 1] if latencies else float("nan")
    return sum(counts) / seconds, p99, statistics.median(latencies) if latencies else float("nan"), errors


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--port", type=int, default=8190)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", DB], check=True)
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", DB], check=True)
    server = None
    try:
        subprocess.run([PY, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env(), check=True)
        data = json.loads(run(SETUP))
        server = subprocess.Popen(
            [
                os.path.join(ROOT, ".venv", "bin", "gunicorn"),
                "salesops.wsgi",
                "-b",
                f"127.0.0.1:{args.port}",
                "-w",
                str(args.workers),
                "--threads",
                "4",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env(),
        )
        token, port = data["token"], args.port
        deadline = time.time() + 120
        while time.time() < deadline:  # wait until every worker answers, then warm up
            try:
                if call(port, token, "GET", "/api/v1/me/")[1] == 200:
                    break
            except OSError:
                time.sleep(0.5)
        phase(args.clients, 3, lambda index: [call(port, token, "GET", "/api/v1/me/")[0]])

        def me(index):
            elapsed, status, _ = call(port, token, "GET", "/api/v1/me/")
            assert status == 200, status
            return [elapsed]

        def order(index):
            customer = data["customers"][index % len(data["customers"])]
            body = {
                "customer": customer,
                "payment": "credit",
                "warehouse": data["warehouse"],
                "lines": [{"product": data["products"][(index + k) % 20], "quantity": "3"} for k in range(3)],
            }
            t1, status, payload = call(port, token, "POST", "/api/v1/orders/", body)
            assert status == 201, (status, payload[:200])
            order_id = json.loads(payload)["id"]
            t2, status, payload = call(port, token, "POST", f"/api/v1/orders/{order_id}/submit/", {})
            assert status == 200, (status, payload[:200])
            return [t1, t2]

        me_rate, me_p99, me_median, me_errors = phase(args.clients, args.seconds, me)
        order_rate, order_p99, order_median, order_errors = phase(args.clients, args.seconds, order)
        violations = int(run(CHECK))
        print(f"clients {args.clients}, {args.seconds:.0f} s per phase, gunicorn {args.workers} workers × 4 threads")
        print(
            f"GET /me/: {me_rate:.1f} req/s, median {me_median * 1000:.1f} ms, p99 {me_p99 * 1000:.1f} ms, "
            f"errors {len(me_errors)}"
        )
        print(
            f"order create+submit: {order_rate:.1f} orders/s, request median {order_median * 1000:.1f} ms, "
            f"p99 {order_p99 * 1000:.1f} ms, errors {len(order_errors)}"
        )
        print(f"throughput ratio (orders / me): {order_rate / me_rate:.1%}")
        print(f"credit-limit violations: {violations}")
        if order_errors:
            print("first errors:", order_errors[:3])
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
        subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", DB], check=False)


if __name__ == "__main__":
    sys.exit(main())
