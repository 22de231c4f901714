"""ABC classification on hand-checked cases."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salesops.core.abc import AbcRow, abc_classify, abc_table


def classes(entities, values, **cutoffs):
    return [(row.entity, row.abc_class) for row in abc_classify(entities=entities, values=values, **cutoffs)]


def test_ranks_by_value_and_grades_by_share_of_entities_above():
    # given values summing to 100: shares equal values
    entities = ["e1", "e2", "e3", "e4", "e5", "e6"]
    values = [5, 35, 20, 10, 25, 5]

    # when
    rows = abc_classify(entities=entities, values=values)

    # then: order 35, 25, 20, 10, 5 (e1), 5 (e6); share above: 0, 35, 60, 80, 90, 95
    assert rows == [
        AbcRow("e2", 35.0, 35.0, 35.0, "A"),
        AbcRow("e5", 25.0, 25.0, 60.0, "A"),
        AbcRow("e3", 20.0, 20.0, 80.0, "B"),
        AbcRow("e4", 10.0, 10.0, 90.0, "C"),
        AbcRow("e1", 5.0, 5.0, 95.0, "C"),
        AbcRow("e6", 5.0, 5.0, 100.0, "C"),
    ]


def test_share_above_exactly_at_cutoff_is_not_below_it():
    # share above "b" is exactly 40 -> B; share above "d" is exactly 80 -> C
    assert classes(["a", "b", "c", "d"], [40, 20, 20, 20]) == [("a", "A"), ("b", "B"), ("c", "B"), ("d", "C")]


def test_exact_boundary_survives_floating_point_sums():
    # 0.1 + 0.3 is not exactly 0.4 in binary floating point, but it is 40% of 1.0
    assert classes(["a", "b", "c"], [0.3, 0.1, 0.6]) == [("c", "A"), ("a", "B"), ("b", "C")]
    assert classes(["a", "b", "c", "d"], [0.1, 0.3, 0.2, 0.4]) == [
        ("d", "A"),
        ("b", "B"),
        ("c", "B"),
        ("a", "C"),
    ]


def test_ties_are_broken_by_name_whatever_the_input_order():
    forward = classes(["b", "a", "c"], [10, 10, 10])
    backward = classes(["c", "a", "b"], [10, 10, 10])
    # shares above: a 0, b 33.3, c 66.7
    assert forward == backward == [("a", "A"), ("b", "A"), ("c", "B")]


def test_single_entity_is_a_with_full_share():
    assert abc_classify(entities=["only"], values=[7]) == [AbcRow("only", 7.0, 100.0, 100.0, "A")]


def test_zero_total_grades_everything_c_with_zero_shares():
    rows = abc_classify(entities=["b", "a"], values=[0, 0])
    assert rows == [AbcRow("a", 0.0, 0.0, 0.0, "C"), AbcRow("b", 0.0, 0.0, 0.0, "C")]


def test_zero_values_after_positive_ones_are_c():
    assert classes(["a", "b", "c"], [100, 0, 0]) == [("a", "A"), ("b", "C"), ("c", "C")]


def test_custom_cutoffs():
    # shares above: 0, 40, 70, 90
    assert classes(["a", "b", "c", "d"], [40, 30, 20, 10], a_cutoff=70, b_cutoff=95) == [
        ("a", "A"),
        ("b", "A"),
        ("c", "B"),
        ("d", "B"),
    ]
    assert classes(["a", "b", "c", "d"], [40, 30, 20, 10], a_cutoff=10, b_cutoff=90) == [
        ("a", "A"),
        ("b", "B"),
        ("c", "B"),
        ("d", "C"),
    ]


def test_empty_input_gives_empty_result():
    assert abc_classify(entities=[], values=[]) == []
    table = abc_table(entities=[], values=[])
    assert list(table.columns) == ["entity", "value", "share", "cumulative_share", "class"]
    assert len(table) == 0


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ([1, -2], "value of 'b' is negative (-2); ABC needs non-negative values"),
        ([1, float("nan")], "value of 'b' is not a finite number"),
        ([1, float("inf")], "value of 'b' is not a finite number"),
    ],
)
def test_rejects_bad_values(values, message):
    with pytest.raises(ValueError) as error:
        abc_classify(entities=["a", "b"], values=values)
    assert str(error.value) == message


def test_rejects_duplicate_entities():
    with pytest.raises(ValueError, match="^entity 'a' appears more than once$"):
        abc_classify(entities=["a", "b", "a"], values=[1, 2, 3])


def test_rejects_mismatched_lengths():
    with pytest.raises(ValueError, match="same length"):
        abc_classify(entities=["a", "b"], values=[1])


@pytest.mark.parametrize(
    ("a_cutoff", "b_cutoff", "message"),
    [
        (80, 40, r"A cut-off \(80\) must be below the B cut-off \(40\)"),
        (40, 40, r"A cut-off \(40\) must be below the B cut-off \(40\)"),
        (40, 120, r"B cut-off must be a percentage in \(0, 100\], got 120"),
        (0, 80, r"A cut-off must be a percentage in \(0, 100\], got 0"),
    ],
)
def test_rejects_bad_cutoffs(a_cutoff, b_cutoff, message):
    with pytest.raises(ValueError, match=message):
        abc_classify(entities=["a"], values=[1], a_cutoff=a_cutoff, b_cutoff=b_cutoff)


def slow_reference(entities, values, a_cutoff=40.0, b_cutoff=80.0):
    ranked = sorted(zip(entities, values, strict=True), key=lambda pair: (-pair[1], pair[0]))
    total = sum(values)
    result, above = [], 0
    for entity, value in ranked:
        if total == 0:
            grade = "C"
        elif above * 100 < a_cutoff * total:
            grade = "A"
        elif above * 100 < b_cutoff * total:
            grade = "B"
        else:
            grade = "C"
        result.append((entity, grade))
        above += value
    return result


@settings(max_examples=100, deadline=None)
@given(
    st.dictionaries(
        st.text(st.characters(min_codepoint=32), min_size=1, max_size=3),
        st.integers(min_value=0, max_value=50),
        max_size=30,
    )
)
def test_matches_a_plain_python_reference_on_integers(data):
    entities, values = list(data), list(data.values())
    assert classes(entities, values) == slow_reference(entities, values)


def test_cumulative_share_ends_at_100_and_is_monotonic():
    rng = np.random.default_rng(3)
    values = rng.gamma(0.5, 100.0, 1000)
    table = abc_table(entities=[f"x{i}" for i in range(1000)], values=values)
    assert table["cumulative_share"].iloc[-1] == 100.0
    assert (np.diff(table["cumulative_share"]) >= 0).all()
    assert table["share"].sum() == pytest.approx(100.0)
    assert list(table["class"].unique()) == ["A", "B", "C"]


def test_ties_between_ids_are_broken_by_the_given_names_then_by_id():
    # ids 3, 1, 2 with equal values: by name beta (2) < delta (3) < gamma (1), not by id
    rows = abc_classify(entities=["3", "1", "2", "4"], values=[10, 10, 10, 5], names=["delta", "gamma", "beta", "x"])
    assert [(row.entity, row.abc_class) for row in rows] == [("2", "A"), ("3", "A"), ("1", "B"), ("4", "C")]
    # equal names too: by id
    same = abc_classify(entities=["3", "1", "2"], values=[10, 10, 10], names=["同名", "同名", "同名"])
    assert [row.entity for row in same] == ["1", "2", "3"]


def test_names_must_be_one_per_entity():
    with pytest.raises(ValueError, match="one per entity"):
        abc_classify(entities=["a", "b"], values=[1, 2], names=["x"])
