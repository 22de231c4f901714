"""Writes of field sales: the visit policy, route cycles (plan, adjust, publish, re-plan
incrementally), visits (check-in, record, check-out, the offline sync, an order from the
suggested order), outlet execution and supervisors' field checks.

Route planning calls the framework-free engine (`field.engine`) with arrays read here; the
same engine serves `salesops routes` and the background task.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from salesops.core.audit import audit_record, model_create, model_update
from salesops.core.calendar import WorkCalendar
from salesops.core.exceptions import NotFound, PermissionDenied, ValidationFailed
from salesops.core.models import AuditEvent, OrgUnit, User
from salesops.core.roles import Role
from salesops.core.selectors import company_date
from salesops.crm.models import Customer
from salesops.field.engine.routes import (
    CycleShape,
    PlanningError,
    Problem,
    evaluate,
    insert_outlets,
    naive_days,
    plan_routes,
)
from salesops.field.engine.travel import EARTH_RADIUS_KM, StraightLineTravel
from salesops.field.exceptions import AlreadyRecorded, PlanningFailed
from salesops.field.models import (
    Cooler,
    CoolerCheck,
    FieldCheck,
    FieldCheckCriterion,
    FieldCheckScore,
    FieldPolicy,
    RepWorkday,
    RouteCycle,
    RoutePlanRun,
    RouteStop,
    Visit,
    VisitFrequency,
    VisitLine,
    VisitPhoto,
)

PLANNERS = frozenset(
    {Role.SALES_SUPERVISOR, Role.SALES_MANAGER, Role.SALES_DIRECTOR, Role.GENERAL_MANAGER, Role.SYSADMIN}
)
ROUTE_STATUSES = [Customer.Status.ACTIVE, Customer.Status.PROSPECT]
POLICY_FIELDS = [
    "cycle_weeks",
    "days_per_week",
    "visit_minutes",
    "speed_kmh",
    "road_factor",
    "territory_km",
    "plan_seconds",
    "target_min_visits",
    "success_target_percent",
    "on_time_minutes",
    "check_in_radius_m",
    "photo_max_kb",
    "photos_per_visit",
]
CLOCK_SKEW = datetime.timedelta(minutes=10)


def _validation(error) -> ValidationFailed:
    return ValidationFailed(fields=getattr(error, "message_dict", {"__all__": list(error.messages)}))


# --- policy ------------------------------------------------------------------------------------------
@transaction.atomic
def field_policy_update(*, actor, data: dict) -> FieldPolicy:
    if not actor.has_role(Role.SYSADMIN, Role.SALES_DIRECTOR, Role.GENERAL_MANAGER):
        raise PermissionDenied()
    policy = FieldPolicy.objects.select_for_update().get(pk=FieldPolicy.current().pk)
    from django.core.exceptions import ValidationError

    try:
        policy, _changed = model_update(instance=policy, fields=POLICY_FIELDS, data=data, actor=actor)
    except ValidationError as error:
        raise _validation(error) from None
    return policy


@transaction.atomic
def workday_set(*, rep: User, actor, data: dict) -> RepWorkday:
    from django.core.exceptions import ValidationError

    fields = ["day_start", "day_end", "lunch_minutes", "home_latitude", "home_longitude"]
    try:
        existing = RepWorkday.objects.select_for_update().filter(rep=rep).first()
        if existing is None:
            return model_create(
                instance=RepWorkday(rep=rep, **{k: v for k, v in data.items() if k in fields}), actor=actor
            )
        workday, _changed = model_update(instance=existing, fields=fields, data=data, actor=actor)
    except ValidationError as error:
        raise _validation(error) from None
    return workday


@dataclass(frozen=True)
class Frequency:
    visits: int
    weeks: int
    minutes: int


def frequency_table() -> list[VisitFrequency]:
    return list(VisitFrequency.objects.select_related("region"))


def frequency_for(customer: Customer, table: list[VisitFrequency], policy: FieldPolicy) -> Frequency:
    """The most specific frequency row for the customer's class, channel and region; an
    ungraded customer counts as class C."""
    grade = customer.grade or Customer.Grade.C
    region_path = customer.team.path if customer.team_id else ""

    def rank(row: VisitFrequency) -> int | None:
        if row.grade != grade or (row.channel and row.channel != customer.channel):
            return None
        if row.region_id and not region_path.startswith(row.region.path):
            return None
        return (2 if row.channel else 0) + (1 if row.region_id else 0)

    ranked = [(rank(row), row) for row in table]
    matches = [(r, row) for r, row in ranked if r is not None]
    if not matches:
        defaults = {"A": (3, 1), "B": (2, 1), "C": (1, 2)}[grade]
        return Frequency(defaults[0], defaults[1], policy.visit_minutes)
    row = max(matches, key=lambda pair: pair[0])[1]
    return Frequency(row.visits, row.weeks, row.visit_minutes or policy.visit_minutes)


# --- route cycles ----------------------------------------------------------------------------------------
def _home_base(rep: User, customers: list[Customer]) -> tuple[float, float]:
    workday = RepWorkday.objects.filter(rep=rep).first()
    if workday is not None:
        return float(workday.home_latitude), float(workday.home_longitude)
    return (
        float(sum(float(c.latitude) for c in customers) / len(customers)),
        float(sum(float(c.longitude) for c in customers) / len(customers)),
    )


def route_outlets(*, rep: User) -> list[Customer]:
    """The rep's outlets that belong on a route: their active and prospect customers with
    coordinates, within the policy's territory radius of the rep's home base (when set)."""
    customers = list(
        Customer.objects.filter(
            owner=rep, in_pool=False, status__in=ROUTE_STATUSES, latitude__isnull=False, longitude__isnull=False
        )
        .select_related("team")
        .order_by("pk")
    )
    workday = RepWorkday.objects.filter(rep=rep).first()
    if workday is None:
        return customers
    limit = FieldPolicy.current().territory_km * 1000
    return [
        c
        for c in customers
        if distance_m(workday.home_latitude, workday.home_longitude, c.latitude, c.longitude) <= limit
    ]


@dataclass
class RouteInput:
    """Everything the engine needs for one rep, as plain values (picklable for worker processes)."""

    rep_id: int
    customer_ids: list[int]
    grades: list[str]
    problem: Problem


def route_input(*, rep: User, policy: FieldPolicy | None = None, table=None) -> RouteInput:
    policy = policy or FieldPolicy.current()
    table = table if table is not None else frequency_table()
    customers = route_outlets(rep=rep)
    if not customers:
        raise PlanningFailed(_("%(rep)s has no outlets with coordinates to plan.") % {"rep": rep.display_name})
    workday = RepWorkday.objects.filter(rep=rep).first()
    day_minutes = workday.day_minutes if workday else 480
    visits, minutes = [], []
    for customer in customers:
        frequency = frequency_for(customer, table, policy)
        per_cycle = frequency.visits * policy.cycle_weeks / frequency.weeks
        if per_cycle != int(per_cycle) or per_cycle < 1:
            raise PlanningFailed(
                _(
                    "%(customer)s: %(visits)s visits every %(weeks)s weeks do not make whole visits in a "
                    "%(cycle)s-week cycle."
                )
                % {
                    "customer": customer.name,
                    "visits": frequency.visits,
                    "weeks": frequency.weeks,
                    "cycle": policy.cycle_weeks,
                }
            )
        visits.append(int(per_cycle))
        minutes.append(frequency.minutes)
    problem = Problem(
        ids=[str(c.pk) for c in customers],
        lat=np.array([float(c.latitude) for c in customers]),
        lon=np.array([float(c.longitude) for c in customers]),
        visits=np.array(visits),
        visit_minutes=np.array(minutes, dtype=float),
        depot=_home_base(rep, customers),
        shape=CycleShape(weeks=policy.cycle_weeks, days_per_week=policy.days_per_week, day_minutes=day_minutes),
        travel=StraightLineTravel(speed_kmh=float(policy.speed_kmh), road_factor=float(policy.road_factor)),
    )
    return RouteInput(rep.pk, [c.pk for c in customers], [c.grade or Customer.Grade.C for c in customers], problem)


def solve_route_input(item: RouteInput, time_limit: float) -> tuple[int, list[list[int]] | None, str]:
    """Run the engine for one rep: (rep id, days, error). Framework-free, for worker processes."""
    try:
        plan = plan_routes(item.problem, time_limit=time_limit)
    except PlanningError as error:
        return item.rep_id, None, str(error)
    return item.rep_id, plan.days, ""


def next_cycle_start(today: datetime.date | None = None) -> datetime.date:
    today = today or company_date()
    return today + datetime.timedelta(days=(7 - today.weekday()) % 7 or 7)


@transaction.atomic
def route_cycle_store(
    *, item: RouteInput, days: list[list[int]], actor, starts_on: datetime.date | None = None, run=None
) -> RouteCycle:
    """Store an engine result as a draft cycle of the rep."""
    rep = User.objects.select_related("org_unit").get(pk=item.rep_id)
    if rep.org_unit_id is None:
        raise ValidationFailed(fields={"rep": [_("The rep belongs to no team.")]})
    plan = evaluate(item.problem, days)
    naive = evaluate(item.problem, naive_days(item.problem))
    shape = item.problem.shape
    cycle = model_create(
        instance=RouteCycle(
            rep=rep,
            team=rep.org_unit,
            weeks=shape.weeks,
            days_per_week=shape.days_per_week,
            day_minutes=shape.day_minutes,
            starts_on=starts_on or next_cycle_start(),
            total_km=Decimal(f"{plan.total_km:.1f}"),
            travel_minutes=int(round(plan.total_travel_minutes)),
            naive_km=Decimal(f"{naive.total_km:.1f}"),
            run=run,
            created_by=actor,
        ),
        actor=actor,
    )
    _write_stops(cycle, item, plan)
    return cycle


def _write_stops(cycle: RouteCycle, item: RouteInput, plan) -> None:
    RouteStop.objects.filter(cycle=cycle).delete()
    RouteStop.objects.bulk_create(
        [
            RouteStop(
                cycle=cycle,
                customer_id=item.customer_ids[outlet],
                grade=item.grades[outlet],
                day=day + 1,
                sequence=position + 1,
                arrival_minute=int(round(plan.arrivals[day][position])),
                visit_minutes=int(item.problem.visit_minutes[outlet]),
            )
            for day, outlets in enumerate(plan.days)
            for position, outlet in enumerate(outlets)
        ]
    )


def _check_planner(actor, rep: User) -> None:
    from salesops.field.selectors import rep_list_for_user

    if not actor.has_role(*PLANNERS) or not rep_list_for_user(user=actor).filter(pk=rep.pk).exists():
        raise PermissionDenied()


def route_cycle_plan(*, rep: User, actor, time_limit: float | None = None, starts_on=None) -> RouteCycle:
    """Plan a draft cycle for one rep now (the page runs this in the background task)."""
    _check_planner(actor, rep)
    policy = FieldPolicy.current()
    item = route_input(rep=rep, policy=policy)
    rep_id, days, error = solve_route_input(item, time_limit or policy.plan_seconds)
    if days is None:
        raise PlanningFailed(error)
    return route_cycle_store(item=item, days=days, actor=actor, starts_on=starts_on)


@transaction.atomic
def route_plan_run_create(*, actor, reps: list[User], enqueue: bool = True) -> RoutePlanRun:
    for rep in reps:
        _check_planner(actor, rep)
    if not reps:
        raise ValidationFailed(fields={"reps": [_("Choose at least one rep.")]})
    policy = FieldPolicy.current()
    run = model_create(
        instance=RoutePlanRun(
            rep_ids=sorted(r.pk for r in reps), total=len(reps), seconds_per_rep=policy.plan_seconds, created_by=actor
        ),
        actor=actor,
    )
    if enqueue:
        from salesops.field.tasks import route_plan_task

        transaction.on_commit(lambda: route_plan_task.enqueue(run_id=run.pk))
    return run


def route_plan_run_execute(*, run: RoutePlanRun, workers: int | None = None) -> RoutePlanRun:
    """Plan every rep of the run in parallel worker processes (the engine is framework-free,
    so workers get plain arrays); each result is stored as it arrives, with progress."""
    import concurrent.futures
    import multiprocessing
    import os

    RoutePlanRun.objects.filter(pk=run.pk).update(status=RoutePlanRun.Status.RUNNING)
    policy, table = FieldPolicy.current(), frequency_table()
    errors: list[str] = []
    inputs = []
    for rep in User.objects.filter(pk__in=run.rep_ids).order_by("pk"):
        try:
            inputs.append(route_input(rep=rep, policy=policy, table=table))
        except PlanningFailed as error:
            errors.append(f"{rep.username}: {error.message}")
            RoutePlanRun.objects.filter(pk=run.pk).update(failed=len(errors))
    workers = workers or max(1, min(len(inputs), (os.cpu_count() or 1)))
    by_rep = {item.rep_id: item for item in inputs}
    done = 0
    if workers == 1:
        results = (solve_route_input(item, run.seconds_per_rep) for item in inputs)
        pool = None
    else:
        pool = concurrent.futures.ProcessPoolExecutor(
            max_workers=workers, mp_context=multiprocessing.get_context("spawn")
        )
        futures = [pool.submit(solve_route_input, item, run.seconds_per_rep) for item in inputs]
        results = (future.result() for future in concurrent.futures.as_completed(futures))
    try:
        for rep_id, days, error in results:
            if days is None:
                errors.append(f"{rep_id}: {error}")
            else:
                route_cycle_store(item=by_rep[rep_id], days=days, actor=run.created_by, run=run)
                done += 1
            RoutePlanRun.objects.filter(pk=run.pk).update(done=done, failed=len(errors))
    finally:
        if pool is not None:
            pool.shutdown()
    RoutePlanRun.objects.filter(pk=run.pk).update(
        status=RoutePlanRun.Status.DONE if done or not errors else RoutePlanRun.Status.FAILED,
        message="\n".join(errors)[:5000],
        finished_at=timezone.now(),
    )
    run.refresh_from_db()
    return run


def _cycle_days(cycle: RouteCycle) -> tuple[RouteInput, list[list[int]]]:
    """The cycle as engine input (its outlets in stop order) and its days as indices."""
    stops = list(cycle.stops.select_related("customer__team").order_by("day", "sequence"))
    customers: dict[int, Customer] = {}
    counts: dict[int, int] = {}
    minutes: dict[int, int] = {}
    grades: dict[int, str] = {}
    for stop in stops:
        customers.setdefault(stop.customer_id, stop.customer)
        counts[stop.customer_id] = counts.get(stop.customer_id, 0) + 1
        minutes[stop.customer_id] = stop.visit_minutes
        grades[stop.customer_id] = stop.grade
    return _input_from(cycle, list(customers.values()), counts, minutes, grades), _days_of(
        cycle, stops, list(customers)
    )


def _input_from(cycle, customers, counts, minutes, grades) -> RouteInput:
    policy = FieldPolicy.current()
    workday = RepWorkday.objects.filter(rep_id=cycle.rep_id).first()
    depot = (
        (float(workday.home_latitude), float(workday.home_longitude))
        if workday
        else (
            float(np.mean([float(c.latitude) for c in customers])),
            float(np.mean([float(c.longitude) for c in customers])),
        )
    )
    problem = Problem(
        ids=[str(c.pk) for c in customers],
        lat=np.array([float(c.latitude) for c in customers]),
        lon=np.array([float(c.longitude) for c in customers]),
        visits=np.array([counts[c.pk] for c in customers]),
        visit_minutes=np.array([minutes[c.pk] for c in customers], dtype=float),
        depot=depot,
        shape=CycleShape(weeks=cycle.weeks, days_per_week=cycle.days_per_week, day_minutes=cycle.day_minutes),
        travel=StraightLineTravel(speed_kmh=float(policy.speed_kmh), road_factor=float(policy.road_factor)),
    )
    return RouteInput(cycle.rep_id, [c.pk for c in customers], [grades[c.pk] for c in customers], problem)


@dataclass(frozen=True)
class CycleDay:
    """One day of a cycle as planned: its travel and its working time (visits and travel from
    and back to the rep's home) against the day's limit."""

    day: int
    km: Decimal
    travel_minutes: int
    work_minutes: int
    limit: int
    overtime: bool


def route_cycle_day_figures(cycle: RouteCycle) -> dict[int, CycleDay]:
    """Each day's figures, counted as the planner counts them (a day is overtime when its
    working time is more than the cycle's working minutes per day); empty when the cycle has
    no stops or an outlet has lost its position."""
    stops = cycle.stops.all()
    if not stops.exists() or stops.filter(Q(customer__latitude=None) | Q(customer__longitude=None)).exists():
        return {}
    item, days = _cycle_days(cycle)
    plan = evaluate(item.problem, days)
    overtime = set(plan.overtime_days(cycle.day_minutes))
    return {
        day + 1: CycleDay(
            day=day + 1,
            km=Decimal(f"{plan.km[day]:.1f}"),
            travel_minutes=int(round(plan.travel_minutes[day])),
            work_minutes=int(round(plan.work_minutes[day])),
            limit=cycle.day_minutes,
            overtime=day in overtime,
        )
        for day in range(len(plan.days))
    }


def _days_of(cycle, stops, customer_ids) -> list[list[int]]:
    index = {pk: i for i, pk in enumerate(customer_ids)}
    days: list[list[int]] = [[] for _ in range(cycle.days)]
    for stop in stops:
        days[stop.day - 1].append(index[stop.customer_id])
    return days


def _editable(cycle: RouteCycle, actor) -> RouteCycle:
    cycle = RouteCycle.objects.select_for_update().get(pk=cycle.pk)
    _check_planner(actor, cycle.rep)
    if cycle.status != RouteCycle.Status.DRAFT:
        raise ValidationFailed(_("Only a draft cycle can be changed; re-plan to get a new draft."))
    return cycle


def _refresh_figures(cycle: RouteCycle, item: RouteInput, days: list[list[int]], actor, note: str) -> RouteCycle:
    plan = evaluate(item.problem, days)
    _write_stops(cycle, item, plan)
    cycle, _changed = model_update(
        instance=cycle,
        fields=["total_km", "travel_minutes"],
        data={"total_km": Decimal(f"{plan.total_km:.1f}"), "travel_minutes": int(round(plan.total_travel_minutes))},
        actor=actor,
        note=note,
    )
    return cycle


@transaction.atomic
def route_stop_move(*, cycle: RouteCycle, stop_id: int, day: int, actor) -> RouteCycle:
    """Move one visit of a draft cycle to another day (the supervisor drags it on the map):
    it is inserted where it adds least travel; the day must stay within the working time."""
    cycle = _editable(cycle, actor)
    if not 1 <= int(day) <= cycle.days:
        raise ValidationFailed(fields={"day": [_("Choose a day between 1 and %(days)s.") % {"days": cycle.days}]})
    stop = cycle.stops.filter(pk=stop_id).first()
    if stop is None:
        raise NotFound()
    if stop.day == int(day):
        return cycle
    if cycle.stops.filter(day=day, customer_id=stop.customer_id).exists():
        raise ValidationFailed(fields={"day": [_("This outlet is already visited on T%(day)s.") % {"day": day}]})
    item, days = _cycle_days(cycle)
    outlet = item.customer_ids.index(stop.customer_id)
    days[stop.day - 1].remove(outlet)
    from salesops.field.engine.routes import _Days

    state = _Days(item.problem, days)
    state.insert(int(day) - 1, outlet, state.insertion(int(day) - 1, outlet)[2])
    if state.work[int(day) - 1] > cycle.day_minutes:
        raise ValidationFailed(
            fields={
                "day": [
                    _("T%(day)s would take %(minutes)s minutes, more than the working day (%(limit)s).")
                    % {"day": day, "minutes": int(state.work[int(day) - 1]), "limit": cycle.day_minutes}
                ]
            }
        )
    return _refresh_figures(cycle, item, state.days, actor, note=f"moved {stop.customer_id} T{stop.day}→T{day}")


@dataclass(frozen=True)
class CycleChanges:
    new: list[Customer]
    changed: list[Customer]  # class or visit count changed
    gone: list[int]  # customer ids no longer on the rep's route

    @property
    def any(self) -> bool:
        return bool(self.new or self.changed or self.gone)


def route_cycle_changes(*, cycle: RouteCycle) -> CycleChanges:
    """What changed among the rep's outlets since the cycle was planned."""
    policy, table = FieldPolicy.current(), frequency_table()
    current = {c.pk: c for c in route_outlets(rep=cycle.rep)}
    planned: dict[int, tuple[str, int]] = {}
    for customer_id, grade in cycle.stops.values_list("customer_id", "grade"):
        count = planned.get(customer_id, (grade, 0))[1] + 1
        planned[customer_id] = (grade, count)
    new, changed = [], []
    for pk, customer in current.items():
        if pk not in planned:
            new.append(customer)
            continue
        frequency = frequency_for(customer, table, policy)
        visits = frequency.visits * cycle.weeks / frequency.weeks
        if (customer.grade or Customer.Grade.C) != planned[pk][0] or visits != planned[pk][1]:
            changed.append(customer)
    return CycleChanges(new=new, changed=changed, gone=[pk for pk in planned if pk not in current])


@transaction.atomic
def route_cycle_replan_changes(*, cycle: RouteCycle, actor) -> RouteCycle:
    """A new draft from `cycle` with new outlets and class changes placed incrementally (the
    other stops keep their day and order) and outlets no longer on the route left out."""
    _check_planner(actor, cycle.rep)
    changes = route_cycle_changes(cycle=cycle)
    if not changes.any:
        raise ValidationFailed(_("Nothing changed among the rep's outlets since this cycle was planned."))
    policy, table = FieldPolicy.current(), frequency_table()
    stops = list(cycle.stops.select_related("customer__team").order_by("day", "sequence"))
    moving = {c.pk for c in changes.changed} | set(changes.gone)
    kept: dict[int, Customer] = {}
    counts, minutes, grades = {}, {}, {}
    for stop in stops:
        if stop.customer_id in moving:
            continue
        kept.setdefault(stop.customer_id, stop.customer)
        counts[stop.customer_id] = counts.get(stop.customer_id, 0) + 1
        minutes[stop.customer_id], grades[stop.customer_id] = stop.visit_minutes, stop.grade
    placing = [*changes.changed, *changes.new]
    for customer in placing:
        frequency = frequency_for(customer, table, policy)
        counts[customer.pk] = int(frequency.visits * cycle.weeks / frequency.weeks)
        minutes[customer.pk], grades[customer.pk] = frequency.minutes, customer.grade or Customer.Grade.C
    customers = [*kept.values(), *placing]
    item = _input_from(cycle, customers, counts, minutes, grades)
    days = _days_of(cycle, [s for s in stops if s.customer_id not in moving], [c.pk for c in customers])
    try:
        days = insert_outlets(item.problem, days, list(range(len(kept), len(customers))))
    except PlanningError as error:
        raise PlanningFailed(str(error)) from None
    draft = route_cycle_store(item=item, days=days, actor=actor, starts_on=cycle.starts_on)
    audit_record(
        instance=draft, action=AuditEvent.Action.CREATE, actor=actor, note=f"incremental re-plan of cycle {cycle.pk}"
    )
    return draft


@transaction.atomic
def route_cycle_publish(*, cycle: RouteCycle, actor, starts_on: datetime.date | None = None) -> RouteCycle:
    """Publish a draft: it becomes the rep's routes from `starts_on`; the previous published
    cycle is retired. Planned visits of days not yet worked follow the new cycle."""
    cycle = _editable(cycle, actor)
    starts_on = starts_on or cycle.starts_on
    for previous in RouteCycle.objects.select_for_update().filter(rep=cycle.rep, status=RouteCycle.Status.PUBLISHED):
        RouteCycle.TRANSITIONS.check(previous.status, RouteCycle.Status.RETIRED)
        model_update(instance=previous, fields=["status"], data={"status": RouteCycle.Status.RETIRED}, actor=actor)
    RouteCycle.TRANSITIONS.check(cycle.status, RouteCycle.Status.PUBLISHED)
    cycle, _changed = model_update(
        instance=cycle,
        fields=["status", "published_by", "published_at", "starts_on"],
        data={
            "status": RouteCycle.Status.PUBLISHED,
            "published_by": actor,
            "published_at": timezone.now(),
            "starts_on": starts_on,
        },
        actor=actor,
    )
    Visit.objects.filter(
        rep=cycle.rep, planned=True, status=Visit.Status.PLANNED, date__gte=max(cycle.starts_on, company_date())
    ).delete()
    return cycle


# --- visits -------------------------------------------------------------------------------------------
def _local_start(date: datetime.date, rep: User) -> datetime.datetime:
    workday = RepWorkday.objects.filter(rep=rep).first()
    start = workday.day_start if workday else datetime.time(8, 30)
    return datetime.datetime.combine(date, start, tzinfo=WorkCalendar.load().tz)


@transaction.atomic
def visits_plan_day(*, rep: User, date: datetime.date) -> list[Visit]:
    """The rep's planned visits of `date` from the published cycle (made once, idempotent)."""
    cycle = (
        RouteCycle.objects.filter(rep=rep, status=RouteCycle.Status.PUBLISHED, starts_on__lte=date)
        .order_by("-published_at")
        .first()
    )
    existing = {v.customer_id for v in Visit.objects.filter(rep=rep, date=date, planned=True)}
    if cycle is not None and rep.org_unit_id:
        day = cycle.day_on(date)
        if day is not None:
            start = _local_start(date, rep)
            missing = [
                Visit(
                    rep=rep,
                    team_id=rep.org_unit_id,
                    customer_id=stop.customer_id,
                    date=date,
                    planned=True,
                    stop=stop,
                    sequence=stop.sequence,
                    planned_at=start + datetime.timedelta(minutes=stop.arrival_minute),
                )
                for stop in cycle.stops.filter(day=day).order_by("sequence")
                if stop.customer_id not in existing
            ]
            Visit.objects.bulk_create(missing, ignore_conflicts=True)
    return list(
        Visit.objects.filter(rep=rep, date=date).select_related("customer").order_by("-planned", "sequence", "pk")
    )


def distance_m(lat1, lon1, lat2, lon2) -> int:
    phi1, phi2 = math.radians(float(lat1)), math.radians(float(lat2))
    dphi, dlam = phi2 - phi1, math.radians(float(lon2) - float(lon1))
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlam / 2) ** 2
    return int(round(2 * EARTH_RADIUS_KM * 1000 * math.asin(math.sqrt(min(a, 1.0)))))


