from django.utils.translation import gettext_lazy as _

from salesops.core.exceptions import ApplicationError


class InsufficientStock(ApplicationError):
    """`items`: [{"product": id, "sku": str, "requested": str, "available": str}]."""

    code = "insufficient_stock"
    status = 409
    default_message = _("Not enough stock.")
