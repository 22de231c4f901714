import datetime

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UnitsConfig(AppConfig):
    name = "salesops.units"
    label = "units"
    verbose_name = _("Unique-unit sales")

    def ready(self):
        from salesops.core.periodic import register_periodic
        from salesops.core.registry import HomeSection, NavItem, registry
        from salesops.units import approval, home, jobs
        from salesops.units.permissions import BOOKING_ROLES, FILE_KEEPERS, READERS, REPORT_ROLES

        approval.register()
        jobs.register_event_types()
        register_periodic("units.holds", jobs.holds_run, every=datetime.timedelta(minutes=5))
        register_periodic("units.bookings", jobs.bookings_run, every=datetime.timedelta(minutes=15))
        register_periodic("units.payments", jobs.payments_run, every=datetime.timedelta(hours=1))
        group = _("Unit sales")
        registry.add_nav(NavItem("units-projects", _("Sales control board"), "units-projects", READERS, 500, group))
        registry.add_nav(NavItem("units-reservations", _("Reservations"), "units-reservations", READERS, 501, group))
        registry.add_nav(NavItem("units-contracts", _("Purchase contracts"), "units-contracts", READERS, 502, group))
        registry.add_nav(NavItem("units-payments", _("Payment schedule"), "units-payments", READERS, 503, group))
        registry.add_nav(NavItem("units-waitlist", _("Waitlist"), "units-waitlist", READERS, 504, group))
        registry.add_nav(NavItem("units-changes", _("Refunds and changes"), "units-changes", READERS, 505, group))
        registry.add_nav(NavItem("units-files", _("Document files"), "units-files", FILE_KEEPERS, 506, group))
        registry.add_nav(NavItem("units-reports", _("Unit sales reports"), "units-reports", REPORT_ROLES, 507, group))
        registry.add_nav(NavItem("units-bookings", _("Room bookings"), "units-bookings", BOOKING_ROLES, 510, group))
        registry.add_home(HomeSection("units-my-holds", home.my_holds, READERS, 45))
        registry.add_home(HomeSection("units-overdue", home.overdue_instalments, READERS, 46))
