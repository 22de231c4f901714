import datetime

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "salesops.catalog"
    label = "catalog"
    verbose_name = _("Products")

    def ready(self):
        from salesops.approvals.registry import register_document_type
        from salesops.catalog import services
        from salesops.catalog.permissions import PRICE_WRITE_ROLES, PRODUCT_READ_ROLES, PRODUCT_WRITE_ROLES, sees_costs
        from salesops.core.history import hide_from_history
        from salesops.core.periodic import register_periodic
        from salesops.core.registry import NavItem, registry
        from salesops.core.roles import Role

        register_document_type(services.new_product_document_type())
        register_document_type(services.price_change_document_type())
        hide_from_history("catalog.Product", {"cost"}, unless=sees_costs)
        register_periodic("catalog.price_changes", services.price_changes_apply_due, every=datetime.timedelta(hours=1))
        group = _("Products")
        price_readers = frozenset(PRICE_WRITE_ROLES | {Role.FINANCE, Role.GENERAL_MANAGER, Role.SALES_DIRECTOR})
        registry.add_nav(NavItem("products", _("Products"), "products", PRODUCT_READ_ROLES, 300, group))
        registry.add_nav(
            NavItem("product-families", _("Product families"), "product-families", PRODUCT_READ_ROLES, 301, group)
        )
        registry.add_nav(NavItem("price-lists", _("Price lists"), "price-lists", price_readers, 302, group))
        registry.add_nav(NavItem("price-changes", _("Price changes"), "price-changes", price_readers, 303, group))
        registry.add_nav(NavItem("price-history", _("Price history"), "price-history", price_readers, 304, group))
        registry.add_nav(
            NavItem(
                "product-import",
                _("Import and export"),
                "product-import",
                frozenset(PRODUCT_WRITE_ROLES | PRICE_WRITE_ROLES),
                305,
                group,
            )
        )
