from django.utils.translation import gettext_lazy as _

from salesops.core.exceptions import ApplicationError, Conflict


class CreditLimitExceeded(ApplicationError):
    code = "credit_limit_exceeded"
    status = 409
    default_message = _("The order would take the customer above the credit limit and no approval rule applies.")


class DocumentLocked(Conflict):
    code = "document_locked"
    default_message = _("The document was approved and is locked; changing it needs a new approval.")
