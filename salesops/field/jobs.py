"""Periodic job: each morning every rep's planned visits of the day are made from their
published cycle (also made on demand when the rep opens today's route)."""

from __future__ import annotations

from django.utils import timezone

from salesops.core.calendar import WorkCalendar


def plan_todays_visits(*, now=None) -> int:
    from salesops.field.models import RouteCycle
    from salesops.field.services import visits_plan_day

    calendar = WorkCalendar.load()
    today = timezone.localdate(now or timezone.now(), calendar.tz)
    if not calendar.is_working_day(today):
        return 0
    count = 0
    for cycle in RouteCycle.objects.filter(status=RouteCycle.Status.PUBLISHED, starts_on__lte=today).select_related(
        "rep"
    ):
        count += len(visits_plan_day(rep=cycle.rep, date=today))
    return count
