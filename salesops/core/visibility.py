"""Row-level visibility: the one building block every selector uses.

A user sees the union of what each of their roles grants:
- company-wide roles (director, general manager, sales admin, finance, administrator, or any
  roles the caller names) see every row;
- unit roles (supervisor, manager) see rows whose unit lies in their own org unit's subtree
  (a supervisor's unit is a team, a manager's a region or department);
- owner roles (rep) see rows they own;
- anyone else sees nothing.

Records name their owner and unit fields; the unit field must lead to an OrgUnit.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q, QuerySet

from salesops.core.models import OrgUnit
from salesops.core.roles import COMPANY_WIDE_SALES_ROLES, OWNER_ROLES, UNIT_ROLES


def visibility_q(
    user,
    *,
    owner_field: str | None = "owner",
    unit_field: str | None = "team",
    company_wide_roles: Iterable[str] = COMPANY_WIDE_SALES_ROLES,
) -> Q | None:
    """The filter for rows `user` may see; None means everything, Q(pk__in=[]) nothing."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Q(pk__in=[])
    roles = user.roles
    if roles & frozenset(company_wide_roles):
        return None
    condition = Q(pk__in=[])
    if unit_field and roles & UNIT_ROLES and user.org_unit_id:
        # The subtree as a subquery of unit ids: the row's own indexed unit column is used, no join.
        subtree = OrgUnit.objects.filter(path__startswith=user.org_unit.path).values("pk")
        condition |= Q(**{f"{unit_field}__in": subtree})
    if owner_field and roles & OWNER_ROLES:
        condition |= Q(**{owner_field: user.pk})
    if owner_field and roles & UNIT_ROLES and not user.org_unit_id:
        condition |= Q(**{owner_field: user.pk})
    return condition


def visible_to(
    queryset: QuerySet,
    user,
    *,
    owner_field: str | None = "owner",
    unit_field: str | None = "team",
    company_wide_roles: Iterable[str] = COMPANY_WIDE_SALES_ROLES,
) -> QuerySet:
    condition = visibility_q(
        user, owner_field=owner_field, unit_field=unit_field, company_wide_roles=company_wide_roles
    )
    return queryset if condition is None else queryset.filter(condition)


def can_see(instance, user, **kwargs) -> bool:
    """Whether `user` may see one record, with the same rules as `visible_to`."""
    return visible_to(type(instance)._default_manager.filter(pk=instance.pk), user, **kwargs).exists()
