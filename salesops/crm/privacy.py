"""Contact details are personal data.

Who may not see a customer never gets it from a selector (core.visibility). Roles that need a
customer's name but not how to reach the people (warehouse, planner, purchasing) get masked
values; every export that contains contact details leaves a `PersonalDataExport` record.
"""

from __future__ import annotations

from salesops.core.roles import SALES_ROLES, Role

CONTACT_DETAIL_ROLES = SALES_ROLES
NAME_ONLY_ROLES = frozenset({Role.WAREHOUSE, Role.PLANNER, Role.PURCHASING})


def can_see_contact_details(user) -> bool:
    return bool(getattr(user, "is_superuser", False) or user.roles & CONTACT_DETAIL_ROLES)


def mask_phone(value: str) -> str:
    digits = [c for c in value if c.isdigit()]
    if len(digits) < 7:
        return "****" if value else ""
    return "".join(digits[:3]) + "****" + "".join(digits[-4:])


def mask_email(value: str) -> str:
    if not value or "@" not in value:
        return ""
    local, domain = value.split("@", 1)
    return f"{local[:1]}***@{domain}"


def shown_phone(user, value: str) -> str:
    return value if can_see_contact_details(user) else mask_phone(value)


def shown_email(user, value: str) -> str:
    return value if can_see_contact_details(user) else mask_email(value)
