"""Where the customer area tells other areas what happened.

The SOP clock counts "register the same day" (an activity dated D entered after D is late).
`activity_registered` forwards to `salesops.sop.services.sop_event` when that exists; until
then it is the one place to connect it.
"""

from __future__ import annotations

import importlib
import logging

logger = logging.getLogger(__name__)


def _sop_event():
    try:
        module = importlib.import_module("salesops.sop.services")
    except ImportError:
        return None
    return getattr(module, "sop_event", None)


def activity_registered(*, activity) -> None:
    """Called (on commit) for each activity saved as done."""
    sop_event = _sop_event()
    if sop_event is None:
        return
    try:
        sop_event(
            event_type="activity_registered",
            person=activity.owner,
            occurred_at=activity.occurred_at,
            reference=f"crm.activity:{activity.pk}",
        )
    except Exception:  # runs after commit: the activity is saved whatever the clock says
        logger.exception("SOP event for activity %s failed", activity.pk)


def register_sop_event_types() -> None:
    try:
        from salesops.sop.events import register_event_type
    except ImportError:
        return
    from django.utils.translation import gettext_lazy as _

    register_event_type("activity_registered", _("Activity registered"))
