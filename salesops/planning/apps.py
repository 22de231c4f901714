from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlanningConfig(AppConfig):
    name = "salesops.planning"
    label = "planning"
    verbose_name = _("Planning")

    def ready(self):
        from salesops.approvals.registry import register_document_type
        from salesops.core.registry import HomeSection, NavItem, registry
        from salesops.core.roles import Role
        from salesops.planning import home
        from salesops.planning.mps import production_plan_change_document_type
        from salesops.planning.selectors import INPUT_ROLES, PLAN_VIEW, PLANNING_VIEW, PURCHASE_CONVERT

        group = _("Planning")
        reps = frozenset({Role.SALES_REP, Role.SALES_SUPERVISOR, Role.SALES_MANAGER})
        for key, label, url, roles, order in [
            ("planning-forecasts", _("Forecasts"), "planning-forecasts", PLANNING_VIEW, 600),
            ("planning-my-inputs", _("My forecast"), "planning-my-inputs", reps & INPUT_ROLES, 601),
            ("planning-accuracy", _("Forecast accuracy"), "planning-accuracy", PLANNING_VIEW, 602),
            ("planning-sop", _("S&OP review"), "planning-sop", PLANNING_VIEW, 603),
            ("planning-aggregate", _("Aggregate plan"), "planning-aggregate", PLANNING_VIEW, 604),
            ("planning-mps", _("Master production schedule"), "planning-mps", PLANNING_VIEW, 605),
            ("planning-plans", _("Production plans"), "planning-plans", PLAN_VIEW, 606),
            (
                "planning-production-report",
                _("Daily production report"),
                "planning-production-report",
                frozenset({Role.PLANNER}),
                607,
            ),
            ("planning-fulfilment", _("Plan fulfilment"), "planning-fulfilment", PLAN_VIEW, 608),
            ("planning-mrp", _("MRP"), "planning-mrp", PLANNING_VIEW, 609),
            ("planning-work-centres", _("Work centres"), "planning-work-centres", PLANNING_VIEW, 611),
            ("planning-policy", _("Planning policy"), "planning-policy", PLANNING_VIEW, 612),
            (
                "planning-planned-purchases",
                _("Planned purchases"),
                "planning-planned-purchases",
                PURCHASE_CONVERT | {Role.PURCHASING},
                610,
            ),
        ]:
            registry.add_nav(NavItem(key, label, url, frozenset(roles), order, group))

        planner = frozenset({Role.PLANNER})
        registry.add_home(HomeSection("planning-mrp-exceptions", home.mrp_exceptions_section, planner, 60))
        registry.add_home(HomeSection("planning-plan-due", home.production_plan_due_section, planner, 61))
        registry.add_home(
            HomeSection("planning-forecast-due", home.forecast_due_section, frozenset({Role.SALES_ADMIN}), 62)
        )
        registry.add_home(HomeSection("planning-production-today", home.production_today_section, planner, 63))
        register_document_type(production_plan_change_document_type())
