from django_tasks import task


@task()
def ping(*, note: str = "") -> str:
    """A task that does nothing but answer: used to check that a worker pool is alive."""
    return f"pong:{note}"
