"""The home-page section for stock roles: reorder warnings, transfers in transit, stocktakes
being counted or waiting."""

from salesops.inventory.models import Stocktake, Transfer
from salesops.inventory.selectors import reorder_warnings, stocktake_list_for_user, transfer_list_for_user


def inventory_home(request):
    user = request.user
    low = reorder_warnings(user=user)
    context = {
        "low_count": low.count(),
        "low": list(low.order_by("-shortfall")[:5]),
        "in_transit": transfer_list_for_user(user=user).filter(status=Transfer.Status.IN_TRANSIT).count(),
        "stocktakes": list(
            stocktake_list_for_user(user=user).filter(status__in=[Stocktake.Status.COUNTING, Stocktake.Status.PENDING])[
                :5
            ]
        ),
    }
    if not (context["low_count"] or context["in_transit"] or context["stocktakes"]):
        return None
    return "inventory/partials/home.html", context
