"""Typed errors of the planning area."""

from django.utils.translation import gettext_lazy as _

from salesops.core.exceptions import ApplicationError, Conflict, ValidationFailed


class VersionFrozen(Conflict):
    code = "forecast_version_frozen"
    default_message = _("A submitted forecast version is frozen and cannot be changed.")


class VersionExists(Conflict):
    code = "forecast_version_exists"
    default_message = _("The forecast of this month has already been submitted.")


class RunNotFinished(Conflict):
    code = "planning_run_not_finished"
    default_message = _("The run has not finished yet.")


class PackClosed(Conflict):
    code = "sop_pack_closed"
    default_message = _("The review pack is closed and frozen.")


class PlanIssued(Conflict):
    code = "production_plan_issued"
    default_message = _("The production plan has already been issued.")


class ReasonsMissing(ValidationFailed):
    code = "fulfilment_reasons_missing"
    default_message = _("Give a reason for every shortfall before closing the week.")


class AlreadyConverted(Conflict):
    code = "planned_order_converted"
    default_message = _("This planned order has already been converted.")


class PlanningInputError(ApplicationError):
    code = "planning_input_error"
    default_message = _("The planning input is not valid.")
