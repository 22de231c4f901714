"""Benchmark: the sales control board (销控表) of a 3,000-unit project.

Builds a throwaway SQLite database (tables created directly, no migrations; the seeded rules
applied as the migrations would), a project of 5 buildings × 30 floors × 20 units with holds,
paid reservations and waitlist entries spread over it, a 300-unit and a 30-unit project, and
renders the real board page (`/units/projects/<pk>/`) through Django's test client as the sales
manager. Prints p50/p95 of the server time over --runs requests, the 30-unit board and the
user's reservation list (a trivial page) as baselines measured in the same run, and the number
of SQL queries of the board for 30, 300 and 3,000 units. Target: 3,000 units under 300 ms
(p95), the same number of queries whatever the size.

    .venv/bin/python bench/units_board.py [--runs 30] [--profile]
"""

import argparse
import gc
import importlib
import os
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salesops.settings.dev")
os.environ["SALESOPS_VAR_DIR"] = tempfile.mkdtemp(prefix="bench-units-board-")
os.environ.pop("DATABASE_URL", None)

TARGET_MS = 300
SEEDS = (
    "salesops.approvals.migrations.0002_seed_default_rules",
    "salesops.crm.migrations.0003_seed_stages_pool_rules_policy",
    "salesops.sop.migrations.0002_seed_sop_calendar",
    "salesops.sop.migrations.0004_rules_wired_to_documents",
    "salesops.units.migrations.0002_seed_approval_rules_sop_rule_required_documents",
)


class _NoMigrations(dict):
    def __contains__(self, item):
        return True

    def __getitem__(self, item):
        return None


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--profile", action="store_true", help="print where the 3,000-unit board spends its time")
    args = parser.parse_args()

    import django
    from django.conf import settings

    settings.MIGRATION_MODULES = _NoMigrations()
    settings.ALLOWED_HOSTS = ["*"]
    settings.DEBUG = False
    django.setup()
    from django.apps import apps
    from django.core.management import call_command

    call_command("migrate", run_syncdb=True, verbosity=0)
    for module in SEEDS:
        importlib.import_module(module).seed(apps, None)

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from salesops.core.tests.factories import make_org
    from salesops.units import services
    from salesops.units.tests.factories import make_buyer, pay

    org = make_org()
    manager = org["manager"]

    def build(code: str, buildings: int, floors: int, per_floor: int):
        project = services.project_create(
            actor=manager, code=code, name=f"滨江花园{code}", team=org.units["EAST"], deposit_amount=Decimal("20000")
        )
        for number in range(1, buildings + 1):
            services.building_create(
                project=project,
                code=str(number),
                name=f"{number}号楼",
                floors=floors,
                units_per_floor=per_floor,
                area=Decimal("98.50"),
                price_per_m2=Decimal("21000"),
                floor_premium=Decimal("80"),
                actor=manager,
                position=number,
            )
        return project

    started = time.perf_counter()
    with timezone.override(services.company_tz()):
        tiny = build("B30", 1, 3, 10)
        medium = build("B300", 1, 15, 20)
        large = build("B3000", 5, 30, 20)
        # a realistic mix on the large project: 60 holds, 60 of them paid (reservations), a
        # waitlist on 20 of the taken units, 20 units off sale
        reps = [org["rep1"], org["rep2"], org["rep3"]]
        units = list(large.units.order_by("pk"))
        for index, unit in enumerate(units[::25][:120]):
            rep = reps[index % 3]
            held = services.reservation_hold(unit=unit, customer=make_buyer(rep), actor=rep).reservation
            if index % 2:
                pay(held.payment_items.get(kind="deposit"), org)
            if index % 6 == 0:
                services.reservation_hold(unit=unit, customer=make_buyer(rep), actor=rep, waitlist=True)
        for unit in units[7::150][:20]:
            services.unit_block(unit=unit, actor=manager, blocked=True)
    print(f"data built in {time.perf_counter() - started:.1f} s")
    # The objects left over from building the data stay alive in this process, not in a server:
    # without this, the collector's full passes over them (~200 ms CPU each) land in every few
    # requests. A server that froze its heap after loading (gunicorn --preload) behaves the same.
    gc.collect()
    gc.freeze()

    client = Client()
    client.force_login(manager)

    def board_url(project) -> str:
        return f"/units/projects/{project.pk}/"

    def timed(url: str) -> tuple[list[float], list[float]]:
        """Server time of each request in ms (wall and CPU: CPU is less disturbed by other load)."""
        for _ in range(2):
            assert client.get(url).status_code == 200, url  # warm
        wall, cpu = [], []
        for _ in range(args.runs):
            start, start_cpu = time.perf_counter(), time.process_time()
            response = client.get(url)
            wall.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        return wall, cpu

    def queries(url: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    if args.profile:
        import cProfile
        import pstats

        client.get(board_url(large))
        profiler = cProfile.Profile()
        profiler.runcall(client.get, board_url(large))
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
        return
    rows = [
        ("baseline: reservation list page", timed("/units/reservations/")),
        ("baseline: board, 30 units", timed(board_url(tiny))),
        ("board, 300 units", timed(board_url(medium))),
        ("board, 3,000 units", timed(board_url(large))),
    ]
    size = len(client.get(board_url(large)).content)
    print(f"units: {tiny.units.count()} / {medium.units.count()} / {large.units.count()}; runs: {args.runs}")
    print(f"the 3,000-unit board page: {size / 1024:.0f} KiB of HTML")
    print(f"{'server time, ms':34s} {'p50 wall':>9s} {'p95 wall':>9s} {'p50 CPU':>9s} {'p95 CPU':>9s}")
    for label, (wall, cpu) in rows:
        print(
            f"{label:34s} {statistics.median(wall):9.1f} {percentile(wall, 0.95):9.1f}"
            f" {statistics.median(cpu):9.1f} {percentile(cpu, 0.95):9.1f}"
        )
    counts = {name: queries(board_url(project)) for name, project in (("30", tiny), ("300", medium), ("3000", large))}
    print(f"queries of the board: 30 units {counts['30']}, 300 units {counts['300']}, 3,000 units {counts['3000']}")
    p95 = percentile(rows[-1][1][0], 0.95)
    constant = len(set(counts.values())) == 1
    verdict = "met" if p95 < TARGET_MS and constant else "NOT met"
    print(f"target: 3,000 units p95 under {TARGET_MS} ms, constant queries -> {verdict}")


if __name__ == "__main__":
    main()
