"""The side menu of a user: the registered entries they may open, grouped by heading, each
heading once, the group of their main work first. Only the group holding the page being read
(on the home page: the first group) is open; the others fold, so a role with many entries still
sees about a dozen at a time."""

from __future__ import annotations

from dataclasses import dataclass, field

from salesops.core.registry import NavItem, registry
from salesops.core.roles import Role

# The entry each role's day starts from: its group comes first in that role's menu. A user with
# several roles gets the groups of each, in this order of roles.
MAIN_ENTRY = {
    Role.SALES_REP: "customers",
    Role.SALES_SUPERVISOR: "customers",
    Role.SALES_MANAGER: "customers",
    Role.SALES_DIRECTOR: "customers",
    Role.GENERAL_MANAGER: "approvals-inbox",
    Role.SALES_ADMIN: "call-desk",
    Role.FINANCE: "credit-receipts",
    Role.WAREHOUSE: "stock",
    Role.PLANNER: "planning-forecasts",
    Role.PURCHASING: "purchase-orders",
    Role.SYSADMIN: "users",
}


@dataclass
class MenuGroup:
    label: str
    items: list[NavItem] = field(default_factory=list)
    open: bool = False


def menu_for(user, current: str | None) -> list[MenuGroup]:
    """`current` is the URL name of the page being read."""
    groups: dict[str, MenuGroup] = {}
    home_of: dict[str, str] = {}  # nav key → its group's label
    for item in registry.nav:
        if item.visible_to(user):
            label = str(item.group)
            groups.setdefault(label, MenuGroup(label)).items.append(item)
            home_of[item.key] = label
    first = [home_of[key] for role, key in MAIN_ENTRY.items() if role in user.roles and key in home_of]
    ordered = list(dict.fromkeys(first + list(groups)))
    menu = [groups[label] for label in ordered]
    opened = next((g for g in menu if any(item.url_name == current for item in g.items)), None)
    if opened is None and menu:
        opened = menu[0]
    if opened is not None:
        opened.open = True
    return menu
