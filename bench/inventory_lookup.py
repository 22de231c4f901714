"""Stock level lookup with 1,000,000 ledger lines on SQLite (target p95 < 20 ms): the balance
of one product in one warehouse, as scanners and order entry ask for it. Baselines in the same
run: a primary-key lookup of a product, and summing that product's ledger lines.

    .venv/bin/python bench/inventory_lookup.py [ledger_lines]
"""

import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from inventory_common import p95, products_and_warehouses, setup, timed  # noqa: E402


def main(ledger_lines: int = 1_000_000) -> None:
    setup("inventory-lookup")
    from django.db import connection
    from django.db.models import Sum
    from django.utils import timezone

    from salesops.catalog.models import Product
    from salesops.inventory.models import StockBalance, StockMove
    from salesops.inventory.selectors import balance_for

    products = 5_000
    main_wh, dc, ids = products_and_warehouses(products)
    rng = random.Random(7)
    start = time.perf_counter()
    now = timezone.now().isoformat(sep=" ")
    assert ids == list(range(ids[0], ids[0] + products))  # made in one bulk insert: consecutive keys
    with connection.cursor() as cursor:
        # one statement generating the ledger in SQLite: line i is product i mod N, in the main
        # warehouse for even rounds of N lines and in the centre for odd ones (so every product
        # has lines in both warehouses)
        cursor.execute(
            "INSERT INTO inventory_stockmove (product_id, warehouse_id, kind, quantity, unit_cost,"
            " reference_type, reference_number, at)"
            " WITH RECURSIVE seq(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM seq WHERE i + 1 < %s)"
            " SELECT %s + i %% %s, CASE WHEN (i / %s) %% 2 = 0 THEN %s ELSE %s END,"
            " 'receipt', '1.000', '2.0000', 'bench', '', %s FROM seq",
            [ledger_lines, ids[0], products, products, main_wh.pk, dc.pk, now],
        )
        cursor.execute(
            "INSERT INTO inventory_stockbalance (product_id, warehouse_id, on_hand, reserved, avg_cost) "
            "SELECT product_id, warehouse_id, SUM(quantity), 0, 2 FROM inventory_stockmove GROUP BY 1, 2"
        )
    load = time.perf_counter() - start
    assert StockMove.objects.count() == ledger_lines
    pairs = [(rng.choice(ids), rng.choice((main_wh.pk, dc.pk))) for _ in range(2000)]
    it = iter(pairs * 3)

    cpu = time.process_time()
    lookup = timed(lambda: balance_for(**dict(zip(("product_id", "warehouse_id"), next(it), strict=True))), 2000)
    lookup_cpu = (time.process_time() - cpu) / len(lookup) * 1000
    cpu = time.process_time()
    pk = timed(lambda: Product.objects.filter(pk=rng.choice(ids)).first(), 2000)
    pk_cpu = (time.process_time() - cpu) / len(pk) * 1000
    cpu = time.process_time()
    ledger_sum = timed(
        lambda: StockMove.objects.filter(product_id=rng.choice(ids), warehouse_id=main_wh.pk).aggregate(
            t=Sum("quantity")
        ),
        200,
    )
    ledger_cpu = (time.process_time() - cpu) / len(ledger_sum) * 1000
    sample = balance_for(product_id=ids[0], warehouse_id=main_wh.pk)
    assert isinstance(sample, StockBalance) and sample.on_hand == ledger_lines // products // 2

    print(f"stock level lookup, {ledger_lines:,} ledger lines, {products:,} products × 2 warehouses (SQLite)")
    print(f"  loading the ledger            {load:7.1f} s")
    print(f"  balance lookup       p95 {p95(lookup):7.3f} ms   cpu/call {lookup_cpu:7.3f} ms   target < 20 ms")
    print(f"  baseline pk lookup   p95 {p95(pk):7.3f} ms   cpu/call {pk_cpu:7.3f} ms")
    print(f"  baseline ledger sum  p95 {p95(ledger_sum):7.3f} ms   cpu/call {ledger_cpu:7.3f} ms")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
