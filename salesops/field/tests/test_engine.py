"""The route engine on small territories: every outlet gets exactly its visits, spread as the
patterns say, days within the working time, better than the naive order; clear errors."""

import numpy as np
import pytest

from salesops.field.engine.patterns import spread_patterns
from salesops.field.engine.routes import (
    CycleShape,
    PlanningError,
    Problem,
    evaluate,
    insert_outlets,
    naive_days,
    plan_routes,
)

CENTRE = (31.23, 121.47)


def territory(n=40, seed=3, visits=None, minutes=15.0):
    rng = np.random.default_rng(seed)
    lat = CENTRE[0] + rng.uniform(-0.03, 0.03, n)
    lon = CENTRE[1] + rng.uniform(-0.03, 0.03, n)
    if visits is None:
        visits = rng.choice([6, 4, 1], size=n, p=[0.1, 0.2, 0.7])
    return Problem(
        ids=[f"O{i}" for i in range(n)],
        lat=lat,
        lon=lon,
        visits=np.array(visits),
        visit_minutes=np.full(n, minutes),
        depot=CENTRE,
        shape=CycleShape(weeks=2, days_per_week=5, day_minutes=480),
    )


def test_spread_patterns_are_even():
    for pattern in spread_patterns(6, 10):
        gaps = [(pattern[(i + 1) % 6] - pattern[i]) % 10 for i in range(6)]
        assert set(gaps) <= {1, 2}
    assert spread_patterns(2, 10) == ((0, 5), (1, 6), (2, 7), (3, 8), (4, 9))
    assert len(spread_patterns(1, 10)) == 10


def test_plan_visits_every_outlet_exactly_its_frequency_within_the_day():
    problem = territory()
    plan = plan_routes(problem, time_limit=3)
    counts = np.zeros(problem.size, dtype=int)
    for day in plan.days:
        assert len(day) == len(set(day))
        for outlet in day:
            counts[outlet] += 1
    assert counts.tolist() == problem.visits.tolist()
    for outlet in range(problem.size):
        days = tuple(sorted(d for d, day in enumerate(plan.days) if outlet in day))
        assert days in spread_patterns(int(problem.visits[outlet]), 10)
    assert plan.overtime_days(480) == []
    naive = evaluate(problem, naive_days(problem))
    assert plan.total_km < naive.total_km * 0.6


def test_insert_outlets_keeps_the_other_stops_in_place():
    problem = territory(n=20, visits=[4] * 5 + [1] * 15)
    plan = plan_routes(problem, time_limit=2)
    without = [[o for o in day if o != 19] for day in plan.days]
    problem.visits[19] = 4  # class change C → B
    days = insert_outlets(problem, without, [19])
    assert sum(19 in day for day in days) == 4
    for before, after in zip(without, days, strict=True):
        assert [o for o in after if o != 19] == before


def test_errors_name_the_outlet():
    far = territory(n=3, visits=[1, 1, 1])
    far.lat[1] = 39.9  # Beijing: no round trip from Shanghai fits in a day
    far._km = None
    with pytest.raises(PlanningError, match="'O1' cannot fit in a day"):
        plan_routes(far, time_limit=1)
    bad = territory(n=3, visits=[1, 11, 1])
    with pytest.raises(PlanningError, match="'O1': 11 visits"):
        plan_routes(bad, time_limit=1)
    crowded = territory(n=40, visits=[10] * 40, minutes=30)
    with pytest.raises(PlanningError, match="the visits alone take"):
        plan_routes(crowded, time_limit=1)
