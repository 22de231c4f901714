"""A straightforward per-item MRP in plain Python: the test oracle and the benchmark baseline.

It implements the method described in `salesops.planning.engine.mrp` the way one would
write it first: low-level codes by a memoised depth-first walk up the parents (a node met
again while still on the walk is a BOM cycle), then item after item in low-level-code
order, period after period, with Python floats and lists, exploding each item's releases
to its components line by line. No numpy in the planning itself.

The arithmetic is written in the same order as the vectorised engine, so on the same input
both give the same planned orders; the property tests rely on that.
"""

from __future__ import annotations

import math
import sys
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from salesops.planning.engine.mrp import (
    EPSILON,
    BomCycleError,
    MrpInputError,
    MrpProblem,
    MrpResult,
    Peg,
    canonical_loop,
)


@dataclass(frozen=True)
class ReferencePlannedOrder:
    item: str
    release_period: int
    receipt_period: int
    quantity: float
    past_due: bool


@dataclass(frozen=True)
class ReferenceResult:
    planned_orders: list[ReferencePlannedOrder]
    low_level_code: dict[str, int]
    # item -> row name -> one value per period
    records: dict[str, dict[str, list[float]]]


def low_level_codes_reference(*, items: list[str], bom: list[tuple[int, int, float]]) -> list[int]:
    parents: list[list[int]] = [[] for _ in items]
    for parent, component, _ in bom:
        parents[component].append(parent)
    codes: list[int | None] = [None] * len(items)
    on_walk: list[int] = []
    on_walk_set: set[int] = set()

    def code_of(item: int) -> int:
        known = codes[item]
        if known is not None:
            return known
        if item in on_walk_set:
            loop = on_walk[on_walk.index(item) :]
            raise BomCycleError(canonical_loop([items[i] for i in reversed(loop)]))
        on_walk.append(item)
        on_walk_set.add(item)
        value = 0
        for parent in parents[item]:
            value = max(value, code_of(parent) + 1)
        on_walk.pop()
        on_walk_set.discard(item)
        codes[item] = value
        return value

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 10 * len(items) + 1000))
    try:
        return [code_of(i) for i in range(len(items))]
    finally:
        sys.setrecursionlimit(limit)


def run_mrp_reference(*, problem: MrpProblem) -> ReferenceResult:
    items = list(problem.items)
    n = len(items)
    periods = problem.n_periods
    lead = problem.lead_time.tolist()
    rule = [str(r) for r in problem.lot_rule.tolist()]
    lot = problem.lot_qty.tolist()
    n_items = len(problem.items)
    minimum = [0.0] * n_items if problem.min_order_qty is None else problem.min_order_qty.tolist()
    multiple = [0.0] * n_items if problem.order_multiple is None else problem.order_multiple.tolist()
    yields = [1.0] * n_items if problem.yield_rate is None else problem.yield_rate.tolist()
    on_hand = problem.on_hand.tolist()
    safety = problem.safety_stock.tolist()
    gross = problem.demand.tolist()
    scheduled = problem.receipts.tolist()
    bom = list(
        zip(problem.bom_parent.tolist(), problem.bom_component.tolist(), problem.bom_qty_per.tolist(), strict=True)
    )
    for i in range(n):
        if rule[i] not in ("LFL", "FOQ"):
            raise MrpInputError(f"item {items[i]!r}: lot rule {rule[i]!r} is not LFL or FOQ")
        if rule[i] == "FOQ" and not lot[i] > 0:
            raise MrpInputError(f"item {items[i]!r}: FOQ needs a lot_qty above 0")

    codes = low_level_codes_reference(items=items, bom=bom)
    children: list[dict[int, float]] = [{} for _ in items]
    for parent, component, qty in bom:
        children[parent][component] = children[parent].get(component, 0.0) + qty

    orders: list[ReferencePlannedOrder] = []
    records: dict[str, dict[str, list[float]]] = {}
    for i in sorted(range(n), key=lambda k: codes[k]):
        balance = on_hand[i]
        projected, net, receipts = [0.0] * periods, [0.0] * periods, [0.0] * periods
        releases = [0.0] * periods
        for t in range(periods):
            available = balance + scheduled[i][t] - gross[i][t]
            shortage = safety[i] - available
            if shortage < EPSILON:
                shortage = 0.0
            order = shortage
            if shortage > 0:
                if yields[i] != 1.0:
                    order = shortage * (1.0 / yields[i])
                order = max(order, minimum[i])
                step = lot[i] if rule[i] == "FOQ" else multiple[i]
                if step > 0:
                    order = (math.ceil(order / step - EPSILON) + 0.0) * step
            receipt = order * yields[i] if yields[i] != 1.0 else order
            balance = available + receipt
            projected[t], net[t], receipts[t] = balance, shortage, receipt
            if order != 0:
                due = t - lead[i]
                releases[max(due, 0)] += order
                orders.append(
                    ReferencePlannedOrder(
                        item=items[i],
                        release_period=max(due, 0) + 1,
                        receipt_period=t + 1,
                        quantity=order,
                        past_due=due < 0,
                    )
                )
        for component, qty in children[i].items():
            row = gross[component]
            for t in range(periods):
                if releases[t]:
                    row[t] += qty * releases[t]
        records[items[i]] = {
            "gross_requirements": list(gross[i]),
            "scheduled_receipts": list(scheduled[i]),
            "projected_on_hand": projected,
            "net_requirements": net,
            "planned_order_receipts": receipts,
            "planned_order_releases": releases,
        }
    orders.sort(key=lambda o: (o.item, o.release_period, o.receipt_period))
    return ReferenceResult(
        planned_orders=orders,
        low_level_code={items[i]: codes[i] for i in range(n)},
        records=records,
    )


