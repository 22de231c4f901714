"""Reads of the approval engine, scoped to the user who asks.

- the inbox: open tasks assigned to the user, escalated away from them (at any level), or
  assigned to someone who delegated to them today — one query with its joins, whatever its length;
- requests: the requester's own, those the user takes part in, and those of the units a
  supervisor or manager heads (directors, the general manager and administrators see all).
"""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from salesops.approvals.models import (
    ApprovalEscalation,
    ApprovalRequest,
    ApprovalRule,
    ApprovalTask,
    Delegation,
    VisitRequest,
)
from salesops.core.roles import Role
from salesops.core.visibility import visibility_q, visible_to

APPROVAL_WIDE_ROLES = frozenset({Role.SYSADMIN, Role.GENERAL_MANAGER, Role.SALES_DIRECTOR})


def _delegators(user, day):
    return Delegation.objects.filter(to_user=user, active=True, starts_on__lte=day, ends_on__gte=day).values(
        "from_user"
    )


def _escalated_away(user):
    return ApprovalEscalation.objects.filter(from_user=user).values("task_id")


def inbox_for_user(*, user, day=None) -> QuerySet[ApprovalTask]:
    if not getattr(user, "is_authenticated", False):
        return ApprovalTask.objects.none()
    day = day or timezone.localdate()
    # One small query for who delegated to the user keeps the main query a plain indexed
    # lookup (assignee IN (...)) instead of a correlated sub-select per row.
    assignees = [user.pk, *_delegators(user, day).values_list("from_user", flat=True)]
    return (
        ApprovalTask.objects.filter(status=ApprovalTask.Status.OPEN)
        .filter(Q(assignee_id__in=assignees) | Q(escalated_from=user) | Q(pk__in=_escalated_away(user)))
        .select_related("request__requester", "assignee", "on_behalf_of", "escalated_from")
        .order_by("due_at", "pk")
    )


def request_list_for_user(*, user, day=None) -> QuerySet[ApprovalRequest]:
    if not getattr(user, "is_authenticated", False):
        return ApprovalRequest.objects.none()
    day = day or timezone.localdate()
    base = ApprovalRequest.objects.select_related("requester", "unit")
    scope = visibility_q(user, owner_field="requester", unit_field="unit", company_wide_roles=APPROVAL_WIDE_ROLES)
    if scope is None or user.is_superuser:
        return base
    participating = ApprovalTask.objects.filter(
        Q(assignee=user)
        | Q(escalated_from=user)
        | Q(on_behalf_of=user)
        | Q(decided_by=user)
        | Q(assignee__in=_delegators(user, day))
        | Q(pk__in=_escalated_away(user))
    ).values("request_id")
    return base.filter(scope | Q(requester=user) | Q(pk__in=participating))


def request_get_for_user(*, user, pk) -> ApprovalRequest:
    return request_list_for_user(user=user).get(pk=pk)


def my_requests(*, user) -> QuerySet[ApprovalRequest]:
    return ApprovalRequest.objects.filter(requester=user).select_related("requester")


def task_get_for_user(*, user, pk) -> ApprovalTask:
    """A task of a request the user may see (ApprovalTask.DoesNotExist otherwise)."""
    visible = request_list_for_user(user=user).values("pk")
    return (
        ApprovalTask.objects.select_related(
            "request__requester", "assignee", "on_behalf_of", "escalated_from", "decided_by"
        )
        .filter(request__in=visible)
        .get(pk=pk)
    )


def tasks_of_request(*, request: ApprovalRequest) -> QuerySet[ApprovalTask]:
    return (
        request.tasks.select_related("assignee", "on_behalf_of", "escalated_from", "decided_by")
        .prefetch_related(
            Prefetch(
                "escalations",
                queryset=ApprovalEscalation.objects.select_related("from_user", "to_user").order_by("level"),
            )
        )
        .order_by("position")
    )


def rule_list() -> QuerySet[ApprovalRule]:
    return ApprovalRule.objects.prefetch_related("steps__user")


def delegation_list_for_user(*, user) -> QuerySet[Delegation]:
    queryset = Delegation.objects.select_related("from_user", "to_user")
    if user.is_superuser or user.has_role(Role.SYSADMIN):
        return queryset
    return queryset.filter(Q(from_user=user) | Q(to_user=user))


def visit_request_list_for_user(*, user) -> QuerySet[VisitRequest]:
    return visible_to(
        VisitRequest.objects.select_related("customer", "rep", "team"), user, owner_field="rep", unit_field="team"
    )


def visit_request_get_for_user(*, user, pk) -> VisitRequest:
    return visit_request_list_for_user(user=user).get(pk=pk)
