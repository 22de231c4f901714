"""Benchmark: AR ageing at a past date over 200,000 invoices, with the allocation model.

Builds a SQLite database (fresh migrations; `--keep DIR` keeps it for the next runs) with
2,000 customers of 10 reps in 2 teams and 200,000 invoices over two years paid the way the
system pays them: one receipt per payment and one allocation per receipt and invoice, dated
when the money met the invoice — 60 % paid in full by one receipt, 10 % in two instalments
(two receipts), 1 % of the receipts bounced and reversed later (negative allocations dated
on the reversal), 2,000 credit notes set against the invoices they credit, and money on
account. About 280,000 receipts and 290,000 allocations.

Times, best of N runs, `credit.ageing.ageing` at a date 180 days ago grouped by customer, rep
and team, with the money on account (the receipts), as the ageing page runs it. Baseline in
the same run: a plain scan of the same rows — one SUM over the invoices issued by then and one
over the allocations dated by then (which is also the open total the ageing must report;
checked). Target: the slowest ageing < 2 s wall.

Run: ``.venv/bin/python bench/ar_ageing.py [--invoices 200000] [--runs 3] [--keep DIR]``
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
CENT = Decimal("0.01")


def setup(keep: str | None) -> None:
    var = Path(keep) if keep else Path(tempfile.mkdtemp(prefix="bench-ar-ageing-"))
    var.mkdir(parents=True, exist_ok=True)
    os.environ["SALESOPS_VAR_DIR"] = str(var)
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salesops.settings.dev")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, skip_checks=True)


def best_of(runs: int, action) -> tuple[float, float, object]:
    walls, cpus, result = [], [], None
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = action()
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - start_cpu)
    return min(walls), min(cpus), result


def build(invoice_count: int) -> None:
    from django.db import transaction

    from salesops.core.tests.factories import make_org, make_user
    from salesops.credit.models import Allocation, Receipt
    from salesops.crm.models import Customer
    from salesops.sales.models import Invoice

    people = make_org()
    finance = people["finance"]
    reps = [people["rep1"], people["rep2"], people["rep3"]]
    for index in range(7):
        reps.append(
            make_user(
                roles=["sales_rep"], unit=people.units["EAST-1" if index % 2 else "EAST-2"], username=f"arrep{index}"
            )
        )
    rng = random.Random(7)
    today = datetime.date.today()
    with transaction.atomic():
        Customer.objects.bulk_create(
            [
                Customer(
                    code=f"A{i:05d}",
                    name=f"AR customer {i:05d}",
                    owner=reps[i % 10],
                    team=reps[i % 10].org_unit,
                    status="active",
                )
                for i in range(2000)
            ],
            batch_size=1000,
        )
        customers = list(Customer.objects.filter(code__startswith="A").order_by("pk"))
        invoices = []
        for index in range(invoice_count):
            customer = customers[index % len(customers)]
            issue = today - datetime.timedelta(days=rng.randint(1, 730))
            total = Decimal(rng.randint(100, 500000)) / 100
            invoices.append(
                Invoice(
                    number=f"AI-{index:07d}",
                    customer=customer,
                    rep_id=customer.owner_id,
                    team_id=customer.team_id,
                    issue_date=issue,
                    due_date=issue + datetime.timedelta(days=rng.choice([30, 45, 60])),
                    total=total,
                    tax_total=(total * 13 / 113).quantize(CENT),
                )
            )
        Invoice.objects.bulk_create(invoices, batch_size=5000)
        invoices = list(Invoice.objects.filter(number__startswith="AI-").order_by("pk"))
        # payments: (invoice, amount, day, bounced_on)
        payments = []
        for invoice in invoices:
            roll = rng.random()
            if roll >= 0.7:
                continue
            parts = [invoice.total] if roll < 0.6 else [(invoice.total / 2).quantize(CENT)] * 2
            day = invoice.issue_date
            for amount in parts:
                day = min(today, day + datetime.timedelta(days=rng.randint(5, 60)))
                bounced = min(today, day + datetime.timedelta(days=rng.randint(1, 20))) if rng.random() < 0.01 else None
                payments.append((invoice, amount, day, bounced))
        receipts = [
            Receipt(
                number=f"AR-{index:07d}",
                customer_id=invoice.customer_id,
                amount=amount,
                allocated_amount=ZERO if bounced else amount,
                received_on=day,
                team_id=invoice.team_id,
                status="reversed" if bounced else "confirmed",
                reversed_on=bounced,
                recorded_by=finance,
            )
            for index, (invoice, amount, day, bounced) in enumerate(payments)
        ]
        # money on account: one overpayment per customer, not allocated
        receipts += [
            Receipt(
                number=f"AO-{customer.pk}",
                customer=customer,
                amount=Decimal(rng.randint(1, 500)),
                received_on=today - datetime.timedelta(days=rng.randint(1, 700)),
                team_id=customer.team_id,
                status="confirmed",
                recorded_by=finance,
            )
            for customer in customers
        ]
        Receipt.objects.bulk_create(receipts, batch_size=5000)
        ids = dict(Receipt.objects.filter(number__startswith="AR-").values_list("number", "pk"))
        allocations, paid = [], {}
        for index, (invoice, amount, day, bounced) in enumerate(payments):
            receipt_id = ids[f"AR-{index:07d}"]
            allocations.append(
                Allocation(receipt_id=receipt_id, invoice=invoice, amount=amount, allocated_on=day, created_by=finance)
            )
            if bounced:
                allocations.append(
                    Allocation(
                        receipt_id=receipt_id, invoice=invoice, amount=-amount, allocated_on=bounced, created_by=finance
                    )
                )
            else:
                paid[invoice.pk] = paid.get(invoice.pk, ZERO) + amount
        Allocation.objects.bulk_create(allocations, batch_size=5000)
        unpaid = [invoice for invoice in invoices if invoice.pk not in paid and invoice.total >= 2][:2000]
        notes = []
        for index, invoice in enumerate(unpaid):
            day = min(today, invoice.issue_date + datetime.timedelta(days=rng.randint(1, 60)))
            credit = (invoice.total / 4).quantize(CENT)
            notes.append(
                Invoice(
                    number=f"AC-{index:07d}",
                    kind="credit_note",
                    customer_id=invoice.customer_id,
                    rep_id=invoice.rep_id,
                    team_id=invoice.team_id,
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
                    created_by=finance,
                )
                for note in notes
            ],
            batch_size=5000,
        )
        for note in notes:
            paid[note.original_id] = paid.get(note.original_id, ZERO) - note.total
        totals = {invoice.pk: invoice.total for invoice in invoices}
        Invoice.objects.bulk_update(
            [
                Invoice(pk=pk, paid_amount=amount, status="paid" if amount >= totals[pk] else "open")
                for pk, amount in paid.items()
            ],
            ["paid_amount", "status"],
            batch_size=5000,
        )


ZERO = Decimal("0.00")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invoices", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", help="directory to keep the database in and reuse on the next run")
    args = parser.parse_args()
    setup(args.keep)
    from django.db import connection

    from salesops.credit.ageing import ageing
    from salesops.credit.models import Allocation, Receipt
    from salesops.credit.money import money_total
    from salesops.sales.models import Invoice

    if Invoice.objects.filter(number__startswith="AI-").count() != args.invoices:
        if Invoice.objects.exists():
            sys.exit("the kept database holds another data set; remove the directory first")
        started = time.perf_counter()
        build(args.invoices)
        print(f"data built in {time.perf_counter() - started:.1f} s")
    print(
        f"data: {Invoice.objects.count():,} invoices and credit notes, {Receipt.objects.count():,} receipts, "
        f"{Allocation.objects.count():,} allocations"
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    everything, money = Invoice.objects.all(), Receipt.objects.all()
    past = datetime.date.today() - datetime.timedelta(days=180)

    def plain_scan():
        issued = money_total(everything.filter(issue_date__lte=past), "total")
        paid = money_total(Allocation.objects.filter(receipt__isnull=False, allocated_on__lte=past), "amount")
        return issued - paid

    print(f"{'':42s} {'wall ms':>9s} {'cpu ms':>9s} {'× baseline':>11s}")
    wall, cpu, expected = best_of(args.runs, plain_scan)
    print(f"{'baseline: plain scan (2 SUMs)':42s} {wall * 1000:9.1f} {cpu * 1000:9.1f} {1:10.1f}x")
    base = wall
    worst = 0.0
    for group in ("customer", "rep", "team"):
        label = f"ageing at {past} by {group}"
        g_wall, g_cpu, report = best_of(
            args.runs, lambda g=group: ageing(everything, as_of=past, group_by=g, receipts=money)
        )
        worst = max(worst, g_wall)
        print(f"{label:42s} {g_wall * 1000:9.1f} {g_cpu * 1000:9.1f} {g_wall / base:10.1f}x")
        if report["totals"]["total"] != expected:
            sys.exit(f"ageing by {group} reports {report['totals']['total']}, the rows say {expected}")
    print(f"open at {past}: {expected:,.2f} (ageing = invoices issued − allocations dated by then: agrees)")
    print(
        f"slowest ageing at a past date: {worst * 1000:.0f} ms (target < 2000 ms): {'OK' if worst < 2 else 'TOO SLOW'}"
    )


if __name__ == "__main__":
    main()
