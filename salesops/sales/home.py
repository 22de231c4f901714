"""Home-page and customer-page sections of the sales area."""

from django.utils import timezone

from salesops.sales import selectors


def rep_open_invoices_home(request):
    """终身负责制: what the rep sold on credit and is still open is theirs to collect."""
    invoices = selectors.rep_open_invoices(user=request.user)
    count = invoices.count()
    if not count:
        return None
    return "sales/partials/home_open_invoices.html", {
        "invoices": invoices[:10],
        "count": count,
        "today": timezone.localdate(),
    }


def orders_to_ship_home(request):
    orders = selectors.orders_to_ship(user=request.user)
    count = orders.count()
    if not count:
        return None
    return "sales/partials/home_to_ship.html", {
        "orders": orders[:10],
        "count": count,
        "late": selectors.late_orders(user=request.user).count(),
        "now": timezone.now(),
    }


def customer_orders_section(request, customer):
    orders = selectors.customer_orders(user=request.user, customer=customer)
    return {"orders": orders[:10], "count": orders.count(), "customer": customer}


def customer_balance_section(request, customer):
    return selectors.customer_balance(customer=customer)


def customer_credit_section(request, customer):
    """Limit, exposure, available and overdue, as the credit decision reads them (the page
    has already checked that the reader may see the customer)."""
    from salesops.credit.selectors import credit_summary_for_customer

    return {"summary": credit_summary_for_customer(customer=customer)}
