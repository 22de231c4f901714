from datetime import timedelta

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SopConfig(AppConfig):
    name = "salesops.sop"
    label = "sop"
    verbose_name = _("SOP clock")

    def ready(self):
        from salesops.core.periodic import register_periodic
        from salesops.core.registry import HomeSection, NavItem, registry
        from salesops.core.roles import Role
        from salesops.sop.clock import sop_clock_run
        from salesops.sop.selectors import SOP_OVERSEER_ROLES
        from salesops.sop.views import behind_section, home_section

        group = _("Deadlines")
        registry.add_nav(NavItem("sop-my", _("My deadlines"), "sop-my", None, 40, group))
        registry.add_nav(
            NavItem("sop-report-new", _("Daily report"), "sop-report-new", frozenset({Role.SALES_REP}), 41, group)
        )
        registry.add_nav(NavItem("sop-reports", _("Daily reports"), "sop-reports", SOP_OVERSEER_ROLES, 42, group))
        registry.add_nav(NavItem("sop-obligations", _("Obligations"), "sop-obligations", SOP_OVERSEER_ROLES, 43, group))
        registry.add_nav(NavItem("sop-compliance", _("SOP compliance"), "sop-compliance", None, 44, group))
        admin = frozenset({Role.SYSADMIN})
        registry.add_nav(NavItem("sop-rules", _("SOP rules"), "sop-rules", admin, 940, _("Administration")))
        registry.add_nav(NavItem("sop-clock", _("SOP clock"), "sop-clock", admin, 941, _("Administration")))
        registry.add_home(HomeSection("sop-due", home_section, None, 20))
        registry.add_home(HomeSection("sop-behind", behind_section, SOP_OVERSEER_ROLES, 25))
        register_periodic("sop.clock", sop_clock_run, every=timedelta(minutes=1))
