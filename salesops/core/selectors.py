"""Reads for the foundation, scoped to the user who asks."""

from __future__ import annotations

import datetime
import zoneinfo

from django.conf import settings
from django.core.cache import cache
from django.db.models import Q, QuerySet
from django.utils import timezone

from salesops.core.models import Company, Notification, OrgUnit, User
from salesops.core.roles import Role
from salesops.core.services import COMPANY_CACHE_KEY

ADMIN_ROLES = (Role.SYSADMIN,)
PEOPLE_WIDE_ROLES = (Role.SYSADMIN, Role.GENERAL_MANAGER, Role.SALES_DIRECTOR, Role.SALES_ADMIN)


def company_current() -> Company | None:
    company = cache.get(COMPANY_CACHE_KEY)
    if company is None:
        company = Company.objects.order_by("pk").first()
        if company is not None:
            cache.set(COMPANY_CACHE_KEY, company, 300)
    return company


def company_zone() -> datetime.tzinfo:
    company = company_current()
    return company.zone if company else zoneinfo.ZoneInfo(settings.SALESOPS_DEFAULT_TIME_ZONE)


def company_date(moment: datetime.datetime | None = None) -> datetime.date:
    """The company's calendar date at a moment (now by default), whatever time zone is active:
    a job, a request and a test all see the same day."""
    return timezone.localtime(moment or timezone.now(), company_zone()).date()


def is_admin(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and (user.is_superuser or user.has_role(*ADMIN_ROLES)))


def org_unit_list_for_user(*, user) -> QuerySet[OrgUnit]:
    """Everyone signed in sees the organisation tree (names only); admins edit it."""
    if not getattr(user, "is_authenticated", False):
        return OrgUnit.objects.none()
    return OrgUnit.objects.select_related("head", "parent").order_by("path")


def user_list_for_user(*, user, search: str = "") -> QuerySet[User]:
    """People a user may look up: admins and company-wide roles see everyone, unit roles
    their unit's subtree, everyone else themselves and their manager."""
    if not getattr(user, "is_authenticated", False):
        return User.objects.none()
    queryset = User.objects.select_related("org_unit", "manager").prefetch_related("role_assignments")
    if not (user.is_superuser or user.has_role(*PEOPLE_WIDE_ROLES)):
        condition = Q(pk=user.pk) | Q(pk=user.manager_id or 0)
        if user.has_role(Role.SALES_SUPERVISOR, Role.SALES_MANAGER) and user.org_unit_id:
            condition |= Q(org_unit__path__startswith=user.org_unit.path)
        queryset = queryset.filter(condition)
    if search:
        queryset = queryset.filter(
            Q(username__icontains=search) | Q(full_name__icontains=search) | Q(email__icontains=search)
        )
    return queryset


def notification_list_for_user(*, user) -> QuerySet[Notification]:
    if not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    return Notification.objects.filter(user=user)


def unread_notification_count(*, user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
