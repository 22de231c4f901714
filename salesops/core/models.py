"""Company, organisation tree, people and roles, and the shared services' tables:
working-day calendar, document numbering, audit trail and in-app notifications."""

from __future__ import annotations

import datetime
import zoneinfo
from functools import cached_property

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from salesops.core import bounded, bounds
from salesops.core.roles import Role


class Company(models.Model):
    name = models.CharField(_("name"), max_length=200)
    legal_name = models.CharField(_("legal name"), max_length=200, blank=True)
    tax_id = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Asia/Shanghai", validators=[bounds.validate_time_zone]
    )
    currency = models.CharField(
        _("currency"),
        max_length=3,
        default="CNY",
        validators=[RegexValidator(r"^[A-Z]{3}\Z", _("Enter a three-letter ISO 4217 code such as CNY."))],
    )
    work_start = models.TimeField(_("working day starts"), default=datetime.time(9, 0))
    work_end = models.TimeField(_("working day ends"), default=datetime.time(18, 0))

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("companies")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.work_start and self.work_end and self.work_start >= self.work_end:
            raise ValidationError({"work_end": _("The working day must end after it starts.")})

    @property
    def zone(self) -> datetime.tzinfo:
        """The company's time zone; the default one if the stored name is not a known zone (a
        value written before names were checked), so that no request fails because of it."""
        try:
            return zoneinfo.ZoneInfo(self.time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
            return zoneinfo.ZoneInfo(settings.SALESOPS_DEFAULT_TIME_ZONE)


class OrgUnit(models.Model):
    """A node of the organisation tree: company → regions/departments → teams.

    `path` is the materialised chain of ids ("/1/4/9/") so that "this unit and everything
    below it" is one indexed prefix match, whatever the depth.
    """

    class Kind(models.TextChoices):
        COMPANY = "company", _("Company")
        REGION = "region", _("Region")
        DEPARTMENT = "department", _("Department")
        TEAM = "team", _("Team")

    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="units", verbose_name=_("company"))
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("parent")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
    head = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="headed_units",
        verbose_name=_("head"),
    )
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    active = models.BooleanField(_("active"), default=True)
    # where the unit's people sell from: a new sales order starts with the nearest unit's
    # default above (or at) the rep's own unit
    default_warehouse = models.ForeignKey(
        "inventory.Warehouse",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("default warehouse"),
        help_text=_("New sales orders of the unit's people start with this warehouse."),
    )

    class Meta:
        verbose_name = _("organisation unit")
        verbose_name_plural = _("organisation units")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    @property
    def depth(self) -> int:
        return max(self.path.count("/") - 2, 0)


class User(AbstractUser):
    full_name = models.CharField(_("full name"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    org_unit = models.ForeignKey(
        OrgUnit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
        verbose_name=pgettext_lazy("org", "unit"),
    )
    manager = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reports", verbose_name=_("manager")
    )
    language = models.CharField(_("language"), max_length=10, blank=True, choices=settings.LANGUAGES)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]

    def __str__(self) -> str:
        return self.display_name

    def save(self, *args, **kwargs):
        # Django keeps the raw password in `_password` from set_password() until the save;
        # a rehash on sign-in clears it first, so only a real change revokes the tokens.
        password_changed = self.pk is not None and self._password is not None
        super().save(*args, **kwargs)
        if password_changed:
            from salesops.core.accounts import password_changed as revoke_on_password_change

            revoke_on_password_change(user=self)

    @property
    def display_name(self) -> str:
        return self.full_name or self.get_full_name() or self.username

    @cached_property
    def roles(self) -> frozenset[str]:
        if not self.pk or not self.is_active:
            return frozenset()
        return frozenset(self.role_assignments.values_list("role", flat=True))

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))


class UserRole(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="core_userrole_unique")]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()}"


class CalendarDay(models.Model):
    """An exception to the Monday–Friday week: a holiday on a weekday or a make-up working day
    (调休) on a weekend. Days not listed follow the week."""

    date = bounded.DateField(_("date"), unique=True)
    is_working_day = models.BooleanField(_("working day"))
    name = models.CharField(_("name"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class NumberSequence(models.Model):
    """The last number handed out for one prefix and year, e.g. SO-2026."""

    key = models.CharField(max_length=40, unique=True)
    last_value = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.key}: {self.last_value}"


class AuditEvent(models.Model):
    class Action(models.TextChoices):
        CREATE = "create", pgettext_lazy("event", "Created")
        UPDATE = "update", _("Changed")
        DELETE = "delete", _("Deleted")
        TRANSITION = "transition", _("Status changed")

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(max_length=200)
    action = models.CharField(max_length=20, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = bounded.DateTimeField(auto_now_add=True, db_index=True)
    changes = models.JSONField(default=dict, blank=True)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id", "-at"], name="core_audit_object")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"


class Notification(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    title = models.CharField(_("title"), max_length=200)
    body = bounded.TextField(_("text"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    kind = models.CharField(max_length=40, blank=True)
    created_at = bounded.DateTimeField(auto_now_add=True)
    read_at = bounded.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="core_notification_unread")]

    def __str__(self) -> str:
        return self.title


class PeriodicRun(models.Model):
    """When a periodic job last ran to its end, whether a worker is running it now, and its
    last failure (see core.periodic)."""

    name = models.CharField(max_length=100, unique=True)
    last_run_at = bounded.DateTimeField(null=True, blank=True)
    started_at = bounded.DateTimeField(null=True, blank=True)
    failed_at = bounded.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)

    def __str__(self) -> str:
        return self.name


class LoginEvent(models.Model):
    """One row per sign-in, failed sign-in, sign-out, password change and API token change:
    the account audit trail, and the shared counter the login throttle reads."""

    class Kind(models.TextChoices):
        LOGIN = "login", _("Signed in")
        FAILURE = "failure", _("Sign-in failed")
        THROTTLED = "throttled", _("Sign-in refused: too many failures")
        LOGOUT = "logout", _("Signed out")
        PASSWORD_CHANGE = "password_change", _("Password changed")
        TOKEN_CREATED = "token_created", _("API token issued")
        TOKEN_REVOKED = "token_revoked", _("API token revoked")

    class Channel(models.TextChoices):
        WEB = "web", _("Web")
        API = "api", _("API")
        ADMIN = "admin", _("Administration site")
        SYSTEM = "system", _("System")

    kind = models.CharField(_("event"), max_length=20, choices=Kind.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    username = models.CharField(_("username"), max_length=150)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="login_events",
        verbose_name=_("user"),
    )
    address = models.GenericIPAddressField(pgettext_lazy("network", "address"), null=True, blank=True)
    at = bounded.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("sign-in event")
        verbose_name_plural = _("sign-in events")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["username", "address", "-at"], name="core_login_throttle")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.kind} {self.username}"
