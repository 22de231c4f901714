"""MRP benchmark: 20,000 items, 6 BOM levels, about 60,000 BOM lines, 52 weekly periods.

Generates the data set deterministically (fixed seed), writes the CSV files of
`salesops mrp` to a temporary directory, then times in the same run:
  - the vectorised engine from CSV: read and check the files, plan, write planned.csv;
  - the vectorised engine alone on the problem in memory;
  - the per-item pure-Python reference implementation on the same problem in memory;
and checks that both give the same planned orders. Then real units: the same data with whole
units for counted items (order multiple 1), packs of 6/12/24 and minimum order quantities on a
share of them and yields below 100 % on made items, planned by today's engine, against the
engine of `--baseline-commit` (the engine before real units, loaded from git) on the plain
data, both in this run: the ratio is the cost of planning in real units.

    .venv/bin/python bench/mrp.py [--items 20000] [--reference-fraction 1.0] [--baseline-commit REV]

--reference-fraction below 1 runs the reference on the end items of that fraction of the
data set (with everything below them) and scales its time up by the item-period ratio;
the output says so.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib.util
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from salesops.planning.engine.mrp import MrpProblem, run_mrp  # noqa: E402
from salesops.planning.engine.mrp_io import read_mrp_csv, write_planned_orders  # noqa: E402
from salesops.planning.engine.mrp_reference import run_mrp_reference  # noqa: E402

SEED = 20240601
# The engine before planning in real units: the baseline of the real-units figure.
BASELINE_COMMIT = "5cb9d73"
LEVEL_SHARES = (0.05, 0.10, 0.15, 0.20, 0.25, 0.25)
LINES_PER_ITEM = 3.0
PERIODS = 52


def generate(*, n_items: int, seed: int = SEED) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    sizes = np.floor(np.asarray(LEVEL_SHARES) * n_items).astype(int)
    sizes[-1] += n_items - sizes.sum()
    level = np.repeat(np.arange(len(sizes)), sizes)
    starts = np.concatenate(([0], np.cumsum(sizes)))
    codes = np.array([f"P{k:06d}" for k in rng.permutation(n_items)])  # names unrelated to levels

    # Every item below level 0 has a parent one level up, so there are exactly 6 levels;
    # the other lines go from any level to any deeper one (mostly the next), so many
    # components are used at several levels.
    lines: set[tuple[int, int]] = set()
    for lv in range(1, len(sizes)):
        children = np.arange(starts[lv], starts[lv + 1])
        parents = rng.integers(starts[lv - 1], starts[lv], size=children.size)
        lines.update(zip(parents.tolist(), children.tolist(), strict=True))
    target = int(LINES_PER_ITEM * n_items)
    while len(lines) < target:
        k = target - len(lines)
        parents = rng.integers(0, starts[-2], size=k)
        depth = 1 + rng.choice(3, size=k, p=[0.7, 0.2, 0.1])
        child_level = np.minimum(level[parents] + depth, len(sizes) - 1)
        children = starts[child_level] + (rng.random(k) * sizes[child_level]).astype(int)
        lines.update(zip(parents.tolist(), children.tolist(), strict=True))
    pairs = np.array(sorted(lines))
    bom = pd.DataFrame(
        {"parent": codes[pairs[:, 0]], "component": codes[pairs[:, 1]], "qty_per": rng.integers(1, 4, len(pairs))}
    )

    foq = rng.random(n_items) < 0.5
    items = pd.DataFrame(
        {
            "item": codes,
            "lead_time": rng.integers(0, 5, n_items),
            "lot_rule": np.where(foq, "FOQ", "LFL"),
            "lot_qty": np.where(foq, rng.choice([10, 25, 50, 100, 250, 500, 1000], n_items), 0),
            "on_hand": rng.integers(0, 500, n_items),
            "safety_stock": np.where(rng.random(n_items) < 0.3, rng.integers(1, 100, n_items), 0),
        }
    )

    # End items: weekly demand in most weeks; 10 % of the other items have service demand.
    end_items = np.arange(starts[1])
    e_item = np.repeat(end_items, PERIODS)
    e_period = np.tile(np.arange(1, PERIODS + 1), end_items.size)
    e_qty = rng.integers(0, 60, e_item.size) * (rng.random(e_item.size) < 0.8)
    service = rng.choice(np.arange(starts[1], n_items), size=(n_items - starts[1]) // 10, replace=False)
    s_item = np.repeat(service, 4)
    s_period = rng.integers(1, PERIODS + 1, s_item.size)
    s_qty = rng.integers(1, 30, s_item.size)
    keep = np.concatenate((e_qty > 0, np.ones(s_item.size, dtype=bool)))
    demand = pd.DataFrame(
        {
            "item": codes[np.concatenate((e_item, s_item))][keep],
            "period": np.concatenate((e_period, s_period))[keep],
            "quantity": np.concatenate((e_qty, s_qty))[keep],
        }
    )
    with_receipts = rng.choice(n_items, size=n_items // 10, replace=False)
    receipts = pd.DataFrame(
        {
            "item": codes[with_receipts],
            "period": rng.integers(1, 7, with_receipts.size),
            "quantity": rng.integers(10, 500, with_receipts.size),
        }
    )
    return {"items": items, "bom": bom, "demand": demand, "receipts": receipts}


def subset(problem: MrpProblem, *, fraction: float) -> MrpProblem:
    """The end items of `fraction` of the data set with everything reachable below them."""
    n = problem.n_items
    is_end = ~np.isin(np.arange(n), problem.bom_component)
    ends = np.flatnonzero(is_end)
    keep = np.zeros(n, dtype=bool)
    keep[ends[: max(1, int(len(ends) * fraction))]] = True
    children: list[list[int]] = [[] for _ in range(n)]
    for p, c in zip(problem.bom_parent.tolist(), problem.bom_component.tolist(), strict=True):
        children[p].append(c)
    stack = list(np.flatnonzero(keep))
    while stack:
        for c in children[stack.pop()]:
            if not keep[c]:
                keep[c] = True
                stack.append(c)
    new_index = np.full(n, -1)
    new_index[keep] = np.arange(keep.sum())
    lines = keep[problem.bom_parent] & keep[problem.bom_component]
    return MrpProblem(
        items=[code for code, k in zip(problem.items, keep, strict=True) if k],
        lead_time=problem.lead_time[keep],
        lot_rule=problem.lot_rule[keep],
        lot_qty=problem.lot_qty[keep],
        on_hand=problem.on_hand[keep],
        safety_stock=problem.safety_stock[keep],
        bom_parent=new_index[problem.bom_parent[lines]],
        bom_component=new_index[problem.bom_component[lines]],
        bom_qty_per=problem.bom_qty_per[lines],
        demand=problem.demand[keep],
        receipts=problem.receipts[keep],
    )


def with_real_units(problem: MrpProblem, *, seed: int = SEED) -> MrpProblem:
    """The problem in real units: LFL items counted in whole units (30 % in packs of 6, 12 or
    24), 30 % with a minimum order quantity, the items that have components at 90–99 % yield."""
    rng = np.random.default_rng(seed + 1)
    n = problem.n_items
    multiple = np.where(rng.random(n) < 0.3, rng.choice([6.0, 12.0, 24.0], n), 1.0)
    minimum = np.where(rng.random(n) < 0.3, rng.choice([50.0, 100.0, 200.0], n), 0.0)
    made = np.isin(np.arange(n), problem.bom_parent)
    yields = np.where(made, rng.integers(90, 100, n) / 100.0, 1.0)
    return dataclasses.replace(problem, min_order_qty=minimum, order_multiple=multiple, yield_rate=yields)


def load_engine(commit: str):
    """The MRP engine module as it was at `commit` (git show), for the baseline."""
    root = Path(__file__).resolve().parent.parent
    source = subprocess.run(
        ["git", "show", f"{commit}:salesops/planning/engine/mrp.py"], cwd=root, check=True, capture_output=True
    ).stdout
    path = Path(tempfile.mkdtemp()) / f"mrp_{commit}.py"
    path.write_bytes(source)
    spec = importlib.util.spec_from_file_location(f"mrp_{commit}", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def baseline_problem(module, problem: MrpProblem):
    plain = {f.name: getattr(problem, f.name) for f in dataclasses.fields(module.MrpProblem)}
    return module.MrpProblem(**plain)


def best_of(runs: int, function):
    """(best wall seconds, CPU seconds of that run, value). CPU time is printed too because
    wall time on a busy shared machine says more about the neighbours than about the code."""
    best = (float("inf"), float("inf"))
    value = None
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        value = function()
        best = min(best, (time.perf_counter() - wall, time.process_time() - cpu))
    return best[0], best[1], value


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=20_000)
    parser.add_argument("--reference-fraction", type=float, default=1.0)
    parser.add_argument("--runs", type=int, default=3, help="engine runs; the best time is reported")
    parser.add_argument("--baseline-commit", default=BASELINE_COMMIT, help="engine version of the baseline")
    args = parser.parse_args()

    frames = generate(n_items=args.items)
    with tempfile.TemporaryDirectory() as directory:
        folder = Path(directory)
        for name, frame in frames.items():
            frame.to_csv(folder / f"{name}.csv", index=False)
        paths = {name: folder / f"{name}.csv" for name in frames}

        def from_csv():
            problem = read_mrp_csv(
                items=paths["items"], bom=paths["bom"], demand=paths["demand"], receipts=paths["receipts"]
            )
            result = run_mrp(problem=problem)
            write_planned_orders(result=result, path=folder / "planned.csv")
            return problem, result

        csv_seconds, csv_cpu, (problem, result) = best_of(args.runs, from_csv)
    engine_seconds, engine_cpu, result = best_of(args.runs, lambda: run_mrp(problem=problem))
    levels = int(result.low_level_code.max()) + 1
    print(
        f"data: {problem.n_items} items, {levels} BOM levels, {problem.bom_parent.size} BOM lines, "
        f"{problem.n_periods} periods, {int((problem.lot_rule == 'FOQ').sum())} FOQ / "
        f"{int((problem.lot_rule == 'LFL').sum())} LFL items, seed {SEED}"
    )
    print(
        f"planned orders: {len(result.planned_orders)}, past due: {int(result.planned_orders.past_due.sum())}, "
        f"exceptions: {len(result.exceptions)}"
    )
    print(
        f"engine from CSV (read + check + plan + write planned.csv), best of {args.runs}: "
        f"{csv_seconds:.3f} s wall, {csv_cpu:.3f} s CPU"
    )
    print(f"engine alone (in memory), best of {args.runs}: {engine_seconds:.3f} s wall, {engine_cpu:.3f} s CPU")

    reference_problem = problem if args.reference_fraction >= 1 else subset(problem, fraction=args.reference_fraction)
    reference_seconds, reference_cpu, reference = best_of(1, lambda: run_mrp_reference(problem=reference_problem))
    if reference_problem is problem:
        same = result.planned_orders.as_tuples(problem.items) == [
            (o.item, o.release_period, o.receipt_period, o.quantity, o.past_due) for o in reference.planned_orders
        ]
        print(
            f"reference (per-item pure Python, in memory), 1 run: {reference_seconds:.3f} s wall, "
            f"{reference_cpu:.3f} s CPU; same planned orders: {'yes' if same else 'NO'}"
        )
        scaled, scaled_cpu = reference_seconds, reference_cpu
    else:
        share = reference_problem.n_items / problem.n_items
        scaled, scaled_cpu = reference_seconds / share, reference_cpu / share
        print(
            f"reference (per-item pure Python) on a subset of {reference_problem.n_items} items "
            f"({share:.1%}): {reference_seconds:.3f} s wall, {reference_cpu:.3f} s CPU; scaled to the full "
            f"set: {scaled:.3f} s wall, {scaled_cpu:.3f} s CPU (not compared: different problem)"
        )
        same = True
    print(
        f"speed-up, engine alone vs reference: {scaled / engine_seconds:.1f}x wall, {scaled_cpu / engine_cpu:.1f}x CPU"
    )
    print(
        f"speed-up, engine from CSV vs reference in memory: {scaled / csv_seconds:.1f}x wall, "
        f"{scaled_cpu / csv_cpu:.1f}x CPU"
    )

    real = with_real_units(problem)
    old = load_engine(args.baseline_commit)
    old_problem = baseline_problem(old, problem)
    old_seconds, old_cpu, _ = best_of(args.runs, lambda: old.run_mrp(problem=old_problem))
    real_seconds, real_cpu, real_result = best_of(args.runs, lambda: run_mrp(problem=real))
    quantities = real_result.planned_orders.quantity
    multiples = np.take(real.order_multiple, real_result.planned_orders.item)
    foq = np.take(real.lot_rule, real_result.planned_orders.item) == "FOQ"
    steps = np.where(foq, np.take(real.lot_qty, real_result.planned_orders.item), multiples)
    whole = bool(np.all(np.abs(quantities / steps - np.round(quantities / steps)) < 1e-9))
    reference_real = run_mrp_reference(problem=real) if args.reference_fraction >= 1 else None
    same_real = reference_real is None or real_result.planned_orders.as_tuples(real.items) == [
        (o.item, o.release_period, o.receipt_period, o.quantity, o.past_due) for o in reference_real.planned_orders
    ]
    compared = "not compared (subset)" if reference_real is None else ("yes" if same_real else "NO")
    print(
        f"baseline: engine at {args.baseline_commit} (no real units) on the plain data, best of {args.runs}: "
        f"{old_seconds:.3f} s wall, {old_cpu:.3f} s CPU"
    )
    print(
        f"real units (whole units, packs, minimums, yields), best of {args.runs}: {real_seconds:.3f} s wall, "
        f"{real_cpu:.3f} s CPU; {len(real_result.planned_orders)} planned orders, all whole multiples of their "
        f"step: {'yes' if whole else 'NO'}; same as the reference: {compared}"
    )
    print(
        f"real units vs baseline: {real_seconds / old_seconds:.2f}x wall, {real_cpu / old_cpu:.2f}x CPU (bound: 1.2x)"
    )
    return 0 if same and same_real and whole else 1


if __name__ == "__main__":
    sys.exit(main())
