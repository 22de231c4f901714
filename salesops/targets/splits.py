"""Splitting an amount into parts that add up exactly: largest-remainder rounding.

A target of ¥1,000,000.00 split over 12 months, or 1,000 units over 3 reps, must give parts
that add up to the whole to the last cent (or unit): rounding each part on its own does not
(3 × 333.33 = 999.99). Each part first gets its share rounded down to the step (0.01 for
money, 1 for units); the steps left over go, one each, to the parts with the largest
remainders (ties: the earlier part). Weights are any non-negative numbers; when they are all
zero the split is even.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_FLOOR, Decimal

CENT = Decimal("0.01")
UNIT = Decimal("1")


class SplitError(ValueError):
    """The weights cannot be used (negative, none, or not numbers)."""


def split(total: Decimal, weights: Sequence, *, step: Decimal = CENT) -> list[Decimal]:
    """`total` in parts proportional to `weights`, each a multiple of `step`, adding up to
    `total` exactly. `total` must itself be a multiple of `step`; it may be negative."""
    if not weights:
        raise SplitError("no parts to split into")
    total = Decimal(total)
    if total % step:
        raise SplitError(f"{total} is not a multiple of {step}")
    try:
        shares = [Decimal(str(weight)) for weight in weights]
    except ArithmeticError as error:
        raise SplitError(str(error)) from None
    if any(not share.is_finite() or share < 0 for share in shares):
        raise SplitError("weights must be finite and not negative")
    if not any(shares):
        shares = [Decimal(1)] * len(shares)
    if total < 0:
        return [-part for part in split(-total, shares, step=step)]
    steps = int(total / step)
    whole = sum(shares)
    exact = [Decimal(steps) * share / whole for share in shares]
    floors = [int(value.to_integral_value(rounding=ROUND_FLOOR)) for value in exact]
    left = steps - sum(floors)
    by_remainder = sorted(range(len(shares)), key=lambda index: (-(exact[index] - floors[index]), index))
    for index in by_remainder[:left]:
        floors[index] += 1
    return [step * count for count in floors]


def split_year(total: Decimal, month_weights: Sequence, *, step: Decimal = CENT) -> tuple[list[Decimal], list[Decimal]]:
    """A year's `total` first into its four quarters (each weighted by its three months), then
    each quarter into its three months: (quarters, months). The quarters add up exactly to the
    year and each quarter's months exactly to the quarter, both by largest remainder."""
    if len(month_weights) != 12:
        raise SplitError("a year has twelve months")
    try:
        shares = [Decimal(str(weight)) for weight in month_weights]
    except ArithmeticError as error:
        raise SplitError(str(error)) from None
    if any(not share.is_finite() or share < 0 for share in shares):
        raise SplitError("weights must be finite and not negative")
    if not any(shares):
        shares = [Decimal(1)] * 12
    quarters = split(total, [sum(shares[q * 3 : q * 3 + 3]) for q in range(4)], step=step)
    months: list[Decimal] = []
    for q, amount in enumerate(quarters):
        months += split(amount, shares[q * 3 : q * 3 + 3], step=step)
    return quarters, months
