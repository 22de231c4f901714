"""REST endpoints of field sales under /api/v1/field/: today's visits, visit records (the
phone's idempotent submit), visits, route cycles (publish, move, re-plan), planning runs,
figures and coverage, field checks, new-outlet applications."""

from __future__ import annotations

from dataclasses import asdict

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from salesops.core.api.routers import Router
from salesops.core.exceptions import PermissionDenied
from salesops.core.models import User
from salesops.core.roles import Role
from salesops.core.selectors import company_date
from salesops.crm.selectors import customer_list_for_user
from salesops.field import outlets, services
from salesops.field.models import RoutePlanRun
from salesops.field.selectors import (
    coverage_for_user,
    cycle_list_for_user,
    field_check_list_for_user,
    outlet_application_list_for_user,
    plan_run_list_for_user,
    rep_list_for_user,
    visit_figures,
    visit_list_for_user,
)
from salesops.field.serializers import (
    FieldCheckSerializer,
    FiguresQuerySerializer,
    FiguresRowSerializer,
    MoveSerializer,
    OutletApplicationSerializer,
    PlanRunCreateSerializer,
    PlanRunSerializer,
    PublishSerializer,
    RouteCycleSerializer,
    SkipSerializer,
    VisitSerializer,
    VisitSubmitSerializer,
)


class VisitViewSet(viewsets.ReadOnlyModelViewSet):
    """Visits the caller may see; `today` makes and lists the rep's planned visits of the day."""

    serializer_class = VisitSerializer
    filterset_fields = ["rep", "date", "status", "customer", "planned"]
    ordering_fields = ["date", "sequence", "check_in_at"]

    def get_queryset(self):
        return visit_list_for_user(user=self.request.user).prefetch_related("lines")

    @extend_schema(responses=VisitSerializer(many=True))
    @action(detail=False, methods=["get"], pagination_class=None)
    def today(self, request):
        if not request.user.has_role(Role.SALES_REP):
            raise PermissionDenied()
        visits = services.visits_plan_day(rep=request.user, date=company_date())
        return Response(VisitSerializer(visits, many=True).data)

    @extend_schema(
        request=None,
        responses=inline_serializer(
            "VisitOrder", {"order": serializers.IntegerField(), "number": serializers.CharField()}
        ),
    )
    @action(detail=True, methods=["post"])
    def order(self, request, pk=None):
        order = services.visit_order_create(visit=self.get_object(), actor=request.user)
        return Response({"order": order.pk, "number": order.number}, status=status.HTTP_201_CREATED)

    @extend_schema(request=SkipSerializer, responses=VisitSerializer)
    @action(detail=True, methods=["post"])
    def skip(self, request, pk=None):
        data = SkipSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        visit = services.visit_skip(visit=self.get_object(), actor=request.user, reason=data.validated_data["reason"])
        return Response(VisitSerializer(visit).data)


