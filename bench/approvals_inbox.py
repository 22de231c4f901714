"""Benchmark: an approver's inbox with 10,000 pending requests.

Builds a throwaway SQLite database (tables created directly, no migrations), gives one
supervisor 10,000 open approval steps, and times the first page of the inbox (web and API)
against a baseline measured in the same run: a trivial page for the same user (their
delegations page). Target: inbox first page under 300 ms.

    .venv/bin/python bench/approvals_inbox.py [--requests 10000] [--runs 15]
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salesops.settings.dev")
os.environ["SALESOPS_VAR_DIR"] = tempfile.mkdtemp(prefix="bench-approvals-")
os.environ.pop("DATABASE_URL", None)


class _NoMigrations(dict):
    def __contains__(self, item):
        return True

    def __getitem__(self, item):
        return None


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()

    import django
    from django.conf import settings

    settings.MIGRATION_MODULES = _NoMigrations()
    settings.ALLOWED_HOSTS = ["*"]
    settings.DEBUG = False
    django.setup()
    from django.core.management import call_command

    call_command("migrate", run_syncdb=True, verbosity=0)

    from django.test import Client
    from django.utils import timezone

    from salesops.approvals.models import ApprovalRequest, ApprovalTask
    from salesops.core.tests.factories import make_org

    org = make_org()
    approver, requesters = org["supervisor1"], [org["rep1"], org["rep2"]]
    now = timezone.now()
    requests = [
        ApprovalRequest(
            doc_type="visit_request",
            object_id=str(index),
            title=f"Visit VR-{index:05d} · Customer {index}",
            requester=requesters[index % 2],
            unit=requesters[index % 2].org_unit,
            rule_name="Visit: direct supervisor",
            snapshot={"number": f"VR-{index:05d}", "customer": f"Customer {index}", "purpose": "Annual review"},
            values={"key_account": False},
            version="x",
            submitted_at=now - timezone.timedelta(minutes=index),
        )
        for index in range(args.requests)
    ]
    ApprovalRequest.objects.bulk_create(requests, batch_size=2000)
    ApprovalTask.objects.bulk_create(
        [
            ApprovalTask(
                request=request,
                position=1,
                approver_kind="supervisor",
                assignee=approver,
                status="open",
                opened_at=request.submitted_at,
                due_at=request.submitted_at + timezone.timedelta(hours=30),
                remind_at=request.submitted_at + timezone.timedelta(hours=26),
            )
            for request in ApprovalRequest.objects.all()
        ],
        batch_size=2000,
    )

    client = Client()
    client.force_login(approver)

    def timed(url: str) -> tuple[float, float]:
        """Median wall and CPU milliseconds (CPU time is less disturbed by other load)."""
        client.get(url)  # warm
        wall, cpu = [], []
        for _ in range(args.runs):
            start, start_cpu = time.perf_counter(), time.process_time()
            response = client.get(url)
            wall.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        return statistics.median(wall), statistics.median(cpu)

    baseline = timed("/approvals/delegations/")
    inbox = timed("/approvals/")
    api = timed("/api/v1/approvals/inbox/")
    home = timed("/")
    count = ApprovalTask.objects.filter(assignee=approver, status="open").count()
    print(f"pending requests in the inbox: {count}")
    print("median of runs            wall ms   CPU ms")
    for label, (wall, cpu) in [
        ("baseline: delegations page", baseline),
        ("inbox page, first page", inbox),
        ("inbox API, first page", api),
        ("home with approvals", home),
    ]:
        print(f"{label:26s} {wall:8.1f} {cpu:8.1f}")
    print(f"target: inbox first page under 300 ms -> {'met' if inbox[0] < 300 else 'NOT met (wall)'}")


if __name__ == "__main__":
    main()
