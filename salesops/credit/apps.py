import datetime

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CreditConfig(AppConfig):
    name = "salesops.credit"
    label = "credit"
    verbose_name = _("Credit and collections")

    def ready(self):
        from salesops.core.periodic import register_periodic
        from salesops.core.registry import HomeSection, NavItem, registry
        from salesops.core.roles import COMPANY_WIDE_SALES_ROLES, SALES_ROLES, Role
        from salesops.credit import approval, home
        from salesops.credit.escalations import escalations_run

        approval.register()
        register_periodic("credit.escalations", escalations_run, every=datetime.timedelta(hours=6))
        finance = frozenset({Role.FINANCE, Role.GENERAL_MANAGER, Role.SALES_DIRECTOR, Role.SYSADMIN})
        readers = frozenset(SALES_ROLES | {Role.FINANCE})
        group = _("Credit and collections")
        registry.add_nav(NavItem("credit-files", _("Credit files"), "credit-files", readers, 300, group))
        registry.add_nav(NavItem("credit-receipts", _("Receipts"), "credit-receipts", readers, 301, group))
        registry.add_nav(NavItem("credit-ageing", _("AR ageing"), "credit-ageing", readers, 302, group))
        registry.add_nav(NavItem("credit-statements", _("Statements"), "credit-statements", readers, 303, group))
        registry.add_nav(
            NavItem("credit-reconciliations", _("Reconciliations"), "credit-reconciliations", readers, 304, group)
        )
        registry.add_nav(
            NavItem("credit-limit-requests", _("Limit changes"), "credit-limit-requests", readers, 305, group)
        )
        registry.add_nav(NavItem("credit-reviews", _("Credit reviews"), "credit-reviews", finance, 306, group))
        registry.add_nav(
            NavItem(
                "credit-ar-pack",
                _("AR analysis pack"),
                "credit-ar-pack",
                frozenset(COMPANY_WIDE_SALES_ROLES | {Role.SALES_MANAGER}),
                307,
                group,
            )
        )
        registry.add_home(HomeSection("credit-reviews-due", home.reviews_due, finance, 40))
        registry.add_home(
            HomeSection("credit-receipts-to-confirm", home.receipts_to_confirm, frozenset({Role.FINANCE}), 41)
        )
        registry.add_home(HomeSection("credit-my-overdue", home.my_overdue, frozenset({Role.SALES_REP}), 42))
