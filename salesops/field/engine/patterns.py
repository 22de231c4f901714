"""Visiting patterns: which days of a cycle an outlet is visited on.

An outlet visited k times in a cycle of D working days is visited on one of the k-subsets
of the days whose gaps, counted around the cycle (the cycle repeats), are all ⌊D/k⌋ or
⌈D/k⌉: its visits are as evenly spread as the calendar allows. Three visits a week in a
two-week cycle of five-day weeks (k = 6, D = 10) give patterns such as Mon-Wed-Fri / Tue-Thu,
twice a week (k = 4) Mon-Thu / Mon-Wed, once every two weeks (k = 1) any single day.
"""

from __future__ import annotations

import itertools
from functools import cache

MAX_PATTERNS = 400


@cache
def spread_patterns(visits: int, days: int) -> tuple[tuple[int, ...], ...]:
    """Every evenly spread set of `visits` days (0-based, sorted) out of `days`."""
    if not 1 <= visits <= days:
        raise ValueError(f"{visits} visits do not fit in a cycle of {days} days")
    low = days // visits
    extra = days - low * visits  # this many gaps are one day longer
    found: set[tuple[int, ...]] = set()
    for longer in itertools.combinations(range(visits), extra):
        gaps = [low + (1 if i in longer else 0) for i in range(visits)]
        for start in range(days):
            day, chosen = start, []
            for gap in gaps:
                chosen.append(day % days)
                day += gap
            found.add(tuple(sorted(chosen)))
            if len(found) >= MAX_PATTERNS:
                return tuple(sorted(found))
    return tuple(sorted(found))
