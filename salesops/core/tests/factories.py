"""Test data made through the services, the same way the application makes it."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from salesops.core import services
from salesops.core.models import Company, OrgUnit, User
from salesops.core.roles import Role

_counter = itertools.count(1)


@dataclass
class Org:
    company: Company
    units: dict[str, OrgUnit] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)

    def __getitem__(self, username: str) -> User:
        return self.users[username]


# username, roles, unit, manager
ORG_PEOPLE = [
    ("admin", [Role.SYSADMIN], "HQ", None),
    ("gm", [Role.GENERAL_MANAGER], "HQ", None),
    ("director", [Role.SALES_DIRECTOR], "SALES", "gm"),
    ("manager", [Role.SALES_MANAGER], "EAST", "director"),
    ("supervisor1", [Role.SALES_SUPERVISOR], "EAST-1", "manager"),
    ("supervisor2", [Role.SALES_SUPERVISOR], "EAST-2", "manager"),
    ("rep1", [Role.SALES_REP], "EAST-1", "supervisor1"),
    ("rep2", [Role.SALES_REP], "EAST-1", "supervisor1"),
    ("rep3", [Role.SALES_REP], "EAST-2", "supervisor2"),
    ("salesadmin", [Role.SALES_ADMIN], "SALES", "director"),
    ("finance", [Role.FINANCE], "HQ", "gm"),
    ("warehouse", [Role.WAREHOUSE], "HQ", "gm"),
    ("planner", [Role.PLANNER], "HQ", "gm"),
    ("purchasing", [Role.PURCHASING], "HQ", "gm"),
    ("norole", [], "HQ", None),
]


def make_org() -> Org:
    """Company → Sales → East region → teams East-1 (supervisor1, rep1, rep2) and East-2
    (supervisor2, rep3), plus one user for every other role and one with no role."""
    company = Company.objects.create(name="Test Co")
    org = Org(company=company)
    for code, kind, parent in [
        ("HQ", OrgUnit.Kind.COMPANY, None),
        ("SALES", OrgUnit.Kind.DEPARTMENT, "HQ"),
        ("EAST", OrgUnit.Kind.REGION, "SALES"),
        ("EAST-1", OrgUnit.Kind.TEAM, "EAST"),
        ("EAST-2", OrgUnit.Kind.TEAM, "EAST"),
    ]:
        org.units[code] = services.org_unit_create(
            company=company, name=code.title(), code=code, kind=kind, parent=org.units.get(parent)
        )
    for username, roles, unit, manager in ORG_PEOPLE:
        org.users[username] = services.user_create(
            username=username,
            password="test-password-123",
            roles=roles,
            full_name=username.title(),
            org_unit=org.units[unit],
            manager=org.users.get(manager),
        )
    return org


def make_user(*, roles=(), unit: OrgUnit | None = None, manager: User | None = None, username: str = "") -> User:
    return services.user_create(
        username=username or f"user{next(_counter)}",
        password="test-password-123",
        roles=roles,
        org_unit=unit,
        manager=manager,
    )
