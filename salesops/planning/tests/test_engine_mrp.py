"""MRP engine: hand-checked cases, and the vectorised engine against the per-item reference."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salesops.planning.engine.mrp import (
    BomCycleError,
    MrpInputError,
    MrpItem,
    RoutingStep,
    build_problem,
    peg_planned_orders,
    peg_table,
    rough_cut_capacity,
    run_mrp,
)
from salesops.planning.engine.mrp_reference import peg_planned_orders_reference, run_mrp_reference


def two_level_problem():
    """A needs 2 B and 1 C; B needs 3 C: C is used at levels 1 and 2 and has stock."""
    return build_problem(
        items=[
            MrpItem("A", lead_time=1),
            MrpItem("B", lead_time=1, lot_rule="FOQ", lot_qty=25, on_hand=10),
            MrpItem("C", lead_time=2, on_hand=40, safety_stock=5),
        ],
        bom=[("A", "B", 2), ("A", "C", 1), ("B", "C", 3)],
        demand={("A", 3): 10, ("A", 5): 20},
        periods=5,
    )


def orders(result):
    return result.planned_orders.as_tuples(result.items)


def row(result, name, item):
    return getattr(result.records, name)[result.items.index(item)].tolist()


def test_component_at_two_levels_with_stock_is_netted_once_with_all_its_requirements():
    # Given C used directly in A (level 1) and inside B (level 2), with 40 on hand
    result = run_mrp(problem=two_level_problem())

    # Then C gets the deepest low-level code and every requirement before it is netted:
    # A releases 10 in period 2 and 20 in period 4 (1 C each); B releases FOQ 25 in
    # periods 1 and 3 (3 C each): 75, 10, 75, 20.
    assert result.low_level_code.tolist() == [0, 1, 2]
    assert row(result, "gross_requirements", "C") == [75, 10, 75, 20, 0]
    # 40 on hand less 75 leaves -35; keeping 5 of safety stock needs 40 in period 1, …
    assert row(result, "net_requirements", "C") == [40, 10, 75, 20, 0]
    assert row(result, "projected_on_hand", "C") == [5, 5, 5, 5, 5]
    assert orders(result) == [
        ("A", 2, 3, 10.0, False),
        ("A", 4, 5, 20.0, False),
        # B: 20 needed in period 2 less 10 on hand = 10 -> one lot of 25 (15 left);
        # 40 needed in period 4 less 15 = 25 -> one lot of 25.
        ("B", 1, 2, 25.0, False),
        ("B", 3, 4, 25.0, False),
        # C has a 2-period lead time: the receipts in periods 1 and 2 are past due.
        ("C", 1, 1, 40.0, True),
        ("C", 1, 2, 10.0, True),
        ("C", 1, 3, 75.0, False),
        ("C", 2, 4, 20.0, False),
    ]
    assert row(result, "planned_order_releases", "C") == [125, 20, 0, 0, 0]


def test_low_level_code_is_the_deepest_use():
    problem = build_problem(
        items=[MrpItem(code, lead_time=0) for code in ("END", "SUB", "PART", "RAW")],
        bom=[("END", "SUB", 1), ("SUB", "PART", 1), ("PART", "RAW", 1), ("END", "RAW", 1)],
        demand={("END", 1): 1},
        periods=1,
    )
    assert run_mrp(problem=problem).low_level_code.tolist() == [0, 1, 2, 3]


@pytest.mark.parametrize(
    ("demand", "lot_qty", "expected"),
    [(30, 25, 50.0), (50, 25, 50.0), (51, 25, 75.0), (1, 100, 100.0)],
)
def test_foq_orders_the_smallest_multiple_of_the_lot_that_covers_the_net_requirement(demand, lot_qty, expected):
    problem = build_problem(
        items=[MrpItem("X", lead_time=0, lot_rule="FOQ", lot_qty=lot_qty)], bom=[], demand={("X", 1): demand}, periods=1
    )
    result = run_mrp(problem=problem)
    assert orders(result) == [("X", 1, 1, expected, False)]
    assert row(result, "projected_on_hand", "X") == [expected - demand]


def test_foq_surplus_covers_later_periods():
    problem = build_problem(
        items=[MrpItem("X", lead_time=1, lot_rule="FOQ", lot_qty=40)],
        bom=[],
        demand={("X", 2): 15, ("X", 3): 15, ("X", 4): 15},
        periods=4,
    )
    result = run_mrp(problem=problem)
    assert orders(result) == [("X", 1, 2, 40.0, False), ("X", 3, 4, 40.0, False)]
    assert row(result, "projected_on_hand", "X") == [0, 25, 10, 35]


def test_float_noise_does_not_trigger_a_lot():
    problem = build_problem(
        items=[MrpItem("X", lead_time=0, lot_rule="FOQ", lot_qty=10, on_hand=0.3)],
        bom=[],
        demand={("X", 1): 0.1, ("X", 2): 0.2},
        periods=2,
    )
    assert orders(run_mrp(problem=problem)) == []


def test_safety_stock_is_kept_and_restored_in_period_one():
    # Given 4 on hand against a safety stock of 10, and demand 6 in period 2
    problem = build_problem(
        items=[MrpItem("X", lead_time=0, on_hand=4, safety_stock=10)],
        bom=[],
        demand={("X", 2): 6},
        periods=3,
    )
    result = run_mrp(problem=problem)
    # Then 6 arrive in period 1 to restore the safety stock and 6 more in period 2
    assert orders(result) == [("X", 1, 1, 6.0, False), ("X", 2, 2, 6.0, False)]
    assert row(result, "projected_on_hand", "X") == [10, 10, 10]


def test_lead_time_offsets_the_release():
    problem = build_problem(items=[MrpItem("X", lead_time=3)], bom=[], demand={("X", 5): 7}, periods=6)
    result = run_mrp(problem=problem)
    assert orders(result) == [("X", 2, 5, 7.0, False)]
    assert row(result, "planned_order_releases", "X") == [0, 7, 0, 0, 0, 0]


def test_past_due_release_is_kept_in_period_one_and_flagged():
    # Given demand in period 2 and a 3-period lead time: the order should have gone out in period -1
    problem = build_problem(
        items=[MrpItem("X", lead_time=3), MrpItem("Y", lead_time=0)],
        bom=[("X", "Y", 2)],
        demand={("X", 2): 5},
        periods=3,
    )
    result = run_mrp(problem=problem)
    assert orders(result) == [("X", 1, 2, 5.0, True), ("Y", 1, 1, 10.0, False)]
    assert result.planned_orders.due_release_period.tolist() == [-1, 1]
    (exception,) = result.exceptions
    assert (exception.kind, exception.item, exception.period, exception.quantity) == ("past_due", "X", 2, 5.0)
    assert exception.message == (
        "X: planned order of 5 due in period 2 should have been released in period -1; released now (period 1)"
    )


def test_scheduled_receipts_are_netted_and_reschedule_messages_given():
    problem = build_problem(
        items=[MrpItem("LATE", lead_time=0), MrpItem("EARLY", lead_time=0), MrpItem("SPARE", lead_time=0)],
        bom=[],
        demand={("LATE", 2): 10, ("EARLY", 3): 10},
        receipts={("LATE", 4): 10, ("EARLY", 1): 10, ("SPARE", 2): 5},
        periods=4,
    )
    result = run_mrp(problem=problem)
    # The late receipt does not cover period 2, so MRP plans an order there and says "reschedule in".
    assert orders(result) == [("LATE", 2, 2, 10.0, False)]
    assert [(e.kind, e.item, e.period, e.to_period) for e in result.exceptions] == [
        ("reschedule_in", "LATE", 4, 2),
        ("reschedule_out", "EARLY", 1, 3),
        ("reschedule_out", "SPARE", 2, None),
    ]
    assert result.exceptions[2].message == "SPARE: scheduled receipt of 5 in period 2 is not needed within the horizon"


def test_bom_cycle_is_named():
    problem = build_problem(
        items=[MrpItem(code, lead_time=0) for code in ("A", "B", "C", "D")],
        bom=[("D", "A", 1), ("A", "B", 1), ("B", "C", 1), ("C", "A", 2)],
        demand={("D", 1): 1},
        periods=1,
    )
    with pytest.raises(BomCycleError, match=r"^BOM cycle: A -> B -> C -> A$"):
        run_mrp(problem=problem)
    with pytest.raises(BomCycleError, match=r"^BOM cycle: A -> B -> C -> A$"):
        run_mrp_reference(problem=problem)


def test_self_reference_is_a_cycle():
    problem = build_problem(items=[MrpItem("A", lead_time=0)], bom=[("A", "A", 1)], demand={}, periods=1)
    with pytest.raises(BomCycleError, match=r"^BOM cycle: A -> A$"):
        run_mrp(problem=problem)


def test_foq_without_lot_size_is_refused():
    problem = build_problem(items=[MrpItem("X", lead_time=0, lot_rule="FOQ")], bom=[], demand={}, periods=1)
    with pytest.raises(MrpInputError, match="FOQ needs a lot_qty above 0"):
        run_mrp(problem=problem)


def test_pegging_follows_fifo_from_safety_stock_to_later_requirements():
    problem = two_level_problem()
    result = run_mrp(problem=problem)
    pegs = peg_planned_orders(problem=problem, result=result, items=["B", "C"])
    assert [(p.item, p.receipt_period, p.quantity, p.source, p.source_item, p.source_period) for p in pegs] == [
        # B's first lot: 10 for A's order released in period 2, 15 toward the one released in period 4
        ("B", 2, 10.0, "parent", "A", 2),
        ("B", 2, 15.0, "parent", "A", 4),
        ("B", 4, 25.0, "parent", "A", 4),
        # C's 40 on hand hold the 5 of safety stock and 35 of B's 75; the planned 40 cover the rest
        ("C", 1, 40.0, "parent", "B", 1),
        ("C", 2, 10.0, "parent", "A", 2),
        ("C", 3, 75.0, "parent", "B", 3),
        ("C", 4, 20.0, "parent", "A", 4),
    ]
    assert pegs[0].parent_receipt_period == 3


def test_pegging_reports_independent_demand_and_lot_surplus():
    problem = build_problem(
        items=[MrpItem("X", lead_time=0, lot_rule="FOQ", lot_qty=50)], bom=[], demand={("X", 1): 30}, periods=1
    )
    result = run_mrp(problem=problem)
    pegs = peg_planned_orders(problem=problem, result=result)
    assert [(p.source, p.source_item, p.source_period, p.quantity) for p in pegs] == [
        ("demand", "X", 1, 30.0),
        ("stock", None, None, 20.0),
    ]


def test_rough_cut_capacity_loads_releases_on_work_centres():
    result = run_mrp(problem=two_level_problem())
    load = rough_cut_capacity(
        result=result,
        routing=[RoutingStep("A", "ASSY", 0.5), RoutingStep("B", "MACH", 2.0), RoutingStep("B", "ASSY", 0.2)],
        capacity={"ASSY": 10, "MACH": [60, 60, 40, 60, 60]},
    )
    assert load.work_centres == ["ASSY", "MACH"]
    # A releases 10 (p2) and 20 (p4); B releases 25 (p1) and 25 (p3)
    assert load.load.tolist() == [[5.0, 5.0, 5.0, 10.0, 0.0], [50.0, 0.0, 50.0, 0.0, 0.0]]
    assert load.overloads() == [("MACH", 3, 50.0, 40.0)]


# Property: the vectorised engine and the per-item reference give identical plans.


@st.composite
def random_problems(draw):
    n = draw(st.integers(min_value=1, max_value=8))
    periods = draw(st.integers(min_value=1, max_value=8))
    items = []
    for k in range(n):
        rule = draw(st.sampled_from(["LFL", "FOQ"]))
        items.append(
            MrpItem(
                f"I{k}",
                lead_time=draw(st.integers(0, 3)),
                lot_rule=rule,
                lot_qty=draw(st.integers(1, 30)) if rule == "FOQ" else 0,
                on_hand=draw(st.integers(0, 40)),
                safety_stock=draw(st.sampled_from([0, 0, 3, 10])),
                min_order_qty=draw(st.sampled_from([0, 0, 5, 12])),
                order_multiple=draw(st.sampled_from([0, 0, 1, 6, 0.5])),
                yield_rate=draw(st.sampled_from([1.0, 1.0, 0.9, 0.75])),
            )
        )
    # Edges only from a lower to a higher index keep the graph acyclic; shuffled names keep
    # the item order unrelated to the levels.
    edges = draw(
        st.lists(
            st.tuples(st.integers(0, n - 1), st.integers(0, n - 1), st.integers(1, 4)).filter(lambda e: e[0] < e[1]),
            max_size=3 * n,
        )
    )
    permutation = draw(st.permutations(range(n)))
    items = [items[permutation[k]] for k in range(n)]
    names = [items[k].item for k in range(n)]
    cells = st.dictionaries(
        st.tuples(st.sampled_from(names), st.integers(1, periods)), st.integers(1, 50), max_size=2 * n
    )
    return build_problem(
        items=items,
        bom=[(names[p], names[c], q) for p, c, q in edges],
        demand=draw(cells),
        receipts=draw(cells),
        periods=periods,
    )


@settings(max_examples=200, deadline=None)
@given(problem=random_problems())
def test_engine_matches_the_reference_implementation(problem):
    result = run_mrp(problem=problem)
    reference = run_mrp_reference(problem=problem)
    assert orders(result) == [
        (o.item, o.release_period, o.receipt_period, o.quantity, o.past_due) for o in reference.planned_orders
    ]
    for i, item in enumerate(problem.items):
        for name, values in reference.records[item].items():
            assert getattr(result.records, name)[i].tolist() == values, (item, name)
    assert result.low_level_code.tolist() == [reference.low_level_code[item] for item in problem.items]


@settings(max_examples=200, deadline=None)
@given(problem=random_problems(), data=st.data())
def test_vectorised_pegging_matches_the_per_item_fifo_loop(problem, data):
    result = run_mrp(problem=problem)
    items = data.draw(st.none() | st.lists(st.sampled_from(problem.items), unique=True))
    pegs = peg_planned_orders(problem=problem, result=result, items=items)
    reference = peg_planned_orders_reference(problem=problem, result=result, items=items)
    if items is not None:  # the reference follows the order of `items`, the engine the item order
        position = {code: k for k, code in enumerate(problem.items)}
        reference = sorted(reference, key=lambda peg: position[peg.item])
    # The staircase merge and the loop add up fractional (yield) quantities in another order:
    # the same shares, equal to the last bits.
    assert [replace(peg, quantity=0) for peg in pegs] == [replace(peg, quantity=0) for peg in reference]
    assert [peg.quantity for peg in pegs] == pytest.approx([peg.quantity for peg in reference], rel=1e-12)
    # every planned order is pegged exactly: its shares add up to its quantity
    table = peg_table(problem=problem, result=result)
    shares = np.bincount(table.order, weights=table.quantity, minlength=len(result.planned_orders))
    assert np.allclose(shares, result.planned_orders.good_quantity)


def test_planned_receipts_keep_projected_on_hand_at_or_above_safety_stock():
    problem = two_level_problem()
    result = run_mrp(problem=problem)
    assert np.all(result.records.projected_on_hand >= problem.safety_stock[:, None])


# --- real units ------------------------------------------------------------------------------------------
def single(item: MrpItem, demand: dict, periods: int = 2):
    return run_mrp(problem=build_problem(items=[item], bom=[], demand=demand, periods=periods))


def test_counted_items_are_ordered_in_whole_units():
    result = single(MrpItem("BOX", lead_time=0, order_multiple=1), {("BOX", 1): 189.678})
    assert [o[3] for o in orders(result)] == [190.0]


def test_minimum_then_multiple():
    # need 7 → minimum 20 → next multiple of 6 is 24
    result = single(MrpItem("POUCH", lead_time=0, min_order_qty=20, order_multiple=6), {("POUCH", 1): 7})
    assert [o[3] for o in orders(result)] == [24.0]
    assert row(result, "projected_on_hand", "POUCH") == [17.0, 17.0]


def test_yield_orders_more_and_components_follow_the_order():
    problem = build_problem(
        items=[
            MrpItem("FLOUR", lead_time=0, order_multiple=1, yield_rate=0.8),
            MrpItem("WHEAT", lead_time=0),
        ],
        bom=[("FLOUR", "WHEAT", 1.25)],
        demand={("FLOUR", 1): 100},
        periods=1,
    )
    result = run_mrp(problem=problem)
    # 100 good bags at 80 % yield: start 125; 125 × 1.25 kg of wheat
    assert orders(result) == [("FLOUR", 1, 1, 125.0, False), ("WHEAT", 1, 1, 156.25, False)]
    assert result.planned_orders.good_quantity.tolist()[0] == 100.0
    assert row(result, "projected_on_hand", "FLOUR") == [0.0]


@pytest.mark.parametrize("field, value", [("min_order_qty", -1), ("order_multiple", -2), ("yield_rate", 0)])
def test_out_of_range_units_are_refused(field, value):
    with pytest.raises(MrpInputError):
        single(MrpItem("X", lead_time=0, **{field: value}), {("X", 1): 1})
