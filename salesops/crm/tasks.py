"""Background tasks of the customer area (django-tasks)."""

from django_tasks import task


@task()
def reassign_customers(batch_id: int) -> int:
    from salesops.crm.services import reassignment_run

    return reassignment_run(batch_id=batch_id).done