def _moment(value, *, field: str, visit_date: datetime.date, now) -> datetime.datetime:
    """A time sent by the phone: aware, on the visit's day, and not in the future."""
    if value is None:
        return now
    if timezone.is_naive(value):
        value = timezone.make_aware(value, WorkCalendar.load().tz)
    if value > now + CLOCK_SKEW:
        raise ValidationFailed(fields={field: [_("This time is in the future.")]})
    if timezone.localtime(value, WorkCalendar.load().tz).date() != visit_date:
        raise ValidationFailed(fields={field: [_("The time must fall on the day of the visit.")]})
    return value


def _position(latitude, longitude, field: str):
    if latitude is None or longitude is None:
        return None, None
    try:
        lat, lon = (
            Decimal(str(latitude)).quantize(Decimal("0.000001")),
            Decimal(str(longitude)).quantize(Decimal("0.000001")),
        )
    except ArithmeticError:
        raise ValidationFailed(fields={field: [_("Enter a valid position.")]}) from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValidationFailed(fields={field: [_("Enter a valid position.")]})
    return lat, lon


RECORD_FIELDS = [
    "outcome",
    "price_tags_ok",
    "shelf_ok",
    "competitor_info",
    "next_step",
    "next_step_due",
    "notes",
]


@transaction.atomic
def visit_submit(
    *,
    actor,
    client_key,
    visit: Visit | None = None,
    customer: Customer | None = None,
    check_in_at=None,
    latitude=None,
    longitude=None,
    check_out_at=None,
    record: dict | None = None,
    lines: list[dict] | None = None,
    cooler_checks: list[dict] | None = None,
    make_order: bool = False,
    now=None,
) -> tuple[Visit, bool]:
    """A whole visit as the phone sends it (check-in, record, check-out; sent at once or later
    from the page's queue). `client_key` makes it idempotent: the same key again returns the
    stored visit and changes nothing. Returns (visit, created now)."""
    now = now or timezone.now()
    stored = Visit.objects.filter(client_key=str(client_key)).first()
    if stored is not None:
        if stored.rep_id != actor.pk:
            raise AlreadyRecorded()
        return stored, False
    if not actor.has_role(Role.SALES_REP) or actor.org_unit_id is None:
        raise PermissionDenied(_("Only a rep records their own visits."))
    if visit is not None:
        visit = Visit.objects.select_for_update().select_related("customer").get(pk=visit.pk)
        if visit.rep_id != actor.pk:
            raise NotFound()
        if visit.status not in {Visit.Status.PLANNED, Visit.Status.IN_PROGRESS}:
            raise AlreadyRecorded()
    else:
        if customer is None:
            raise ValidationFailed(fields={"customer": [_("Choose the outlet.")]})
        from salesops.crm.selectors import customer_list_for_user

        if not customer_list_for_user(user=actor).filter(pk=customer.pk).exists():
            raise ValidationFailed(fields={"customer": [_("You cannot visit this customer.")]})
        date = (
            timezone.localtime(check_in_at or now, WorkCalendar.load().tz).date()
            if check_in_at
            else timezone.localdate(now, WorkCalendar.load().tz)
        )
        visit = Visit(rep=actor, team_id=actor.org_unit_id, customer=customer, date=date, planned=False)
    check_in = _moment(check_in_at, field="check_in_at", visit_date=visit.date, now=now)
    check_out = _moment(check_out_at, field="check_out_at", visit_date=visit.date, now=now)
    if check_out < check_in:
        raise ValidationFailed(fields={"check_out_at": [_("Check-out cannot come before check-in.")]})
    lat, lon = _position(latitude, longitude, "latitude")
    distance = None
    if lat is not None and visit.customer.latitude is not None and visit.customer.longitude is not None:
        distance = distance_m(lat, lon, visit.customer.latitude, visit.customer.longitude)
    record = record or {}
    before = visit.status
    for name in RECORD_FIELDS:
        if name in record:
            setattr(
                visit,
                name,
                record[name]
                if record[name] is not None
                else ("" if name not in {"price_tags_ok", "shelf_ok", "next_step_due"} else None),
            )
    visit.status = Visit.Status.DONE
    visit.check_in_at, visit.check_out_at = check_in, check_out
    visit.check_in_latitude, visit.check_in_longitude, visit.check_in_distance_m = lat, lon, distance
    visit.client_key = str(client_key)  # as text: the audit trail stores it as written
    if visit.outcome == "" and make_order:
        visit.outcome = Visit.Outcome.ORDERED
    if not visit.outcome:
        raise ValidationFailed(fields={"outcome": [_("Choose the outcome of the visit.")]})
    from django.core.exceptions import ValidationError

    try:
        if visit.pk is None:
            model_create(instance=visit, actor=actor)
        else:
            from salesops.core.audit import full_clean

            full_clean(visit)
            visit.save()
            audit_record(
                instance=visit,
                action=AuditEvent.Action.TRANSITION,
                actor=actor,
                changes={"status": [before, visit.status]},
            )
    except ValidationError as error:
        raise _validation(error) from None
    except IntegrityError:
        raise AlreadyRecorded() from None
    _write_lines(visit, lines or [])
    _write_cooler_checks(visit, cooler_checks or [])
    _visit_entered(visit, now)
    if make_order:
        visit_order_create(visit=visit, actor=actor)
    return visit, True


