"""The roles a person can hold. A user may hold several; visibility is the union of them."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    SALES_REP = "sales_rep", _("Sales rep")
    SALES_SUPERVISOR = "sales_supervisor", _("Sales supervisor")
    SALES_MANAGER = "sales_manager", _("Sales manager")
    SALES_DIRECTOR = "sales_director", _("Sales director")
    GENERAL_MANAGER = "general_manager", _("General manager")
    SALES_ADMIN = "sales_admin", _("Sales admin")
    FINANCE = "finance", _("Finance")
    WAREHOUSE = "warehouse", _("Warehouse")
    PLANNER = "planner", _("Production planner")
    PURCHASING = "purchasing", _("Purchasing")
    SYSADMIN = "sysadmin", _("System administrator")


# Roles that see every sales record of the company (customers, orders, pipeline).
COMPANY_WIDE_SALES_ROLES = frozenset(
    {Role.SALES_DIRECTOR, Role.GENERAL_MANAGER, Role.SALES_ADMIN, Role.FINANCE, Role.SYSADMIN}
)
# Roles whose visibility is the org unit they sit in and everything below it.
UNIT_ROLES = frozenset({Role.SALES_SUPERVISOR, Role.SALES_MANAGER})
# Roles that see their own records.
OWNER_ROLES = frozenset({Role.SALES_REP})
SALES_ROLES = frozenset(COMPANY_WIDE_SALES_ROLES | UNIT_ROLES | OWNER_ROLES)
