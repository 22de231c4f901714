"""Shared set-up of the customer benchmarks: a fresh temporary SQLite database, migrated.

Generating 100,000 customers or 1,000,000 keys takes minutes; set CRM_BENCH_VAR=<dir> to keep
the database in that directory and reuse the generated data on the next run (the benchmarks
skip generation when the data is already there; pending migrations are applied)."""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path


def setup(name: str) -> Path:
    keep = os.environ.get("CRM_BENCH_VAR")
    if keep:
        var = Path(keep)
        var.mkdir(parents=True, exist_ok=True)
    else:
        var = Path(tempfile.mkdtemp(prefix=f"bench-{name}-"))
    os.environ["SALESOPS_VAR_DIR"] = str(var)
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salesops.settings.dev")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, skip_checks=True)
    return var


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[18] if len(samples) >= 20 else max(samples)


def timed(func, repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def timed_cpu(func, repeat: int) -> tuple[list[float], list[float]]:
    """Wall and process CPU milliseconds of each call."""
    wall, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        func()
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return wall, cpu


def org():
    """The test organisation (reused when the database is kept)."""
    from salesops.core.models import User
    from salesops.core.tests.factories import ORG_PEOPLE, Org, make_org

    if User.objects.filter(username="rep1").exists():
        users = {u.username: u for u in User.objects.filter(username__in=[p[0] for p in ORG_PEOPLE])}
        return Org(company=None, users=users)
    return make_org()
