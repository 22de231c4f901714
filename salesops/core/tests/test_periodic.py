"""Periodic jobs: a run counts only when it finishes, so a crash is retried at the next tick."""

import datetime
from types import SimpleNamespace

import pytest
from django.utils import timezone

from salesops.core import periodic
from salesops.core.models import PeriodicRun

HOUR = datetime.timedelta(hours=1)


@pytest.fixture
def jobs(monkeypatch):
    monkeypatch.setattr(periodic, "_jobs", {})
    calls = []

    def flaky(*, now):
        calls.append(now)
        if len(calls) == 1:
            raise RuntimeError("database went away")

    periodic.register_periodic("flaky", flaky, every=datetime.timedelta(hours=6))
    return calls


def test_a_job_that_fails_runs_again_at_the_next_tick_not_after_its_interval(db, jobs):
    now = timezone.now()
    assert periodic.run_due(now=now) == []
    record = PeriodicRun.objects.get(name="flaky")
    assert record.last_run_at is None and record.started_at is None
    assert "database went away" in record.last_error and record.failed_at

    assert periodic.run_due(now=now + datetime.timedelta(seconds=30)) == ["flaky"]
    record.refresh_from_db()
    assert record.last_run_at == now + datetime.timedelta(seconds=30) and record.last_error == ""
    assert periodic.run_due(now=now + datetime.timedelta(minutes=1)) == []  # done: waits its interval
    assert len(jobs) == 2


def test_a_run_whose_worker_died_is_taken_over_after_the_lease(db, jobs):
    PeriodicRun.objects.create(name="flaky", started_at=timezone.now())  # a worker claimed it, then died
    jobs.append("the first call already failed")
    assert periodic.run_due() == []  # still within the lease: maybe running elsewhere
    PeriodicRun.objects.update(started_at=timezone.now() - periodic.CLAIM_LEASE - datetime.timedelta(seconds=1))
    assert periodic.run_due() == ["flaky"]


def test_a_job_and_a_task_see_the_companys_day_not_utc(db, monkeypatch):
    """At 17:00 UTC on 3 Dec it is already 4 Dec in Shanghai: a job's "today" is the 4th."""
    from django_tasks.signals import task_finished, task_started

    monkeypatch.setattr(periodic, "_jobs", {})
    seen = []
    periodic.register_periodic("day", lambda *, now: seen.append(timezone.localtime(now).date()), every=HOUR)
    evening_utc = datetime.datetime(2026, 12, 3, 17, 0, tzinfo=datetime.UTC)
    with timezone.override(datetime.UTC):
        assert periodic.run_due(now=evening_utc) == ["day"]
        assert seen == [datetime.date(2026, 12, 4)]
        assert timezone.get_current_timezone_name() == "UTC"  # put back after the job

        running = SimpleNamespace(id="t1", task=SimpleNamespace(module_path="salesops.core.tasks.ping"), status="x")
        task_started.send(sender=None, task_result=running)
        assert timezone.get_current_timezone_name() == "Asia/Shanghai"
        task_finished.send(sender=None, task_result=running)
        assert timezone.get_current_timezone_name() == "UTC"  # put back after the task
