import datetime

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InventoryConfig(AppConfig):
    name = "salesops.inventory"
    label = "inventory"
    verbose_name = _("Inventory")

    def ready(self):
        from salesops.approvals.registry import register_document_type
        from salesops.catalog.permissions import PRODUCT_READ_ROLES, PURCHASE_ROLES, STOCK_ROLES
        from salesops.core.periodic import register_periodic
        from salesops.core.registry import HomeSection, NavItem, registry
        from salesops.inventory import alerts, documents, expiry, stocktake
        from salesops.inventory.home import inventory_home

        register_document_type(stocktake.stocktake_variance_type())
        register_document_type(documents.purchase_order_document_type())
        register_document_type(expiry.lot_write_off_type())
        register_periodic("inventory.reorder_alerts", alerts.reorder_alerts_run, every=datetime.timedelta(hours=1))
        group = _("Inventory")
        items = [
            ("stock", _("Stock levels"), "stock", PRODUCT_READ_ROLES),
            ("stock-moves", _("Stock ledger"), "stock-moves", STOCK_ROLES),
            ("purchase-orders", _("Purchase orders"), "purchase-orders", STOCK_ROLES),
            ("stock-documents", _("Production and adjustments"), "stock-documents", STOCK_ROLES),
            ("transfers", _("Transfers"), "transfers", STOCK_ROLES),
            ("replenishments", _("Store replenishment"), "replenishments", STOCK_ROLES),
            ("stocktakes", _("Stocktakes"), "stocktakes", STOCK_ROLES),
            ("lots", _("Stock by lot and expiry"), "lots", STOCK_ROLES),
            ("lot-disposals", _("Lot write-offs and returns"), "lot-disposals", STOCK_ROLES),
            ("reorder-warnings", _("Reorder warnings"), "reorder-warnings", STOCK_ROLES),
            ("slow-moving", _("Slow-moving stock"), "slow-moving", STOCK_ROLES),
            ("stock-value", _("Stock value"), "stock-value", STOCK_ROLES),
            ("suppliers", _("Suppliers"), "suppliers", PURCHASE_ROLES),
        ]
        for order, (key, label, url, roles) in enumerate(items, start=400):
            registry.add_nav(NavItem(key, label, url, roles, order, group))
        registry.add_home(HomeSection("inventory", inventory_home, STOCK_ROLES, 60))
