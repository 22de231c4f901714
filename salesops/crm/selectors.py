"""Reads of the customer area, every one scoped by core.visibility."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import Count, DecimalField, ExpressionWrapper, F, Q, QuerySet, Sum, Window
from django.db.models.functions import RowNumber, TruncMonth
from django.utils import timezone

from salesops.core.models import OrgUnit, User
from salesops.core.roles import SALES_ROLES, Role
from salesops.core.selectors import company_zone
from salesops.core.visibility import visibility_q
from salesops.crm.models import (
    Activity,
    Complaint,
    Contact,
    Customer,
    CustomerGrade,
    GradingRun,
    InboundContact,
    Opportunity,
    OwnershipChange,
    OwnershipConflict,
    OwnershipKey,
    ReassignmentBatch,
    RepAbsence,
    Rotation,
    Stage,
)
from salesops.crm.privacy import NAME_ONLY_ROLES

_UNIT_SUBTREE = "__path__startswith"


def _on_unit_ids(condition: Q) -> Q:
    """The same condition with each `<unit>__path__startswith=P` turned into `<unit>__in=[ids]`.

    core.visibility scopes a supervisor to their org unit's subtree by the unit's materialised
    path, which joins the org-unit table and hides the record's own indexed unit column from
    the planner; the subtree is a handful of ids, so the record is filtered on its `team_id`
    instead and the (team, name) index serves both the filter and the default sort."""
    rewritten = Q()
    rewritten.connector, rewritten.negated = condition.connector, condition.negated
    for child in condition.children:
        if isinstance(child, Q):
            child = _on_unit_ids(child)
        elif child[0].endswith(_UNIT_SUBTREE):
            field = child[0][: -len(_UNIT_SUBTREE)]
            ids = list(OrgUnit.objects.filter(path__startswith=child[1]).values_list("pk", flat=True))
            child = (f"{field}__in", ids)
        rewritten.children.append(child)
    return rewritten


def visible_to(queryset: QuerySet, user, **kwargs) -> QuerySet:
    """core.visibility.visible_to with the unit subtree resolved to ids (see `_on_unit_ids`)."""
    condition = visibility_q(user, **kwargs)
    return queryset if condition is None else queryset.filter(_on_unit_ids(condition))


def customer_list_for_user(*, user) -> QuerySet[Customer]:
    return visible_to(Customer.objects.select_related("owner", "team"), user)


def customer_search_for_user(*, user, query: str, limit: int = 20) -> QuerySet[Customer]:
    """Customers whose name, code, city, pinyin or pinyin initials contain `query` (the stored
    search key), active ones first."""
    customers = customer_list_for_user(user=user)
    query = query.strip().lower()[:100]
    if query:
        customers = customers.filter(Q(search_key__contains=query) | Q(code__icontains=query))
    return customers.exclude(status=Customer.Status.LOST).order_by("name", "pk")[:limit]


def customer_get_for_user(*, user, pk) -> Customer:
    """The customer, or Customer.DoesNotExist when it does not exist or is not visible."""
    return customer_list_for_user(user=user).get(pk=pk)


def customer_directory_for_user(*, user) -> QuerySet[Customer]:
    """Customers by name for roles that need only the name (warehouse, planner, purchasing);
    their contact details are masked by whoever shows them (see privacy.py)."""
    return visible_to(
        Customer.objects.select_related("owner", "team"),
        user,
        company_wide_roles=frozenset(NAME_ONLY_ROLES)
        | {Role.SALES_DIRECTOR, Role.GENERAL_MANAGER, Role.SALES_ADMIN, Role.FINANCE, Role.SYSADMIN},
    )


def contact_list_for_customer(*, customer: Customer) -> QuerySet[Contact]:
    return customer.contacts.all()


def pool_list_for_user(*, user) -> QuerySet[Customer]:
    """The lead pool is open to every sales role."""
    if not user.is_authenticated or not (user.roles & SALES_ROLES):
        return Customer.objects.none()
    return Customer.objects.filter(in_pool=True).select_related("owner", "team").order_by("-pooled_at", "pk")


def conflict_list_for_user(*, user) -> QuerySet[OwnershipConflict]:
    """A rep sees their own attempts; a supervisor those on their team's customers."""
    return visible_to(
        OwnershipConflict.objects.select_related("customer", "attempted_by", "owner_at_attempt", "team"),
        user,
        owner_field="attempted_by",
        unit_field="team",
    )


def ownership_history(*, customer: Customer) -> QuerySet[OwnershipChange]:
    return customer.ownership_changes.select_related("from_owner", "to_owner", "changed_by")


def reassignment_list_for_user(*, user) -> QuerySet[ReassignmentBatch]:
    if user.is_superuser or user.has_role(Role.SALES_DIRECTOR, Role.SALES_ADMIN, Role.SYSADMIN, Role.GENERAL_MANAGER):
        return ReassignmentBatch.objects.select_related("from_owner", "to_owner")
    return ReassignmentBatch.objects.filter(requested_by=user).select_related("from_owner", "to_owner")


