"""The home-page section "Approvals waiting for you": a count and the first few, overdue first."""

from django.utils import timezone

from salesops.approvals.selectors import inbox_for_user

SHOWN = 5


def approvals_home(request):
    tasks = inbox_for_user(user=request.user)
    first = list(tasks[:SHOWN])
    if not first:
        return None
    count = len(first) if len(first) < SHOWN else tasks.count()
    return "approvals/partials/home.html", {"tasks": first, "count": count, "now": timezone.now()}
