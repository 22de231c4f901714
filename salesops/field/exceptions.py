"""Typed errors of field sales, with stable codes."""

from django.utils.translation import gettext_lazy as _

from salesops.core.exceptions import ApplicationError, Conflict


class PlanningFailed(ApplicationError):
    code = "route_planning_failed"
    default_message = _("The routes could not be planned.")


class AlreadyRecorded(Conflict):
    code = "visit_already_recorded"
    default_message = _("This visit has already been recorded.")
