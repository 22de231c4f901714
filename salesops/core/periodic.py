"""Periodic jobs (the SOP clock, approval reminders, grade recomputation, …).

Areas register jobs from AppConfig.ready(); `salesops worker` (and `manage.py run_periodic`)
calls `run_due()` every few seconds. A job's last run is stored, so several workers or a
restart after downtime run each job once per interval; jobs themselves must be idempotent
and catch up on what they missed (they receive `now`, not a count of missed runs). A job runs
in the company's time zone, as a request does, so "today" in it is the company's day.

A run counts only when it finishes: a job that raises is due again at the next tick, and one
whose worker died while running it (the claim is older than CLAIM_LEASE) is run again by the
next worker, instead of waiting a whole interval.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

logger = logging.getLogger(__name__)

# How long a started run keeps other workers away; after it the run is taken for dead.
CLAIM_LEASE = datetime.timedelta(minutes=15)


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    run: Callable[..., object]  # run(now=datetime) -> anything
    every: datetime.timedelta


_jobs: dict[str, PeriodicJob] = {}


def register_periodic(name: str, run: Callable[..., object], *, every: datetime.timedelta) -> None:
    _jobs[name] = PeriodicJob(name=name, run=run, every=every)


def periodic_jobs() -> list[PeriodicJob]:
    return sorted(_jobs.values(), key=lambda job: job.name)


def run_due(*, now: datetime.datetime | None = None, force: bool = False) -> list[str]:
    """Run every job whose interval has passed; returns the names of the jobs that ran."""
    from salesops.core.models import PeriodicRun
    from salesops.core.selectors import company_zone

    now = now or timezone.now()
    ran = []
    for job in periodic_jobs():
        with transaction.atomic():
            record, _created = PeriodicRun.objects.select_for_update().get_or_create(name=job.name)
            if not force and record.last_run_at and record.last_run_at + job.every > now:
                continue
            if record.started_at and record.started_at + CLAIM_LEASE > timezone.now():
                continue  # another worker is running it
            record.started_at = timezone.now()
            record.save(update_fields=["started_at"])
        try:
            with timezone.override(company_zone()):  # the company's day, as in a request
                job.run(now=now)
        except Exception as error:  # one failing job must not stop the others
            logger.exception("periodic job %s failed", job.name)
            PeriodicRun.objects.filter(pk=record.pk).update(
                started_at=None, failed_at=timezone.now(), last_error=repr(error)[:500]
            )
            continue
        PeriodicRun.objects.filter(pk=record.pk).update(started_at=None, last_run_at=now, last_error="")
        ran.append(job.name)
    return ran
