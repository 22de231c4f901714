"""`salesops routes`: plan a route cycle for one rep from a CSV file of outlets.

Input columns ``outlet,lat,lon,class`` (``class`` A, B or C: three visits a week, two a
week, one every two weeks), optionally ``visit_minutes`` per outlet. Output columns
``day,route,sequence,outlet`` (day 1 … cycle days, route ``T<day>``), one row per visit in
visiting order, and on stderr a summary line with the total travel in km and minutes (and the
naive order's, for comparison). Any problem with the input is a one-line error naming the line
or the outlet, exit code 2. An outlet named like a formula (``=HYPERLINK(...)``) is written as
text with a leading apostrophe, as the exports do (:func:`salesops.core.csvsafe.csv_safe`).
"""

from __future__ import annotations

import argparse
import csv
import sys
from fractions import Fraction
from pathlib import Path

import numpy as np

from salesops.core.csvsafe import csv_safe_row
from salesops.field.engine.routes import CycleShape, PlanningError, Problem, evaluate, naive_days, plan_routes
from salesops.field.engine.travel import StraightLineTravel

# visits per week by class (C: once every two weeks), the defaults of the visit policy
CLASS_VISITS_PER_WEEK = {"A": Fraction(3), "B": Fraction(2), "C": Fraction(1, 2)}
INPUT_COLUMNS = ("outlet", "lat", "lon", "class")
OUTPUT_COLUMNS = ["day", "route", "sequence", "outlet"]


def visits_in_cycle(per_week: Fraction, weeks: int, *, where: str) -> int:
    visits = per_week * weeks
    if visits.denominator != 1 or visits < 1:
        raise PlanningError(f"{where}: {per_week} visits a week do not make whole visits in a {weeks}-week cycle")
    return int(visits)


