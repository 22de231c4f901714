from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class SalesConfig(AppConfig):
    name = "salesops.sales"
    label = "sales"
    verbose_name = _("Sales")

    def ready(self):
        from salesops.core.registry import HomeSection, NavItem, registry
        from salesops.core.roles import SALES_ROLES, Role
        from salesops.crm.grading import register_grading_measure
        from salesops.sales import home
        from salesops.sales.approvals import register_document_types
        from salesops.sales.grading import invoiced_sales_measure

        register_document_types()
        register_grading_measure("sales_amount", invoiced_sales_measure)
        shipping = frozenset({Role.WAREHOUSE, Role.SYSADMIN})
        group = _("Quotes and orders")
        registry.add_nav(NavItem("sales-orders", _("Sales orders"), "sales-orders", SALES_ROLES | shipping, 110, group))
        registry.add_nav(NavItem("sales-quotes", _("Quotes"), "sales-quotes", SALES_ROLES, 105, group))
        registry.add_nav(NavItem("sales-contracts", _("Contracts"), "sales-contracts", SALES_ROLES, 106, group))
        registry.add_nav(NavItem("sales-ship", _("Orders to ship"), "sales-ship", shipping, 111, group))
        registry.add_nav(NavItem("sales-invoices", _("Invoices"), "sales-invoices", SALES_ROLES, 112, group))
        registry.add_home(
            HomeSection("sales-open-invoices", home.rep_open_invoices_home, frozenset({Role.SALES_REP}), 40)
        )
        registry.add_home(HomeSection("sales-to-ship", home.orders_to_ship_home, shipping, 30))
        try:
            from salesops.crm.sections import CustomerSection, customer_sections
        except ImportError:  # pragma: no cover - older customer page without sections
            return
        customer_sections.add(
            CustomerSection(
                "orders", _("Orders"), "sales/partials/customer_orders.html", home.customer_orders_section, 50
            )
        )
        customer_sections.add(
            CustomerSection(
                "credit",
                pgettext_lazy("credit standing", "Credit"),
                "sales/partials/customer_credit.html",
                home.customer_credit_section,
                54,
                SALES_ROLES,
            )
        )
        customer_sections.add(
            CustomerSection(
                "balance",
                _("Balance"),
                "sales/partials/customer_balance.html",
                home.customer_balance_section,
                55,
                SALES_ROLES,
            )
        )
