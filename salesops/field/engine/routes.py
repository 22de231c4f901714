"""Route cycles: every outlet visited exactly its number of times per cycle, each outlet's
visits evenly spread, each day within the working time, travel as short as we can make it.

The problem is a periodic vehicle-routing problem. It is solved in three phases that share
one time budget (`time_limit`):

1. **Visits to days** (OR-Tools CP-SAT). Each outlet chooses one of its evenly spread
   patterns (`patterns.spread_patterns`). Every day gets a geographic centre (weighted
   k-means over the outlets); choosing pattern p costs the distance from the outlet to the
   centres of p's days. Each day's estimated load (visit time + the outlet's share of travel,
   from its nearest neighbours) must stay within the working time. The centres are then moved
   to what was assigned and the model solved again, a few rounds. This is a linear model with
   one exactly-one choice per outlet: CP-SAT proves small instances optimal in well under a
   second and gives good solutions under a time limit on big ones.
2. **Each day's route** (OR-Tools routing solver): one vehicle leaving the home base and
   returning to it, arc cost in metres, a time dimension (travel + visit time) whose end has a
   soft upper bound at the working time, so an over-full day still gets a route and pays a
   penalty per minute over. First solution **PATH_CHEAPEST_ARC** (extend the route with the
   nearest next stop: for one vehicle with a wide time window it is the fastest start, within
   a few per cent of the final tour); metaheuristic **GUIDED_LOCAL_SEARCH** (penalises arcs
   that local optima keep using, so it escapes them; OR-Tools documents it as the most
   effective for vehicle routing, and for 30–60 stops it converges in a second or two).
3. **Local search over patterns**: with real routes known, an outlet's pattern is changed
   when removing it from its days and inserting it at the cheapest place in another pattern's
   days saves travel (overtime counts as a large cost); the days that changed are routed again
   with the routing solver; repeated while time remains. Longer runs do more rounds.

`insert_outlets` re-plans incrementally (a new outlet, a class change): the changed outlets
are placed in the pattern and positions of least added travel, every other stop stays where
it was. `naive_days` is the yardstick of the benchmarks: days assigned round-robin in list
order, each day visited in list order.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from salesops.field.engine.patterns import spread_patterns
from salesops.field.engine.travel import StraightLineTravel, TravelModel

OVERTIME_PENALTY_KM = 50.0  # a minute over the working day costs as much as 50 km of travel
ASSIGN_ROUNDS = 4


class PlanningError(ValueError):
    """The input cannot be planned; the message names the outlet or the limit."""


@dataclass(frozen=True)
class CycleShape:
    weeks: int = 2
    days_per_week: int = 5
    day_minutes: int = 480

    def __post_init__(self):
        if not 1 <= self.weeks <= 8:
            raise PlanningError(f"a cycle has 1 to 8 weeks, got {self.weeks}")
        if not 1 <= self.days_per_week <= 7:
            raise PlanningError(f"a week has 1 to 7 working days, got {self.days_per_week}")
        if not 60 <= self.day_minutes <= 24 * 60:
            raise PlanningError(f"a working day has 60 to 1440 minutes, got {self.day_minutes}")

    @property
    def days(self) -> int:
        return self.weeks * self.days_per_week


@dataclass
class Problem:
    ids: Sequence[str]
    lat: np.ndarray
    lon: np.ndarray
    visits: np.ndarray  # visits per cycle
    visit_minutes: np.ndarray
    depot: tuple[float, float]
    shape: CycleShape = field(default_factory=CycleShape)
    travel: TravelModel = field(default_factory=StraightLineTravel)

    def __post_init__(self):
        self.lat = np.asarray(self.lat, dtype=float)
        self.lon = np.asarray(self.lon, dtype=float)
        self.visits = np.asarray(self.visits, dtype=int)
        self.visit_minutes = np.asarray(self.visit_minutes, dtype=float)
        self._km: np.ndarray | None = None
        self._minutes: np.ndarray | None = None

    @property
    def size(self) -> int:
        return len(self.ids)

    def matrices(self) -> tuple[np.ndarray, np.ndarray]:
        """(km, minutes) over the points [home base, outlet 0, outlet 1, …]."""
        if self._km is None:
            lat = np.concatenate([[self.depot[0]], self.lat])
            lon = np.concatenate([[self.depot[1]], self.lon])
            self._km, self._minutes = self.travel.matrix(lat, lon)
        return self._km, self._minutes


@dataclass
class Plan:
    """Each day's outlets (indices into the problem) in visiting order, with its figures."""

    days: list[list[int]]
    km: list[float]
    travel_minutes: list[float]
    work_minutes: list[float]
    arrivals: list[list[float]]  # minutes after the day's start at which each stop begins
    seconds: float = 0.0

    @property
    def total_km(self) -> float:
        return float(sum(self.km))

    @property
    def total_travel_minutes(self) -> float:
        return float(sum(self.travel_minutes))

    def overtime_days(self, day_minutes: int) -> list[int]:
        return [d for d, work in enumerate(self.work_minutes) if work > day_minutes + 1e-6]


