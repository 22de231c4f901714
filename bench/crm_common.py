"""Shared set-up of the customer benchmarks: a fresh temporary SQLite database, migrated."""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path


def setup(name: str) -> Path:
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


def org():
    from salesops.core.tests.factories import make_org

    return make_org()
