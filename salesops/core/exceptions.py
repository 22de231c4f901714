"""Typed domain errors. Each has a stable `code` that the API returns and clients rely on,
and a message in the user's language. Areas subclass ApplicationError for their own rules."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


class ApplicationError(Exception):
    code = "application_error"
    status = 400
    default_message = _("The action could not be completed.")

    def __init__(self, message=None, *, fields: dict | None = None, code: str | None = None, **extra):
        self.message = message if message is not None else self.default_message
        self.fields = fields or {}
        if code:
            self.code = code
        self.extra = extra
        super().__init__(str(self.message))


class ValidationFailed(ApplicationError):
    code = "validation_error"
    default_message = _("Some values are not valid.")


class NotFound(ApplicationError):
    code = "not_found"
    status = 404
    default_message = _("Not found.")


class PermissionDenied(ApplicationError):
    code = "permission_denied"
    status = 403
    default_message = _("You do not have permission to do this.")


class Conflict(ApplicationError):
    code = "conflict"
    status = 409
    default_message = _("The record was changed by someone else; reload and try again.")


class InvalidTransition(Conflict):
    code = "invalid_transition"
    default_message = _("This action is not possible in the document's current state.")
