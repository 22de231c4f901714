"""Errors of the approval engine, each with a stable code for the API."""

from django.utils.translation import gettext_lazy as _

from salesops.core.exceptions import ApplicationError, Conflict, PermissionDenied


class ApprovalNotPending(Conflict):
    code = "approval_not_pending"
    default_message = _("This approval is no longer waiting for a decision.")


class ApprovalAlreadyPending(Conflict):
    code = "approval_already_pending"
    default_message = _("This document is already waiting for approval.")


class ApprovalDocumentChanged(Conflict):
    code = "approval_document_changed"
    default_message = _("The document was changed after it was submitted; it must be submitted again.")


class ApprovalLocked(Conflict):
    code = "approval_locked"
    default_message = _("The document is waiting for or has received approval and cannot be changed.")


class SelfApproval(PermissionDenied):
    code = "approval_self"
    default_message = _("No one may decide on their own request.")


class NotApprover(PermissionDenied):
    code = "approval_not_approver"
    default_message = _("You are not the approver of this step.")


class NoApprover(ApplicationError):
    code = "approval_no_approver"
    default_message = _("No one can approve this request: the approval chain has no one to ask.")