def _visit_entered(visit: Visit, now: datetime.datetime) -> None:
    """The visit record meets the SOP rule "calls and visits entered the same day": the visit
    took place at check-in and was entered now."""
    from django.urls import reverse

    from salesops.sop import hooks

    reference = f"field.visit:{visit.pk}"
    url = reverse("field-visit-detail", args=[visit.pk])
    hooks.start(rule="calls-same-day", person=visit.rep, started_at=visit.check_in_at, reference=reference, url=url)
    hooks.done(event="call_registered", person=visit.rep, occurred_at=now, reference=reference, url=url)


def _write_lines(visit: Visit, lines: list[dict]) -> None:
    from salesops.catalog.models import Product

    problems: dict[str, list] = {}
    products = Product.objects.in_bulk(
        [line.get("product") for line in lines if str(line.get("product", "")).isdigit()]
    )
    rows, seen = [], set()
    for number, line in enumerate(lines, start=1):
        product = products.get(int(line["product"])) if str(line.get("product", "")).isdigit() else None
        if product is None:
            problems.setdefault("lines", []).append(_("Line %(n)s: unknown product.") % {"n": number})
            continue
        if product.pk in seen:
            problems.setdefault("lines", []).append(_("Line %(n)s: the product is listed twice.") % {"n": number})
            continue
        seen.add(product.pk)
        values = {}
        for name in ["stock_seen", "suggested_quantity"]:
            raw = line.get(name)
            if raw in (None, ""):
                values[name] = None if name == "stock_seen" else Decimal(0)
                continue
            try:
                value = Decimal(str(raw))
            except ArithmeticError:
                value = None
            if (
                value is None
                or not value.is_finite()
                or value < 0
                or value >= Decimal("1e9")
                or value.as_tuple().exponent < -3
            ):
                problems.setdefault("lines", []).append(
                    _("Line %(n)s: enter a quantity of at least 0 with at most 3 decimals.") % {"n": number}
                )
                break
            values[name] = value
        else:
            rows.append(VisitLine(visit=visit, product=product, **values))
    if problems:
        raise ValidationFailed(fields=problems)
    VisitLine.objects.bulk_create(rows)


