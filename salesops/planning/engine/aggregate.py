"""Aggregate production planning: the optimal plan as an integer LP, and level / chase plans.

The model (one product family, periods t = 1..T, "0" is the starting state):

  variables per period   W workforce, H hired, L laid off, P regular production (units),
                         O overtime hours, I inventory, S backlog, C subcontracted units
  workforce              W_t = W_{t-1} + H_t - L_t                  (W_0 = initial_workforce)
  production capacity    P_t <= W_t * hours_per_day * days_per_period / labour_hours_per_unit
                                + O_t / labour_hours_per_unit
  overtime               O_t <= W_t * overtime_hours_max_per_worker
  balance                I_{t-1} - S_{t-1} + P_t + C_t = D_t + I_t - S_t   (I_0 = initial_inventory,
                                                                           S_0 = 0)
  end state              I_T >= final_inventory_min;  S_T <= final_backlog_max
  backlog                S_t = 0 for every t unless allow_backlog
  cost                   sum_t regular_hour * hours_per_day * days_per_period * W_t
                               + overtime_hour * O_t + hire * H_t + layoff * L_t + holding * I_t
                               + backlog * S_t + material * P_t + subcontract * C_t

With `integer` (the default) every variable is integer: whole workers, units and overtime
hours (the issue's `integer` flag names no exception, and whole overtime hours is how
overtime is paid; with a whole number of labour hours per unit the cheapest overtime for
whole workers and units is whole anyway). The programme is solved by HiGHS (branch and cut)
with a relative gap of 0, so the reported plan is proven optimal.

How the integer programme is solved (measured on the 24-period plan of
bench/aggregate_plan.py, CPU seconds; 3 labour hours a unit, 53.33 units per worker, took
about 6 s CPU before, 25-30 s wall on the loaded benchmark machine):

  stages      Relaxations are solved in turn, then the full programme: workforce integer
              only ("W"), workforce and production integer ("WP"; overtime, hires, layoffs,
              stock, backlog and subcontracting continuous), then every variable. After each
              relaxation its plan is completed into one integer everywhere (`_complete`: fix
              the stage's variables, make the next stage's integer at least cost, fix them,
              and so on; a few hundredths of a second). A relaxation's optimum is a lower
              bound on the integer optimum, so when the completed plan costs no more than
              that bound it is the integer optimum and the later stages are skipped. With
              whole-number inputs (hours, hours per unit, demand, stock) the completion
              after "WP" always reaches the bound (for fixed whole workers and units the
              cheapest overtime is whole, and the stock rows are a network with whole
              data), so the full programme is only solved for fractional inputs.
  incumbent   The completed plan is given to the next stage as its starting solution
              (`setSolution`). For the 3 h/unit case the completion after "W" is already
              optimal or within 2 of it, and "WP" then only has to prove it: 0.3-0.8 s CPU
              instead of 1.5-3 s without it.
  presolve    Off. With HiGHS 1.15 presolve substitutes variables into the capacity rows
              (+85 nonzeros) and the root cut loop then took 20 of the 24 s of the "WP"
              stage; without it the same stage takes 1.5 s with no start, 0.3 s with one.
              Presolve is also unsafe here: on the same plan with 3.5 labour hours a unit
              HiGHS with presolve reported 1,500,807 as proven optimal for the full
              programme, while a plan costing 1,500,782 satisfies every constraint (found
              with presolve off, and by the staged solve).
  heuristics  RINS and RENS off: with a good start they only cost time (sum over six
              seeds 7.9 -> 5.0 s CPU). Lower mip_heuristic_effort, turning off feasibility
              jump or symmetry detection, fewer reliability branchings and smaller cut
              pools made no measurable difference; no strong branching or no cuts at the
              nodes made it 3x slower.
  not kept    Bounds derived from demand (workforce, stock, backlog, subcontracting): no
              measurable gain (within noise), and each needs its own optimality argument.
              Starting from the rounded LP relaxation instead of the "W" stage: a start
              0.1 % worse and 2-6x more nodes. An extra stage with overtime integer
              ("WPO") before the full programme: slower in every case measured.
              A tighter capacity row: for whole W, O and P the row 3 P <= 160 W + O is
              already the convex hull per period (W is unbounded), so the gap comes from the
              stock balance across periods and only branching closes it.

Fractional hours per unit (e.g. 3.5 or 4.5) need the full programme for whole overtime
hours and remain slower: 1.5-26 s CPU for the 24-period plan.

Optional limits beyond the textbook model, all unlimited when absent: `workforce_max`,
`hire_max` and `layoff_max` (per period) and `subcontract_max` (units per period). Without
them the programme is always feasible (subcontracting can cover anything); with them it
may not be, and then `AggregatePlanInfeasible` explains which requirement cannot be met:
the workforce cannot come down to its maximum fast enough, or the cumulative demand by
some period exceeds the most that can be supplied by then (initial inventory plus the
largest workforce reachable, working full overtime, plus the subcontracting limit).

Comparison strategies (their costs use the same cost formula):
  level  one constant workforce from period 1 (hiring or laying off once, at the start),
         producing at full regular capacity every period, no overtime or subcontracting;
         the smallest such workforce that meets the demand without backlog (or, with
         allow_backlog, that meets the end-of-horizon requirement).
  chase  production equals each period's net requirement (demand less inventory carried
         in, plus final_inventory_min in the last period); the workforce is the smallest
         that makes it on regular time, hired and laid off period by period.
A strategy that breaks one of the optional limits is still computed and reported, with a
note per broken limit.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import highspy
import numpy as np
from scipy import sparse

VARIABLES = ("W", "H", "L", "P", "O", "I", "S", "C")
COST_KEYS = ("material", "holding", "backlog", "hire", "layoff", "regular_hour", "overtime_hour", "subcontract")
TOLERANCE = 1e-6
# Relaxations solved in turn before the full integer programme (see the module docstring).
INTEGER_STAGES = ("W", "WP", "".join(VARIABLES))
# Measured on 24-period plans (module docstring): presolve rewrites the capacity rows into
# denser ones on which HiGHS's cut separation at the root took most of the time, and RINS
# and RENS only repeat the work of the completion step that provides the incumbent.
SOLVER_OPTIONS: dict[str, Any] = {
    "presolve": "off",
    "mip_heuristic_run_rins": False,
    "mip_heuristic_run_rens": False,
}


class AggregatePlanError(ValueError):
    """The aggregate plan input is invalid."""


class AggregatePlanInfeasible(AggregatePlanError):
    """No plan satisfies every constraint; the message names the one that cannot be met."""


@dataclass(frozen=True)
class AggregateCosts:
    material: float
    holding: float
    backlog: float
    hire: float
    layoff: float
    regular_hour: float
    overtime_hour: float
    subcontract: float


@dataclass(frozen=True)
class AggregatePlanInput:
    demand: list[float]
    initial_inventory: float
    initial_workforce: float
    final_inventory_min: float
    final_backlog_max: float
    allow_backlog: bool
    days_per_period: float
    hours_per_day: float
    overtime_hours_max_per_worker: float
    labour_hours_per_unit: float
    costs: AggregateCosts
    integer: bool = True
    workforce_max: float | None = None
    hire_max: float | None = None
    layoff_max: float | None = None
    subcontract_max: float | None = None

    @property
    def periods(self) -> int:
        return len(self.demand)

    @property
    def units_per_worker(self) -> float:
        """Units one worker makes in one period on regular time."""
        return self.hours_per_day * self.days_per_period / self.labour_hours_per_unit

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> AggregatePlanInput:
        """Build and check an input from the JSON object of `salesops aggregate-plan`."""
        if not isinstance(data, Mapping):
            raise AggregatePlanError("the input must be a JSON object")

        def number(key: str, *, positive: bool = False, optional: bool = False, default: float | None = None):
            if key not in data or data[key] is None:
                if optional:
                    return default
                raise AggregatePlanError(f"missing key {key!r}")
            value = data[key]
            if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
                raise AggregatePlanError(f"{key} must be a number, not {value!r}")
            if value < 0 or (positive and value == 0):
                raise AggregatePlanError(f"{key} must be {'above 0' if positive else '0 or more'}, not {value!r}")
            return float(value)

        demand = data.get("demand")
        if not isinstance(demand, list) or not demand:
            raise AggregatePlanError("demand must be a non-empty list of numbers, one per period")
        for t, value in enumerate(demand, start=1):
            if isinstance(value, bool) or not isinstance(value, int | float) or not value >= 0:
                raise AggregatePlanError(f"demand for period {t} must be a number of 0 or more, not {value!r}")
        costs = data.get("costs")
        if not isinstance(costs, Mapping):
            raise AggregatePlanError("missing object 'costs'")
        cost_values = {}
        for key in COST_KEYS:
            if key not in costs:
                raise AggregatePlanError(f"missing cost {key!r}")
            value = costs[key]
            if isinstance(value, bool) or not isinstance(value, int | float) or not value >= 0:
                raise AggregatePlanError(f"cost {key} must be a number of 0 or more, not {value!r}")
            cost_values[key] = float(value)
        for key in ("allow_backlog", "integer"):
            if key in data and not isinstance(data[key], bool):
                raise AggregatePlanError(f"{key} must be true or false, not {data[key]!r}")
        return cls(
            demand=[float(d) for d in demand],
            initial_inventory=number("initial_inventory"),
            initial_workforce=number("initial_workforce"),
            final_inventory_min=number("final_inventory_min", optional=True, default=0.0),
            final_backlog_max=number("final_backlog_max", optional=True, default=0.0),
            allow_backlog=bool(data.get("allow_backlog", False)),
            days_per_period=number("days_per_period", positive=True),
            hours_per_day=number("hours_per_day", positive=True),
            overtime_hours_max_per_worker=number("overtime_hours_max_per_worker"),
            labour_hours_per_unit=number("labour_hours_per_unit", positive=True),
            costs=AggregateCosts(**cost_values),
            integer=bool(data.get("integer", True)),
            workforce_max=number("workforce_max", optional=True),
            hire_max=number("hire_max", optional=True),
            layoff_max=number("layoff_max", optional=True),
            subcontract_max=number("subcontract_max", optional=True),
        )


@dataclass(frozen=True)
class PeriodPlan:
    period: int
    demand: float
    workforce: float
    hired: float
    laid_off: float
    production: float
    overtime_hours: float
    inventory: float
    backlog: float
    subcontracted: float


@dataclass(frozen=True)
class Plan:
    name: str
    total_cost: float
    periods: list[PeriodPlan]
    cost_breakdown: dict[str, float]
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class AggregatePlanResult:
    optimal: Plan
    level: Plan
    chase: Plan
    integer: bool
    solve_seconds: float


def _column(variable: str, t: int, periods: int) -> int:
    return VARIABLES.index(variable) * periods + t


def build_model(*, plan: AggregatePlanInput, integer_variables: str = "") -> highspy.HighsLp:
    """The programme of the module docstring as a HiGHS model (columns: VARIABLES x periods).

    `integer_variables` lists the variables (letters of VARIABLES) declared integer.
    """
    T = plan.periods
    n = len(VARIABLES) * T
    c = plan.costs
    regular_cost = c.regular_hour * plan.hours_per_day * plan.days_per_period
    cost = np.repeat(
        [regular_cost, c.hire, c.layoff, c.material, c.overtime_hour, c.holding, c.backlog, c.subcontract], T
    ).astype(np.float64)
    lower = np.zeros(n)
    upper = np.full(n, highspy.kHighsInf)
    col = lambda v, t: _column(v, t, T)  # noqa: E731
    if plan.workforce_max is not None:
        upper[col("W", 0) : col("W", 0) + T] = plan.workforce_max
    if plan.hire_max is not None:
        upper[col("H", 0) : col("H", 0) + T] = plan.hire_max
    if plan.layoff_max is not None:
        upper[col("L", 0) : col("L", 0) + T] = plan.layoff_max
    if plan.subcontract_max is not None:
        upper[col("C", 0) : col("C", 0) + T] = plan.subcontract_max
    if not plan.allow_backlog:
        upper[col("S", 0) : col("S", 0) + T] = 0.0
    else:
        upper[col("S", T - 1)] = min(upper[col("S", T - 1)], plan.final_backlog_max)
    lower[col("I", T - 1)] = plan.final_inventory_min

    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    row_lower: list[float] = []
    row_upper: list[float] = []

    def add_row(entries: list[tuple[int, float]], low: float, high: float) -> None:
        r = len(row_lower)
        for j, v in entries:
            rows.append(r)
            cols.append(j)
            vals.append(v)
        row_lower.append(low)
        row_upper.append(high)

    inf = highspy.kHighsInf
    for t in range(T):
        # W_t - W_{t-1} - H_t + L_t = 0
        entries = [(col("W", t), 1.0), (col("H", t), -1.0), (col("L", t), 1.0)]
        start = 0.0
        if t:
            entries.append((col("W", t - 1), -1.0))
        else:
            start = plan.initial_workforce
        add_row(entries, start, start)
        # P_t <= units_per_worker W_t + O_t / labour_hours_per_unit, written in labour hours
        # (times labour_hours_per_unit) so the coefficients stay whole numbers for the cuts.
        add_row(
            [
                (col("P", t), plan.labour_hours_per_unit),
                (col("W", t), -plan.hours_per_day * plan.days_per_period),
                (col("O", t), -1.0),
            ],
            -inf,
            0.0,
        )
        # O_t - overtime_max W_t <= 0
        add_row([(col("O", t), 1.0), (col("W", t), -plan.overtime_hours_max_per_worker)], -inf, 0.0)
        # P_t + C_t - I_t + S_t + I_{t-1} - S_{t-1} = D_t
        entries = [(col("P", t), 1.0), (col("C", t), 1.0), (col("I", t), -1.0), (col("S", t), 1.0)]
        rhs = plan.demand[t]
        if t:
            entries += [(col("I", t - 1), 1.0), (col("S", t - 1), -1.0)]
        else:
            rhs -= plan.initial_inventory
        add_row(entries, rhs, rhs)

    matrix = sparse.csc_matrix((vals, (rows, cols)), shape=(len(row_lower), n))
    lp = highspy.HighsLp()
    lp.num_col_ = n
    lp.num_row_ = len(row_lower)
    lp.col_cost_ = cost
    lp.col_lower_ = lower
    lp.col_upper_ = upper
    lp.row_lower_ = np.asarray(row_lower)
    lp.row_upper_ = np.asarray(row_upper)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = matrix.indptr.astype(np.int32)
    lp.a_matrix_.index_ = matrix.indices.astype(np.int32)
    lp.a_matrix_.value_ = matrix.data
    if integer_variables:
        lp.integrality_ = [
            highspy.HighsVarType.kInteger if v in integer_variables else highspy.HighsVarType.kContinuous
            for v in VARIABLES
            for _ in range(T)
        ]
    return lp


def solve_optimal(*, plan: AggregatePlanInput, integer: bool | None = None, time_limit: float = 60.0) -> Plan:
    """The cost-minimal plan; `integer` overrides the input's flag (False gives the LP relaxation).

    The returned plan's notes are empty when optimality is proven; when the time limit stops
    the search with a plan in hand, that plan is returned with a note giving the remaining gap.
    See the module docstring for how the integer programme is solved in stages.
    """
    _check_limits(plan=plan)
    is_integer = plan.integer if integer is None else integer
    if not is_integer:
        solved = _solve(plan=plan, integer_variables="", time_limit=time_limit)
        return _plan("optimal", plan=plan, values=_by_variable(solved.values), notes=_gap_notes(solved))
    started = time.perf_counter()
    cost = np.asarray(build_model(plan=plan).col_cost_).reshape(len(VARIABLES), plan.periods)
    best: np.ndarray | None = None  # the cheapest plan found that is integer everywhere
    for stage in INTEGER_STAGES:
        remaining = max(time_limit - (time.perf_counter() - started), 1.0)
        solved = _solve(plan=plan, integer_variables=stage, time_limit=remaining, start=best)
        if stage == INTEGER_STAGES[-1]:
            return _plan("optimal", plan=plan, values=_by_variable(np.round(solved.values)), notes=_gap_notes(solved))
        completed = _complete(plan=plan, values=solved.values, fixed=stage, time_limit=remaining)
        if completed is not None and (best is None or _cost(cost, completed) < _cost(cost, best)):
            best = completed
        if best is None:
            continue
        best_cost = _cost(cost, best)
        if best_cost <= solved.bound + 1e-6 + 1e-9 * abs(solved.bound):
            # The relaxation cannot do better than this integer plan: it is the integer optimum.
            return _plan("optimal", plan=plan, values=_by_variable(best))
        if not solved.proven:
            gap = (best_cost - solved.bound) / max(abs(best_cost), 1.0)
            return _plan(
                "optimal",
                plan=plan,
                values=_by_variable(best),
                notes=[f"time limit reached: best plan found, within {gap:.4%} of the optimum"],
            )
    raise AssertionError("unreachable: the last stage always returns")


@dataclass(frozen=True)
class _Solved:
    values: np.ndarray  # VARIABLES x periods
    bound: float  # no plan of this programme costs less
    proven: bool  # solved to optimality (otherwise stopped by the time limit)
    gap: float


def _by_variable(values: np.ndarray) -> dict[str, np.ndarray]:
    return dict(zip(VARIABLES, values, strict=True))


def _cost(cost: np.ndarray, values: np.ndarray) -> float:
    return float((cost * values).sum())


def _gap_notes(solved: _Solved) -> list[str]:
    if solved.proven:
        return []
    return [f"time limit reached: best plan found, within {solved.gap:.4%} of the optimum"]


def _complete(*, plan: AggregatePlanInput, values: np.ndarray, fixed: str, time_limit: float) -> np.ndarray | None:
    """A plan integer everywhere that keeps the `fixed` variables at their (whole) values.

    It dives through the later stages: with those variables fixed, the next stage's
    variables are made integer at least cost and fixed in turn. Each step is a small
    programme (hundredths of a second); solving for every remaining variable at once was
    measured at about 2 s. None when a step has no solution (possible only with the
    optional limits).
    """
    started = time.perf_counter()
    for stage in INTEGER_STAGES[INTEGER_STAGES.index(fixed) + 1 :]:
        try:
            solved = _solve(
                plan=plan,
                integer_variables=stage,
                time_limit=max(time_limit - (time.perf_counter() - started), 1.0),
                fixed={v: np.round(values[VARIABLES.index(v)]) for v in fixed},
            )
        except AggregatePlanInfeasible:
            return None
        if not solved.proven:
            return None
        values, fixed = solved.values, stage
    return np.round(values)


def _solve(
    *,
    plan: AggregatePlanInput,
    integer_variables: str,
    time_limit: float,
    start: np.ndarray | None = None,
    fixed: Mapping[str, np.ndarray] | None = None,
) -> _Solved:
    model = build_model(plan=plan, integer_variables=integer_variables)
    if fixed:
        lower, upper = np.asarray(model.col_lower_), np.asarray(model.col_upper_)
        for variable, value in fixed.items():
            columns = slice(_column(variable, 0, plan.periods), _column(variable, 0, plan.periods) + plan.periods)
            lower[columns] = upper[columns] = value
        model.col_lower_, model.col_upper_ = lower, upper
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("mip_rel_gap", 0.0)
    highs.setOptionValue("time_limit", float(time_limit))
    for option, value in SOLVER_OPTIONS.items():
        highs.setOptionValue(option, value)
    highs.passModel(model)
    if start is not None:
        solution = highspy.HighsSolution()
        solution.col_value = start.ravel().tolist()
        solution.value_valid = True
        highs.setSolution(solution)
    highs.run()
    status = highs.getModelStatus()
    if status in (highspy.HighsModelStatus.kInfeasible, highspy.HighsModelStatus.kUnboundedOrInfeasible):
        raise AggregatePlanInfeasible(explain_infeasibility(plan=plan))
    solution = highs.getSolution()
    info = highs.getInfo()
    if status == highspy.HighsModelStatus.kTimeLimit and solution.value_valid:
        return _Solved(
            values=np.asarray(solution.col_value).reshape(len(VARIABLES), plan.periods),
            bound=info.mip_dual_bound,
            proven=False,
            gap=info.mip_gap,
        )
    if status != highspy.HighsModelStatus.kOptimal:
        raise AggregatePlanError(f"the solver stopped without a plan: {highs.modelStatusToString(status)}")
    bound = info.mip_dual_bound if integer_variables else info.objective_function_value
    return _Solved(
        values=np.asarray(solution.col_value).reshape(len(VARIABLES), plan.periods),
        bound=min(bound, info.objective_function_value),
        proven=True,
        gap=0.0,
    )


def _check_limits(*, plan: AggregatePlanInput) -> None:
    if plan.workforce_max is not None and plan.layoff_max is not None:
        excess = plan.initial_workforce - plan.workforce_max
        if excess > plan.layoff_max + TOLERANCE:
            raise AggregatePlanInfeasible(
                f"workforce_max cannot be met in period 1: the initial workforce {_num(plan.initial_workforce)} "
                f"exceeds workforce_max {_num(plan.workforce_max)} by more than layoff_max {_num(plan.layoff_max)}"
            )


def explain_infeasibility(*, plan: AggregatePlanInput) -> str:
    """Name the requirement that cannot be met, by comparing demand with the most that can be supplied."""
    T = plan.periods
    per_worker = plan.units_per_worker + plan.overtime_hours_max_per_worker / plan.labour_hours_per_unit
    workforce = plan.initial_workforce
    cumulative_supply = plan.initial_inventory
    cumulative_demand = 0.0
    for t in range(T):
        if plan.hire_max is not None:
            workforce += plan.hire_max
        else:
            workforce = math.inf
        if plan.workforce_max is not None:
            workforce = min(workforce, max(plan.workforce_max, 0.0))
        made = workforce * per_worker
        if plan.integer and math.isfinite(made):
            made = math.floor(made + TOLERANCE)
        sub = math.inf if plan.subcontract_max is None else plan.subcontract_max
        cumulative_supply += made + sub
        cumulative_demand += plan.demand[t]
        required = cumulative_demand
        what = f"cumulative demand through period {t + 1} ({_num(cumulative_demand)})"
        if t == T - 1:
            required += plan.final_inventory_min
            if plan.allow_backlog:
                required -= plan.final_backlog_max
                what = (
                    f"total demand ({_num(cumulative_demand)}) plus final_inventory_min "
                    f"({_num(plan.final_inventory_min)}) less final_backlog_max ({_num(plan.final_backlog_max)})"
                )
            elif plan.final_inventory_min:
                what = (
                    f"total demand ({_num(cumulative_demand)}) plus final_inventory_min "
                    f"({_num(plan.final_inventory_min)})"
                )
        if (not plan.allow_backlog or t == T - 1) and cumulative_supply + TOLERANCE < required:
            limits = ", ".join(
                f"{name} {_num(value)}"
                for name, value in (
                    ("workforce_max", plan.workforce_max),
                    ("hire_max", plan.hire_max),
                    ("subcontract_max", plan.subcontract_max),
                )
                if value is not None
            )
            backlog = "" if plan.allow_backlog else " without backlog"
            return (
                f"demand cannot be met{backlog}: {what} exceeds the most that can be supplied by then "
                f"({_num(cumulative_supply)}: initial inventory plus production at full overtime"
                f"{' within ' + limits if limits else ''} plus subcontracting)"
            )
    return "no plan satisfies every constraint (the solver reports the programme infeasible)"


def _num(value: float) -> str:
    return str(int(round(value))) if abs(value - round(value)) < TOLERANCE else f"{value:.6g}"


def _plan(
    name: str, *, plan: AggregatePlanInput, values: dict[str, np.ndarray], notes: list[str] | None = None
) -> Plan:
    c = plan.costs
    regular_cost = c.regular_hour * plan.hours_per_day * plan.days_per_period
    breakdown = {
        "regular_time": float(regular_cost * values["W"].sum()),
        "overtime": float(c.overtime_hour * values["O"].sum()),
        "hiring": float(c.hire * values["H"].sum()),
        "layoffs": float(c.layoff * values["L"].sum()),
        "holding": float(c.holding * values["I"].sum()),
        "backlog": float(c.backlog * values["S"].sum()),
        "material": float(c.material * values["P"].sum()),
        "subcontracting": float(c.subcontract * values["C"].sum()),
    }
    periods = [
        PeriodPlan(
            period=t + 1,
            demand=plan.demand[t],
            workforce=float(values["W"][t]),
            hired=float(values["H"][t]),
            laid_off=float(values["L"][t]),
            production=float(values["P"][t]),
            overtime_hours=float(values["O"][t]),
            inventory=float(values["I"][t]),
            backlog=float(values["S"][t]),
            subcontracted=float(values["C"][t]),
        )
        for t in range(plan.periods)
    ]
    return Plan(
        name=name,
        total_cost=float(sum(breakdown.values())),
        periods=periods,
        cost_breakdown=breakdown,
        notes=list(notes or []),
    )


def _strategy(name: str, *, plan: AggregatePlanInput, workforce: np.ndarray, production: np.ndarray) -> Plan:
    T = plan.periods
    previous = np.concatenate(([plan.initial_workforce], workforce[:-1]))
    change = workforce - previous
    position = plan.initial_inventory + np.cumsum(production) - np.cumsum(plan.demand)
    values = {
        "W": workforce,
        "H": np.maximum(change, 0.0),
        "L": np.maximum(-change, 0.0),
        "P": production,
        "O": np.zeros(T),
        "I": np.maximum(position, 0.0),
        "S": np.maximum(-position, 0.0),
        "C": np.zeros(T),
    }
    notes = []
    for t in range(T):
        if plan.workforce_max is not None and workforce[t] > plan.workforce_max + TOLERANCE:
            notes.append(f"period {t + 1}: workforce {_num(workforce[t])} exceeds workforce_max")
        if plan.hire_max is not None and values["H"][t] > plan.hire_max + TOLERANCE:
            notes.append(f"period {t + 1}: hiring {_num(values['H'][t])} exceeds hire_max")
        if plan.layoff_max is not None and values["L"][t] > plan.layoff_max + TOLERANCE:
            notes.append(f"period {t + 1}: layoffs {_num(values['L'][t])} exceed layoff_max")
    return _plan(name, plan=plan, values=values, notes=notes)


def _round_up(value: float, integer: bool) -> float:
    return float(math.ceil(value - TOLERANCE)) if integer else float(value)


def level_plan(*, plan: AggregatePlanInput) -> Plan:
    T = plan.periods
    cumulative = np.cumsum(plan.demand)
    required = cumulative - plan.initial_inventory
    required[-1] += plan.final_inventory_min
    if plan.allow_backlog:
        # Only the end state binds; with a final inventory the backlog must be gone by then.
        end = required[-1] if plan.final_inventory_min > 0 else required[-1] - plan.final_backlog_max
        need = np.array([end / T])
    else:
        need = required / np.arange(1, T + 1)
    workforce = _round_up(max(float(need.max()), 0.0) / plan.units_per_worker, plan.integer)

    def rate(w: float) -> float:
        made = w * plan.units_per_worker
        return math.floor(made + TOLERANCE) if plan.integer else made

    # Flooring to whole units can leave a worker's fraction short; add workers until it fits.
    while plan.integer and (
        (plan.allow_backlog and rate(workforce) * T + TOLERANCE < need[0] * T)
        or (not plan.allow_backlog and np.any(rate(workforce) * np.arange(1, T + 1) + TOLERANCE < required))
    ):
        workforce += 1
    return _strategy("level", plan=plan, workforce=np.full(T, workforce), production=np.full(T, float(rate(workforce))))


def chase_plan(*, plan: AggregatePlanInput) -> Plan:
    T = plan.periods
    inventory = plan.initial_inventory
    production = np.zeros(T)
    workforce = np.zeros(T)
    for t in range(T):
        requirement = plan.demand[t] + (plan.final_inventory_min if t == T - 1 else 0.0) - inventory
        made = _round_up(max(requirement, 0.0), plan.integer)
        production[t] = made
        workforce[t] = _round_up(made / plan.units_per_worker, plan.integer)
        inventory += made - plan.demand[t]
    return _strategy("chase", plan=plan, workforce=workforce, production=production)


def plan_aggregate(*, plan: AggregatePlanInput, time_limit: float = 60.0) -> AggregatePlanResult:
    """The optimal plan and the level and chase plans for comparison."""
    started = time.perf_counter()
    optimal = solve_optimal(plan=plan, time_limit=time_limit)
    seconds = time.perf_counter() - started
    return AggregatePlanResult(
        optimal=optimal,
        level=level_plan(plan=plan),
        chase=chase_plan(plan=plan),
        integer=plan.integer,
        solve_seconds=seconds,
    )


def _plan_dict(plan: Plan, *, integer: bool) -> dict[str, Any]:
    def value(x: float) -> float | int:
        if integer and abs(x - round(x)) < TOLERANCE:
            return int(round(x))
        return round(x, 6)

    return {
        "total_cost": value(plan.total_cost)
        if abs(plan.total_cost - round(plan.total_cost)) < TOLERANCE
        else round(plan.total_cost, 6),
        "cost_breakdown": {k: round(v, 6) for k, v in plan.cost_breakdown.items()},
        "periods": [
            {
                "period": p.period,
                "demand": value(p.demand) if p.demand == round(p.demand) else p.demand,
                "workforce": value(p.workforce),
                "hired": value(p.hired),
                "laid_off": value(p.laid_off),
                "production": value(p.production),
                "overtime_hours": value(p.overtime_hours),
                "inventory": value(p.inventory),
                "backlog": value(p.backlog),
                "subcontracted": value(p.subcontracted),
            }
            for p in plan.periods
        ],
        "notes": plan.notes,
    }


def result_to_dict(result: AggregatePlanResult) -> dict[str, Any]:
    """The JSON document written by `salesops aggregate-plan`."""
    optimal = _plan_dict(result.optimal, integer=result.integer)
    return {
        "status": "time_limit" if result.optimal.notes else "optimal",
        "integer": result.integer,
        **optimal,
        "level": _plan_dict(result.level, integer=result.integer),
        "chase": _plan_dict(result.chase, integer=result.integer),
    }
