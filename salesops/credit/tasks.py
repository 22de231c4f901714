"""Background work of credit and collections (django-tasks)."""

from django_tasks import task


@task()
def statement_run_task(run_id: int) -> int:
    from salesops.credit.statements import statement_run_execute

    return statement_run_execute(run_id=run_id).done
