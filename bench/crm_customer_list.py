"""Customer list with 100,000 customers: p95 of the rendered page and of the list API
(supervisor, rep, director; first page, deep page, sorts, filters, searches) vs a baseline
request in the same run (the bare count of one team's customers).

Run: ``cd bench && ../.venv/bin/python crm_customer_list.py [customers]``
(CRM_BENCH_VAR=<dir> keeps the generated database for the next run.)"""

import random
import sys
import time

from crm_common import org, p95, setup, timed_cpu

N = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
REPEAT = 20


def _generate(people):
    from salesops.core.text import search_key
    from salesops.crm.models import Customer

    reps = [people["rep1"], people["rep2"], people["rep3"]]
    rng = random.Random(3)
    names = ["华联超市", "永辉便利店", "好又多餐厅", "金龙批发部", "东方商贸有限公司"]
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
                    grade=rng.choice(["A", "B", "C", "C", ""]),
                    search_key=search_key(name, f"L{i:07d}", "上海"),
                )
            )
        Customer.objects.bulk_create(rows)


def main():
    setup("list")
    from django.test import Client

    from salesops.crm.models import Customer

    people = org()
    start = time.perf_counter()
    if Customer.objects.count() < N:
        _generate(people)
        print(f"generated {N:,} customers in {time.perf_counter() - start:.1f} s")
    else:
        print(f"reusing {Customer.objects.count():,} customers")
    urls = [
        "/customers/",
        "/customers/?page=40",
        "/customers/?sort=-name",
        "/customers/?sort=code",
        "/customers/?sort=owner",
        "/customers/?status=active",
        "/customers/?grade=A&status=active",
        "/customers/?q=hlcs",
        "/customers/?q=华联",
        "/customers/?q=L0099",
        "/api/v1/customers/",
        "/api/v1/customers/?search=华联",
        "/api/v1/customers/?status=active&ordering=-name",
    ]
    worst = 0.0
    baseline_team = people["rep1"].org_unit
    base_wall, base_cpu = timed_cpu(lambda: Customer.objects.filter(team=baseline_team).count(), REPEAT)
    print(f"baseline: count of one team's customers p95 {p95(base_wall):.1f} ms wall, {p95(base_cpu):.1f} ms CPU")
    for username in ("supervisor1", "rep1", "director"):
        client = Client()
        client.force_login(people[username])
        for url in urls:
            assert client.get(url).status_code == 200, url
            wall, cpu = timed_cpu(lambda url=url, client=client: client.get(url), REPEAT)
            worst = max(worst, p95(wall))
            print(
                f"{username:<12} GET {url:<52} p95 {p95(wall):6.1f} ms wall {p95(cpu):6.1f} ms CPU "
                f"({p95(wall) / p95(base_wall):.1f}x baseline)"
            )
    print(f"worst p95 {worst:.1f} ms (target < 300 ms); baseline count query p95 {p95(base_wall):.1f} ms")


if __name__ == "__main__":
    main()
