"""Ownership lookup (防撞单) over 1,000,000 customers and leads: p95 of `ownership_match`
(indexed normalised keys) vs a full-scan `icontains` on the phone column, same run."""

import random
import sys
import time

from crm_common import org, p95, setup, timed, timed_cpu

N = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000


def main():
    setup("ownership")
    from salesops.crm.matching import ownership_keys
    from salesops.crm.models import Customer, OwnershipKey
    from salesops.crm.services import ownership_match

    people = org()
    rep, team = people["rep1"], people["rep1"].org_unit
    start = time.perf_counter()
    batch = 20_000
    for offset in range(0, N if Customer.objects.count() < N else 0, batch):
        Customer.objects.bulk_create(
            [
                Customer(
                    code=f"B{i:07d}", name=f"客户{i}", owner=rep, team=team, phone=f"139{i:08d}", search_key=f"客户{i}"
                )
                for i in range(offset, min(offset + batch, N))
            ]
        )
    first = Customer.objects.order_by("pk").values_list("pk", flat=True).first()
    for offset in range(0, N if OwnershipKey.objects.count() < N else 0, batch):
        OwnershipKey.objects.bulk_create(
            [
                OwnershipKey(kind="phone", value=f"+86139{i:08d}", customer_id=first + i)
                for i in range(offset, min(offset + batch, N))
            ]
        )
    print(f"generated {N:,} customers + keys in {time.perf_counter() - start:.1f} s")
    rng = random.Random(1)
    probes = [
        f"139 {i // 10000:04d} {i % 10000:04d}".replace(" ", "-", 1) for i in (rng.randrange(N) for _ in range(200))
    ]
    probes += ["13700000000"] * 20  # misses
    it = iter(probes * 2)
    indexed, indexed_cpu = timed_cpu(
        lambda: ownership_match(ownership_keys(phones=[next(it)], name="某某商贸有限公司")), len(probes)
    )
    scan_it = iter(probes)
    scan = timed(lambda: list(Customer.objects.filter(phone__icontains=next(scan_it).replace("-", "")[-8:])[:1]), 20)
    pk = timed(lambda: Customer.objects.get(pk=first + rng.randrange(N)), 200)
    print(
        f"ownership lookup (indexed keys): p95 {p95(indexed):.2f} ms wall, {p95(indexed_cpu):.2f} ms CPU "
        f"over {len(indexed)} probes (target < 20 ms)"
    )
    print(f"baseline primary-key lookup:     p95 {p95(pk):.2f} ms")
    print(f"baseline full-scan icontains:    p95 {p95(scan):.1f} ms over {len(scan)} probes")


if __name__ == "__main__":
    main()
