import datetime

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CrmConfig(AppConfig):
    name = "salesops.crm"
    label = "crm"
    verbose_name = _("Customers")

    def ready(self):
        from salesops.core.periodic import register_periodic
        from salesops.core.registry import HomeSection, NavItem, registry
        from salesops.core.roles import SALES_ROLES, UNIT_ROLES, Role
        from salesops.crm import home
        from salesops.crm.calldesk import DESK_ROLES
        from salesops.crm.grading import grading_periodic
        from salesops.crm.privacy import NAME_ONLY_ROLES
        from salesops.crm.services import POLICY_ROLES, pool_return_stale

        sales = _("Sales")
        supervisors = frozenset(UNIT_ROLES | {Role.SALES_DIRECTOR, Role.SALES_ADMIN})
        registry.add_nav(NavItem("customers", _("Customers"), "customers", SALES_ROLES | NAME_ONLY_ROLES, 100, sales))
        reps = frozenset({Role.SALES_REP})
        registry.add_nav(NavItem("call-desk", _("Call desk"), "call-desk", DESK_ROLES, 99, sales))
        registry.add_nav(NavItem("lead-register", _("Register a call or visit"), "lead-register", reps, 101, sales))
        registry.add_nav(NavItem("lead-pool", _("Lead pool"), "lead-pool", SALES_ROLES, 102, sales))
        registry.add_nav(NavItem("agenda", _("My agenda"), "agenda", frozenset({Role.SALES_REP}), 103, sales))
        registry.add_nav(NavItem("opportunities", _("Opportunities"), "opportunity-board", SALES_ROLES, 104, sales))
        registry.add_nav(NavItem("pipeline", _("Pipeline"), "pipeline", SALES_ROLES, 105, sales))
        registry.add_nav(NavItem("activities", _("Activities"), "activities", SALES_ROLES, 106, sales))
        registry.add_nav(NavItem("complaints", _("Complaints"), "complaints", SALES_ROLES, 107, sales))
        registry.add_nav(NavItem("conflicts", _("Ownership conflicts"), "conflicts", SALES_ROLES, 108, sales))
        registry.add_nav(NavItem("reassign", _("Reassign customers"), "reassign", supervisors, 109, sales))
        registry.add_nav(NavItem("grading", _("Customer grades"), "grading", SALES_ROLES, 110, sales))
        registry.add_nav(NavItem("customer-import", _("Import customers"), "customer-import", SALES_ROLES, 111, sales))
        registry.add_nav(NavItem("crm-policy", _("CRM policy"), "crm-policy", POLICY_ROLES, 112, sales))

        registry.add_home(HomeSection("crm-agenda", home.agenda_section, frozenset({Role.SALES_REP}), 20))
        registry.add_home(HomeSection("crm-overdue", home.overdue_section, frozenset({Role.SALES_REP}), 21))
        registry.add_home(HomeSection("crm-complaints", home.complaints_section, SALES_ROLES, 22))
        registry.add_home(HomeSection("crm-conflicts", home.conflicts_section, supervisors, 23))
        registry.add_home(HomeSection("crm-pipeline", home.pipeline_section, supervisors, 24))

        register_periodic("crm.pool_return", pool_return_stale, every=datetime.timedelta(hours=1))
        register_periodic("crm.grading", grading_periodic, every=datetime.timedelta(days=1))
        home.register_customer_sections()