def _write_cooler_checks(visit: Visit, checks: list[dict]) -> None:
    coolers = {c.pk: c for c in Cooler.objects.filter(customer=visit.customer_id, active=True)}
    rows = []
    for check in checks:
        cooler = coolers.get(int(check.get("cooler", 0) or 0)) if str(check.get("cooler", "")).isdigit() else None
        if cooler is None:
            raise ValidationFailed(fields={"cooler_checks": [_("This cooler is not at the outlet.")]})
        rows.append(
            CoolerCheck(
                visit=visit,
                cooler=cooler,
                **{k: bool(check.get(k, False)) for k in ["placed", "powered", "clean", "right_packs"]},
            )
        )
    CoolerCheck.objects.bulk_create(rows, ignore_conflicts=True)


@transaction.atomic
def visit_order_create(*, visit: Visit, actor):
    """One tap: the visit's suggested quantities become a draft sales order (the sales
    services price it); the visit keeps the link."""
    from salesops.sales.models import SalesOrder
    from salesops.sales.services import order_create

    visit = Visit.objects.select_for_update().select_related("customer").get(pk=visit.pk)
    if visit.rep_id != actor.pk:
        raise NotFound()
    if visit.order_id:
        return visit.order
    lines = [
        {"product": line.product_id, "quantity": line.suggested_quantity}
        for line in visit.lines.filter(suggested_quantity__gt=0).order_by("pk")
    ]
    if not lines:
        raise ValidationFailed(fields={"lines": [_("Suggest a quantity of at least one product first.")]})
    order = order_create(
        actor=actor,
        customer=visit.customer,
        payment=SalesOrder.Payment.CREDIT,
        lines=lines,
        order_date=visit.date,
        note=_("From the visit of %(date)s") % {"date": visit.date.isoformat()},
    )
    model_update(
        instance=visit,
        fields=["order", "outcome"],
        data={"order": order, "outcome": Visit.Outcome.ORDERED},
        actor=actor,
    )
    return order


