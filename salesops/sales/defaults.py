"""What a new sales order starts with (reads only; the order service applies the same rules
when a client leaves the warehouse out).

Warehouse, the first that applies:
1. the default warehouse (`OrgUnit.default_warehouse`, set by an admin on the unit's page) of
   the nearest unit at or above the rep's own unit — the person taking the order when they are
   a rep (a rep sells for their own team, see `services._rep_and_team`);
2. the same for the customer's team (a supervisor or an office person ordering for a customer);
3. the only active warehouse, when there is exactly one.
Inactive warehouses are skipped. Otherwise there is no default and the person chooses.

Payment: credit when the customer has an active credit file with a limit above zero (a limit
is set only through an approved limit request or by finance); otherwise cash. The customer's
payment terms (days) come with it, shown next to the choice; none for a cash sale.
"""

from __future__ import annotations

from dataclasses import dataclass

from salesops.core.models import OrgUnit
from salesops.core.roles import Role
from salesops.inventory.models import Warehouse
from salesops.sales.models import SalesOrder


@dataclass(frozen=True)
class OrderDefaults:
    warehouse: Warehouse | None
    payment: str
    payment_terms_days: int | None  # None: a cash sale, or no credit file


def _unit_ids(path: str) -> list[int]:
    """The ids of a unit's chain ("/1/4/9/"), nearest first."""
    return [int(part) for part in reversed(path.strip("/").split("/")) if part.isdigit()]


def _nearest_default(unit_ids: list[int]) -> Warehouse | None:
    if not unit_ids:
        return None
    defaults = dict(
        OrgUnit.objects.filter(pk__in=unit_ids, default_warehouse__active=True).values_list(
            "pk", "default_warehouse_id"
        )
    )
    for unit_id in unit_ids:
        if unit_id in defaults:
            return Warehouse.objects.get(pk=defaults[unit_id])
    return None


def default_warehouse_for(*, user, customer=None) -> Warehouse | None:
    """The warehouse a new order of `user` (for `customer`, when known) starts with."""
    chains = []
    if user is not None and user.has_role(Role.SALES_REP) and user.org_unit_id:
        chains.append(user.org_unit.path or f"/{user.org_unit_id}/")
    if customer is not None and customer.team_id:
        team = OrgUnit.objects.filter(pk=customer.team_id).values_list("path", flat=True).first()
        chains.append(team or f"/{customer.team_id}/")
    for path in chains:
        warehouse = _nearest_default(_unit_ids(path))
        if warehouse is not None:
            return warehouse
    only = list(Warehouse.objects.filter(active=True)[:2])
    return only[0] if len(only) == 1 else None


def payment_for(customer) -> tuple[str, int | None]:
    """(payment, payment terms in days) a new order for `customer` starts with."""
    from salesops.credit.models import CreditFile

    if customer is None:
        return SalesOrder.Payment.CASH, None
    credit = CreditFile.objects.filter(customer_id=customer.pk).values_list("active", "limit", "payment_terms_days")
    row = credit.first()
    if row is not None and row[0] and row[1] > 0:
        return SalesOrder.Payment.CREDIT, row[2]
    return SalesOrder.Payment.CASH, None


def order_defaults(*, user, customer=None) -> OrderDefaults:
    payment, terms = payment_for(customer)
    return OrderDefaults(
        warehouse=default_warehouse_for(user=user, customer=customer), payment=payment, payment_terms_days=terms
    )