def reps_for_user(*, user) -> QuerySet[User]:
    """Sales reps the user manages (or all, for company-wide roles)."""
    reps = User.objects.filter(is_active=True, role_assignments__role=Role.SALES_REP).distinct()
    return visible_to(reps, user, owner_field=None, unit_field="org_unit").order_by("username")


def opportunity_list_for_user(*, user) -> QuerySet[Opportunity]:
    return visible_to(Opportunity.objects.select_related("customer", "owner", "team", "stage"), user)


def opportunity_totals_by_stage(opportunities: QuerySet[Opportunity]) -> list[dict]:
    """{stage_id, n, total} per stage of an already scoped queryset."""
    return list(opportunities.order_by().values("stage_id").annotate(n=Count("pk"), total=Sum("amount")))


CARD_FIELDS = [
    "code",
    "name",
    "amount",
    "expected_close",
    "stage_id",
    "customer__name",
    "owner__username",
    "owner__full_name",
    "owner__first_name",
    "owner__last_name",
]


def opportunity_cards_by_stage(opportunities: QuerySet[Opportunity], *, per_stage: int) -> list[Opportunity]:
    """The first `per_stage` opportunities of each stage by expected close, in one query."""
    rank = Window(RowNumber(), partition_by=[F("stage_id")], order_by=[F("expected_close").asc(), F("pk").asc()])
    cards = (
        opportunities.select_related(None)
        .select_related("customer", "owner")
        .only(*CARD_FIELDS)
        .annotate(rank=rank)
        .filter(rank__lte=per_stage)
        .order_by("expected_close", "pk")
    )
    return list(cards)


def stage_list() -> QuerySet[Stage]:
    return Stage.objects.filter(active=True).order_by("order", "pk")


def pipeline_summary(*, user, group_by: str = "owner") -> list[dict]:
    """Open opportunities: count, amount and weighted amount per rep, team or expected month."""
    queryset = opportunity_list_for_user(user=user).filter(stage__outcome=Stage.Outcome.OPEN)
    weighted = ExpressionWrapper(
        F("amount") * F("stage__probability") / Decimal(100), output_field=DecimalField(max_digits=18, decimal_places=2)
    )
    if group_by == "team":
        keys, label = ["team_id", "team__name"], "team__name"
    elif group_by == "month":
        queryset = queryset.annotate(month=TruncMonth("expected_close"))
        keys, label = ["month"], "month"
    else:
        keys, label = ["owner_id", "owner__full_name", "owner__username"], "owner__full_name"
    rows = (
        queryset.values(*keys)
        .annotate(n=Count("pk"), total=Sum("amount"), total_weighted=Sum(weighted))
        .order_by(*keys)
    )
    result = []
    for row in rows:
        name = row[label]
        if group_by == "month":
            name = row["month"].strftime("%Y-%m") if row["month"] else "-"
        elif group_by == "owner":
            name = row["owner__full_name"] or row["owner__username"]
        result.append(
            {
                "key": name,
                "count": row["n"],
                "amount": Decimal(row["total"] or 0).quantize(Decimal("0.01")),
                "weighted": Decimal(row["total_weighted"] or 0).quantize(Decimal("0.01")),
            }
        )
    return result


def activity_list_for_user(*, user) -> QuerySet[Activity]:
    return visible_to(Activity.objects.select_related("customer", "owner", "opportunity"), user)


def _local_today() -> datetime.date:
    return timezone.localdate()


def agenda_for_user(*, user, days: int = 1) -> dict:
    """A rep's planned activities and next steps from today for `days` days, plus overdue."""
    today = _local_today()
    start = timezone.make_aware(datetime.datetime.combine(today, datetime.time.min))
    end = start + datetime.timedelta(days=days)
    mine = Activity.objects.filter(owner=user).select_related("customer", "opportunity")
    return {
        "today": today,
        "activities": list(mine.filter(occurred_at__gte=start, occurred_at__lt=end).order_by("occurred_at", "pk")),
        "next_steps": list(
            mine.filter(
                next_step_done=False,
                next_step_due__gte=today,
                next_step_due__lt=today + datetime.timedelta(days=days),
            )
            .exclude(next_step="")
            .order_by("next_step_due", "pk")
        ),
        "overdue": list(overdue_next_steps(user=user)),
    }


def overdue_next_steps(*, user) -> QuerySet[Activity]:
    return (
        Activity.objects.filter(owner=user, next_step_done=False, next_step_due__lt=_local_today())
        .exclude(next_step="")
        .select_related("customer")
        .order_by("next_step_due", "pk")
    )


def overdue_opportunity_steps(*, user) -> QuerySet[Opportunity]:
    return opportunity_list_for_user(user=user).filter(
        owner=user, stage__outcome=Stage.Outcome.OPEN, next_step_due__lt=_local_today()
    )


def complaint_list_for_user(*, user) -> QuerySet[Complaint]:
    return visible_to(Complaint.objects.select_related("customer", "owner", "team"), user)


