"""Route planning runs as background tasks (django-tasks); the page polls the run's progress."""

from __future__ import annotations

from django_tasks import task


@task()
def route_plan_task(run_id: int) -> dict:
    from salesops.field.models import RoutePlanRun
    from salesops.field.services import route_plan_run_execute

    run = route_plan_run_execute(run=RoutePlanRun.objects.get(pk=run_id))
    return {"run": run.pk, "status": run.status, "done": run.done, "failed": run.failed}
