"""Route cycles for many reps at once, as the background task plans them: each rep's
territory planned by the engine in parallel worker processes (spawned, framework-free).

    .venv/bin/python bench/field_routes_many.py [--reps 200] [--outlets 150] [--seconds 3] [--workers 2]

Prints the wall time, the throughput, and the baseline of the same work in one process
(measured on the first --baseline reps and scaled).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import multiprocessing
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from field_routes import problem_for, territory  # noqa: E402

from salesops.field.engine.routes import plan_routes  # noqa: E402


def plan_one(args):
    seed, outlets, seconds = args
    ids, lat, lon, classes = territory(outlets, seed=seed)
    problem = problem_for(ids, lat, lon, classes)
    plan = plan_routes(problem, time_limit=seconds)
    return plan.total_km, max(plan.work_minutes), len(plan.overtime_days(problem.shape.day_minutes))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reps", type=int, default=200)
    parser.add_argument("--outlets", type=int, default=150)
    parser.add_argument("--seconds", type=float, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--baseline", type=int, default=4)
    args = parser.parse_args()
    jobs = [(seed, args.outlets, args.seconds) for seed in range(args.reps)]
    started = time.perf_counter()
    for job in jobs[: args.baseline]:
        plan_one(job)
    one_process = (time.perf_counter() - started) / args.baseline * args.reps
    started = time.perf_counter()
    done, longest, over_reps, over_days = 0, 0.0, 0, 0
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(max_workers=args.workers, mp_context=context) as pool:
        for _km, day, overtime in pool.map(plan_one, jobs):
            done += 1
            longest = max(longest, day)
            over_reps += bool(overtime)
            over_days += overtime
            if done % 20 == 0:
                print(f"  {done}/{args.reps} reps planned, {time.perf_counter() - started:.0f} s", flush=True)
    wall = time.perf_counter() - started
    print(
        f"{args.reps} reps x {args.outlets} outlets, {args.seconds:g} s per rep, {args.workers} workers: "
        f"{wall:.0f} s wall ({args.reps / wall * 60:.1f} reps/min); one process (baseline, scaled from "
        f"{args.baseline} reps): {one_process:.0f} s; longest day {longest:.0f} min; reps with a day over "
        f"the working time: {over_reps} ({over_days} days)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