def open_complaints_for_user(*, user) -> QuerySet[Complaint]:
    return complaint_list_for_user(user=user).exclude(status=Complaint.Status.CLOSED).order_by("received_at", "pk")


def grading_run_list() -> QuerySet[GradingRun]:
    return GradingRun.objects.select_related("actor")


def grade_history(*, customer: Customer) -> QuerySet[CustomerGrade]:
    return customer.grade_history.select_related("run").order_by("-run__run_at", "-run_id")


# --- the call desk ----------------------------------------------------------------------------------
def inbound_list_for_user(*, user) -> QuerySet[InboundContact]:
    """Register lines the user may see: those given to them or their team (the usual scope), and
    those they registered themselves."""
    records = InboundContact.objects.select_related("customer", "assigned_to", "registered_by", "rotation")
    condition = visibility_q(user, owner_field="assigned_to", unit_field="team")
    if condition is None:
        return records
    return records.filter(_on_unit_ids(condition) | Q(registered_by=user))


def _day_bounds(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """The company's day, whatever time zone is active."""
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min), company_zone())
    return start, start + datetime.timedelta(days=1)


def inbound_for_day(*, user, day: datetime.date) -> QuerySet[InboundContact]:
    start, end = _day_bounds(day)
    return inbound_list_for_user(user=user).filter(occurred_at__gte=start, occurred_at__lt=end)


def inbound_counts(*, user, start: datetime.date, end: datetime.date) -> dict:
    """Leads per rep from `start` to `end` inclusive (by rotation, chosen, to the existing owner)
    and the share entered the same day, for the page that shows the rotation is fair."""
    first, _ = _day_bounds(start)
    _, last = _day_bounds(end)
    records = inbound_list_for_user(user=user).filter(occurred_at__gte=first, occurred_at__lt=last)
    rows = (
        records.exclude(assigned_to=None)
        .order_by()
        .values("assigned_to", "assigned_to__full_name", "assigned_to__username")
        .annotate(
            total=Count("pk"),
            rotation=Count("pk", filter=Q(assignment=InboundContact.Assignment.ROTATION)),
            chosen=Count("pk", filter=Q(assignment=InboundContact.Assignment.CHOSEN)),
            owner=Count("pk", filter=Q(assignment=InboundContact.Assignment.OWNER)),
            late=Count("pk", filter=Q(entered_late=True)),
        )
        .order_by("-total", "assigned_to__username")
    )
    totals = records.order_by().aggregate(
        total=Count("pk"),
        late=Count("pk", filter=Q(entered_late=True)),
        pool=Count("pk", filter=Q(assignment=InboundContact.Assignment.POOL)),
    )
    same_day = None
    if totals["total"]:
        same_day = (Decimal(totals["total"] - totals["late"]) * 100 / totals["total"]).quantize(Decimal("0.1"))
    return {
        "reps": [
            {
                "rep_id": row["assigned_to"],
                "name": row["assigned_to__full_name"] or row["assigned_to__username"],
                **{key: row[key] for key in ("total", "rotation", "chosen", "owner", "late")},
            }
            for row in rows
        ],
        "total": totals["total"],
        "late": totals["late"],
        "pool": totals["pool"],
        "same_day_percent": same_day,
    }


def inbound_matches(*, user, phone: str = "", name: str = "", limit: int = 5) -> list[dict]:
    """Existing customers and leads that a call may be, while the phone and name are typed:
    by the digits of the phone (any customer's or contact's number containing them) and by
    name (also pinyin and initials). Customers the user may not see are shown only as
    "registered to a colleague", with whom to talk to."""
    from salesops.crm.services import supervisor_of

    digits = "".join(ch for ch in phone if ch.isdigit())
    name = name.strip().lower()
    ids: list[int] = []
    if len(digits) >= 4:
        ids += list(
            OwnershipKey.objects.filter(kind=OwnershipKey.Kind.PHONE, value__contains=digits)
            .order_by("customer_id")
            .values_list("customer_id", flat=True)[:limit]
        )
    if len(name) >= 2:
        ids += list(
            Customer.objects.filter(search_key__contains=name).order_by("name").values_list("pk", flat=True)[:limit]
        )
    ids = list(dict.fromkeys(ids))[: limit * 2]
    if not ids:
        return []
    visible = set(customer_list_for_user(user=user).filter(pk__in=ids).values_list("pk", flat=True))
    customers = Customer.objects.select_related("owner", "team").in_bulk(ids)
    result = []
    for pk in ids:
        customer = customers[pk]
        if pk in visible:
            result.append({"customer": customer, "visible": True})
        else:
            supervisor = supervisor_of(customer.owner)
            result.append(
                {"customer": None, "visible": False, "talk_to": supervisor.display_name if supervisor else ""}
            )
    return result


def rotation_list() -> QuerySet[Rotation]:
    return Rotation.objects.prefetch_related("seats__rep")


def absence_list(*, since: datetime.date) -> QuerySet[RepAbsence]:
    return RepAbsence.objects.filter(end__gte=since).select_related("rep").order_by("start", "pk")