@transaction.atomic
def visit_skip(*, visit: Visit, actor, reason: str) -> Visit:
    visit = Visit.objects.select_for_update().get(pk=visit.pk)
    if visit.rep_id != actor.pk:
        raise NotFound()
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(fields={"skip_reason": [_("Say why the visit is skipped.")]})
    Visit.TRANSITIONS.check(visit.status, Visit.Status.SKIPPED)
    visit, _changed = model_update(
        instance=visit,
        fields=["status", "skip_reason"],
        data={"status": Visit.Status.SKIPPED, "skip_reason": reason[:200]},
        actor=actor,
    )
    return visit


@transaction.atomic
def visit_photo_add(*, visit: Visit, actor, upload) -> VisitPhoto:
    policy = FieldPolicy.current()
    visit = Visit.objects.select_for_update().get(pk=visit.pk)
    if visit.rep_id != actor.pk:
        raise NotFound()
    if visit.photos.count() >= policy.photos_per_visit:
        raise ValidationFailed(
            fields={"photo": [_("At most %(n)s photos per visit.") % {"n": policy.photos_per_visit}]}
        )
    if upload.size > policy.photo_max_kb * 1024:
        raise ValidationFailed(fields={"photo": [_("A photo can be at most %(kb)s KB.") % {"kb": policy.photo_max_kb}]})
    head = upload.read(12)
    upload.seek(0)
    if not (head.startswith(b"\xff\xd8\xff") or head.startswith(b"\x89PNG") or head[8:12] == b"WEBP"):
        raise ValidationFailed(fields={"photo": [_("Send a JPEG, PNG or WebP picture.")]})
    photo = VisitPhoto(visit=visit, size=upload.size)
    photo.file.save(upload.name[-80:] or "photo.jpg", upload, save=False)
    return model_create(instance=photo, actor=actor)


