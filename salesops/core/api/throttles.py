"""The API rate limit: API_RATE_PER_MINUTE requests per user (per address when signed out),
counted in the cache every app server shares."""

from django.conf import settings
from django.core.cache import caches
from rest_framework.throttling import SimpleRateThrottle


class RequestRateThrottle(SimpleRateThrottle):
    scope = "user"

    @property
    def cache(self):
        return caches["shared"]

    def get_rate(self):
        return f"{settings.API_RATE_PER_MINUTE}/min"

    def get_cache_key(self, request, view):
        ident = request.user.pk if request.user.is_authenticated else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}
