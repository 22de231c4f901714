"""Sustained order create+submit through the API with 16 concurrent clients on PostgreSQL,
compared with a trivial authenticated endpoint (GET /api/v1/me/) in the same run.

    .venv/bin/python bench/sales_order_api.py [--seconds 20] [--slices 4] [--clients 16] [--workers 4] [--port 8190]

Creates its own throwaway database `bench_sales_order_api` on 127.0.0.1 (dropped at the end),
migrates it, loads a minimal organisation (16 customers with credit limits, 20 products in
stock), starts a real gunicorn server (separate worker processes, `gthread`) on it and drives
each phase from N client threads with urllib for a bounded time:

1. GET /api/v1/me/ (token authentication, one small query): the server's baseline;
2. POST /api/v1/orders/ then POST /api/v1/orders/<id>/submit/ on credit. Each client
   alternates between two kinds of customer: its own customer with ample credit (the everyday
   order, confirmed) and one of a few customers shared by all clients whose limits hold ten
   orders each. Parallel submits for a shared customer wait on its credit row; once its limit is
   reached, further orders go to the over-limit approval (`pending_approval`). Half the orders
   therefore test the limit under contention whatever the throughput, and the mix does not drift
   towards approvals as the server gets faster.

At the end every customer's confirmed credit exposure is checked against its limit. Printed:
throughput of both phases and their ratio (target ≥ 25 %), the p99 latency of the order
requests (target < 250 ms, each request timed separately), the outcomes, the credit-limit
violations (target 0), wall time and the CPU seconds the server processes (gunicorn master
and workers, read from /proc) spent per request and per order, so the ratio can be judged on
a loaded machine too (PostgreSQL's own CPU is not included).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from dataclasses import dataclass, field

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DB = "bench_sales_order_api"
URL = f"postgres://postgres@127.0.0.1:5432/{DB}"
PY = os.path.join(ROOT, ".venv", "bin", "python")
PRODUCTS = 20
LINES = 3
QUANTITY = 3
PRICE = "10.00"

SETUP = r"""
import json
from decimal import Decimal
from knox.models import AuthToken
from salesops.core.tests.factories import make_org
from salesops.sales.tests.factories import make_customer, make_products, make_warehouse
org = make_org()
rep = org["rep1"]
warehouse = make_warehouse()
products = make_products(%(products)d, warehouse=warehouse, price="%(price)s", stock="10000000")
ample = [make_customer(owner=rep, limit="100000000.00") for _ in range(%(clients)d)]
shared = [make_customer(owner=rep, limit="%(limit)s") for _ in range(%(shared)d)]
_token, secret = AuthToken.objects.create(user=rep)
print(json.dumps({"token": secret, "ample": [c.pk for c in ample], "shared": [c.pk for c in shared],
                  "products": [p.pk for p in products], "warehouse": warehouse.pk}))
"""

CHECK = r"""
import json
from decimal import Decimal
from django.db.models import Count
from salesops.credit.models import CreditFile
from salesops.credit.services import exposure_for
from salesops.sales.models import SalesOrder
files = list(CreditFile.objects.all())
over = [f.customer_id for f in files if exposure_for(customer_id=f.customer_id) > f.limit]
at_limit = sum(1 for f in files if exposure_for(customer_id=f.customer_id) + Decimal("%(order)s") > f.limit)
statuses = dict(SalesOrder.objects.values_list("status").annotate(n=Count("pk")).order_by())
print(json.dumps({"violations": len(over), "customers_at_limit": at_limit, "statuses": statuses}))
"""


def env():
    return {
        **os.environ,
        "DATABASE_URL": URL,
        "DJANGO_SETTINGS_MODULE": "salesops.settings.dev",
        "SALESOPS_VAR_DIR": "/tmp/bench-sales-order-api-var",
        "SALESOPS_DEBUG": "0",
        "SALESOPS_LOG_LEVEL": "ERROR",
        # The benchmark measures the order path, not the per-user rate limit.
        "SALESOPS_API_RATE_PER_MINUTE": "1000000",
    }


def run(code):
    result = subprocess.run(
        [PY, "manage.py", "shell", "-c", code], cwd=ROOT, env=env(), check=True, capture_output=True, text=True
    )
    return result.stdout.strip().splitlines()[-1]


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


def process_tree(pid: int) -> list[int]:
    pids, todo = [], [pid]
    while todo:
        current = todo.pop()
        pids.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as handle:
                    todo.extend(int(child) for child in handle.read().split())
        except OSError:
            continue
    return pids


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of the server: master and live workers."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for current in process_tree(pid):
        try:
            with open(f"/proc/{current}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
        except OSError:
            continue
    return total / ticks


@dataclass
class Totals:
    """One phase's figures, summed over its slices."""

    latencies: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    wall: float = 0.0
    cpu: float = 0.0
    count: int = 0

    @property
    def rate(self) -> float:
        return self.count / self.wall

    @property
    def cpu_each(self) -> float:
        return self.cpu / max(self.count, 1)


