"""Reads of field sales, scoped to the user (core.visibility): a rep sees their own routes and
visits, a supervisor their team's, a manager their region's, company-wide roles everything.

The figures (planned vs done, on time, success rate, coverage, distribution rate) are computed
from the visit records and the sales orders, never stored.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet

from salesops.core.models import User
from salesops.core.roles import Role
from salesops.core.visibility import visible_to
from salesops.crm.models import Customer
from salesops.field.models import (
    FieldCheck,
    FieldPolicy,
    OutletApplication,
    RequiredSku,
    RouteCycle,
    RoutePlanRun,
    RouteStop,
    Visit,
    VisitLine,
)

HUNDRED = Decimal(100)


def rep_list_for_user(*, user) -> QuerySet[User]:
    """Reps whose routes the user may see (a rep: themselves)."""
    reps = User.objects.filter(is_active=True, role_assignments__role=Role.SALES_REP).select_related("org_unit")
    return visible_to(reps, user, owner_field="pk", unit_field="org_unit").distinct().order_by("username")


def cycle_list_for_user(*, user) -> QuerySet[RouteCycle]:
    return visible_to(RouteCycle.objects.select_related("rep", "team"), user, owner_field="rep", unit_field="team")


def plan_run_list_for_user(*, user) -> QuerySet[RoutePlanRun]:
    return RoutePlanRun.objects.filter(created_by=user)


def visit_list_for_user(*, user) -> QuerySet[Visit]:
    return visible_to(
        Visit.objects.select_related("rep", "team", "customer", "order"), user, owner_field="rep", unit_field="team"
    )


def field_check_list_for_user(*, user) -> QuerySet[FieldCheck]:
    return visible_to(
        FieldCheck.objects.select_related("rep", "checker", "team", "customer"),
        user,
        owner_field="rep",
        unit_field="team",
    )


def outlet_application_list_for_user(*, user) -> QuerySet[OutletApplication]:
    return visible_to(
        OutletApplication.objects.select_related("rep", "team"), user, owner_field="rep", unit_field="team"
    )


def successful() -> Q:
    """A done visit at which an order was taken: its own order (made from the visit), or an
    order of that customer dated that day; cancelled and rejected orders do not count."""
    from salesops.sales.models import SalesOrder

    lost = [SalesOrder.Status.CANCELLED, SalesOrder.Status.REJECTED]
    same_day = SalesOrder.objects.filter(customer=OuterRef("customer"), order_date=OuterRef("date")).exclude(
        status__in=lost
    )
    return Q(status=Visit.Status.DONE) & ((Q(order__isnull=False) & ~Q(order__status__in=lost)) | Exists(same_day))


@dataclass
class Figures:
    key: str
    label: str
    planned: int = 0
    done: int = 0
    on_time: int = 0
    successful: int = 0
    off_route: int = 0

    @staticmethod
    def _rate(part: int, whole: int) -> Decimal | None:
        return (Decimal(part) * HUNDRED / whole).quantize(Decimal("0.1")) if whole else None

    @property
    def done_rate(self) -> Decimal | None:
        return self._rate(self.done - self.off_route, self.planned)

    @property
    def on_time_rate(self) -> Decimal | None:
        return self._rate(self.on_time, self.planned)

    @property
    def success_rate(self) -> Decimal | None:
        return self._rate(self.successful, self.done)


def _period_key(date: datetime.date, period: str) -> str:
    if period == "week":
        year, week, _day = date.isocalendar()
        return f"{year}-W{week:02d}"
    if period == "month":
        return date.strftime("%Y-%m")
    return date.isoformat()


def visit_figures(
    *, user, date_from: datetime.date, date_to: datetime.date, group_by: str = "rep", period: str | None = None
) -> list[Figures]:
    """Planned vs done, on time and success per rep or team (and per day/week/month when
    `period` is given), over the visits the user may see."""
    policy = FieldPolicy.current()
    visits = visit_list_for_user(user=user).filter(date__gte=date_from, date__lte=date_to)
    on_time = Q(
        planned=True,
        status=Visit.Status.DONE,
        check_in_at__isnull=False,
        check_in_at__lte=F("planned_at") + datetime.timedelta(minutes=policy.on_time_minutes),
    )
    key = {"rep": "rep_id", "team": "team_id"}[group_by]
    rows = (
        visits.annotate(ok=successful())
        .values(key, "date")
        .annotate(
            planned=Count("pk", filter=Q(planned=True)),
            done=Count("pk", filter=Q(status=Visit.Status.DONE)),
            off_route=Count("pk", filter=Q(status=Visit.Status.DONE, planned=False)),
            on_time=Count("pk", filter=on_time),
            successful=Count("pk", filter=Q(ok=True)),
        )
        .order_by()
    )
    names = _names(group_by, {row[key] for row in rows})
    table: dict[tuple, Figures] = {}
    for row in rows:
        when = _period_key(row["date"], period) if period else ""
        entry = table.setdefault(
            (row[key], when), Figures(key=f"{row[key]}|{when}", label=names.get(row[key], str(row[key])))
        )
        entry.period = when  # type: ignore[attr-defined]
        for name in ["planned", "done", "on_time", "successful", "off_route"]:
            setattr(entry, name, getattr(entry, name) + row[name])
    return sorted(table.values(), key=lambda f: (getattr(f, "period", ""), f.label))


def _names(group_by: str, ids: set) -> dict:
    from salesops.core.models import OrgUnit

    if group_by == "team":
        return dict(OrgUnit.objects.filter(pk__in=ids).values_list("pk", "name"))
    return {u.pk: u.display_name for u in User.objects.filter(pk__in=ids)}


@dataclass
class CoverageRow:
    customer: Customer
    rep_name: str
    expected: int
    done: int
    last_visit: datetime.date | None = None

    @property
    def shortfall(self) -> int:
        return max(self.expected - self.done, 0)


@dataclass
class Coverage:
    targets: int = 0
    covered: int = 0
    enough: int = 0  # got at least the policy's minimum of visits (scaled to the period)
    rows: list[CoverageRow] = field(default_factory=list)

    @property
    def coverage_rate(self) -> Decimal | None:
        return Figures._rate(self.covered, self.targets)

    @property
    def under_visited(self) -> list[CoverageRow]:
        return sorted([r for r in self.rows if r.shortfall], key=lambda r: (-r.shortfall, r.customer.name))


def coverage_for_user(*, user, date_from: datetime.date, date_to: datetime.date) -> Coverage:
    """Target customers (on a published route the user may see): how many got a visit, and
    how many got fewer visits than their route plans for the period."""
    policy = FieldPolicy.current()
    days = (date_to - date_from).days + 1
    cycles = cycle_list_for_user(user=user).filter(status=RouteCycle.Status.PUBLISHED)
    planned: dict[int, float] = defaultdict(float)
    owner: dict[int, str] = {}
    for stop_customer, weeks, rep_name, rep_username in RouteStop.objects.filter(cycle__in=cycles).values_list(
        "customer_id", "cycle__weeks", "cycle__rep__full_name", "cycle__rep__username"
    ):
        planned[stop_customer] += days / (7 * weeks)
        owner[stop_customer] = rep_name or rep_username
    done = dict(
        visit_list_for_user(user=user)
        .filter(date__gte=date_from, date__lte=date_to, status=Visit.Status.DONE, customer_id__in=list(planned))
        .values("customer_id")
        .annotate(n=Count("pk"))
        .values_list("customer_id", "n")
    )
    minimum = policy.target_min_visits * days / 30
    result = Coverage(targets=len(planned))
    customers = Customer.objects.in_bulk(list(planned))
    for pk, expected in planned.items():
        count = done.get(pk, 0)
        result.covered += 1 if count else 0
        result.enough += 1 if count >= min(expected, minimum) - 0.5 else 0
        result.rows.append(CoverageRow(customers[pk], owner[pk], int(round(expected)), count))
    return result


@dataclass
class DistributionRow:
    label: str
    required: int = 0
    carried: int = 0

    @property
    def rate(self) -> Decimal | None:
        return Figures._rate(self.carried, self.required)


def distribution_for_user(*, user, by: str = "rep", since: datetime.date | None = None) -> list[DistributionRow]:
    """Distribution rate (铺货率): of the SKUs each outlet's channel requires, the share seen in
    stock at the outlet's latest visit that recorded the SKU; per rep, team, outlet or SKU."""
    required = defaultdict(set)
    names = {}
    for channel, product_id, product_name in RequiredSku.objects.values_list("channel", "product_id", "product__name"):
        required[channel].add(product_id)
        names[product_id] = product_name
    lines = VisitLine.objects.filter(visit__in=visit_list_for_user(user=user), visit__status=Visit.Status.DONE)
    if since:
        lines = lines.filter(visit__date__gte=since)
    latest: dict[tuple[int, int], bool] = {}
    for customer_id, product_id, stock in lines.order_by("visit__date", "visit_id").values_list(
        "visit__customer_id", "product_id", "stock_seen"
    ):
        latest[(customer_id, product_id)] = bool(stock and stock > 0)
    outlets = (
        visible_to(Customer.objects.all(), user)
        .filter(
            pk__in={c for c, _p in latest}
            | set(
                RouteStop.objects.filter(cycle__status=RouteCycle.Status.PUBLISHED).values_list(
                    "customer_id", flat=True
                )
            )
        )
        .select_related("owner", "team")
    )
    table: dict[str, DistributionRow] = {}
    for outlet in outlets:
        for product_id in required.get(outlet.channel, ()):
            label = {
                "rep": outlet.owner.display_name,
                "team": outlet.team.name,
                "outlet": outlet.name,
                "sku": names[product_id],
            }[by]
            row = table.setdefault(label, DistributionRow(label))
            row.required += 1
            row.carried += 1 if latest.get((outlet.pk, product_id)) else 0
    return sorted(table.values(), key=lambda r: r.label)