class VisitRecordView(APIView):
    """Submit a whole visit (check-in, record, check-out) as the phone sends it. The same
    `client_key` again answers 200 with the stored visit and changes nothing (201 when new)."""

    @extend_schema(request=VisitSubmitSerializer, responses={201: VisitSerializer, 200: VisitSerializer})
    def post(self, request):
        data = VisitSubmitSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        visit = None
        if values.get("visit"):
            visit = visit_list_for_user(user=request.user).filter(pk=values["visit"], rep=request.user).first()
            if visit is None:
                raise Http404
        customer = None
        if values.get("customer") and visit is None:
            customer = customer_list_for_user(user=request.user).filter(pk=values["customer"]).first()
            if customer is None:
                raise Http404
        stored, created = services.visit_submit(
            actor=request.user,
            client_key=values["client_key"],
            visit=visit,
            customer=customer,
            check_in_at=values["check_in_at"],
            check_out_at=values["check_out_at"],
            latitude=values.get("latitude"),
            longitude=values.get("longitude"),
            record=values.get("record"),
            lines=values.get("lines"),
            cooler_checks=values.get("cooler_checks"),
            make_order=values["make_order"],
        )
        stored.refresh_from_db()
        return Response(VisitSerializer(stored).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class RouteCycleViewSet(viewsets.ReadOnlyModelViewSet):
    """Route cycles; supervisors and managers move stops of drafts, publish, re-plan changes."""

    serializer_class = RouteCycleSerializer
    filterset_fields = ["rep", "status"]
    ordering_fields = ["created_at", "starts_on"]

    def get_queryset(self):
        return cycle_list_for_user(user=self.request.user).prefetch_related("stops__customer")

    @extend_schema(request=MoveSerializer, responses=RouteCycleSerializer)
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        data = MoveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        cycle = services.route_stop_move(
            cycle=self.get_object(),
            stop_id=data.validated_data["stop"],
            day=data.validated_data["day"],
            actor=request.user,
        )
        return Response(RouteCycleSerializer(cycle).data)

    @extend_schema(request=PublishSerializer, responses=RouteCycleSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        data = PublishSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        cycle = services.route_cycle_publish(
            cycle=self.get_object(), actor=request.user, starts_on=data.validated_data.get("starts_on")
        )
        return Response(RouteCycleSerializer(cycle).data)

    @extend_schema(request=None, responses=RouteCycleSerializer)
    @action(detail=True, methods=["post"])
    def replan(self, request, pk=None):
        draft = services.route_cycle_replan_changes(cycle=self.get_object(), actor=request.user)
        return Response(RouteCycleSerializer(draft).data, status=status.HTTP_201_CREATED)


class PlanRunViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Background planning of many reps' cycles; poll a run for its progress."""

    serializer_class = PlanRunSerializer
    queryset = RoutePlanRun.objects.none()  # the model, for the schema; rows come from the selector

    def get_queryset(self):
        return plan_run_list_for_user(user=self.request.user)

    @extend_schema(request=PlanRunCreateSerializer, responses={201: PlanRunSerializer})
    def create(self, request, *args, **kwargs):
        data = PlanRunCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        reps = list(rep_list_for_user(user=request.user).filter(pk__in=data.validated_data["reps"]))
        if len(reps) != len(set(data.validated_data["reps"])):
            raise Http404
        run = services.route_plan_run_create(actor=request.user, reps=reps)
        return Response(PlanRunSerializer(run).data, status=status.HTTP_201_CREATED)


class FiguresView(APIView):
    """Visits planned and done, on time, success rate, per rep or team and period."""

    @extend_schema(
        parameters=[
            OpenApiParameter("date_from", str, required=True, description="YYYY-MM-DD"),
            OpenApiParameter("date_to", str, required=True, description="YYYY-MM-DD"),
            OpenApiParameter("group_by", str, enum=["rep", "team"]),
            OpenApiParameter("period", str, enum=["day", "week", "month"]),
        ],
        responses=FiguresRowSerializer(many=True),
    )
    def get(self, request):
        query = FiguresQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        rows = visit_figures(user=request.user, **query.validated_data)
        data = [
            {
                **asdict(row),
                "period": getattr(row, "period", ""),
                "done_rate": row.done_rate,
                "on_time_rate": row.on_time_rate,
                "success_rate": row.success_rate,
            }
            for row in rows
        ]
        return Response({"results": FiguresRowSerializer(data, many=True).data})


class CoverageView(APIView):
    """Coverage of target customers (on published routes) and the under-visited ones."""

    @extend_schema(
        parameters=[
            OpenApiParameter("date_from", str, required=True, description="YYYY-MM-DD"),
            OpenApiParameter("date_to", str, required=True, description="YYYY-MM-DD"),
        ],
        responses=inline_serializer(
            "Coverage",
            {
                "targets": serializers.IntegerField(),
                "covered": serializers.IntegerField(),
                "enough": serializers.IntegerField(),
                "coverage_rate": serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True),
                "under_visited": inline_serializer(
                    "UnderVisited",
                    {
                        "customer": serializers.IntegerField(),
                        "name": serializers.CharField(),
                        "expected": serializers.IntegerField(),
                        "done": serializers.IntegerField(),
                    },
                    many=True,
                ),
            },
        ),
    )
    def get(self, request):
        query = FiguresQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        coverage = coverage_for_user(
            user=request.user, date_from=query.validated_data["date_from"], date_to=query.validated_data["date_to"]
        )
        return Response(
            {
                "targets": coverage.targets,
                "covered": coverage.covered,
                "enough": coverage.enough,
                "coverage_rate": str(coverage.coverage_rate) if coverage.coverage_rate is not None else None,
                "under_visited": [
                    {"customer": r.customer.pk, "name": r.customer.name, "expected": r.expected, "done": r.done}
                    for r in coverage.under_visited
                ],
            }
        )


class FieldCheckViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Supervisors' scored field checks of their reps (跟线, spot checks)."""

    serializer_class = FieldCheckSerializer
    filterset_fields = ["rep", "kind", "date"]
    ordering_fields = ["date", "score"]

    def get_queryset(self):
        return field_check_list_for_user(user=self.request.user)

    def perform_create(self, serializer):
        data = serializer.validated_data
        rep = rep_list_for_user(user=self.request.user).filter(pk=data["rep"].pk).first()
        if rep is None:
            raise Http404
        customer = data.get("customer")
        if customer is not None and not customer_list_for_user(user=self.request.user).filter(pk=customer.pk).exists():
            raise Http404
        serializer.instance = services.field_check_create(
            checker=self.request.user,
            rep=User.objects.get(pk=rep.pk),
            kind=data["kind"],
            date=data["date"],
            customer=customer,
            comment=data.get("comment", ""),
            scores=data["scores"],
        )


class OutletApplicationViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """New-outlet applications: reps apply (sent for approval at once)."""

    serializer_class = OutletApplicationSerializer
    filterset_fields = ["status", "rep"]
    ordering_fields = ["created_at"]

    def get_queryset(self):
        return outlet_application_list_for_user(user=self.request.user)

    def perform_create(self, serializer):
        serializer.instance = outlets.outlet_application_create(actor=self.request.user, data=serializer.validated_data)


router = Router()
router.register("field/visits", VisitViewSet, basename="field-visit")
router.register("field/cycles", RouteCycleViewSet, basename="field-cycle")
router.register("field/plan-runs", PlanRunViewSet, basename="field-plan-run")
router.register("field/checks", FieldCheckViewSet, basename="field-check")
router.register("field/outlet-applications", OutletApplicationViewSet, basename="field-outlet-application")

from django.urls import path  # noqa: E402

urlpatterns = [
    path("field/visit-records/", VisitRecordView.as_view(), name="field-visit-record-api"),
    path("field/figures/", FiguresView.as_view(), name="field-figures-api"),
    path("field/coverage/", CoverageView.as_view(), name="field-coverage-api"),
    *router.urls,
]
