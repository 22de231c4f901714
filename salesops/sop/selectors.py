"""Reads of the SOP area, scoped to the user who asks.

Everyone sees their own obligations and reports. A supervisor sees their team's, a manager
their region's (the unit subtree), the sales director, general manager and administrator
everyone's. Finance, warehouse and the other company-wide roles see only their own: SOP
compliance is a matter of the sales line, not of every company-wide reader.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Min, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone, translation

from salesops.core import formatting
from salesops.core.calendar import WorkCalendar
from salesops.core.models import User
from salesops.core.roles import Role
from salesops.core.visibility import visibility_q
from salesops.sop.models import DailyReport, Obligation, SopEvent, SopRule

SOP_WIDE_ROLES = frozenset({Role.SALES_DIRECTOR, Role.GENERAL_MANAGER, Role.SYSADMIN})
SOP_OVERSEER_ROLES = frozenset({Role.SALES_SUPERVISOR, Role.SALES_MANAGER}) | SOP_WIDE_ROLES


def _scoped(queryset: QuerySet, user, *, owner_field: str, unit_field: str) -> QuerySet:
    if not getattr(user, "is_authenticated", False):
        return queryset.none()
    if user.is_superuser:
        return queryset
    condition = visibility_q(user, owner_field=owner_field, unit_field=unit_field, company_wide_roles=SOP_WIDE_ROLES)
    if condition is None:
        return queryset
    return queryset.filter(condition | Q(**{owner_field: user}))


def rule_list_for_user(*, user) -> QuerySet[SopRule]:
    if not getattr(user, "is_authenticated", False):
        return SopRule.objects.none()
    return SopRule.objects.select_related("org_unit").order_by("code")


def obligation_list_for_user(*, user) -> QuerySet[Obligation]:
    queryset = Obligation.objects.select_related("rule", "person", "person__org_unit")
    return _scoped(queryset, user, owner_field="person", unit_field="person__org_unit")


def event_list_for_user(*, user) -> QuerySet[SopEvent]:
    return _scoped(SopEvent.objects.select_related("person"), user, owner_field="person", unit_field="person__org_unit")


def daily_report_list_for_user(*, user) -> QuerySet[DailyReport]:
    queryset = DailyReport.objects.select_related("rep", "team", "reviewed_by")
    return _scoped(queryset, user, owner_field="rep", unit_field="team")


def can_oversee(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and (user.is_superuser or user.roles & SOP_OVERSEER_ROLES))


@dataclass
class MyObligations:
    overdue: list
    today: list
    upcoming: list

    def __bool__(self) -> bool:
        return bool(self.overdue or self.today)


def my_obligations(
    *, user, now: datetime.datetime | None = None, calendar: WorkCalendar | None = None
) -> MyObligations:
    """The person's own: overdue (past due and not done), due today, and the next few."""
    now = now or timezone.now()
    tz = (calendar or WorkCalendar.load()).tz
    end_of_day = datetime.datetime.combine(
        timezone.localtime(now, tz).date() + datetime.timedelta(days=1), datetime.time(0), tz
    )
    mine = Obligation.objects.filter(person=user).select_related("rule")
    pending = mine.filter(status__in=[Obligation.Status.OPEN, Obligation.Status.MISSED])
    overdue = list(pending.filter(due_at__lte=now).order_by("due_at")[:50])
    today = list(mine.filter(due_at__gt=now, due_at__lt=end_of_day).order_by("due_at"))
    upcoming = list(pending.filter(due_at__gte=end_of_day).order_by("due_at")[:10])
    return MyObligations(overdue=overdue, today=today, upcoming=upcoming)


# --- compliance ------------------------------------------------------------------------------------
GROUPS = {
    "person": ("person_id", "person__full_name", "person__username"),
    "team": ("person__org_unit_id", "person__org_unit__name", "person__org_unit__code"),
    "rule": ("rule_id", "rule__name_en", "rule__name_zh"),
    "month": ("month",),
}
# Where a compliance row leads: the obligations behind it (the list filters by these).
DRILL_DOWN = {"person": "person", "team": "team", "rule": "rule", "month": "month"}


@dataclass
class ComplianceRow:
    key: int | str | None
    label: str
    met: int
    met_late: int
    missed: int
    open: int
    escalated: int = 0

    @property
    def total(self) -> int:
        return self.met + self.met_late + self.missed + self.open

    @property
    def closed(self) -> int:
        return self.met + self.met_late + self.missed

    @property
    def late(self) -> int:
        """Done after the deadline or not at all."""
        return self.met_late + self.missed

    @property
    def on_time_rate(self) -> float | None:
        """Share met on time of the obligations whose outcome is known (open ones excluded)."""
        return round(100 * self.met / self.closed, 1) if self.closed else None