def peg_planned_orders_reference(
    *, problem: MrpProblem, result: MrpResult, items: Iterable[str] | None = None
) -> list[Peg]:
    """FIFO single-level pegging, per item and per share in plain Python: the oracle of `mrp.peg_table`."""
    index = {code: i for i, code in enumerate(problem.items)}
    wanted = range(problem.n_items) if items is None else [index[code] for code in items]
    orders = result.planned_orders
    orders_by_item: dict[int, list[tuple[int, int, float]]] = defaultdict(list)
    for i, release, receipt, qty in zip(
        orders.item.tolist(),
        orders.release_period.tolist(),
        orders.receipt_period.tolist(),
        orders.quantity.tolist(),
        strict=True,
    ):
        orders_by_item[i].append((release, receipt, qty))
    parents_of: dict[int, list[tuple[int, float]]] = defaultdict(list)
    for p, c, q in zip(
        problem.bom_parent.tolist(), problem.bom_component.tolist(), problem.bom_qty_per.tolist(), strict=True
    ):
        parents_of[c].append((p, q))

    pegs: list[Peg] = []
    for i in wanted:
        if i not in orders_by_item:
            continue
        code = problem.items[i]
        # Requirements in FIFO order: (period, rank, source, source item, parent receipt, quantity).
        requirements: list[tuple[int, int, str, str | None, int | None, float]] = []
        if problem.safety_stock[i] > 0:
            requirements.append((0, 0, "safety_stock", None, None, float(problem.safety_stock[i])))
        for t in np.flatnonzero(problem.demand[i] > 0).tolist():
            requirements.append((t + 1, 1, "demand", code, None, float(problem.demand[i, t])))
        for p, q in sorted(parents_of.get(i, []), key=lambda pq: problem.items[pq[0]]):
            for release, receipt, qty in orders_by_item.get(p, []):
                requirements.append((release, 2, "parent", problem.items[p], receipt, q * qty))
        requirements.sort(key=lambda r: (r[0], r[1], r[3] or "", r[4] or 0))

        supplies: list[tuple[int, int, float]] = [(0, 0, float(problem.on_hand[i]))]
        supplies += [(s + 1, 1, float(problem.receipts[i, s])) for s in np.flatnonzero(problem.receipts[i] > 0)]
        good = 1.0 if problem.yield_rate is None else float(problem.yield_rate[i])
        supplies += [(receipt, 2, qty * good if good != 1.0 else qty) for _, receipt, qty in orders_by_item[i]]
        supplies.sort(key=lambda s: (s[0], s[1]))

        r = 0
        left = requirements[0][5] if requirements else 0.0
        for period, kind, qty in supplies:
            remaining = qty
            while remaining > EPSILON and r < len(requirements):
                take = min(remaining, left)
                if kind == 2 and take > EPSILON:
                    req_period, _, source, source_item, parent_receipt, _ = requirements[r]
                    pegs.append(
                        Peg(
                            item=code,
                            receipt_period=period,
                            quantity=take,
                            source=source,
                            source_item=source_item,
                            source_period=req_period or None,
                            parent_receipt_period=parent_receipt,
                        )
                    )
                remaining -= take
                left -= take
                if left <= EPSILON:
                    r += 1
                    left = requirements[r][5] if r < len(requirements) else 0.0
            if kind == 2 and remaining > EPSILON:
                pegs.append(Peg(code, period, remaining, "stock", None, None))
    return pegs
