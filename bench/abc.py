"""Benchmark: ABC classification of 100,000 entities.

Prints the time of :func:`salesops.core.abc.abc_table` (ranking with ties by name, shares,
classes as a DataFrame) and of :func:`salesops.core.abc.abc_classify` (the same, returned as
a list of rows), and as a baseline, in the same run, the time of a plain ``sorted()`` of the
same values. Each is the best of 5 runs (wall and CPU time), so that other load on the
machine counts less.

Data (fixed seed): sales amounts drawn from a gamma distribution (a few large customers,
many small ones), rounded to whole units so that ties occur; names in random order.

Run: ``.venv/bin/python bench/abc.py [--entities 100000]``
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from salesops.core.abc import abc_classify, abc_table  # noqa: E402


def best_of(*, runs: int, action: Callable[[], object]) -> tuple[float, float]:
    """Best wall time and best CPU time (this process) over ``runs`` runs."""
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        action()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return min(walls), min(cpus)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entities", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    rng = np.random.default_rng(7)
    values = np.round(rng.gamma(shape=0.6, scale=20_000.0, size=args.entities))
    names = [f"C{index:07d}" for index in rng.permutation(args.entities)]
    value_list = values.tolist()

    table = abc_table(entities=names, values=values)
    counts = table["class"].value_counts().sort_index().to_dict()
    ties = int(args.entities - len(np.unique(values)))
    print(f"{args.entities:,} entities ({ties:,} tied values), classes {counts}")

    table_wall, table_cpu = best_of(runs=args.runs, action=lambda: abc_table(entities=names, values=values))
    rows_wall, rows_cpu = best_of(runs=args.runs, action=lambda: abc_classify(entities=names, values=values))
    sorted_wall, sorted_cpu = best_of(runs=args.runs, action=lambda: sorted(value_list, reverse=True))
    print(f"load average {os.getloadavg()[0]:.1f}; best of {args.runs}:   wall        CPU")
    print(f"abc_table (DataFrame):     {1000 * table_wall:8.1f} ms {1000 * table_cpu:8.1f} ms")
    print(f"abc_classify (row list):   {1000 * rows_wall:8.1f} ms {1000 * rows_cpu:8.1f} ms")
    print(f"baseline sorted(values):   {1000 * sorted_wall:8.1f} ms {1000 * sorted_cpu:8.1f} ms")
    print(f"ratio abc_table / sorted:  {table_wall / sorted_wall:8.1f}    {table_cpu / sorted_cpu:8.1f}")


if __name__ == "__main__":
    main()
