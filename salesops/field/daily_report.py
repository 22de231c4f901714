"""The rep's daily report (日报, due by 17:30) starts pre-filled from what the day recorded:
visits, calls, orders, collections, and complaints with the market feedback of the visits.
The rep reads it, corrects it and submits; nothing here writes."""

from __future__ import annotations

import datetime

from django.db.models import Q
from django.utils.translation import gettext as _

from salesops.core.calendar import WorkCalendar
from salesops.core.formatting import money
from salesops.field.models import Visit


def _day_bounds(date: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    tz = WorkCalendar.load().tz
    start = datetime.datetime.combine(date, datetime.time.min, tzinfo=tz)
    return start, start + datetime.timedelta(days=1)


def _visits(rep, date) -> str:
    visits = list(
        Visit.objects.filter(rep=rep, date=date).select_related("customer", "order").order_by("sequence", "pk")
    )
    if not visits:
        return ""
    planned = [v for v in visits if v.planned]
    done = [v for v in visits if v.status == Visit.Status.DONE]
    lines = [
        _("Planned %(planned)s, done %(done)s (%(off_route)s off route), skipped %(skipped)s.")
        % {
            "planned": len(planned),
            "done": len([v for v in done if v.planned]),
            "off_route": len([v for v in done if not v.planned]),
            "skipped": len([v for v in visits if v.status == Visit.Status.SKIPPED]),
        }
    ]
    for visit in visits:
        if visit.status == Visit.Status.DONE:
            text = visit.get_outcome_display() if visit.outcome else _("done")
            if visit.order_id:
                text += f" · {visit.order.number}"
            if visit.next_step:
                text += " · " + _("next: %(step)s") % {"step": visit.next_step}
        elif visit.status == Visit.Status.SKIPPED:
            text = _("skipped: %(reason)s") % {"reason": visit.skip_reason}
        else:
            text = _("not visited")
        lines.append(f"- {visit.customer.name}: {text}")
    return "\n".join(lines)


def _calls(rep, date) -> str:
    from salesops.crm.models import Activity

    start, end = _day_bounds(date)
    calls = Activity.objects.filter(
        owner=rep, kind=Activity.Kind.CALL, occurred_at__gte=start, occurred_at__lt=end
    ).select_related("customer")
    return "\n".join(
        f"- {call.customer.name}: {call.subject}" + (f" · {call.outcome}" if call.outcome else "")
        for call in calls.order_by("occurred_at", "pk")
    )


def _orders(rep, date) -> str:
    from salesops.sales.models import SalesOrder

    orders = SalesOrder.objects.filter(rep=rep, order_date=date).select_related("customer").order_by("pk")
    return "\n".join(
        f"- {order.number} · {order.customer.name} · {money(order.total)} · {order.get_status_display()}"
        for order in orders
    )


def _collections(rep, date) -> str:
    from salesops.credit.models import Receipt

    receipts = (
        Receipt.objects.filter(Q(handed_by=rep) | Q(recorded_by=rep), received_on=date)
        .exclude(status__in=[Receipt.Status.CANCELLED, Receipt.Status.REVERSED])
        .select_related("customer")
        .order_by("pk")
    )
    return "\n".join(
        f"- {receipt.number} · {receipt.customer.name} · {money(receipt.amount)} · {receipt.get_method_display()}"
        for receipt in receipts
    )


def _feedback(rep, date) -> str:
    from salesops.crm.models import Complaint

    start, end = _day_bounds(date)
    lines = [
        f"- {complaint.get_kind_display()} {complaint.code} · {complaint.customer.name}: {complaint.subject}"
        for complaint in Complaint.objects.filter(owner=rep, received_at__gte=start, received_at__lt=end)
        .select_related("customer")
        .order_by("received_at", "pk")
    ]
    lines += [
        f"- {visit.customer.name}: {visit.competitor_info}"
        for visit in Visit.objects.filter(rep=rep, date=date, status=Visit.Status.DONE)
        .exclude(competitor_info="")
        .select_related("customer")
        .order_by("sequence", "pk")
    ]
    return "\n".join(lines)


def daily_report_prefill(*, rep, date: datetime.date) -> dict[str, str]:
    """The report's parts (the keys of the report's text fields) written from the day's records
    of the rep, in the reader's language; an empty part when the day has nothing of it."""
    return {
        "visits": _visits(rep, date),
        "calls": _calls(rep, date),
        "orders": _orders(rep, date),
        "collections": _collections(rep, date),
        "feedback": _feedback(rep, date),
    }
