"""Route-cycle planning for one rep: 150 outlets (15 A, 30 B, 105 C) in an 8 km × 8 km
territory around People's Square, Shanghai, two-week cycle of five days, 10-minute visits,
480-minute days, 30 km/h with road factor 1.3.

Prints the plan found with --time-limit (default 30 s), the best of a much longer run
(--long, default 300 s), and the naive order (round-robin days, list order) as the baseline.

    .venv/bin/python bench/field_routes.py [--time-limit 30] [--long 300] [--csv outlets.csv]
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from salesops.field.engine.routes import CycleShape, Problem, evaluate, naive_days, plan_routes  # noqa: E402

CENTRE = (31.2304, 121.4737)


def territory(n: int = 150, seed: int = 7) -> tuple[list[str], np.ndarray, np.ndarray, list[str]]:
    rng = np.random.default_rng(seed)
    half_lat, half_lon = 4 / 110.57, 4 / (111.32 * np.cos(np.radians(CENTRE[0])))
    lat = CENTRE[0] + rng.uniform(-half_lat, half_lat, n)
    lon = CENTRE[1] + rng.uniform(-half_lon, half_lon, n)
    classes = ["A"] * (n // 10) + ["B"] * (n // 5)
    classes += ["C"] * (n - len(classes))
    order = rng.permutation(n)
    return [f"O{i + 1:03d}" for i in range(n)], lat, lon, [classes[i] for i in order]


def problem_for(ids, lat, lon, classes, *, visit_minutes: int = 10) -> Problem:
    visits = {"A": 6, "B": 4, "C": 1}
    return Problem(
        ids=ids,
        lat=lat,
        lon=lon,
        visits=np.array([visits[c] for c in classes]),
        visit_minutes=np.full(len(ids), float(visit_minutes)),
        depot=CENTRE,
        shape=CycleShape(weeks=2, days_per_week=5, day_minutes=480),
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--time-limit", type=float, default=30)
    parser.add_argument("--long", type=float, default=300)
    parser.add_argument("--csv", help="also write the outlets as a CSV for `salesops routes`")
    args = parser.parse_args()
    ids, lat, lon, classes = territory()
    if args.csv:
        with open(args.csv, "w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["outlet", "lat", "lon", "class"])
            writer.writerows(zip(ids, np.round(lat, 6), np.round(lon, 6), classes, strict=True))
    problem = problem_for(ids, lat, lon, classes)
    naive = evaluate(problem, naive_days(problem))
    started = time.perf_counter()
    plan = plan_routes(problem, time_limit=args.time_limit)
    seconds = time.perf_counter() - started
    print(f"outlets {problem.size}, visits {int(problem.visits.sum())}, days {problem.shape.days}")
    print(f"naive order (baseline)      {naive.total_km:8.1f} km")
    print(
        f"plan --time-limit {args.time_limit:<5g}    {plan.total_km:8.1f} km in {seconds:5.1f} s, "
        f"longest day {max(plan.work_minutes):.0f} min, naive/plan {naive.total_km / plan.total_km:.2f}"
    )
    if args.long:
        started = time.perf_counter()
        best = plan_routes(problem, time_limit=args.long, seed=1)
        seconds = time.perf_counter() - started
        print(
            f"plan --time-limit {args.long:<5g}    {best.total_km:8.1f} km in {seconds:5.1f} s, "
            f"short run is {100 * (plan.total_km / best.total_km - 1):+.1f} % of the long run"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
