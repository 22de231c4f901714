"""Reads of targets and performance, scoped to the user who asks (core.visibility):
company-wide roles see everything, supervisors and managers their unit's subtree, reps their
own records, everyone else nothing. The documents behind a KPI figure (drill-down) are read
through the owning area's selectors, so they follow the same visibility."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from salesops.core.listing import Column
from salesops.core.models import User
from salesops.core.roles import COMPANY_WIDE_SALES_ROLES, OWNER_ROLES, UNIT_ROLES, Role
from salesops.core.selectors import company_date
from salesops.core.visibility import visible_to
from salesops.targets.models import (
    BusinessReview,
    CommissionRun,
    CommissionStatement,
    ExpenseBudget,
    ExpenseClaim,
    ProfitPlan,
    ReviewAction,
    Target,
    TargetPlan,
)
from salesops.targets.periods import Period

PLAN_READERS = frozenset(COMPANY_WIDE_SALES_ROLES | UNIT_ROLES)
RUN_READERS = frozenset({Role.FINANCE, Role.SALES_DIRECTOR, Role.GENERAL_MANAGER, Role.SYSADMIN})


def _has(user, roles) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or user.roles & roles))


def reps_for_user(*, user) -> list[User]:
    """The sales reps whose figures `user` may see."""
    if not user.is_authenticated:
        return []
    reps = User.objects.filter(is_active=True, role_assignments__role=Role.SALES_REP, org_unit__isnull=False)
    if not user.is_superuser:
        reps = visible_to(reps, user, owner_field="role_assignments__user", unit_field="org_unit")
    scoped = reps
    return list(scoped.select_related("org_unit").distinct().order_by("pk"))


def plan_list_for_user(*, user) -> QuerySet[TargetPlan]:
    plans = TargetPlan.objects.select_related("created_by")
    return plans if _has(user, PLAN_READERS) else plans.none()


def target_rows_for_user(*, user, plan: TargetPlan) -> QuerySet[Target]:
    rows = Target.objects.filter(plan=plan).select_related("org_unit", "rep", "customer", "family")
    return visible_to(rows, user, owner_field="rep", unit_field="org_unit")


def commission_run_list_for_user(*, user) -> QuerySet[CommissionRun]:
    runs = CommissionRun.objects.select_related("created_by")
    return runs if _has(user, RUN_READERS) else runs.none()


def statement_list_for_user(*, user) -> QuerySet[CommissionStatement]:
    """Reps see their statements once the run is approved; supervisors and managers their
    people's; finance and the company-wide roles all."""
    statements = visible_to(
        CommissionStatement.objects.select_related("run", "rep", "team"), user, owner_field="rep", unit_field="team"
    )
    if _has(user, COMPANY_WIDE_SALES_ROLES | UNIT_ROLES):
        return statements
    return statements.filter(run__status=CommissionRun.Status.APPROVED)


def claim_list_for_user(*, user) -> QuerySet[ExpenseClaim]:
    return visible_to(
        ExpenseClaim.objects.select_related("claimant", "team", "expense_type", "customer"),
        user,
        owner_field="claimant",
        unit_field="team",
    )


def budget_list_for_user(*, user) -> QuerySet[ExpenseBudget]:
    budgets = ExpenseBudget.objects.select_related("team", "rep", "expense_type")
    if user.is_authenticated and user.roles & OWNER_ROLES and not user.roles & (COMPANY_WIDE_SALES_ROLES | UNIT_ROLES):
        return budgets.filter(Q(rep=user) | Q(rep__isnull=True, team_id=user.org_unit_id))
    return visible_to(budgets, user, owner_field="rep", unit_field="team")


def profit_plan_list_for_user(*, user) -> QuerySet[ProfitPlan]:
    return visible_to(ProfitPlan.objects.select_related("rep", "team"), user, owner_field="rep", unit_field="team")


def review_list_for_user(*, user) -> QuerySet[BusinessReview]:
    reviews = BusinessReview.objects.select_related("unit", "held_by")
    return visible_to(reviews, user, owner_field=None, unit_field="unit")


def actions_for_owner(*, user) -> QuerySet[ReviewAction]:
    return ReviewAction.objects.filter(owner=user, status=ReviewAction.Status.OPEN).select_related("review")


# --- drill-down: the documents behind a figure ------------------------------------------------------
@dataclass(frozen=True)
class Documents:
    queryset: QuerySet
    columns: list[Column]


def _money(key, label):
    return Column(key, label, sort=key, kind="money")


