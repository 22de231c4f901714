"""Benchmark: scorecards of 1,000 reps from 2,000,000 order lines.

Builds a SQLite database (fresh migrations) with 1,000 reps in 100 teams of 10 regions, one
customer per rep, 200,000 confirmed orders of 10 lines each (2,000,000 order lines) spread
over one year, and an approved target plan split down to every rep. Sales are counted on
orders (the company's measure set to orders), so every sales figure reads the order lines.

Timed, best of N runs:
- the scorecard of all 1,000 reps for the year, every registered KPI (sales, target,
  achievement, growth, collections, DSO, overdue share, margin, cost of sales, satisfaction,
  visits, forecast accuracy …), set-based: `targets.scorecards.scorecard`;
- the same grouped by team and by region;
- baseline in the same run: the per-rep loop (one scorecard per rep, what a naive
  implementation does) over a sample of reps, scaled to 1,000 reps; and the floor: one plain
  GROUP BY rep over the same order lines.
The queries of the set-based scorecard are counted: they do not depend on the number of reps
(also asserted in salesops/targets/tests/test_kpis.py). The target (< 5 s) is checked on the
wall time of the 1,000-rep scorecard.

Run: ``.venv/bin/python bench/targets_scorecard.py [--lines 2000000] [--sample 50] [--keep DIR]``
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
REPS, TEAMS, REGIONS, LINES_PER_ORDER = 1000, 100, 10, 10
YEAR = 2025


def setup(keep: str | None) -> tuple[Path, bool]:
    var = Path(keep) if keep else Path(tempfile.mkdtemp(prefix="bench-targets-scorecard-"))
    var.mkdir(parents=True, exist_ok=True)
    built = (var / "salesops.db").exists()
    os.environ["SALESOPS_VAR_DIR"] = str(var)
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salesops.settings.dev")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, skip_checks=True)
    return var, built


def best_of(runs: int, action) -> tuple[float, float]:
    walls, cpus = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        action()
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - start_cpu)
    return min(walls), min(cpus)


def build(line_count: int) -> None:
    from django.db import connection, transaction

    from salesops.catalog.models import Product
    from salesops.core import services as core
    from salesops.core.models import OrgUnit, User, UserRole
    from salesops.core.tests.factories import make_org
    from salesops.crm.models import Customer
    from salesops.inventory.models import Warehouse
    from salesops.sales.models import OrderLine, SalesOrder
    from salesops.targets import services as targets
    from salesops.targets.models import PerformancePolicy, TargetPlan

    people = make_org()
    rng = random.Random(42)
    with transaction.atomic():
        sales = people.units["SALES"]
        teams = []
        for r in range(REGIONS):
            region = core.org_unit_create(
                company=people.company, name=f"Region {r}", code=f"BR{r}", kind=OrgUnit.Kind.REGION, parent=sales
            )
            for t in range(TEAMS // REGIONS):
                teams.append(
                    core.org_unit_create(
                        company=people.company,
                        name=f"Team {r}-{t}",
                        code=f"BT{r}-{t}",
                        kind=OrgUnit.Kind.TEAM,
                        parent=region,
                    )
                )
        User.objects.bulk_create(
            [
                User(username=f"brep{i:04d}", full_name=f"Bench rep {i:04d}", org_unit=teams[i % TEAMS])
                for i in range(REPS)
            ],
            batch_size=1000,
        )
        reps = list(User.objects.filter(username__startswith="brep").order_by("pk"))
        UserRole.objects.bulk_create([UserRole(user=rep, role="sales_rep") for rep in reps])
        Customer.objects.bulk_create(
            [
                Customer(
                    code=f"BC{i:05d}", name=f"Bench customer {i:05d}", owner=rep, team=rep.org_unit, status="active"
                )
                for i, rep in enumerate(reps)
            ],
            batch_size=1000,
        )
        customers = list(Customer.objects.filter(code__startswith="BC").order_by("pk"))
        warehouse = Warehouse.objects.create(code="BW", name="Bench warehouse")
        products = [
            Product(sku=f"BP{i:03d}", name=f"Bench product {i}", list_price=Decimal("10.00"), cost=Decimal("6.0000"))
            for i in range(50)
        ]
        Product.objects.bulk_create(products)
        product_ids = list(Product.objects.filter(sku__startswith="BP").values_list("pk", flat=True))
        order_count = line_count // LINES_PER_ORDER
        SalesOrder.objects.bulk_create(
            [
                SalesOrder(
                    number=f"BSO-{i:07d}",
                    customer=customers[i % REPS],
                    rep=reps[i % REPS],
                    team_id=reps[i % REPS].org_unit_id,
                    warehouse=warehouse,
                    status="confirmed",
                    order_date=datetime.date(YEAR, 1, 1) + datetime.timedelta(days=rng.randrange(365)),
                    total=Decimal("0"),
                )
                for i in range(order_count)
            ],
            batch_size=5000,
        )
        order_ids = list(SalesOrder.objects.filter(number__startswith="BSO-").values_list("pk", flat=True))
        fields = [f for f in OrderLine._meta.concrete_fields if not f.primary_key]
        values = {
            "position": None,
            "order": None,
            "product": None,
            "quantity": None,
            "unit_price": Decimal("10.00"),
            "list_price": Decimal("10.00"),
            "amount": None,
        }
        table = OrderLine._meta.db_table
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        placeholders = ", ".join(["%s"] * len(fields))
        with connection.cursor() as cursor:
            batch = []
            for order_id in order_ids:
                for position in range(1, LINES_PER_ORDER + 1):
                    quantity = rng.randint(1, 20)
                    row = dict(
                        values,
                        order=order_id,
                        position=position,
                        product=rng.choice(product_ids),
                        quantity=Decimal(quantity),
                        amount=Decimal(quantity * 10),
                    )
                    batch.append(
                        [
                            row[f.name] if f.name in row else f.get_db_prep_save(f.get_default(), connection)
                            for f in fields
                        ]
                    )
                if len(batch) >= 50_000:
                    cursor.executemany(
                        f"INSERT INTO {table} ({columns}) VALUES ({placeholders})",
                        [[str(v) if isinstance(v, Decimal) else v for v in r] for r in batch],
                    )
                    batch = []
            if batch:
                cursor.executemany(
                    f"INSERT INTO {table} ({columns}) VALUES ({placeholders})",
                    [[str(v) if isinstance(v, Decimal) else v for v in r] for r in batch],
                )
        PerformancePolicy.objects.update(measure="orders")
        plan = targets.target_plan_create(
            year=YEAR, total=Decimal("100000000.00"), month_method="even", org_method="even", actor=people["gm"]
        )
        targets.target_plan_approved(plan=TargetPlan.objects.get(pk=plan.pk))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=2_000_000)
    parser.add_argument("--sample", type=int, default=50, help="reps timed in the per-rep loop (scaled to all)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", default=None)
    args = parser.parse_args()
    var, built = setup(args.keep)
    if not built:
        started = time.perf_counter()
        build(args.lines)
        print(f"built {args.lines:,} order lines in {time.perf_counter() - started:.1f} s under {var}")
    from django.db import connection
    from django.db.models import Sum
    from django.test.utils import CaptureQueriesContext

    from salesops.sales.models import OrderLine
    from salesops.targets.kpis import all_kpis
    from salesops.targets.periods import year
    from salesops.targets.scorecards import scorecard
    from salesops.targets.services import sales_reps

    reps = [rep for rep in sales_reps() if rep.username.startswith("brep")]
    period = year(datetime.date(YEAR, 1, 1))
    codes = [kpi.code for kpi in all_kpis()]
    lines = OrderLine.objects.filter(order__order_date__year=YEAR).count()
    print(f"{len(reps):,} reps, {lines:,} order lines, {len(codes)} KPIs: {', '.join(codes)}")

    def full(group_by="rep"):
        return scorecard(reps=reps, period=period, group_by=group_by, kpi_codes=codes)

    with CaptureQueriesContext(connection) as queries:
        card = full()
    assert len(card["rows"]) == len(reps)
    wall, cpu = best_of(args.runs, full)
    team_wall, _cpu = best_of(args.runs, lambda: full("team"))
    region_wall, _cpu = best_of(args.runs, lambda: full("region"))
    sample = reps[: args.sample]
    loop_wall, loop_cpu = best_of(1, lambda: [scorecard(reps=[rep], period=period, kpi_codes=codes) for rep in sample])
    loop_scaled = loop_wall * len(reps) / len(sample)
    floor_wall, _cpu = best_of(
        args.runs,
        lambda: list(
            OrderLine.objects.filter(order__order_date__year=YEAR).values("order__rep_id").annotate(v=Sum("amount"))
        ),
    )
    print(f"scorecard, {len(reps):,} reps (set-based): {wall:6.2f} s wall, {cpu:6.2f} s CPU, {len(queries)} queries")
    print(f"scorecard by team:                  {team_wall:6.2f} s wall")
    print(f"scorecard by region:                {region_wall:6.2f} s wall")
    print(
        f"baseline per-rep loop ({len(sample)} reps): {loop_wall:6.2f} s wall → {loop_scaled:6.1f} s "
        f"for {len(reps):,} reps (×{loop_scaled / wall:.0f} the set-based scorecard)"
    )
    print(f"floor, one GROUP BY rep over the lines: {floor_wall:6.2f} s wall (scorecard ×{wall / floor_wall:.1f})")
    print(f"load average (1, 5, 15 min): {', '.join(f'{load:.2f}' for load in os.getloadavg())}")
    print(f"target < 5 s: {'met' if wall < 5 else 'NOT met'}")


if __name__ == "__main__":
    main()
