"""REST endpoints of the approval engine (same services as the pages):

GET  approvals/inbox/                    what waits for the caller's decision
GET  approvals/tasks/<id>/               one step with the request and its snapshot
POST approvals/tasks/<id>/decide/        {decision: approve|reject|return, comment}
GET  approvals/requests/?mine=1          requests the caller may see (or their own)
POST approvals/requests/<id>/withdraw/   the requester, before the first decision
     approvals/rules/                    CRUD, administrators only
     approvals/delegations/              the caller's delegations; POST <id>/end/
     visit-requests/                     key-account visit requests; POST <id>/submit/
"""

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response

from salesops.approvals import selectors, services, visits
from salesops.approvals.models import ApprovalRequest, ApprovalTask, Delegation, VisitRequest
from salesops.approvals.serializers import (
    ApprovalRequestDetailSerializer,
    ApprovalRequestSerializer,
    DecisionSerializer,
    DelegationSerializer,
    InboxTaskSerializer,
    RuleSerializer,
    TaskDetailSerializer,
    VisitRequestSerializer,
)
from salesops.core.api.history import HistoryMixin
from salesops.core.api.permissions import HasRole
from salesops.core.api.routers import Router
from salesops.core.roles import SALES_ROLES, Role
from salesops.core.selectors import is_admin


class IsAdmin(BasePermission):
    def has_permission(self, request, view):
        return is_admin(request.user)


class InboxViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Open approval steps waiting for the caller (or for someone who delegated to them)."""

    serializer_class = InboxTaskSerializer
    permission_classes = [IsAuthenticated]
    search_fields = ["request__title"]
    ordering_fields = ["due_at", "request__submitted_at"]
    filterset_fields = ["request__doc_type"]

    def get_queryset(self):
        return selectors.inbox_for_user(user=self.request.user)


class TaskViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = TaskDetailSerializer
    permission_classes = [IsAuthenticated]
    queryset = ApprovalTask.objects.none()

    def get_object(self):
        try:
            return selectors.task_get_for_user(user=self.request.user, pk=self.kwargs["pk"])
        except (ApprovalTask.DoesNotExist, ValueError):
            raise Http404

    @extend_schema(request=DecisionSerializer, responses=ApprovalRequestDetailSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        task = self.get_object()
        data = DecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        approval = services.approval_decide(task=task, actor=request.user, **data.validated_data)
        return Response(ApprovalRequestDetailSerializer(approval).data)


class RequestViewSet(HistoryMixin, viewsets.ReadOnlyModelViewSet):
    permission_classes = [IsAuthenticated]
    filterset_fields = ["status", "doc_type"]
    search_fields = ["title"]
    ordering_fields = ["submitted_at", "status"]

    def get_queryset(self):
        if self.request.query_params.get("mine"):
            return selectors.my_requests(user=self.request.user)
        return selectors.request_list_for_user(user=self.request.user)

    def get_serializer_class(self):
        return ApprovalRequestSerializer if self.action == "list" else ApprovalRequestDetailSerializer

    @extend_schema(request=None, responses=ApprovalRequestDetailSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        approval: ApprovalRequest = self.get_object()
        approval = services.approval_withdraw(request=approval, actor=request.user)
        return Response(ApprovalRequestDetailSerializer(approval).data)


class RuleViewSet(HistoryMixin, viewsets.ModelViewSet):
    serializer_class = RuleSerializer
    permission_classes = [IsAdmin]
    filterset_fields = ["doc_type", "active"]
    search_fields = ["name", "name_zh", "doc_type"]
    ordering_fields = ["doc_type", "position", "name"]

    def get_queryset(self):
        return selectors.rule_list()

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        steps = data.pop("steps")
        serializer.instance = services.approval_rule_create(actor=self.request.user, steps=steps, **data)

    def perform_update(self, serializer):
        serializer.instance = services.approval_rule_update(
            rule=serializer.instance, data=dict(serializer.validated_data), actor=self.request.user
        )

    def perform_destroy(self, instance):
        services.approval_rule_delete(rule=instance, actor=self.request.user)


class DelegationViewSet(
    mixins.ListModelMixin, mixins.CreateModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = DelegationSerializer
    permission_classes = [IsAuthenticated]
    ordering_fields = ["starts_on"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation, no user
            return Delegation.objects.none()
        return selectors.delegation_list_for_user(user=self.request.user)

    def perform_create(self, serializer):
        serializer.instance = services.delegation_create(
            from_user=self.request.user, actor=self.request.user, **serializer.validated_data
        )

    @extend_schema(request=None, responses=DelegationSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        delegation = self.get_object()
        if delegation.from_user_id != request.user.pk and not is_admin(request.user):
            raise Http404
        delegation = services.delegation_end(delegation=delegation, actor=request.user)
        return Response(DelegationSerializer(delegation).data)


class VisitRequestViewSet(HistoryMixin, viewsets.ModelViewSet):
    serializer_class = VisitRequestSerializer
    permission_classes = [HasRole]
    required_roles = SALES_ROLES
    write_roles = [Role.SALES_REP]
    filterset_fields = ["status", "rep", "customer", "key_account"]
    search_fields = ["number", "customer__name", "purpose"]
    ordering_fields = ["planned_date", "number", "status"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.visit_request_list_for_user(user=self.request.user)

    def _own(self) -> VisitRequest:
        visit = self.get_object()
        if visit.rep_id != self.request.user.pk:
            raise Http404
        return visit

    def perform_create(self, serializer):
        from salesops.crm.selectors import customer_list_for_user

        data = dict(serializer.validated_data)
        if not customer_list_for_user(user=self.request.user).filter(pk=data["customer"].pk).exists():
            from rest_framework.exceptions import ValidationError

            raise ValidationError({"customer": [_("Choose one of your customers.")]})
        serializer.instance = visits.visit_request_create(actor=self.request.user, **data)

    def perform_update(self, serializer):
        visit = self._own()
        serializer.instance = visits.visit_request_update(
            visit=visit, data=dict(serializer.validated_data), actor=self.request.user
        )

    @extend_schema(request=None, responses=VisitRequestSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        visit, _approval = visits.visit_request_submit(visit=self._own(), actor=request.user)
        return Response(VisitRequestSerializer(visit).data)


router = Router()
router.register("approvals/inbox", InboxViewSet, basename="api-approval-inbox")
router.register("approvals/tasks", TaskViewSet, basename="api-approval-task")
router.register("approvals/requests", RequestViewSet, basename="api-approval-request")
router.register("approvals/rules", RuleViewSet, basename="api-approval-rule")
router.register("approvals/delegations", DelegationViewSet, basename="api-approval-delegation")
router.register("visit-requests", VisitRequestViewSet, basename="api-visit-request")
urlpatterns = router.urls
