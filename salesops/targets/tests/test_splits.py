"""Splits add up exactly to the whole, in cents and in units, whatever the weights."""

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from salesops.targets.splits import CENT, UNIT, SplitError, split, split_year

cents = st.integers(min_value=-(10**13), max_value=10**13).map(lambda n: Decimal(n) * CENT)
units = st.integers(min_value=0, max_value=10**9).map(Decimal)
weights = st.lists(
    st.one_of(st.integers(min_value=0, max_value=10**6), st.decimals(min_value=0, max_value=10**6, places=4)),
    min_size=1,
    max_size=40,
)

# The machine is shared: generating the inputs may be slow, which says nothing about split().
relaxed = settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)


@relaxed
@given(total=cents, weights=weights)
def test_money_parts_add_up_exactly_and_are_whole_cents(total, weights):
    parts = split(total, weights)
    assert sum(parts) == total
    assert len(parts) == len(weights)
    assert all(part % CENT == 0 for part in parts)


@relaxed
@given(total=units, weights=weights)
def test_unit_parts_add_up_exactly_and_are_whole_units(total, weights):
    parts = split(total, weights, step=UNIT)
    assert sum(parts) == total
    assert all(part == part.to_integral_value() for part in parts)


@relaxed
@given(total=cents.filter(lambda t: t >= 0), weights=weights)
def test_each_part_is_within_one_step_of_its_exact_share(total, weights):
    parts = split(total, weights)
    shares = [Decimal(str(w)) for w in weights]
    whole = sum(shares)
    for part, share in zip(parts, shares, strict=True):
        exact = total * share / whole if whole else total / len(shares)
        assert abs(part - exact) < CENT


@relaxed
@given(total=cents, weights=st.lists(st.integers(min_value=0, max_value=10**6), min_size=12, max_size=12))
def test_a_year_splits_into_quarters_and_months_that_add_up_exactly(total, weights):
    quarters, months = split_year(total, weights)
    assert len(quarters) == 4 and len(months) == 12
    assert sum(quarters) == total
    for q, quarter in enumerate(quarters):
        assert sum(months[q * 3 : q * 3 + 3]) == quarter
    assert all(part % CENT == 0 for part in months)
    whole = sum(weights)
    for q, quarter in enumerate(quarters):  # each quarter within a cent of its exact share
        share = sum(weights[q * 3 : q * 3 + 3])
        exact = total * share / whole if whole else total / 4
        assert abs(quarter - exact) < CENT


def test_a_year_of_a_million_and_a_cent():
    quarters, months = split_year(Decimal("1000000.01"), [1] * 12)
    assert quarters == [Decimal("250000.01")] + [Decimal("250000.00")] * 3
    assert months[:3] == [Decimal("83333.34"), Decimal("83333.34"), Decimal("83333.33")]
    with pytest.raises(SplitError):
        split_year(Decimal("1.00"), [1] * 11)


def test_three_thirds_of_a_hundred():
    assert split(Decimal("100.00"), [1, 1, 1]) == [Decimal("33.34"), Decimal("33.33"), Decimal("33.33")]


def test_largest_remainder_wins_the_spare_cent():
    assert split(Decimal("0.10"), [1, 2, 7]) == [Decimal("0.01"), Decimal("0.02"), Decimal("0.07")]
    assert split(Decimal("1.00"), [1, 1, 1, 3]) == [Decimal("0.17"), Decimal("0.17"), Decimal("0.16"), Decimal("0.50")]


def test_all_zero_weights_split_evenly():
    assert split(Decimal("10"), [0, 0], step=UNIT) == [Decimal("5"), Decimal("5")]


@pytest.mark.parametrize(
    "total, weights",
    [(Decimal("1.00"), []), (Decimal("1.00"), [-1, 2]), (Decimal("1.001"), [1]), (Decimal("1.00"), ["x"])],
)
def test_unusable_input_is_refused(total, weights):
    with pytest.raises(SplitError):
        split(total, weights)