# --- validation --------------------------------------------------------------------------------------
def validate(problem: Problem) -> None:
    """Refuse what cannot be planned, naming the first outlet or the limit at fault."""
    shape = problem.shape
    if problem.size == 0:
        raise PlanningError("no outlets to plan")
    if len(set(problem.ids)) != problem.size:
        seen: set[str] = set()
        duplicate = next(i for i in problem.ids if i in seen or seen.add(i))
        raise PlanningError(f"outlet {duplicate!r} appears twice")
    for name, values, low, high in [("latitude", problem.lat, -90, 90), ("longitude", problem.lon, -180, 180)]:
        bad = ~np.isfinite(values) | (values < low) | (values > high)
        if bad.any():
            index = int(bad.argmax())
            raise PlanningError(
                f"outlet {problem.ids[index]!r}: {name} {values[index]} is not between {low} and {high}"
            )
    for index, visits in enumerate(problem.visits.tolist()):
        if not 1 <= visits <= shape.days:
            raise PlanningError(
                f"outlet {problem.ids[index]!r}: {visits} visits do not fit in a cycle of {shape.days} days"
            )
    km, minutes = problem.matrices()
    round_trip = minutes[0, 1:] + minutes[1:, 0] + problem.visit_minutes
    if (round_trip > shape.day_minutes).any():
        index = int(round_trip.argmax())
        raise PlanningError(
            f"outlet {problem.ids[index]!r} cannot fit in a day: going there, visiting and coming back takes "
            f"{round_trip[index]:.0f} minutes, the working day has {shape.day_minutes}"
        )
    needed = float((problem.visits * problem.visit_minutes).sum())
    available = shape.days * shape.day_minutes
    if needed > available:
        raise PlanningError(
            f"the visits alone take {needed:.0f} minutes, the cycle's working time is {available} minutes: "
            "fewer outlets, shorter visits or a longer day"
        )


# --- figures ------------------------------------------------------------------------------------------
def evaluate(problem: Problem, days: list[list[int]], *, seconds: float = 0.0) -> Plan:
    km, minutes = problem.matrices()
    plan = Plan(days=[list(day) for day in days], km=[], travel_minutes=[], work_minutes=[], arrivals=[])
    for day in plan.days:
        nodes = [0, *(o + 1 for o in day), 0]
        plan.km.append(float(sum(km[a, b] for a, b in zip(nodes, nodes[1:], strict=False))))
        travel = [float(minutes[a, b]) for a, b in zip(nodes, nodes[1:], strict=False)]
        clock, arrivals = 0.0, []
        for position, outlet in enumerate(day):
            clock += travel[position]
            arrivals.append(clock)
            clock += float(problem.visit_minutes[outlet])
        plan.travel_minutes.append(float(sum(travel)))
        plan.work_minutes.append(clock + travel[-1])
        plan.arrivals.append(arrivals)
    plan.seconds = seconds
    return plan


def naive_days(problem: Problem) -> list[list[int]]:
    """The yardstick: the n-th outlet takes the n-th of its patterns (round-robin, so days are
    evenly loaded), and each day visits its outlets in list order."""
    days: list[list[int]] = [[] for _ in range(problem.shape.days)]
    counters: dict[int, int] = {}
    for outlet, visits in enumerate(problem.visits.tolist()):
        patterns = spread_patterns(visits, problem.shape.days)
        choice = counters.get(visits, 0)
        counters[visits] = choice + 1
        for day in patterns[choice % len(patterns)]:
            days[day].append(outlet)
    return days


