"""The event types SOP rules can wait for: a code → label map.

The services that write the documents record these through `sop.hooks.done`. An area introducing a new kind of event
adds it with `register_event_type` from its AppConfig.ready(); the codes are stored on rules
and events, so they never change once used.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

EVENT_TYPES: dict[str, object] = {
    "call_registered": _("Call or visit entered"),
    "daily_report_submitted": _("Daily sales report submitted"),
    "approval_answered": _("Approval request answered"),
    "order_delivered": _("Order received by the customer"),
    "customer_plan_submitted": _("Monthly customer profit plan submitted"),
    "production_plan_issued": _("Production plan issued"),
    "business_review_held": _("Monthly business review held"),
    "forecast_submitted": _("Month-end forecast submitted"),
    "sop_meeting_held": _("S&OP meeting held"),
    "credit_review_done": _("Credit review done"),
    "invoice_settled": _("Invoice paid in full"),
    "complaint_answered": _("Complaint answered"),
}


def register_event_type(code: str, label) -> None:
    EVENT_TYPES[code] = label


def is_known_event_type(code: str) -> bool:
    return code in EVENT_TYPES


def event_type_label(code: str):
    return EVENT_TYPES.get(code, code)


def event_type_choices() -> list[tuple[str, object]]:
    return list(EVENT_TYPES.items())
