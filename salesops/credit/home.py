"""Home-page sections: reviews due (finance), money to confirm (finance), and the rep's own
overdue collections with their ageing (终身负责制)."""

from salesops.credit.models import Receipt
from salesops.credit.selectors import overdue_collections_for_rep, receipt_list_for_user, reviews_due_for_user

SHOWN = 8


def reviews_due(request):
    files = reviews_due_for_user(user=request.user)
    first = list(files[:SHOWN])
    if not first:
        return None
    return "credit/partials/home_reviews_due.html", {"files": first, "count": files.count()}


def receipts_to_confirm(request):
    receipts = receipt_list_for_user(user=request.user).filter(status=Receipt.Status.HANDED_OVER)
    first = list(receipts.order_by("received_on", "pk")[:SHOWN])
    if not first:
        return None
    return "credit/partials/home_receipts.html", {"receipts": first, "count": receipts.count()}


def my_overdue(request):
    data = overdue_collections_for_rep(rep=request.user)
    if not data["rows"]:
        return None
    return "credit/partials/home_overdue.html", {**data, "rows": data["rows"][:SHOWN], "count": len(data["rows"])}
