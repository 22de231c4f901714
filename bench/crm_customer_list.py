"""Customer list page with 100,000 customers: p95 of the rendered page (supervisor, first
page, search, sort, filter) vs a baseline of the bare count query, same run."""

import random
import sys
import time

from crm_common import org, p95, setup, timed

N = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000


def main():
    setup("list")
    from django.test import Client

    from salesops.core.text import search_key
    from salesops.crm.models import Customer

    people = org()
    reps = [people["rep1"], people["rep2"], people["rep3"]]
    rng = random.Random(3)
    names = ["华联超市", "永辉便利店", "好又多餐厅", "金龙批发部", "东方商贸有限公司"]
    start = time.perf_counter()
    for offset in range(0, N, 10_000):
        rows = []
        for i in range(offset, min(offset + 10_000, N)):
            rep = reps[i % 3]
            name = f"{rng.choice(['上海', '杭州'])}{rng.choice(names)}{i}"
            rows.append(
                Customer(
                    code=f"L{i:07d}",
                    name=name,
                    owner=rep,
                    team=rep.org_unit,
                    city="上海",
                    phone=f"139{i:08d}",
                    status=rng.choice(["active", "prospect"]),
                    search_key=search_key(name, f"L{i:07d}", "上海"),
                )
            )
        Customer.objects.bulk_create(rows)
    print(f"generated {N:,} customers in {time.perf_counter() - start:.1f} s")
    client = Client()
    client.force_login(people["supervisor1"])
    urls = [
        "/customers/",
        "/customers/?page=40",
        "/customers/?sort=-name",
        "/customers/?status=active",
        "/customers/?q=hlcs",
        "/customers/?q=华联",
    ]
    results = {}
    for url in urls:
        samples = timed(lambda url=url: client.get(url), 20)
        results[url] = p95(samples)
        print(f"GET {url:<28} p95 {results[url]:.1f} ms")
    baseline = timed(lambda: Customer.objects.filter(team=people["rep1"].org_unit).count(), 20)
    print(
        f"worst page p95 {max(results.values()):.1f} ms (target < 300 ms); "
        f"baseline count query p95 {p95(baseline):.1f} ms"
    )


if __name__ == "__main__":
    main()
