"""Benchmark: one SOP clock run over 100,000 open obligations on SQLite.

    .venv/bin/python bench/sop_clock.py [--obligations 100000] [--people 1000]

Builds a throw-away SQLite database (in a temporary directory), 1,000 reps in 10 teams with
their supervisors, and 100,000 open daily-report obligations spread so that one run has real
work: 40 % are past due (missed and escalated), 10 % are inside the reminder window, the rest
are in the future; one new period opens during the run (1,000 obligations created). Prints the
clock run, a second (no-op) run, and the baseline: reading the same 100,000 rows with
`.values_list()`. Target: the clock run under 10 s.
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--obligations", type=int, default=100_000)
    parser.add_argument("--people", type=int, default=1_000)
    parser.add_argument("--profile", action="store_true", help="print the top functions of the clock run")
    args = parser.parse_args()

    workdir = tempfile.mkdtemp(prefix="sop-bench-")
    os.environ["SALESOPS_VAR_DIR"] = workdir
    os.environ.pop("DATABASE_URL", None)
    os.environ["SALESOPS_EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    os.environ["SALESOPS_TASKS_BACKEND"] = "database"  # e-mail is queued, as in production
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salesops.settings.dev")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    call_command("migrate", verbosity=0)

    from salesops.core.calendar import WorkCalendar
    from salesops.core.models import Company, OrgUnit, User, UserRole
    from salesops.core.roles import Role
    from salesops.sop.clock import sop_clock_run
    from salesops.sop.models import Obligation, SopRule

    setup_started = time.perf_counter()
    company = Company.objects.create(name="Bench Co")
    root = OrgUnit.objects.create(company=company, kind="company", code="HQ", name="HQ")
    root.path = f"/{root.pk}/"
    root.save()
    teams_count = 10
    teams = []
    for index in range(teams_count):
        team = OrgUnit.objects.create(company=company, kind="team", code=f"T{index}", name=f"Team {index}", parent=root)
        team.path = f"{root.path}{team.pk}/"
        team.save()
        teams.append(team)
    with transaction.atomic():
        supervisors = User.objects.bulk_create(
            [User(username=f"sup{i}", email=f"sup{i}@example.cn", org_unit=teams[i]) for i in range(teams_count)]
        )
        UserRole.objects.bulk_create([UserRole(user=u, role=Role.SALES_SUPERVISOR) for u in supervisors])
        reps = User.objects.bulk_create(
            [
                User(
                    username=f"rep{i}",
                    email=f"rep{i}@example.cn",
                    org_unit=teams[i % teams_count],
                    manager=supervisors[i % teams_count],
                )
                for i in range(args.people)
            ]
        )
        UserRole.objects.bulk_create([UserRole(user=u, role=Role.SALES_REP) for u in reps])

    calendar = WorkCalendar.load()
    now = datetime.datetime(2026, 11, 16, 17, 10, tzinfo=calendar.tz)  # Monday, 20 min before 17:30
    rule = SopRule.objects.get(code="daily-report")
    SopRule.objects.exclude(pk=rule.pk).update(enabled=False)  # the same work on every run: one rule
    per_person = max(args.obligations // args.people, 1)
    past = int(per_person * 0.4)
    soon = int(per_person * 0.1)
    rows = []
    for rep in reps:
        for slot in range(per_person):
            if slot < past:  # due before now: will be missed and escalated
                due = now - datetime.timedelta(hours=slot + 1)
            elif slot < past + soon:  # inside the 30-minute reminder window
                due = now + datetime.timedelta(minutes=5 + slot - past)
            else:  # later
                due = now + datetime.timedelta(days=slot)
            rows.append(
                Obligation(
                    rule=rule,
                    person=rep,
                    period_key=f"bench-{slot}",
                    open_at=due - datetime.timedelta(hours=18),
                    due_at=due,
                    remind_at=due - datetime.timedelta(minutes=30),
                )
            )
    with transaction.atomic():
        Obligation.objects.bulk_create(rows, batch_size=5000)
    del rows
    # The rule was last scheduled on Sunday evening: Monday's period opens during the run.
    SopRule.objects.filter(pk=rule.pk).update(scheduled_until=now - datetime.timedelta(hours=20))
    setup_seconds = time.perf_counter() - setup_started
    total = Obligation.objects.count()
    print(f"setup: {total:,} open obligations for {len(reps):,} reps in {setup_seconds:.1f} s ({workdir})")

    started, cpu_started = time.perf_counter(), time.process_time()
    baseline_rows = list(Obligation.objects.values_list("id", "person_id", "rule_id", "due_at", "remind_at", "status"))
    baseline = time.perf_counter() - started
    baseline_cpu = time.process_time() - cpu_started
    del baseline_rows

    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    reverse("sop-my")  # a running worker has its URLs loaded; do not time the first import

    with CaptureQueriesContext(connection) as queries:
        started, cpu_started = time.perf_counter(), time.process_time()
        if args.profile:
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            first = profiler.runcall(sop_clock_run, now=now)
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
        else:
            first = sop_clock_run(now=now)
        first_seconds = time.perf_counter() - started
        first_cpu = time.process_time() - cpu_started
    started = time.perf_counter()
    second = sop_clock_run(now=now)
    second_seconds = time.perf_counter() - started

    from django_tasks_db.models import DBTaskResult

    print(f"baseline: read {total:,} obligations with values_list(): {baseline:.2f} s (CPU {baseline_cpu:.2f} s)")
    print(
        f"clock run: {first_seconds:.2f} s (CPU {first_cpu:.2f} s), {len(queries.captured_queries)} queries — "
        f"created {first.created:,}, "
        f"reminded {first.reminded:,}, missed+escalated {first.missed:,}, "
        f"e-mail tasks queued {DBTaskResult.objects.count()}"
    )
    print(
        f"second run (same now): {second_seconds:.2f} s — created {second.created}, reminded {second.reminded}, "
        f"missed {second.missed}"
    )
    print(
        f"ratio clock/baseline: {first_seconds / baseline:.1f}× wall, {first_cpu / baseline_cpu:.1f}× CPU; "
        f"target < 10 s: {'met' if first_seconds < 10 else 'NOT met'}; load average {os.getloadavg()[0]:.1f}"
    )
    return 0 if first_seconds < 10 else 1


if __name__ == "__main__":
    raise SystemExit(main())
