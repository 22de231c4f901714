"""REST endpoints of the SOP clock under /api/v1/sop/: rules (administrators write), obligations
(scoped, read-only), events (report one for yourself), compliance, daily reports."""

from dataclasses import asdict

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from salesops.core.api.history import HistoryMixin
from salesops.core.api.permissions import AdminWrites, HasRole
from salesops.core.api.routers import Router
from salesops.core.roles import Role
from salesops.core.selectors import is_admin
from salesops.sop import services
from salesops.sop.selectors import (
    SOP_OVERSEER_ROLES,
    compliance_for_user,
    daily_report_list_for_user,
    event_list_for_user,
    obligation_list_for_user,
    rule_list_for_user,
)
from salesops.sop.serializers import (
    ComplianceQuerySerializer,
    ComplianceRowSerializer,
    DailyReportSerializer,
    ObligationSerializer,
    ReviewSerializer,
    SopEventSerializer,
    SopRuleSerializer,
)


class SopRuleViewSet(HistoryMixin, viewsets.ModelViewSet):
    """SOP rules: everyone signed in reads them, administrators create and change them. A rule
    that cannot work (bad calendar expression, roles nobody holds) is rejected with 400."""

    permission_classes = [AdminWrites]
    serializer_class = SopRuleSerializer
    filterset_fields = ["enabled", "event_type"]
    search_fields = ["code", "name_en", "name_zh"]
    ordering_fields = ["code", "enabled"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return rule_list_for_user(user=self.request.user)

    def perform_create(self, serializer):
        serializer.instance = services.sop_rule_create(actor=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.sop_rule_update(
            rule=serializer.instance, data=serializer.validated_data, actor=self.request.user
        )


class ObligationViewSet(viewsets.ReadOnlyModelViewSet):
    """Obligations the caller may see: their own, their team's (supervisor), region's (manager)."""

    serializer_class = ObligationSerializer
    filterset_fields = ["status", "rule", "person", "period_key"]
    ordering_fields = ["due_at", "status", "met_at"]

    def get_queryset(self):
        return obligation_list_for_user(user=self.request.user).order_by("-due_at", "-id")


class SopEventViewSet(mixins.CreateModelMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Report that you did something an SOP rule waits for; it marks your obligation met."""

    serializer_class = SopEventSerializer
    filterset_fields = ["event_type", "person"]
    ordering_fields = ["occurred_at"]

    def get_queryset(self):
        return event_list_for_user(user=self.request.user)

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.sop_event(person=self.request.user, actor=self.request.user, **data)


class ComplianceView(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("from", str, required=True, description="YYYY-MM-DD"),
            OpenApiParameter("to", str, required=True, description="YYYY-MM-DD"),
            OpenApiParameter("group_by", str, enum=["person", "team", "rule"]),
        ],
        responses=ComplianceRowSerializer(many=True),
    )
    def get(self, request):
        query = ComplianceQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        rows = compliance_for_user(
            user=request.user,
            date_from=query.validated_data["from"],
            date_to=query.validated_data["to"],
            group_by=query.validated_data["group_by"],
        )
        data = [{**asdict(row), "total": row.total, "on_time_rate": row.on_time_rate} for row in rows]
        return Response(
            {"group_by": query.validated_data["group_by"], "results": ComplianceRowSerializer(data, many=True).data}
        )


class DailyReportViewSet(HistoryMixin, viewsets.ReadOnlyModelViewSet, mixins.CreateModelMixin):
    """Daily reports: reps submit their own; supervisors and managers review their people's."""

    serializer_class = DailyReportSerializer
    permission_classes = [HasRole]
    required_roles = None
    filterset_fields = ["rep", "date"]
    ordering_fields = ["date", "submitted_at"]

    def get_queryset(self):
        return daily_report_list_for_user(user=self.request.user)

    def create(self, request, *args, **kwargs):
        if not request.user.has_role(Role.SALES_REP):
            raise PermissionDenied()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        report = services.daily_report_submit(
            rep=request.user,
            date=data["date"],
            actor=request.user,
            **{key: data.get(key, "") for key in services.REPORT_TEXT_FIELDS},
        )
        return Response(self.get_serializer(report).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ReviewSerializer, responses=DailyReportSerializer)
    @action(detail=True, methods=["post"], serializer_class=ReviewSerializer)
    def review(self, request, pk=None):
        report = self.get_object()  # 404 when not visible
        if not (request.user.roles & SOP_OVERSEER_ROLES or is_admin(request.user)):
            raise Http404
        data = ReviewSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        report = services.daily_report_review(
            report=report, reviewer=request.user, comment=data.validated_data["comment"]
        )
        return Response(DailyReportSerializer(report).data)


router = Router()
router.register("sop/rules", SopRuleViewSet, basename="sop-rule")
router.register("sop/obligations", ObligationViewSet, basename="sop-obligation")
router.register("sop/events", SopEventViewSet, basename="sop-event")
router.register("sop/daily-reports", DailyReportViewSet, basename="sop-daily-report")

from django.urls import path  # noqa: E402

urlpatterns = [path("sop/compliance/", ComplianceView.as_view(), name="sop-compliance-api"), *router.urls]
