from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "salesops.core"
    label = "core"
    verbose_name = _("Organisation")

    def ready(self):
        from salesops.core import (
            accounts,  # noqa: F401  (connects the sign-in audit receivers)
            tasks,  # noqa: F401  (background tasks run in the company's time zone)
        )
        from salesops.core.api.schema import install_enum_names, install_error_responses

        install_enum_names()
        install_error_responses()
        from salesops.core.registry import NavItem, registry
        from salesops.core.roles import Role

        admin = frozenset({Role.SYSADMIN})
        group = _("Administration")
        registry.add_nav(NavItem("org", _("Organisation"), "org-tree", None, 900, group))
        registry.add_nav(NavItem("users", _("Users"), "users", admin, 910, group))
        registry.add_nav(NavItem("calendar", _("Working-day calendar"), "calendar", None, 920, group))
        registry.add_nav(NavItem("company", _("Company"), "company", admin, 930, group))
