"""Who may do what with products, prices and stock (the role sets every view and API uses).

- Stock roles (warehouse, planning, purchasing, finance and managers) see stock, moves and costs.
- Sales roles see products that can be sold, their prices and the available quantity, never costs.
- Purchasing keeps the product master; managers approve price changes (through approval rules).
"""

from salesops.core.roles import SALES_ROLES, Role

STOCK_ROLES = frozenset(
    {
        Role.WAREHOUSE,
        Role.PLANNER,
        Role.PURCHASING,
        Role.FINANCE,
        Role.GENERAL_MANAGER,
        Role.SALES_DIRECTOR,
        Role.SALES_MANAGER,
        Role.SYSADMIN,
    }
)
COST_ROLES = STOCK_ROLES
STOCK_WRITE_ROLES = frozenset({Role.WAREHOUSE, Role.PURCHASING, Role.SYSADMIN})
STOCKTAKE_ROLES = frozenset({Role.WAREHOUSE, Role.SYSADMIN})
PRODUCT_WRITE_ROLES = frozenset({Role.PURCHASING, Role.PLANNER, Role.SYSADMIN})
PRICE_WRITE_ROLES = frozenset({Role.PURCHASING, Role.SALES_ADMIN, Role.SALES_MANAGER, Role.SYSADMIN})
PRODUCT_READ_ROLES = frozenset(STOCK_ROLES | SALES_ROLES)
PURCHASE_ROLES = frozenset({Role.PURCHASING, Role.SYSADMIN})


def sees_costs(user) -> bool:
    return bool(user.is_superuser or user.roles & COST_ROLES)


def sees_stock(user) -> bool:
    return bool(user.is_superuser or user.roles & STOCK_ROLES)


def reads_products(user) -> bool:
    return bool(user.is_superuser or user.roles & PRODUCT_READ_ROLES)