# --- outlet execution ----------------------------------------------------------------------------------------
@transaction.atomic
def cooler_create(*, actor, customer: Customer, asset_number: str, model_name: str = "", placed_on=None) -> Cooler:
    from django.core.exceptions import ValidationError

    if not actor.has_role(*PLANNERS, Role.SALES_ADMIN):
        raise PermissionDenied()
    try:
        return model_create(
            instance=Cooler(
                customer=customer,
                asset_number=asset_number.strip(),
                model_name=model_name,
                placed_on=placed_on or company_date(),
            ),
            actor=actor,
        )
    except ValidationError as error:
        raise _validation(error) from None


# --- field checks --------------------------------------------------------------------------------------------
@transaction.atomic
def field_check_create(
    *,
    checker,
    rep: User,
    kind: str,
    date: datetime.date,
    scores: dict,
    customer: Customer | None = None,
    comment: str = "",
) -> FieldCheck:
    """A supervisor's scored check of a rep: every active criterion of the kind scored 1–5."""
    from salesops.field.selectors import rep_list_for_user

    if (
        not checker.has_role(*PLANNERS)
        or checker.pk == rep.pk
        or not rep_list_for_user(user=checker).filter(pk=rep.pk).exists()
    ):
        raise PermissionDenied()
    if kind not in FieldCheckCriterion.Kind.values:
        raise ValidationFailed(fields={"kind": [_("Choose the kind of check.")]})
    if date > company_date():
        raise ValidationFailed(fields={"date": [_("A check cannot be in the future.")]})
    criteria = list(FieldCheckCriterion.objects.filter(kind=kind, active=True))
    problems = {}
    values = {}
    for criterion in criteria:
        raw = scores.get(criterion.pk, scores.get(str(criterion.pk), scores.get(criterion.code)))
        try:
            value = int(raw)
        except (TypeError, ValueError):
            value = 0
        if not 1 <= value <= 5:
            problems[f"score_{criterion.pk}"] = [_("Score %(name)s from 1 to 5.") % {"name": criterion.name}]
        values[criterion] = value
    if problems:
        raise ValidationFailed(fields=problems)
    mean = Decimal(sum(values.values())) / len(values) if values else Decimal(0)
    check = model_create(
        instance=FieldCheck(
            kind=kind,
            checker=checker,
            rep=rep,
            team=rep.org_unit,
            date=date,
            customer=customer,
            comment=comment.strip(),
            score=((mean - 1) * 25).quantize(Decimal("0.1")) if values else Decimal(0),
        ),
        actor=checker,
    )
    FieldCheckScore.objects.bulk_create(
        [FieldCheckScore(check_record=check, criterion=c, score=v) for c, v in values.items()]
    )
    return check


def team_of(user: User) -> OrgUnit | None:
    return user.org_unit
