"""Typed errors of the customer area, each with a stable code."""

from django.utils.translation import gettext_lazy as _

from salesops.core.exceptions import ApplicationError, Conflict


class OwnershipTaken(Conflict):
    """The prospect belongs to another rep. The message names only whom to talk to."""

    code = "ownership_conflict"
    default_message = _("This prospect is already registered to a colleague.")


class InLeadPool(Conflict):
    code = "in_lead_pool"
    default_message = _("This prospect is in the lead pool: claim it from the pool.")


class HoldingLimitReached(ApplicationError):
    code = "holding_limit_reached"
    status = 409
    default_message = _("You already hold as many prospects as allowed.")


class LossReasonRequired(ApplicationError):
    code = "loss_reason_required"
    default_message = _("Give the reason the opportunity was lost.")


class ImportHasErrors(ApplicationError):
    code = "import_has_errors"
    default_message = _("Some rows have errors. Fix the file, or import only the good rows.")
