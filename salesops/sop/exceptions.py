"""Errors of the SOP clock, with stable codes."""

from django.utils.translation import gettext_lazy as _

from salesops.core.exceptions import ApplicationError, Conflict, ValidationFailed


class InvalidSopRule(ValidationFailed):
    code = "sop_rule_invalid"
    default_message = _("The SOP rule is not valid.")


class UnknownEventType(ValidationFailed):
    code = "sop_unknown_event_type"
    default_message = _("Unknown event type.")


class RuleNotEventTriggered(ApplicationError):
    code = "sop_rule_not_event_triggered"
    default_message = _("This rule runs on a calendar; it is not started by an event.")


class AlreadyReviewed(Conflict):
    code = "sop_report_already_reviewed"
    default_message = _("This report has already been reviewed.")


class OwnReportReview(ApplicationError):
    code = "sop_review_own_report"
    status = 403
    default_message = _("You cannot review your own report.")


class UnknownRule(ValidationFailed):
    code = "sop_unknown_rule"
    default_message = _("There is no such SOP rule.")