def sales_documents(*, user, period: Period, rep_ids) -> Documents:
    from salesops.sales import selectors as sales
    from salesops.targets.measures import COUNTED_ORDER_STATUSES, _moments, current_measure

    measure = current_measure()
    if measure == "orders":
        orders = sales.order_list_for_user(user=user).filter(
            order_date__gte=period.start,
            order_date__lte=period.end,
            status__in=COUNTED_ORDER_STATUSES,
            rep_id__in=rep_ids,
        )
        return Documents(
            orders.select_related("customer", "rep"),
            [
                Column("number", _("Number"), sort="number", link=lambda o: reverse("sales-order", args=[o.pk])),
                Column("order_date", _("Date"), sort="order_date"),
                Column("customer__name", _("Customer")),
                Column("rep__display_name", _("Sales rep")),
                _money("total", _("Total")),
            ],
        )
    if measure == "deliveries":
        start, end = _moments(period)
        deliveries = (
            sales.delivery_list_for_user(user=user)
            .filter(issued_at__gte=start, issued_at__lt=end, order__rep_id__in=rep_ids)
            .exclude(status="cancelled")
        )
        return Documents(
            deliveries.select_related("order__customer", "order__rep"),
            [
                Column("number", _("Number"), sort="number"),
                Column("issued_at", _("Issued at"), sort="issued_at"),
                Column("order__customer__name", _("Customer")),
                Column("order__rep__display_name", _("Sales rep")),
                _money("total", _("Value")),
            ],
        )
    invoices = (
        sales.invoice_list_for_user(user=user)
        .filter(issue_date__gte=period.start, issue_date__lte=period.end, rep_id__in=rep_ids)
        .exclude(status="cancelled")
    )
    return Documents(invoices.select_related("customer", "rep"), _invoice_columns())


def _invoice_columns() -> list[Column]:
    return [
        Column("number", _("Number"), sort="number"),
        Column("issue_date", _("Invoice date"), sort="issue_date"),
        Column("due_date", _("Due date"), sort="due_date"),
        Column("customer__name", _("Customer")),
        Column("rep__display_name", _("Sales rep")),
        _money("total", _("Total")),
        _money("paid_amount", _("Paid")),
    ]


def collection_documents(*, user, period: Period, rep_ids) -> Documents:
    from salesops.credit.models import Allocation
    from salesops.sales import selectors as sales

    invoices = sales.invoice_list_for_user(user=user).filter(rep_id__in=rep_ids)
    allocations = Allocation.objects.filter(
        receipt__isnull=False, allocated_on__gte=period.start, allocated_on__lte=period.end, invoice__in=invoices
    ).select_related("receipt", "invoice__customer", "invoice__rep")
    return Documents(
        allocations,
        [
            Column("receipt__number", _("Receipt"), sort="receipt__number"),
            Column("allocated_on", _("Date"), sort="allocated_on"),
            Column("invoice__number", _("Invoice")),
            Column("invoice__customer__name", _("Customer")),
            Column("invoice__rep__display_name", _("Sales rep")),
            _money("amount", _("Amount")),
        ],
    )


def overdue_documents(*, user, period: Period, rep_ids) -> Documents:

    from salesops.credit.ageing import open_at
    from salesops.sales import selectors as sales

    as_of = min(period.end, company_date())
    invoices = open_at(sales.invoice_list_for_user(user=user).filter(rep_id__in=rep_ids), as_of).filter(
        due_date__lt=as_of
    )
    return Documents(
        invoices.select_related("customer", "rep"), [*_invoice_columns(), _money("amount_open", _("Open"))]
    )


def expense_documents(*, user, period: Period, rep_ids) -> Documents:
    claims = claim_list_for_user(user=user).filter(
        status=ExpenseClaim.Status.APPROVED,
        spent_on__gte=period.start,
        spent_on__lte=period.end,
        claimant_id__in=rep_ids,
    )
    return Documents(claims, claim_columns())


def claim_columns() -> list[Column]:
    return [
        Column("number", _("Number"), sort="number", link=lambda c: reverse("targets-claim", args=[c.pk])),
        Column("spent_on", _("Spent on"), sort="spent_on"),
        Column("claimant__display_name", _("Claimant")),
        Column("expense_type", _("Type"), value=lambda c: c.expense_type.name),
        _money("amount", _("Amount")),
        Column("over_budget", _("Over budget"), value=lambda c: _("Yes") if c.over_budget else ""),
        Column("status", _("Status"), sort="status", value=lambda c: c.get_status_display()),
    ]


def complaint_documents(*, user, period: Period, rep_ids) -> Documents:
    from salesops.crm.selectors import complaint_list_for_user
    from salesops.targets.measures import _moments

    start, end = _moments(period)
    complaints = complaint_list_for_user(user=user).filter(
        follow_up_at__gte=start, follow_up_at__lt=end, satisfaction__isnull=False, owner_id__in=rep_ids
    )
    return Documents(
        complaints.select_related("customer", "owner"),
        [
            Column("code", _("Code"), sort="code"),
            Column("subject", _("Subject")),
            Column("customer__name", _("Customer")),
            Column("follow_up_at", _("Follow-up call at"), sort="follow_up_at"),
            Column("satisfaction", _("Satisfaction"), sort="satisfaction", numeric=True),
        ],
    )
