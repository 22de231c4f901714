import datetime

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApprovalsConfig(AppConfig):
    name = "salesops.approvals"
    label = "approvals"
    verbose_name = _("Approvals")

    def ready(self):
        from salesops.approvals import visits
        from salesops.approvals.home import approvals_home
        from salesops.approvals.services import approval_deadlines_run
        from salesops.core.history import hide_from_history
        from salesops.core.periodic import register_periodic
        from salesops.core.registry import HomeSection, NavItem, registry
        from salesops.core.roles import SALES_ROLES, Role

        everyone = frozenset(Role.values)
        visits.register()
        # the document as submitted and its version are the engine's, shown through the facts
        hide_from_history("approvals.ApprovalRequest", {"snapshot", "values", "version"}, unless=None)
        register_periodic("approvals.deadlines", approval_deadlines_run, every=datetime.timedelta(minutes=5))
        group = _("Approvals")
        registry.add_nav(NavItem("approvals-inbox", _("Approvals"), "approvals-inbox", everyone, 50, group))
        registry.add_nav(NavItem("approvals-mine", _("My requests"), "approvals-mine", everyone, 51, group))
        registry.add_nav(
            NavItem("approvals-delegations", _("Delegations"), "approvals-delegations", everyone, 52, group)
        )
        registry.add_nav(
            NavItem("approvals-rules", _("Approval rules"), "approvals-rules", frozenset({Role.SYSADMIN}), 53, group)
        )
        registry.add_nav(NavItem("visit-requests", _("Visit requests"), "visit-requests", SALES_ROLES, 110, _("Sales")))
        registry.add_home(HomeSection("approvals", approvals_home, None, 20))
