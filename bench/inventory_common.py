"""Shared set-up of the inventory benchmarks: a fresh temporary SQLite database, migrated,
with N approved products and two warehouses made through the services."""

import sys
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from crm_common import org, p95, setup, timed  # noqa: E402,F401


def products_and_warehouses(count: int, prefix: str = "B"):
    from salesops.catalog.models import Product
    from salesops.inventory.bulk import insert_many
    from salesops.inventory.documents import warehouse_create

    main = warehouse_create(code=f"{prefix}-MAIN", name="Main", actor=None)
    dc = warehouse_create(code=f"{prefix}-DC", name="DC", kind="dc", actor=None)
    # Products in bulk (the product services write one audit row each; not what is measured here).
    insert_many(
        Product,
        [
            Product(
                sku=f"{prefix}{i:06d}", name=f"商品 {i}", status="approved", cost=Decimal("1"), list_price=Decimal("2")
            )
            for i in range(count)
        ],
        [
            "sku",
            "name",
            "name_en",
            "spec",
            "spec_en",
            "unit",
            "family",
            "cost",
            "list_price",
            "tax_rate",
            "status",
            "active",
            "source",
            "lead_time_days",
            "lot_rule",
            "lot_qty",
            "safety_stock",
        ],
    )
    ids = list(Product.objects.filter(sku__startswith=prefix).order_by("pk").values_list("pk", flat=True))
    return main, dc, ids
