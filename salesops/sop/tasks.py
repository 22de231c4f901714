"""Background tasks of the SOP area (django-tasks): "run the clock now" from the clock page.
The regular runs come from the periodic job registered in apps.py."""

from __future__ import annotations

from django.core.mail import EmailMessage, get_connection
from django.utils import timezone
from django_tasks import task


@task()
def run_sop_clock() -> dict:
    from salesops.sop.clock import sop_clock_run

    run = sop_clock_run(now=timezone.now())
    return {
        "run": run.pk,
        "created": run.created,
        "matched": run.matched,
        "reminded": run.reminded,
        "missed": run.missed,
        "seconds": run.seconds,
    }


@task()
def send_sop_mail(messages: list[list[str]]) -> int:
    """Send the clock's e-mails ([subject, body, address] each) over one connection."""
    emails = [EmailMessage(subject, body, None, [address]) for subject, body, address in messages]
    return get_connection(fail_silently=True).send_messages(emails) or 0
