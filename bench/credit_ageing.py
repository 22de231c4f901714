"""Benchmark: AR ageing over 200,000 invoices.

Builds a SQLite database (fresh migrations) with 2,000 customers of 10 reps in 2 teams,
200,000 invoices over two years (60 % paid in full by allocations, 10 % partly, 2,000 credit
notes set against the invoices they credit) and times, best of N runs, `credit.ageing.ageing`
grouped by customer, rep and team:
- today (the open amount kept on each document), and
- at a past date (open amounts rebuilt from the allocations dated up to that day).
Baseline in the same run: a plain COUNT/SUM over the same invoice table, and a plain
GROUP BY customer SUM. Wall time and process CPU time (SQLite runs in this process) are
printed for each, and each ageing as a ratio to the GROUP BY baseline. The target (< 2 s) is
checked on the wall time; on a loaded machine the CPU time is the fairer figure.

Run: ``.venv/bin/python bench/credit_ageing.py [--invoices 200000] [--keep DIR]``
(--keep: build the data once into DIR and reuse it on the next runs.)
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup(keep: str | None) -> Path:
    var = Path(keep) if keep else Path(tempfile.mkdtemp(prefix="bench-credit-ageing-"))
    var.mkdir(parents=True, exist_ok=True)
    os.environ["SALESOPS_VAR_DIR"] = str(var)
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salesops.settings.dev")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, skip_checks=True)
    return var


def best_of(runs: int, action) -> tuple[float, float]:
    """Best wall seconds and best process CPU seconds of `runs` calls."""
    walls, cpus = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        action()
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - start_cpu)
    return min(walls), min(cpus)


def build(invoice_count: int) -> None:
    from django.db import transaction

    from salesops.core.tests.factories import make_org, make_user
    from salesops.credit.models import Allocation, Receipt
    from salesops.crm.models import Customer
    from salesops.sales.models import Invoice

    people = make_org()
    reps = [people["rep1"], people["rep2"], people["rep3"]]
    for index in range(7):
        team = people.units["EAST-1" if index % 2 else "EAST-2"]
        reps.append(make_user(roles=["sales_rep"], unit=team, username=f"benchrep{index}"))
    rng = random.Random(42)
    today = datetime.date.today()
    with transaction.atomic():
        Customer.objects.bulk_create(
            [
                Customer(
                    code=f"B{index:05d}",
                    name=f"Bench customer {index:05d}",
                    owner=reps[index % 10],
                    team=reps[index % 10].org_unit,
                    status="active",
                )
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
                Invoice(
                    number=f"BI-{index:07d}",
                    customer=customer,
                    rep=customer.owner,
                    team=customer.team,
                    issue_date=issue,
                    due_date=issue + datetime.timedelta(days=rng.choice([30, 45, 60])),
                    total=Decimal(rng.randint(100, 500000)) / 100,
                )
            )
        Invoice.objects.bulk_create(invoices, batch_size=5000)
        invoices = list(
            Invoice.objects.filter(number__startswith="BI-")
            .select_related("customer")
            .only("pk", "customer_id", "total", "issue_date", "customer__owner_id", "customer__team_id")
        )
        receipts = {
            customer.pk: Receipt(
                number=f"BR-{customer.pk}",
                customer=customer,
                amount=Decimal("1"),
                received_on=today,
                team=customer.team,
                status="confirmed",
                recorded_by=people["finance"],
            )
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
            [
                Allocation(
                    receipt_id=by_customer[invoice.customer_id],
                    invoice=invoice,
                    amount=amount,
                    allocated_on=day,
                    created_by=people["finance"],
                )
                for invoice, amount, day in allocations
            ],
            batch_size=5000,
        )
        paid_by = {invoice.pk: amount for invoice, amount, _day in allocations}
        # credit notes for returns of part of 2,000 unpaid invoices, set against them
        unpaid = [invoice for invoice in invoices if invoice.pk not in paid_by and invoice.total >= 2][:2000]
        notes = []
        for index, invoice in enumerate(unpaid):
            day = min(today, invoice.issue_date + datetime.timedelta(days=rng.randint(1, 60)))
            credit = (invoice.total / 4).quantize(Decimal("0.01"))
            notes.append(
                Invoice(
                    number=f"BC-{index:07d}",
                    kind="credit_note",
                    customer_id=invoice.customer_id,
                    rep_id=invoice.customer.owner_id,
                    team_id=invoice.customer.team_id,
                    issue_date=day,
                    due_date=day,
                    total=-credit,
                    paid_amount=-credit,
                    status="paid",
                    original=invoice,
                )
            )
        Invoice.objects.bulk_create(notes, batch_size=5000)
        Allocation.objects.bulk_create(
            [
                Allocation(
                    credit_note=note,
                    invoice_id=note.original_id,
                    amount=-note.total,
                    allocated_on=note.issue_date,
                    created_by=people["finance"],
                )
                for note in notes
            ],
            batch_size=5000,
        )
        for note in notes:
            paid_by[note.original_id] = -note.total
        totals = {invoice.pk: invoice.total for invoice in invoices}
        for pk, amount in paid_by.items():
            paid.append(Invoice(pk=pk, paid_amount=amount, status="paid" if amount >= totals[pk] else "open"))
        Invoice.objects.bulk_update(paid, ["paid_amount", "status"], batch_size=5000)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invoices", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", help="directory to keep the database in and reuse on the next run")
    args = parser.parse_args()
    setup(args.keep)
    from salesops.sales.models import Invoice

    if Invoice.objects.filter(number__startswith="BI-").count() != args.invoices:
        if Invoice.objects.exists():
            sys.exit("the kept database holds another data set; remove the directory first")
        started = time.perf_counter()
        build(args.invoices)
        print(f"data: {args.invoices:,} invoices built in {time.perf_counter() - started:.1f} s")
    else:
        print(f"data: {args.invoices:,} invoices reused from {args.keep}")

    from django.db import connection
    from django.db.models import Count, Sum

    from salesops.credit.ageing import ageing
    from salesops.credit.models import Allocation
    from salesops.credit.money import money_total

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    everything = Invoice.objects.all()
    today = datetime.date.today()
    past = today - datetime.timedelta(days=180)
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
        wall, cpu = best_of(args.runs, action)
        rows.append((label, wall, cpu))
        baseline_cpu = rows[1][2] if len(rows) > 1 else cpu
        print(f"{label:45s} {wall * 1000:9.1f} {cpu * 1000:9.1f} {cpu / baseline_cpu:14.1f}x")
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
    worst = max(wall for label, wall, _cpu in rows if label.startswith("ageing"))
    worst_cpu = max(cpu for label, _wall, cpu in rows if label.startswith("ageing"))
    print(
        f"slowest ageing: {worst * 1000:.0f} ms wall, {worst_cpu * 1000:.0f} ms cpu "
        f"(target < 2000 ms): {'OK' if worst < 2 else 'TOO SLOW'}"
    )


if __name__ == "__main__":
    main()
