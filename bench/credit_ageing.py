"""Benchmark: AR ageing over 200,000 invoices.

Builds a temporary SQLite database (fresh migrations) with 2,000 customers of 10 reps in 2
teams, 200,000 invoices over two years (60 % paid in full by allocations, 10 % partly) and
times, best of 5 runs, `credit.ageing.ageing` grouped by customer, rep and team:
- today (the open amount kept on the invoice), and
- at a past date (open amounts rebuilt from the allocations dated up to that day).
Baseline in the same run: a plain COUNT/SUM over the same invoice table, and a plain
GROUP BY customer SUM.

Run: ``.venv/bin/python bench/credit_ageing.py [--invoices 200000]``
"""

from __future__ import annotations

import argparse
import datetime
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from crm_common import org, setup  # noqa: E402


def best_of(runs: int, action) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return min(times)


def build(invoice_count: int) -> None:
    from django.db import transaction

    from salesops.core.tests.factories import make_user
    from salesops.credit.models import Allocation, Receipt
    from salesops.crm.models import Customer
    from salesops.sales.models import Invoice

    people = org()
    reps = [people["rep1"], people["rep2"], people["rep3"]]
    for index in range(7):
        team = people.units["EAST-1" if index % 2 else "EAST-2"]
        reps.append(make_user(roles=["sales_rep"], unit=team, username=f"benchrep{index}"))
    rng = random.Random(42)
    today = datetime.date.today()
    with transaction.atomic():
        Customer.objects.bulk_create(
            [
                Customer(code=f"B{index:05d}", name=f"Bench customer {index:05d}", owner=reps[index % 10],
                         team=reps[index % 10].org_unit, status="active")
                for index in range(2000)
            ],
            batch_size=1000,
        )
        customers = list(Customer.objects.filter(code__startswith="B").select_related("owner"))
        invoices = []
        for index in range(invoice_count):
            customer = customers[index % len(customers)]
            issue = today - datetime.timedelta(days=rng.randint(0, 730))
            invoices.append(
                Invoice(number=f"BI-{index:07d}", customer=customer, rep=customer.owner, team=customer.team,
                        issue_date=issue, due_date=issue + datetime.timedelta(days=rng.choice([30, 45, 60])),
                        total=Decimal(rng.randint(100, 500000)) / 100)
            )
        Invoice.objects.bulk_create(invoices, batch_size=5000)
        invoices = list(Invoice.objects.filter(number__startswith="BI-").only("pk", "customer_id", "total",
                                                                              "issue_date"))
        receipts = {
            customer.pk: Receipt(number=f"BR-{customer.pk}", customer=customer, amount=Decimal("1"),
                                 received_on=today, team=customer.team, status="confirmed",
                                 recorded_by=people["finance"])
            for customer in customers
        }
        allocations, paid, totals = [], [], {}
        for invoice in invoices:
            roll = rng.random()
            if roll >= 0.7:
                continue
            amount = invoice.total if roll < 0.6 else (invoice.total / 2).quantize(Decimal("0.01"))
            if amount <= 0:
                continue
            day = min(today, invoice.issue_date + datetime.timedelta(days=rng.randint(5, 90)))
            allocations.append((invoice, amount, day))
            totals[invoice.customer_id] = totals.get(invoice.customer_id, Decimal("0")) + amount
        for customer_id, receipt in receipts.items():
            receipt.amount = receipt.allocated_amount = totals.get(customer_id, Decimal("0")) or Decimal("1")
            if customer_id not in totals:
                receipt.allocated_amount = Decimal("0")
        Receipt.objects.bulk_create(list(receipts.values()), batch_size=1000)
        by_customer = {r.customer_id: r.pk for r in Receipt.objects.filter(number__startswith="BR-")}
        Allocation.objects.bulk_create(
            [Allocation(receipt_id=by_customer[invoice.customer_id], invoice=invoice, amount=amount,
                        allocated_on=day, created_by=people["finance"]) for invoice, amount, day in allocations],
            batch_size=5000,
        )
        for invoice, amount, _day in allocations:
            paid.append(Invoice(pk=invoice.pk, paid_amount=amount,
                                status="paid" if amount >= invoice.total else "open"))
        Invoice.objects.bulk_update(paid, ["paid_amount", "status"], batch_size=5000)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invoices", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    setup("credit-ageing")
    started = time.perf_counter()
    build(args.invoices)
    print(f"data: {args.invoices:,} invoices built in {time.perf_counter() - started:.1f} s")

    from django.db import connection
    from django.db.models import Count, Sum

    from salesops.credit.ageing import ageing
    from salesops.sales.models import Invoice

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    everything = Invoice.objects.all()
    today = datetime.date.today()
    past = today - datetime.timedelta(days=180)
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
        seconds = best_of(args.runs, action)
        rows.append((label, seconds))
        print(f"{label:45s} {seconds * 1000:9.1f} ms")
    data = ageing(everything, as_of=today, group_by="team")
    print("open today:", {key: str(value) for key, value in data["totals"].items()})
    worst = max(seconds for label, seconds in rows if label.startswith("ageing"))
    print(f"slowest ageing: {worst * 1000:.0f} ms (target < 2000 ms): {'OK' if worst < 2 else 'TOO SLOW'}")


if __name__ == "__main__":
    main()
