import zoneinfo

from django.utils import timezone

from salesops.core.selectors import company_current


class TimezoneMiddleware:
    """Show times in the company's time zone (stored in UTC)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        company = company_current()
        timezone.activate(zoneinfo.ZoneInfo(company.time_zone if company else "Asia/Shanghai"))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
