"""Accounts: sign-in throttling, the sign-in audit trail and API tokens.

Every sign-in path (the web form, the API token endpoint, the administration site) goes
through `django.contrib.auth.authenticate`, hence through `ThrottledModelBackend`: after
LOGIN_FAILURE_LIMIT failures for one username from one address within
LOGIN_FAILURE_WINDOW_SECONDS, and since the last successful sign-in, further attempts are
refused until the window passes. The counter is the LoginEvent table, so every app server
sees the same count; the same rows are the audit trail of sign-ins, failures, sign-outs,
password changes and API tokens.

API tokens are django-rest-knox tokens: stored as a SHA-512 digest, expiring after
API_TOKEN_TTL, several per user (one per device or script), listed and revoked by their
owner (and by an administrator on the administration site), and all revoked when the
password changes (`User.save`).
"""

from __future__ import annotations

import datetime
import ipaddress

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.core.exceptions import PermissionDenied
from django.db.models import Max, Q
from django.dispatch import receiver
from django.utils import timezone
from knox.models import AuthToken

from salesops.core.models import LoginEvent

Kind = LoginEvent.Kind


def client_address(request) -> str | None:
    address = request.META.get("REMOTE_ADDR") if request is not None else None
    try:
        return str(ipaddress.ip_address(address)) if address else None
    except ValueError:
        return None


def _channel(request) -> str:
    if request is None:
        return LoginEvent.Channel.SYSTEM
    if request.path.startswith("/api/"):
        return LoginEvent.Channel.API
    if request.path.startswith("/django-admin/"):
        return LoginEvent.Channel.ADMIN
    return LoginEvent.Channel.WEB


def login_event_record(*, request, kind: str, username: str, user=None) -> LoginEvent:
    return LoginEvent.objects.create(
        kind=kind,
        channel=_channel(request),
        username=username[:150],
        user=user,
        address=client_address(request),
    )


def login_blocked(request, username: str) -> bool:
    """Too many failures for this username from this address since the window opened and
    since the last successful sign-in."""
    since = timezone.now() - datetime.timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    address = client_address(request)
    recent = LoginEvent.objects.filter(username=username[:150], at__gte=since)
    recent = recent.filter(address=address) if address else recent.filter(address__isnull=True)
    last_login = recent.filter(kind=Kind.LOGIN).aggregate(at=Max("at"))["at"]
    failures = recent.filter(kind=Kind.FAILURE)
    if last_login:
        failures = failures.filter(at__gt=last_login)
    return failures.count() >= settings.LOGIN_FAILURE_LIMIT


class ThrottledModelBackend(ModelBackend):
    """Django's username and password check, refused while the username is throttled."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is not None and username is not None and login_blocked(request, username):
            request.login_throttled = True
            raise PermissionDenied  # authenticate() stops here and sends user_login_failed
        return super().authenticate(request, username=username, password=password, **kwargs)


@receiver(user_login_failed, dispatch_uid="salesops-login-failed")
def _record_failure(sender, credentials, request=None, **kwargs):
    kind = Kind.THROTTLED if getattr(request, "login_throttled", False) else Kind.FAILURE
    login_event_record(request=request, kind=kind, username=str(credentials.get("username", "")))


@receiver(user_logged_in, dispatch_uid="salesops-logged-in")
def _record_login(sender, request, user, **kwargs):
    login_event_record(request=request, kind=Kind.LOGIN, username=user.get_username(), user=user)


@receiver(user_logged_out, dispatch_uid="salesops-logged-out")
def _record_logout(sender, request, user, **kwargs):
    if user is not None:
        login_event_record(request=request, kind=Kind.LOGOUT, username=user.get_username(), user=user)


def login_event_list(*, user):
    """The sign-in trail of one person (the person, or an administrator, reads it)."""
    return LoginEvent.objects.filter(user=user)


def api_token_list_for_user(*, user):
    """The user's API tokens that still work, newest first."""
    live = Q(expiry__isnull=True) | Q(expiry__gt=timezone.now())
    return AuthToken.objects.filter(live, user=user).order_by("-created")


def api_token_issue(*, user, request) -> tuple[AuthToken, str]:
    """A new API token for a signed-in user: the secret is returned once and only its digest
    is kept."""
    token, secret = AuthToken.objects.create(user=user, expiry=settings.API_TOKEN_TTL)
    login_event_record(request=request, kind=Kind.TOKEN_CREATED, username=user.get_username(), user=user)
    return token, secret


def api_token_revoke(*, user, token_key: str, request) -> bool:
    """Revoke one of the user's own tokens; False when the user has no such token."""
    deleted, _by_model = AuthToken.objects.filter(user=user, token_key=token_key).delete()
    if deleted:
        login_event_record(request=request, kind=Kind.TOKEN_REVOKED, username=user.get_username(), user=user)
    return bool(deleted)


def api_tokens_revoke_all(*, user, request=None) -> int:
    deleted, _by_model = AuthToken.objects.filter(user=user).delete()
    if deleted:
        login_event_record(request=request, kind=Kind.TOKEN_REVOKED, username=user.get_username(), user=user)
    return deleted


def password_changed(*, user) -> None:
    """Called by User.save when the password was set: every API token of the user stops
    working (sessions stop through Django's session hash)."""
    AuthToken.objects.filter(user=user).delete()
    login_event_record(request=None, kind=Kind.PASSWORD_CHANGE, username=user.get_username(), user=user)