def read_outlets(path: Path, *, weeks: int, visit_minutes: int) -> tuple[list[str], np.ndarray, np.ndarray, list]:
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as error:
        raise PlanningError(f"{path}: {error.strerror}")
    with handle:
        reader = csv.DictReader(handle)
        missing = [c for c in INPUT_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise PlanningError(f"{path}: missing column(s) {', '.join(missing)} (expected {','.join(INPUT_COLUMNS)})")
        ids, lat, lon, visits, minutes = [], [], [], [], []
        for line, row in enumerate(reader, start=2):
            where = f"{path}:{line}"
            outlet = (row["outlet"] or "").strip()
            if not outlet:
                raise PlanningError(f"{where}: empty outlet")
            grade = (row["class"] or "").strip().upper()
            if grade not in CLASS_VISITS_PER_WEEK:
                raise PlanningError(f"{where}: unknown class {row['class']!r} (expected A, B or C)")
            try:
                latitude, longitude = float(row["lat"]), float(row["lon"])
            except (TypeError, ValueError):
                raise PlanningError(f"{where}: coordinates {row['lat']!r},{row['lon']!r} are not numbers")
            if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
                raise PlanningError(f"{where}: coordinates {latitude},{longitude} are out of range")
            own = (row.get("visit_minutes") or "").strip()
            try:
                duration = int(own) if own else visit_minutes
            except ValueError:
                raise PlanningError(f"{where}: visit_minutes {own!r} is not a whole number")
            if not 1 <= duration <= 600:
                raise PlanningError(f"{where}: visit_minutes must be between 1 and 600")
            ids.append(outlet)
            lat.append(latitude)
            lon.append(longitude)
            visits.append(visits_in_cycle(CLASS_VISITS_PER_WEEK[grade], weeks, where=where))
            minutes.append(duration)
    if not ids:
        raise PlanningError(f"{path}: no outlets")
    return ids, np.array(lat), np.array(lon), [np.array(visits), np.array(minutes, dtype=float)]


def _depot(text: str | None, lat: np.ndarray, lon: np.ndarray) -> tuple[float, float]:
    if not text:
        return float(lat.mean()), float(lon.mean())
    try:
        latitude, longitude = (float(part) for part in text.split(","))
    except ValueError:
        raise PlanningError(f"--depot {text!r}: expected LAT,LON")
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise PlanningError(f"--depot {text!r}: coordinates out of range")
    return latitude, longitude


def run_routes(args: argparse.Namespace) -> int:
    shape = CycleShape(weeks=args.cycle_weeks, days_per_week=args.days_per_week, day_minutes=args.day_minutes)
    ids, lat, lon, (visits, minutes) = read_outlets(
        Path(args.outlets), weeks=shape.weeks, visit_minutes=args.visit_minutes
    )
    problem = Problem(
        ids=ids,
        lat=lat,
        lon=lon,
        visits=visits,
        visit_minutes=minutes,
        depot=_depot(args.depot, lat, lon),
        shape=shape,
        travel=StraightLineTravel(speed_kmh=args.speed_kmh, road_factor=args.road_factor),
    )
    plan = plan_routes(problem, time_limit=args.time_limit, seed=args.seed)
    naive = evaluate(problem, naive_days(problem))
    target = sys.stdout if args.out == "-" else open(args.out, "w", newline="", encoding="utf-8")  # noqa: SIM115
    try:
        writer = csv.writer(target, lineterminator="\n")
        writer.writerow(OUTPUT_COLUMNS)
        for day, outlets in enumerate(plan.days, start=1):
            for sequence, outlet in enumerate(outlets, start=1):
                writer.writerow(csv_safe_row([day, f"T{day}", sequence, ids[outlet]]))
    finally:
        if target is not sys.stdout:
            target.close()
    over = plan.overtime_days(shape.day_minutes)
    print(
        f"{problem.size} outlets, {int(visits.sum())} visits over {shape.days} days: "
        f"travel {plan.total_km:.1f} km, {plan.total_travel_minutes:.0f} min "
        f"(naive order {naive.total_km:.1f} km, ratio {naive.total_km / max(plan.total_km, 1e-9):.2f}); "
        f"longest day {max(plan.work_minutes):.0f} of {shape.day_minutes} min; {plan.seconds:.1f} s",
        file=sys.stderr,
    )
    if over:
        print(f"warning: days over the working time: {', '.join(f'T{d + 1}' for d in over)}", file=sys.stderr)
    return 0


def _positive(kind):
    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number")
        if value <= 0:
            raise argparse.ArgumentTypeError(f"{text!r} must be greater than zero")
        return value

    return parse


def _handle(args: argparse.Namespace) -> int:
    try:
        return run_routes(args)
    except PlanningError as error:
        print(f"salesops routes: error: {error}", file=sys.stderr)
        return 2


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "routes",
        help="plan a route cycle (T1…Tn) for one rep from outlet,lat,lon,class rows",
        description=(
            "Plan a cycle of fixed daily routes in which every outlet gets its visits (class A three a week, "
            "B two a week, C one every two weeks), spread over the cycle, each day within the working time, "
            "travel minimised with OR-Tools. Input CSV columns outlet,lat,lon,class[,visit_minutes]; output "
            "CSV columns day,route,sequence,outlet; a summary line on stderr."
        ),
    )
    parser.add_argument("--outlets", required=True, metavar="outlets.csv")
    parser.add_argument("--out", required=True, metavar="plan.csv", help="output CSV ('-' for stdout)")
    parser.add_argument("--cycle-weeks", type=_positive(int), default=2)
    parser.add_argument("--days-per-week", type=_positive(int), default=5)
    parser.add_argument(
        "--day-minutes", type=_positive(int), default=480, help="working time per day (travel + visits)"
    )
    parser.add_argument("--visit-minutes", type=_positive(int), default=20, help="default visit duration")
    parser.add_argument("--speed-kmh", type=_positive(float), default=30.0)
    parser.add_argument("--road-factor", type=_positive(float), default=1.3, help="road distance / straight line")
    parser.add_argument("--depot", metavar="LAT,LON", help="home base (default: the outlets' centre)")
    parser.add_argument("--time-limit", type=_positive(float), default=30.0, metavar="S", help="seconds to search")
    parser.add_argument("--seed", type=int, default=0)
    parser.set_defaults(handler=_handle)
