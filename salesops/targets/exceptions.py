"""Typed errors of targets and performance, each with a stable code."""

from django.utils.translation import gettext_lazy as _

from salesops.core.exceptions import Conflict, ValidationFailed


class PlanLocked(Conflict):
    code = "target_plan_locked"
    default_message = _("This plan is waiting for approval or approved; revise it to change it.")


class SplitDoesNotAddUp(ValidationFailed):
    code = "split_does_not_add_up"
    default_message = _("The parts do not add up to the whole.")


class DocumentLocked(Conflict):
    code = "document_locked"
    default_message = _("This document is waiting for approval or approved; it can no longer be changed.")


class MonthNotOver(ValidationFailed):
    code = "month_not_over"
    default_message = _("The month is not over yet; during the month the commission is an estimate.")


class ReviewHeld(Conflict):
    code = "review_held"
    default_message = _("The review has been held; its pack is frozen.")