def obligations_due(*, user, date_from: datetime.date, date_to: datetime.date, calendar=None) -> QuerySet[Obligation]:
    """The user's visible obligations due in [date_from, date_to] (company time zone), without
    the cancelled ones (their document was withdrawn: nobody owed them any more)."""
    tz = (calendar or WorkCalendar.load()).tz
    start = datetime.datetime.combine(date_from, datetime.time(0), tz)
    end = datetime.datetime.combine(date_to + datetime.timedelta(days=1), datetime.time(0), tz)
    return (
        obligation_list_for_user(user=user)
        .filter(due_at__gte=start, due_at__lt=end)
        .exclude(status=Obligation.Status.CANCELLED)
    )


def compliance_for_user(
    *,
    user,
    date_from: datetime.date,
    date_to: datetime.date,
    group_by: str = "person",
    rule: SopRule | None = None,
    calendar=None,
) -> list[ComplianceRow]:
    """Obligations due in [date_from, date_to], counted by outcome per person, team, rule or
    month (of the deadline, company time zone); `rule` narrows to one rule."""
    if group_by not in GROUPS:
        raise ValueError(group_by)
    calendar = calendar or WorkCalendar.load()
    key, *label_fields = GROUPS[group_by]
    status = Obligation.Status
    obligations = obligations_due(user=user, date_from=date_from, date_to=date_to, calendar=calendar)
    if rule is not None:
        obligations = obligations.filter(rule=rule)
    if group_by == "month":
        obligations = obligations.annotate(month=TruncMonth("due_at", tzinfo=calendar.tz))
    rows = (
        obligations.order_by()
        .values(key, *label_fields)
        .annotate(
            met=Count("id", filter=Q(status=status.MET)),
            met_late=Count("id", filter=Q(status=status.MET_LATE)),
            missed=Count("id", filter=Q(status=status.MISSED)),
            open=Count("id", filter=Q(status=status.OPEN)),
            escalated=Count("id", filter=Q(escalated_at__isnull=False)),
        )
    )
    zh = (translation.get_language() or "").startswith("zh")
    result = []
    for row in rows:
        if group_by == "rule":
            label = row["rule__name_zh"] if zh and row["rule__name_zh"] else row["rule__name_en"]
        elif group_by == "month":
            label = formatting.month(row["month"])
        else:
            label = row[label_fields[0]] or row[label_fields[1]] or "—"
        result.append(
            ComplianceRow(
                key=f"{row['month']:%Y-%m}" if group_by == "month" else row[key],
                label=label,
                met=row["met"],
                met_late=row["met_late"],
                missed=row["missed"],
                open=row["open"],
                escalated=row["escalated"],
            )
        )
    if group_by == "month":
        return sorted(result, key=lambda r: r.key)
    return sorted(result, key=lambda r: (r.on_time_rate if r.on_time_rate is not None else 101, r.label))


@dataclass
class Behind:
    person: object
    overdue: int
    oldest_due: datetime.datetime
    rules: list[str]


def people_behind(*, user, now: datetime.datetime | None = None, days: int = 30) -> list[Behind]:
    """The people the user oversees (not the user) with deadlines of the last `days` days past
    and not done: who is behind today, most behind first."""
    now = now or timezone.now()
    pending = (
        obligation_list_for_user(user=user)
        .filter(
            status__in=[Obligation.Status.OPEN, Obligation.Status.MISSED],
            due_at__lte=now,
            due_at__gt=now - datetime.timedelta(days=days),
        )
        .exclude(person=user)
        .order_by()
    )
    counts = pending.values("person_id").annotate(overdue=Count("id"), oldest=Min("due_at"))
    rules_by_person: dict[int, set[int]] = {}
    for person_id, rule_id in pending.values_list("person_id", "rule_id").distinct():
        rules_by_person.setdefault(person_id, set()).add(rule_id)
    rules = {
        rule.pk: rule.name for rule in SopRule.objects.filter(pk__in={r for s in rules_by_person.values() for r in s})
    }
    people = User.objects.in_bulk([row["person_id"] for row in counts])
    result = [
        Behind(
            person=people[row["person_id"]],
            overdue=row["overdue"],
            oldest_due=row["oldest"],
            rules=sorted(rules[r] for r in rules_by_person[row["person_id"]]),
        )
        for row in counts
    ]
    return sorted(result, key=lambda b: (-b.overdue, b.oldest_due, b.person.display_name))
