from django.utils.translation import gettext_lazy as _

from salesops.core.exceptions import ApplicationError, Conflict, ValidationFailed


class CreditFileMissing(ApplicationError):
    code = "credit_file_missing"
    status = 409
    default_message = _("This customer has no credit file; sell for cash or ask finance to open one.")


class CreditFileExists(Conflict):
    code = "credit_file_exists"
    default_message = _("This customer already has a credit file.")


class LimitApprovalMissing(Conflict):
    code = "limit_approval_missing"
    default_message = _(
        "No approval rule for credit limits ends with the general manager; ask the administrator to restore it."
    )


class LimitRequestPending(Conflict):
    code = "limit_request_pending"
    default_message = _("A limit change for this customer is already waiting for approval.")


class ReceiptNotConfirmed(Conflict):
    code = "receipt_not_confirmed"
    default_message = _("Only money confirmed by finance can be allocated.")


class NothingToAllocate(Conflict):
    code = "nothing_to_allocate"
    default_message = _("Nothing left to allocate on this receipt.")


class InvalidAllocation(ValidationFailed):
    code = "invalid_allocation"
    default_message = _("These invoices cannot take this payment.")


class StatementExists(Conflict):
    code = "statement_exists"
    default_message = _("A statement for this customer and month already exists.")


class NoEmailAddress(ValidationFailed):
    code = "no_email_address"
    default_message = _("The customer has no e-mail address; enter one to send the statement.")


class InvalidEmailAddress(ValidationFailed):
    code = "invalid_email_address"
    default_message = _("Enter a valid e-mail address, for example buyer@example.cn.")
