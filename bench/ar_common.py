"""Shared data set of the receivables benchmarks (`ar_ageing.py`, `credit_ageing.py`).

A SQLite database (fresh migrations; `--keep DIR` keeps it, and both benchmarks reuse the same
directory) with 2,000 customers of 10 reps in 2 teams and N invoices over two years, paid the
way the system pays them: one receipt per payment and one allocation per receipt and invoice,
dated when the money met the invoice — 60 % paid in full by one receipt, 10 % in two
instalments (two receipts), 1 % of the receipts bounced and reversed later (negative
allocations dated on the reversal), 2,000 credit notes set against the invoices they credit,
and money on account for every customer. With 200,000 invoices: 202,000 documents, about
162,000 receipts and 163,000 allocations. Fixed seed: every build is the same data.
"""

from __future__ import annotations

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
ZERO = Decimal("0.00")
INVOICE_PREFIX = "AI-"  # the numbers of the data set's invoices: how a kept database is recognised
# Raised whenever `build` changes, so a database kept by an older build is not measured as this
# one (2: the two instalments add up to the invoice's total; before, half rounded up twice paid
# some invoices a cent too much, which the system never allows).
DATA_VERSION = 2
VERSION_FILE = "ar_common.version"


def setup(keep: str | None) -> Path:
    """Django on a SQLite database in `keep` (or a new temporary directory), migrated."""
    var = Path(keep) if keep else Path(tempfile.mkdtemp(prefix="bench-ar-"))
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


def best_of(runs: int, action) -> tuple[float, float, object]:
    """Best wall seconds, best process CPU seconds (SQLite runs in this process) and the
    result of `runs` calls."""
    walls, cpus, result = [], [], None
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = action()
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - start_cpu)
    return min(walls), min(cpus), result


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"


def ensure_data(invoice_count: int, var: Path) -> None:
    """Build the data set in the database under `var`, or reuse the one kept there; then
    ANALYZE and say what is there."""
    from django.db import connection

    from salesops.credit.models import Allocation, Receipt
    from salesops.sales.models import Invoice

    version = var / VERSION_FILE
    kept = version.exists() and version.read_text().strip() == f"{DATA_VERSION} {invoice_count}"
    if not kept:
        if Invoice.objects.exists():
            sys.exit(f"{var} holds another data set (or one of an older build); remove the directory first")
        started = time.perf_counter()
        build(invoice_count)
        version.write_text(f"{DATA_VERSION} {invoice_count}\n")
        print(f"data built in {time.perf_counter() - started:.1f} s")
    else:
        print(f"data reused from {var}")
    print(
        f"data: {Invoice.objects.count():,} invoices and credit notes, {Receipt.objects.count():,} receipts, "
        f"{Allocation.objects.count():,} allocations"
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


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
                    number=f"{INVOICE_PREFIX}{index:07d}",
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
        invoices = list(Invoice.objects.filter(number__startswith=INVOICE_PREFIX).order_by("pk"))
        # payments: (invoice, amount, day, bounced_on)
        payments = []
        for invoice in invoices:
            roll = rng.random()
            if roll >= 0.7:
                continue
            half = (invoice.total / 2).quantize(CENT)
            parts = [invoice.total] if roll < 0.6 else [half, invoice.total - half]  # never more than the total
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