def phase(clients, seconds, work, server_pid, totals: Totals) -> None:
    """Run `work(index)` in a loop from `clients` threads for `seconds`; add the request
    latencies, errors, iterations, wall seconds and server CPU seconds to `totals`."""
    latencies, counts, errors = [], [0] * clients, []
    lock = threading.Lock()
    cpu_before = cpu_seconds(server_pid)
    started = time.perf_counter()
    stop = started + seconds

    def loop(index):
        while time.perf_counter() < stop:
            try:
                timings = work(index)
            except Exception as error:  # noqa: BLE001 - counted and shown, the run goes on
                with lock:
                    errors.append(repr(error)[:300])
                time.sleep(0.05)
                continue
            with lock:
                latencies.extend(timings)
            counts[index] += 1

    threads = [threading.Thread(target=loop, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    totals.wall += time.perf_counter() - started
    totals.cpu += cpu_seconds(server_pid) - cpu_before
    totals.latencies.extend(latencies)
    totals.errors.extend(errors)
    totals.count += sum(counts)


def percentile(values, fraction):
    if not values:
        return float("nan")
    return values[min(len(values) - 1, int(len(values) * fraction))]


def wait_until_up(port, token, server, seconds=180):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server stopped (exit {server.returncode})")
        try:
            status = call(port, token, "GET", "/api/v1/me/")[1]
            if status == 200:
                return
            raise SystemExit(f"GET /api/v1/me/ answered {status}")
        except OSError:
            time.sleep(0.5)
    raise SystemExit("the server did not answer in time")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=20, help="length of each phase")
    parser.add_argument("--slices", type=int, default=4, help="each phase runs in this many alternating slices")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--port", type=int, default=8190)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--shared", type=int, default=4, help="customers at their limit, shared by all clients")
    parser.add_argument(
        "--limit", default="900.00", help="credit limit of each shared customer (an order is 90.00; default: 10 orders)"
    )
    args = parser.parse_args()
    order_value = LINES * QUANTITY * float(PRICE)
    subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", DB], check=True)
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", DB], check=True)
    server = None
    try:
        subprocess.run([PY, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env(), check=True)
        data = json.loads(
            run(
                SETUP
                % {
                    "products": PRODUCTS,
                    "price": PRICE,
                    "limit": args.limit,
                    "clients": args.clients,
                    "shared": args.shared,
                }
            )
        )
        server = subprocess.Popen(
            [
                os.path.join(ROOT, ".venv", "bin", "gunicorn"),
                "salesops.wsgi",
                "--bind",
                f"127.0.0.1:{args.port}",
                "--workers",
                str(args.workers),
                "--worker-class",
                "gthread",
                "--threads",
                str(args.threads),
                "--backlog",
                "256",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env(),
        )
        token, port = data["token"], args.port
        wait_until_up(port, token, server)
        # warm every worker (imports, connections, caches) before measuring
        phase(args.clients, 3, lambda index: [call(port, token, "GET", "/api/v1/me/")[0]], server.pid, Totals())

        def ask_me(index):
            elapsed, status, payload = call(port, token, "GET", "/api/v1/me/")
            assert status == 200, (status, payload[:200])
            return [elapsed]

        outcomes = Counter()
        rounds = [0] * args.clients

        def take_order(index):
            rounds[index] += 1
            if rounds[index] % 2:
                customer = data["ample"][index]
            else:  # the shared customers in turn, so that clients meet on each of them
                customer = data["shared"][(index + rounds[index] // 2) % len(data["shared"])]
            body = {
                "customer": customer,
                "payment": "credit",
                "warehouse": data["warehouse"],
                "lines": [
                    {"product": data["products"][(index + k) % PRODUCTS], "quantity": str(QUANTITY)}
                    for k in range(LINES)
                ],
            }
            t1, status, payload = call(port, token, "POST", "/api/v1/orders/", body)
            assert status == 201, (status, payload[:300])
            order_id = json.loads(payload)["id"]
            t2, status, payload = call(port, token, "POST", f"/api/v1/orders/{order_id}/submit/", {})
            assert status == 200, (status, payload[:300])
            outcomes[json.loads(payload)["status"]] += 1
            return [t1, t2]

        # the phases alternate in slices, so that a machine that slows down or speeds up during
        # the run affects both alike; each phase's figures are summed over its slices
        me, order = Totals(), Totals()
        for _ in range(args.slices):
            for work, totals in ((ask_me, me), (take_order, order)):
                phase(args.clients, args.seconds / args.slices, work, server.pid, totals)
        check = json.loads(run(CHECK % {"order": f"{order_value:.2f}"}))
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
        subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", DB], check=False)

    me.latencies.sort()
    order.latencies.sort()
    ratio = order.rate / me.rate
    p99 = percentile(order.latencies, 0.99)
    print(
        f"clients {args.clients}, {args.seconds:.0f} s per phase in {args.slices} alternating slices, "
        f"gunicorn {args.workers} workers × {args.threads} threads (gthread), PostgreSQL database {DB}"
    )
    print(
        f"GET /me/: {me.rate:.1f} req/s ({me.count} in {me.wall:.1f} s wall), median "
        f"{statistics.median(me.latencies) * 1000:.1f} ms, p99 {percentile(me.latencies, 0.99) * 1000:.1f} ms, "
        f"server CPU {me.cpu:.1f} s = {me.cpu_each * 1000:.2f} ms/request, errors {len(me.errors)}"
    )
    print(
        f"order create+submit: {order.rate:.1f} orders/s ({order.count} in {order.wall:.1f} s wall), request "
        f"median {statistics.median(order.latencies) * 1000 if order.latencies else float('nan'):.1f} ms, "
        f"p99 {p99 * 1000:.1f} ms, server CPU {order.cpu:.1f} s = {order.cpu_each * 1000:.2f} ms/order, "
        f"errors {len(order.errors)}"
    )
    print(f"submit outcomes: {dict(outcomes)}; orders in the database by status: {check['statuses']}")
    print(f"shared customers whose limit stopped further orders: {check['customers_at_limit']} of {args.shared}")
    print(
        f"throughput ratio (orders / me): {ratio:.1%} (target ≥ 25 %): {'OK' if ratio >= 0.25 else 'BELOW'}; "
        f"by server CPU: {me.cpu_each / order.cpu_each:.1%}"
    )
    print(f"order request p99: {p99 * 1000:.0f} ms (target < 250 ms): {'OK' if p99 < 0.25 else 'ABOVE'}")
    print(f"credit-limit violations: {check['violations']} (target 0)")
    if me.errors or order.errors:
        print("first errors:", (me.errors + order.errors)[:3])
    return 1 if check["violations"] or order.errors or me.errors else 0


if __name__ == "__main__":
    sys.exit(main())