# --- phase 1: visits to days ---------------------------------------------------------------------------
def _plane(problem: Problem) -> np.ndarray:
    """Outlet positions in km on a local plane around the home base (enough for clustering)."""
    lat0 = math.radians(problem.depot[0])
    x = (problem.lon - problem.depot[1]) * 111.32 * math.cos(lat0)
    y = (problem.lat - problem.depot[0]) * 110.57
    return np.column_stack([x, y])


def _kmeans(points: np.ndarray, weights: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    first = rng.choice(len(points), p=weights / weights.sum())
    centres = [points[first]]
    for _ in range(1, k):
        nearest = np.min(((points[:, None, :] - np.array(centres)[None, :, :]) ** 2).sum(-1), axis=1)
        chance = nearest * weights
        centres.append(points[rng.choice(len(points), p=chance / chance.sum())] if chance.sum() > 0 else points[0])
    centres_array = np.array(centres)
    for _ in range(20):
        label = ((points[:, None, :] - centres_array[None, :, :]) ** 2).sum(-1).argmin(axis=1)
        for c in range(k):
            members = label == c
            if members.any():
                centres_array[c] = np.average(points[members], axis=0, weights=weights[members])
    return centres_array


def _travel_share(problem: Problem) -> np.ndarray:
    """Each outlet's expected share of a day's travel: the mean time to its two nearest outlets."""
    _km, minutes = problem.matrices()
    between = minutes[1:, 1:].copy()
    np.fill_diagonal(between, np.inf)
    if problem.size < 3:
        return np.where(np.isfinite(between.min(axis=1)), between.min(axis=1), minutes[0, 1:])
    nearest = np.sort(between, axis=1)[:, :2]
    return nearest.mean(axis=1)


def assign_days(problem: Problem, *, time_limit: float, rng: np.random.Generator) -> list[tuple[int, ...]]:
    """Choose each outlet's pattern (CP-SAT), see phase 1 in the module docstring."""
    from ortools.sat.python import cp_model

    shape = problem.shape
    points = _plane(problem)
    weights = problem.visits.astype(float)
    clusters = min(shape.days, problem.size)
    centres = _kmeans(points, weights, clusters, rng)
    if clusters < shape.days:
        centres = np.vstack([centres] + [centres[:1]] * (shape.days - clusters))
    _km, minutes = problem.matrices()
    load = problem.visit_minutes + _travel_share(problem)
    from_base = np.linalg.norm(points, axis=1)
    minutes_per_plane_km = float(minutes[0, 1:].sum() / max(from_base.sum(), 1e-9))
    options = [spread_patterns(int(v), shape.days) for v in problem.visits.tolist()]
    chosen: list[tuple[int, ...]] | None = None
    deadline = time.perf_counter() + time_limit
    for round_number in range(ASSIGN_ROUNDS):
        remaining = deadline - time.perf_counter()
        if remaining <= 0 and chosen is not None:
            break
        # the home base is at the plane's origin: a day's round trip to its centre and back
        to_centre = np.linalg.norm(centres, axis=1) * 2 * minutes_per_plane_km
        distance = np.linalg.norm(points[:, None, :] - centres[None, :, :], axis=-1)  # outlet × day, km
        result = _solve_assignment(
            options=options,
            distance=distance,
            load=load,
            capacity=[max(shape.day_minutes - min(t, shape.day_minutes * 0.25), 1) for t in to_centre],
            time_limit=max(remaining / (ASSIGN_ROUNDS - round_number), 1.0),
            model_module=cp_model,
        )
        if result is None:
            result = _solve_assignment(
                options=options,
                distance=distance,
                load=problem.visit_minutes,
                capacity=[shape.day_minutes] * shape.days,
                time_limit=max(remaining, 2.0),
                model_module=cp_model,
            )
        if result is None:
            raise PlanningError(
                "the visits cannot be spread over the days within the working time: "
                "fewer outlets, shorter visits or a longer day"
            )
        if result == chosen:
            break
        chosen = result
        for day in range(shape.days):
            members = [o for o, pattern in enumerate(chosen) if day in pattern]
            if members:
                centres[day] = points[members].mean(axis=0)
    assert chosen is not None
    return chosen


def _solve_assignment(*, options, distance, load, capacity, time_limit, model_module):
    model = model_module.CpModel()
    choice = []
    per_day: list[list[tuple[object, int]]] = [[] for _ in range(len(capacity))]
    objective = []
    for outlet, patterns in enumerate(options):
        variables = [model.NewBoolVar(f"o{outlet}p{p}") for p in range(len(patterns))]
        model.AddExactlyOne(variables)
        choice.append(variables)
        weight = int(round(load[outlet] * 10))
        for variable, pattern in zip(variables, patterns, strict=True):
            objective.append(int(round(sum(distance[outlet, d] for d in pattern) * 1000)) * variable)
            for day in pattern:
                per_day[day].append((variable, weight))
    for day, terms in enumerate(per_day):
        model.Add(sum(weight * variable for variable, weight in terms) <= int(capacity[day] * 10))
    model.Minimize(sum(objective))
    for outlet, pattern_index in enumerate(_greedy(options=options, distance=distance, load=load, capacity=capacity)):
        for index, variable in enumerate(choice[outlet]):
            model.AddHint(variable, index == pattern_index)
    solver = model_module.CpSolver()
    solver.parameters.max_time_in_seconds = float(time_limit)
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = 1
    status = solver.Solve(model)
    if status not in (model_module.OPTIMAL, model_module.FEASIBLE):
        return None
    return [
        next(pattern for variable, pattern in zip(variables, options[o], strict=True) if solver.Value(variable))
        for o, variables in enumerate(choice)
    ]


def _greedy(*, options, distance, load, capacity) -> list[int]:
    """A starting point for CP-SAT: outlets with most visits first, each taking the closest
    pattern whose days still have room (the least-loaded pattern when none has)."""
    room = np.array(capacity, dtype=float)
    chosen = [0] * len(options)
    for outlet in sorted(range(len(options)), key=lambda o: -len(options[o][0])):
        costs = [sum(distance[outlet, d] for d in pattern) for pattern in options[outlet]]
        fitting = [i for i, pattern in enumerate(options[outlet]) if all(room[d] >= load[outlet] for d in pattern)]
        if fitting:
            best = min(fitting, key=costs.__getitem__)
        else:
            best = max(range(len(options[outlet])), key=lambda i: min(room[d] for d in options[outlet][i]))
        chosen[outlet] = best
        for day in options[outlet][best]:
            room[day] -= load[outlet]
    return chosen


# --- phase 2: one day's route ---------------------------------------------------------------------------
def route_day(problem: Problem, outlets: Sequence[int], *, time_limit: float, warm: bool = False) -> list[int]:
    """The visiting order of one day's outlets (routing solver, see phase 2). `warm`: start
    from the order given (the search only improves on it) instead of a first solution."""
    outlets = list(outlets)
    if len(outlets) <= 2:
        return outlets
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2

    km, minutes = problem.matrices()
    nodes = [0, *(o + 1 for o in outlets)]
    metres = np.rint(km[np.ix_(nodes, nodes)] * 1000).astype(np.int64)
    service = [0.0, *(float(problem.visit_minutes[o]) for o in outlets)]
    seconds = np.rint((minutes[np.ix_(nodes, nodes)] + np.array(service)[:, None]) * 60).astype(np.int64)
    manager = pywrapcp.RoutingIndexManager(len(nodes), 1, 0)
    routing = pywrapcp.RoutingModel(manager)
    metres_list, seconds_list = metres.tolist(), seconds.tolist()

    def distance(i, j):
        return metres_list[manager.IndexToNode(i)][manager.IndexToNode(j)]

    def duration(i, j):
        return seconds_list[manager.IndexToNode(i)][manager.IndexToNode(j)]

    routing.SetArcCostEvaluatorOfAllVehicles(routing.RegisterTransitCallback(distance))
    day_seconds = problem.shape.day_minutes * 60
    routing.AddDimension(routing.RegisterTransitCallback(duration), 0, day_seconds * 10, True, "time")
    dimension = routing.GetDimensionOrDie("time")
    dimension.SetCumulVarSoftUpperBound(routing.End(0), day_seconds, int(OVERTIME_PENALTY_KM * 1000 / 60) + 1)
    parameters = pywrapcp.DefaultRoutingSearchParameters()
    parameters.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    parameters.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    parameters.time_limit.FromMilliseconds(max(int(time_limit * 1000), 10))
    if warm:
        start = routing.ReadAssignmentFromRoutes([list(range(1, len(nodes)))], True)
        solution = routing.SolveFromAssignmentWithParameters(start, parameters)
    else:
        solution = routing.SolveWithParameters(parameters)
    if solution is None:  # cannot happen with soft bounds; keep the given order rather than fail
        return outlets
    order, index = [], routing.Start(0)
    index = solution.Value(routing.NextVar(index))
    while not routing.IsEnd(index):
        order.append(outlets[manager.IndexToNode(index) - 1])
        index = solution.Value(routing.NextVar(index))
    return order


# --- phase 3: local search over patterns ------------------------------------------------------------------
class _Days:
    """Day sequences with their travel and working minutes, for cheap move evaluation."""

    def __init__(self, problem: Problem, days: list[list[int]]):
        self.problem = problem
        self.km, self.minutes = problem.matrices()
        self.days = [list(day) for day in days]
        self.limit = problem.shape.day_minutes
        self.work = [self._work(day) for day in self.days]

    def _work(self, day: list[int]) -> float:
        nodes = [0, *(o + 1 for o in day), 0]
        travel = sum(self.minutes[a, b] for a, b in zip(nodes, nodes[1:], strict=False))
        return float(travel + sum(self.problem.visit_minutes[o] for o in day))

    def _penalty(self, work: float) -> float:
        return max(work - self.limit, 0.0) * OVERTIME_PENALTY_KM

    def removal(self, day: int, outlet: int) -> tuple[float, float]:
        """(cost change, work change) of taking `outlet` out of `day` (negative: saving)."""
        sequence = self.days[day]
        position = sequence.index(outlet)
        prev = 0 if position == 0 else sequence[position - 1] + 1
        nxt = 0 if position == len(sequence) - 1 else sequence[position + 1] + 1
        node = outlet + 1
        km = self.km[prev, nxt] - self.km[prev, node] - self.km[node, nxt]
        work = self.minutes[prev, nxt] - self.minutes[prev, node] - self.minutes[node, nxt]
        work -= self.problem.visit_minutes[outlet]
        penalty = self._penalty(self.work[day] + work) - self._penalty(self.work[day])
        return float(km + penalty), float(work)

    def insertion(self, day: int, outlet: int) -> tuple[float, float, int]:
        """(cost change, work change, position) of the cheapest insertion of `outlet` in `day`."""
        nodes = np.array([0, *(o + 1 for o in self.days[day]), 0])
        prev, nxt, node = nodes[:-1], nodes[1:], outlet + 1
        added = self.km[prev, node] + self.km[node, nxt] - self.km[prev, nxt]
        position = int(added.argmin())
        work = (
            self.minutes[prev[position], node]
            + self.minutes[node, nxt[position]]
            - self.minutes[prev[position], nxt[position]]
            + self.problem.visit_minutes[outlet]
        )
        penalty = self._penalty(self.work[day] + work) - self._penalty(self.work[day])
        return float(added[position] + penalty), float(work), position

    def remove(self, day: int, outlet: int) -> None:
        self.days[day].remove(outlet)
        self.work[day] = self._work(self.days[day])

    def insert(self, day: int, outlet: int, position: int) -> None:
        self.days[day].insert(position, outlet)
        self.work[day] = self._work(self.days[day])


def _pattern_of(days: list[list[int]], size: int) -> list[tuple[int, ...]]:
    found: list[list[int]] = [[] for _ in range(size)]
    for day, outlets in enumerate(days):
        for outlet in outlets:
            found[outlet].append(day)
    return [tuple(sorted(d)) for d in found]


def improve_patterns(
    problem: Problem, days: list[list[int]], *, deadline: float, rng: np.random.Generator
) -> tuple[list[list[int]], set[int]]:
    """Change patterns while that saves travel (or overtime); returns the days and which changed."""
    state = _Days(problem, days)
    current = _pattern_of(state.days, problem.size)
    changed: set[int] = set()
    improved = True
    while improved and time.perf_counter() < deadline:
        improved = False
        for outlet in rng.permutation(problem.size).tolist():
            if time.perf_counter() >= deadline:
                break
            patterns = spread_patterns(int(problem.visits[outlet]), problem.shape.days)
            if len(patterns) < 2:
                continue
            pattern = current[outlet]
            remove_cost = {day: state.removal(day, outlet)[0] for day in pattern}
            insert_cost: dict[int, tuple[float, float, int]] = {}
            best, best_delta = None, -1e-6
            for candidate in patterns:
                if candidate == pattern:
                    continue
                delta = 0.0
                for day in candidate:
                    if day not in pattern:
                        if day not in insert_cost:
                            insert_cost[day] = state.insertion(day, outlet)
                        delta += insert_cost[day][0]
                for day in pattern:
                    if day not in candidate:
                        delta += remove_cost[day]
                if delta < best_delta:
                    best, best_delta = candidate, delta
            if best is None:
                continue
            for day in pattern:
                if day not in best:
                    state.remove(day, outlet)
                    changed.add(day)
            for day in best:
                if day not in pattern:
                    state.insert(day, outlet, state.insertion(day, outlet)[2])
                    changed.add(day)
            current[outlet] = best
            improved = True
    return state.days, changed


# --- the planner --------------------------------------------------------------------------------------------
def plan_routes(
    problem: Problem,
    *,
    time_limit: float = 30.0,
    seed: int = 0,
    progress: Callable[[str], None] | None = None,
) -> Plan:
    """Plan the cycle within about `time_limit` seconds (see the module docstring)."""
    started = time.perf_counter()
    validate(problem)
    rng = np.random.default_rng(seed)
    say = progress or (lambda _text: None)
    shape = problem.shape
    budget = max(float(time_limit), 1.0)
    end = started + budget * 0.95
    patterns = assign_days(problem, time_limit=budget * 0.15, rng=rng)
    days: list[list[int]] = [[] for _ in range(shape.days)]
    for outlet, pattern in enumerate(patterns):
        for day in pattern:
            days[day].append(outlet)
    say("assigned")
    per_day = budget * 0.25 / shape.days
    days = [route_day(problem, day, time_limit=per_day) for day in days]
    say("routed")
    rounds = 0
    while time.perf_counter() < end - 0.05:
        days, changed = improve_patterns(problem, days, deadline=end, rng=rng)
        if not changed:
            break
        remaining = end - time.perf_counter()
        if remaining <= 0:
            break
        slice_seconds = min(remaining / max(len(changed), 1), budget * 0.1 / shape.days + 0.05)
        for day in sorted(changed):
            days[day] = route_day(problem, days[day], time_limit=slice_seconds, warm=True)
        rounds += 1
        say(f"improved round {rounds}")
    return evaluate(problem, days, seconds=time.perf_counter() - started)


def insert_outlets(problem: Problem, days: list[list[int]], outlets: Sequence[int]) -> list[list[int]]:
    """Place `outlets` (new, or with a changed number of visits) without moving any other stop:
    each takes the pattern with the least added travel (overtime counted), at the cheapest
    position of each of its days. Returns the new days."""
    validate_subset = [o for o in outlets if not 1 <= int(problem.visits[o]) <= problem.shape.days]
    if validate_subset:
        raise PlanningError(f"outlet {problem.ids[validate_subset[0]]!r}: too many visits for the cycle")
    moving = set(outlets)
    state = _Days(problem, [[o for o in day if o not in moving] for day in days])
    for outlet in outlets:
        best, best_cost = None, math.inf
        for pattern in spread_patterns(int(problem.visits[outlet]), problem.shape.days):
            cost = sum(state.insertion(day, outlet)[0] for day in pattern)
            if cost < best_cost:
                best, best_cost = pattern, cost
        for day in best or ():
            state.insert(day, outlet, state.insertion(day, outlet)[2])
    return state.days
