from datetime import timedelta

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FieldConfig(AppConfig):
    name = "salesops.field"
    label = "field"
    verbose_name = _("Field sales")

    def ready(self):
        from salesops.approvals.registry import register_document_type
        from salesops.core.periodic import register_periodic
        from salesops.core.registry import HomeSection, NavItem, registry
        from salesops.core.roles import Role
        from salesops.field import outlets
        from salesops.field.jobs import plan_todays_visits
        from salesops.field.kpis import register_kpis
        from salesops.field.views import home_section, today_home_section

        group = _("Field sales")
        reps = frozenset({Role.SALES_REP})
        leads = frozenset(
            {Role.SALES_SUPERVISOR, Role.SALES_MANAGER, Role.SALES_DIRECTOR, Role.GENERAL_MANAGER, Role.SYSADMIN}
        )
        field_roles = reps | leads
        registry.add_nav(NavItem("field-today", _("Today's route"), "field-today", reps, 30, group))
        registry.add_nav(NavItem("field-cycles", _("Route cycles"), "field-cycles", field_roles, 31, group))
        registry.add_nav(NavItem("field-visits", _("Visits"), "field-visits", field_roles, 32, group))
        registry.add_nav(
            NavItem("field-performance", _("Visit success and coverage"), "field-performance", field_roles, 33, group)
        )
        registry.add_nav(
            NavItem("field-distribution", _("Distribution rate"), "field-distribution", field_roles, 34, group)
        )
        registry.add_nav(NavItem("field-checks", _("Field checks"), "field-checks", field_roles, 35, group))
        registry.add_nav(NavItem("field-outlets", _("New outlets"), "field-outlets", field_roles, 36, group))
        registry.add_home(HomeSection("field-under-visited", home_section, leads, 25))
        registry.add_home(HomeSection("field-today", today_home_section, reps, 15))
        register_document_type(outlets.outlet_application_type())
        register_kpis()
        register_periodic("field.plan_visits", plan_todays_visits, every=timedelta(hours=1))
