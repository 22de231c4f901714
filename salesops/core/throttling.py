"""Login throttling: after LOGIN_FAILURE_LIMIT failures for one username from one address
within the window, further attempts are refused until the window passes. Counters live in
the shared cache (Redis when REDIS_URL is set) so every app server sees them."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache


class LoginThrottle:
    def __init__(self, request, username: str):
        address = request.META.get("REMOTE_ADDR", "")
        digest = hashlib.sha256(f"{username.lower()}|{address}".encode()).hexdigest()[:32]
        self.key = f"salesops:login-failures:{digest}"

    def blocked(self) -> bool:
        return cache.get(self.key, 0) >= settings.LOGIN_FAILURE_LIMIT

    def failed(self) -> None:
        if cache.add(self.key, 1, settings.LOGIN_FAILURE_WINDOW_SECONDS):
            return
        try:
            cache.incr(self.key)
        except ValueError:
            cache.set(self.key, 1, settings.LOGIN_FAILURE_WINDOW_SECONDS)

    def reset(self) -> None:
        cache.delete(self.key)
