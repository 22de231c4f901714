from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from salesops.core.api.errors import error_body
from salesops.core.selectors import company_zone


class TimezoneMiddleware:
    """Show times in the company's time zone (stored in UTC)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        timezone.activate(company_zone())
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


class RejectNullCharactersMiddleware:
    """A NUL character in the query string is a 400: PostgreSQL can neither store nor compare one.

    Form and serializer fields already refuse NUL in submitted data; this covers search and filter
    parameters, which reach queries without a form on some lists.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if any("\x00" in key or "\x00" in value for key, values in request.GET.lists() for value in values):
            message = _("The request contains a character that is not allowed.")
            if request.path.startswith("/api/"):
                return JsonResponse(error_body("validation_error", message), status=400)
            return render(request, "core/error.html", {"status": 400, "message": message}, status=400)
        return self.get_response(request)
