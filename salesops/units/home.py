"""Home-page sections: the consultant's holds and reservations waiting for money or a signature,
and the instalments overdue on their customers' purchases."""

from salesops.units.selectors import my_holds as holds_for_user
from salesops.units.selectors import overdue_items_for_user

SHOWN = 8


def my_holds(request):
    holds = holds_for_user(user=request.user)
    first = list(holds[:SHOWN])
    if not first:
        return None
    return "units/partials/home_holds.html", {"holds": first, "count": holds.count()}


def overdue_instalments(request):
    items = overdue_items_for_user(user=request.user).order_by("due_date", "pk")
    first = list(items[:SHOWN])
    if not first:
        return None
    return "units/partials/home_overdue.html", {"items": first, "count": items.count()}
