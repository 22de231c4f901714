"""Server time of the home page and every list page in the menu, with the demo company on SQLite.

    .venv/bin/python bench/pages.py [--repeat 20] [--users rep1,supervisor1,manager,director,finance,warehouse,planner]
                                    [--only /stock/] [--var var/bench-pages]

Loads the demo into a SQLite database under --var (once; reused when present),
then requests each page in-process with Django's test client and reports p50/p95 per page.
Baseline, measured in the same run: GET /api/v1/me/ (authenticated, one small query) —
the ratio shows what the page itself costs over the framework's fixed cost.
Target: every page p95 under 150 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.pop("DATABASE_URL", None)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salesops.settings.dev")
os.environ.setdefault("SALESOPS_TASKS_BACKEND", "immediate")


def percentile(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q / 100 * (len(values) - 1))))]


def timed(client, url, repeat):
    client.get(url)  # warm caches
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{url}: HTTP {response.status_code}")
    return samples


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--users", default="rep1,supervisor1,manager,director,finance,warehouse,planner")
    parser.add_argument("--only", default="", help="measure only pages whose path starts with this")
    parser.add_argument("--var", default=str(ROOT / "var" / "bench-pages"), help="directory of the demo database")
    args = parser.parse_args()

    import django

    Path(args.var).mkdir(parents=True, exist_ok=True)
    os.environ["SALESOPS_VAR_DIR"] = str(Path(args.var).resolve())
    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse

    from salesops.core.models import User
    from salesops.core.registry import registry

    call_command("migrate", verbosity=0)
    call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115

    worst = 0.0
    print(f"{'user':<12} {'page':<40} {'p50 ms':>8} {'p95 ms':>8}")
    for username in args.users.split(","):
        user = User.objects.get(username=username)
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(user)
        base = timed(client, "/api/v1/me/", args.repeat)
        print(f"{username:<12} {'baseline /api/v1/me/':<40} {statistics.median(base):8.1f} {percentile(base, 95):8.1f}")
        urls = ["/"] + [reverse(item.url_name) for item in registry.nav if item.visible_to(user)]
        for url in (url for url in urls if url.startswith(args.only)):
            samples = timed(client, url, args.repeat)
            p95 = percentile(samples, 95)
            worst = max(worst, p95)
            print(
                f"{username:<12} {url:<40} {statistics.median(samples):8.1f} {p95:8.1f}"
                f"  ({p95 / percentile(base, 95):.1f}× baseline)"
            )
    print(f"\nworst page p95: {worst:.1f} ms (target < 150 ms) -> {'OK' if worst < 150 else 'MISSED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
