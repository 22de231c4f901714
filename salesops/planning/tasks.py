"""Long planning runs as background tasks (django-tasks); pages poll the run's progress."""

from __future__ import annotations

from django_tasks import task


@task()
def forecast_run_task(run_id: int) -> dict:
    from salesops.planning.forecasting import forecast_run_execute
    from salesops.planning.models import ForecastRun

    # The engine (this machine or a Dask cluster) is the one of the settings; the run records it.
    run = forecast_run_execute(run=ForecastRun.objects.get(pk=run_id))
    return {"run": run.pk, "status": run.status, "engine": run.engine, "series": run.n_series, "seconds": run.seconds}


@task()
def mrp_run_task(run_id: int) -> dict:
    from salesops.planning.models import MrpRun
    from salesops.planning.mrp_db import mrp_run_execute

    run = mrp_run_execute(run=MrpRun.objects.get(pk=run_id))
    return {"run": run.pk, "status": run.status, "planned": run.n_planned, "seconds": run.seconds}
