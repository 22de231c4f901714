import threading

from django.dispatch import receiver
from django.utils import timezone
from django_tasks import task
from django_tasks.signals import task_finished, task_started

_zones = threading.local()  # the zone active before each running task, to put back after it


@receiver(task_started)
def run_in_company_zone(**kwargs) -> None:
    """A background task sees the company's day and hours, as a request does (the middleware
    activates the same zone): "today" in a worker is not the UTC date."""
    from salesops.core.selectors import company_zone

    _zones.__dict__.setdefault("stack", []).append(timezone.get_current_timezone())
    timezone.activate(company_zone())


@receiver(task_finished)
def restore_zone(**kwargs) -> None:
    stack = _zones.__dict__.get("stack")
    if stack:
        timezone.activate(stack.pop())


@task()
def ping(*, note: str = "") -> str:
    """A task that does nothing but answer: used to check that a worker pool is alive."""
    return f"pong:{note}"
