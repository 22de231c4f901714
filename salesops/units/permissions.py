"""Who may do what in unit sales, declared once: per action, and per field of a contract.

Services call `require(actor, action)` before they change anything; pages and the API ask
`can(user, action)` to offer the action at all. Row-level visibility (whose customers) is the
selectors' business; both apply. A role × action test walks this table.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from salesops.core.exceptions import PermissionDenied
from salesops.core.roles import COMPANY_WIDE_SALES_ROLES, SALES_ROLES, UNIT_ROLES, Role

READERS = frozenset(SALES_ROLES | {Role.FINANCE})
SELLERS = frozenset({Role.SALES_REP, Role.SALES_SUPERVISOR, Role.SALES_MANAGER, Role.SALES_DIRECTOR, Role.SALES_ADMIN})
REVIEWERS = frozenset({Role.SALES_SUPERVISOR, Role.SALES_MANAGER, Role.SALES_DIRECTOR})
CASHIERS = frozenset({Role.FINANCE})
SETUP = frozenset({Role.SALES_MANAGER, Role.SALES_DIRECTOR, Role.SALES_ADMIN, Role.SYSADMIN})
FILE_KEEPERS = frozenset({Role.SALES_ADMIN, *SELLERS})
ARCHIVISTS = frozenset({Role.SALES_ADMIN})
REPORT_ROLES = frozenset(COMPANY_WIDE_SALES_ROLES | UNIT_ROLES)
BOOKING_ROLES = READERS

ACTIONS: dict[str, frozenset[str]] = {
    "project.manage": SETUP,
    "unit.block": SETUP,
    "price_change.request": SETUP,
    "reservation.hold": SELLERS,
    "reservation.pay": CASHIERS,
    "waitlist.join": SELLERS,
    "waitlist.leave": SELLERS,
    "contract.draft": SELLERS,
    "contract.review": REVIEWERS,
    "contract.sign": SELLERS,
    "contract.pay": CASHIERS,
    "mortgage.update": frozenset(SELLERS | CASHIERS),
    "change.request": SELLERS,
    "change.pay_refund": CASHIERS,
    "file.record": FILE_KEEPERS,
    "file.lend": ARCHIVISTS,
    "venue.manage": SETUP,
    "booking.create": SELLERS,
    "booking.front_desk": frozenset(SELLERS | CASHIERS),
    "booking.pay": CASHIERS,
    "block.manage": SELLERS,
}

# Contract fields while the contract is a draft: who may set each. A consultant may not change
# the price or grant a discount (置业顾问不得私自更改价单); the reviewer checks both.
CONTRACT_FIELDS: dict[str, frozenset[str]] = {
    "method": SELLERS,
    "down_payment": SELLERS,
    "loan_amount": SELLERS,
    "bank": SELLERS,
    "loan_years": SELLERS,
    "loan_expected_on": SELLERS,
    "price": REVIEWERS,
    "special_discount": REVIEWERS,
}


def can(user, action: str) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return bool(user.is_superuser or user.roles & ACTIONS[action])


def require(user, action: str) -> None:
    if not can(user, action):
        raise PermissionDenied(_("Your role does not allow this."), action=action)


def writable_contract_fields(user) -> set[str]:
    if getattr(user, "is_superuser", False):
        return set(CONTRACT_FIELDS)
    return {name for name, roles in CONTRACT_FIELDS.items() if user.roles & roles}


def check_contract_fields(user, data: dict, current: dict) -> None:
    """Refuse a value set for a field the user may not write (the same value is no change)."""
    allowed = writable_contract_fields(user)
    refused = {
        name: [_("Your role cannot change this field.")]
        for name, value in data.items()
        if name in CONTRACT_FIELDS and name not in allowed and value != current.get(name)
    }
    if refused:
        raise PermissionDenied(_("Your role cannot change some of these fields."), fields=refused)
