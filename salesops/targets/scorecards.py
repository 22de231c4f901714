"""Scorecards (考核表): every KPI per rep, team or region over a period, the weighted total
score, the ranking, and a trend over the periods before.

Set-based: each KPI is one grouped query (or two) over all the reps in scope, and teams and
regions add up their reps' parts; the number of queries depends on the KPIs shown, never on
the number of reps (see bench/targets_scorecard.py and the test that counts queries).

Score of a KPI line: weight × (value ÷ full-marks value), or (full-marks value ÷ value) for a
lower-is-better KPI, between 0 and the line's cap. A KPI without a value scores 0.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from salesops.core.models import OrgUnit, User
from salesops.core.selectors import company_date
from salesops.targets.kpis import Kpi, Parts, compute_parts, get_kpi, kpis_for_user
from salesops.targets.models import ScorecardWeight
from salesops.targets.periods import Period

GROUPS = ("rep", "team", "region")
TWO = Decimal("0.01")


@dataclass
class Row:
    key: int
    name: str
    unit_name: str = ""
    parts: dict[str, Parts] = field(default_factory=dict)
    values: dict[str, Decimal | None] = field(default_factory=dict)
    points: dict[str, Decimal] = field(default_factory=dict)
    score: Decimal = Decimal("0.00")
    rank: int = 0


def points_for(kpi: Kpi, value: Decimal | None, line: ScorecardWeight) -> Decimal:
    if value is None:
        return Decimal("0.00")
    if kpi.higher_is_better:
        ratio = value / line.target_value
    else:
        ratio = line.target_value / value if value > 0 else line.cap_percent / 100
    ratio = min(max(ratio, Decimal(0)), line.cap_percent / 100)
    return (line.weight * ratio).quantize(TWO, rounding=ROUND_HALF_UP)


def _region_of(unit: OrgUnit, units: dict[int, OrgUnit]) -> OrgUnit:
    """The region (or department) a team belongs to: its nearest ancestor that is not a team."""
    ids = [int(part) for part in unit.path.strip("/").split("/") if part]
    for unit_id in reversed(ids):
        candidate = units.get(unit_id)
        if candidate is not None and candidate.kind in (OrgUnit.Kind.REGION, OrgUnit.Kind.DEPARTMENT):
            return candidate
    return unit


def scorecard(
    *,
    reps: list[User],
    period: Period,
    group_by: str = "rep",
    kpi_codes: list[str] | None = None,
    user=None,
) -> dict:
    """The scorecard of `reps` (already scoped to the reader) for `period`."""
    if group_by not in GROUPS:
        group_by = "rep"
    weights = {line.kpi: line for line in ScorecardWeight.objects.all() if get_kpi(line.kpi) is not None}
    visible = list(kpis_for_user(user)) if user is not None else []
    codes = kpi_codes or [kpi.code for kpi in visible] or list(weights)
    codes = [code for code in codes if get_kpi(code) is not None and (user is None or get_kpi(code).visible_to(user))]
    for code in weights:
        if code not in codes and (user is None or get_kpi(code).visible_to(user)):
            codes.append(code)
    rep_ids = [rep.pk for rep in reps]
    parts = compute_parts(codes, period, rep_ids) if rep_ids else {code: {} for code in codes}
    units = {unit.pk: unit for unit in OrgUnit.objects.all()}
    rows: dict[int, Row] = {}
    for rep in reps:
        unit = units.get(rep.org_unit_id)
        if group_by == "rep":
            key, name, unit_name = rep.pk, rep.display_name, unit.name if unit else ""
        elif unit is None:
            continue
        else:
            group = unit if group_by == "team" else _region_of(unit, units)
            key, name, unit_name = group.pk, group.name, ""
        row = rows.setdefault(key, Row(key=key, name=name, unit_name=unit_name))
        for code in codes:
            rep_parts = parts[code].get(rep.pk)
            if rep_parts is not None:
                row.parts[code] = row.parts[code] + rep_parts if code in row.parts else rep_parts
    for row in rows.values():
        for code in codes:
            kpi = get_kpi(code)
            row.values[code] = kpi.value(row.parts.get(code))
            if code in weights:
                row.points[code] = points_for(kpi, row.values[code], weights[code])
        row.score = sum(row.points.values(), Decimal("0.00"))
    ranked = sorted(rows.values(), key=lambda row: (-row.score, row.name, row.key))
    for position, row in enumerate(ranked, start=1):
        row.rank = position
    totals = Row(key=0, name="")
    for row in ranked:
        for code, value in row.parts.items():
            totals.parts[code] = totals.parts[code] + value if code in totals.parts else value
    for code in codes:
        totals.values[code] = get_kpi(code).value(totals.parts.get(code))
    return {
        "period": period,
        "group_by": group_by,
        "kpis": [get_kpi(code) for code in codes],
        "weights": weights,
        "rows": ranked,
        "totals": totals,
    }


def trend(*, reps: list[User], period: Period, kpi_code: str, periods: int = 6) -> list[dict]:
    """The KPI of `reps` together over the `periods` periods up to `period`. A period that starts
    after the company's today has no figure yet: its value is None (a gap on a chart), not 0."""
    kpi = get_kpi(kpi_code)
    rep_ids = [rep.pk for rep in reps]
    today = company_date()
    result = []
    for offset in range(periods - 1, -1, -1):
        current = period.shifted(-offset)
        if current.start > today:
            result.append({"period": current.key, "value": None})
            continue
        parts = compute_parts([kpi_code], current, rep_ids)[kpi_code] if rep_ids else {}
        total = None
        for value in parts.values():
            total = value if total is None else total + value
        result.append({"period": current.key, "value": kpi.value(total)})
    return result
