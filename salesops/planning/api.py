"""REST endpoints of planning (under /api/v1/planning/…); the same services as the pages.

Reads are scoped by the selectors: people without a planning role get empty lists and 404 on
records; reps see only their own forecast inputs. Writes need the role of the action (403).
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from salesops.catalog.models import Product, ProductFamily
from salesops.core.api.fields import DateField
from salesops.core.api.history import HistoryMixin
from salesops.core.api.permissions import HasRole
from salesops.core.api.routers import Router
from salesops.core.exceptions import NotFound
from salesops.inventory.serializers import PurchaseOrderSerializer
from salesops.planning import selectors, services
from salesops.planning.accuracy_report import accuracy_report
from salesops.planning.models import ForecastLine, ForecastRun, MpsLine, PlanBucket, PlanningPolicy
from salesops.planning.mps import bucket_fulfilment, fulfilment_trend
from salesops.planning.selectors import CONSENSUS_WRITE, INPUT_ROLES, PLANNER_WRITE, PURCHASE_CONVERT
from salesops.planning.serializers import (
    AcknowledgeSerializer,
    AggregateScenarioSerializer,
    BucketCloseSerializer,
    ConvertSerializer,
    ForecastInputSerializer,
    ForecastLineSerializer,
    ForecastOverrideSerializer,
    ForecastRunCreateSerializer,
    ForecastRunSerializer,
    ForecastVersionSerializer,
    MasterScheduleSerializer,
    MpsChangeSerializer,
    MpsGenerateSerializer,
    MpsLineSerializer,
    MrpExceptionSerializer,
    MrpRunSerializer,
    PlannedOrderSerializer,
    PlanningPolicySerializer,
    ProductionPlanSerializer,
    ProductionReportSerializer,
    PurchaseDraftsSerializer,
    SopDecisionSerializer,
    SopPackSerializer,
)

# What the fulfilment and capacity answers hold (plain dicts built below).
_number = serializers.FloatField
BucketLineFulfilment = inline_serializer(
    "BucketLineFulfilment",
    {
        "line": serializers.IntegerField(),
        "product": serializers.IntegerField(),
        "planned": _number(),
        "made": _number(),
        "missed": serializers.BooleanField(),
        "reason": serializers.CharField(allow_blank=True),
    },
)
BucketFulfilment = inline_serializer(
    "BucketFulfilment",
    {
        "bucket": serializers.IntegerField(),
        "start": serializers.DateField(),
        "end": serializers.DateField(),
        "closed_at": serializers.DateTimeField(allow_null=True),
        "planned": _number(),
        "made": _number(),
        "rate": _number(allow_null=True),
        "lines": BucketLineFulfilment.__class__(many=True),
    },
)
FulfilmentTrendRow = inline_serializer(
    "FulfilmentTrendRow",
    {
        "plan": serializers.CharField(),
        "start": serializers.DateField(),
        "end": serializers.DateField(),
        "planned": _number(),
        "made": _number(),
        "rate": _number(allow_null=True),
    },
)
CapacityLoad = inline_serializer(
    "CapacityLoad",
    {
        "work_centre__code": serializers.CharField(),
        "period": serializers.IntegerField(),
        "load_hours": _number(),
        "capacity_hours": _number(),
    },
)
ForecastVersionRow = inline_serializer(
    "ForecastVersionRow",
    {
        "level": serializers.CharField(),
        "product_id": serializers.IntegerField(allow_null=True),
        "family_id": serializers.IntegerField(allow_null=True),
        "period": serializers.DateField(),
        "baseline": _number(),
        "consensus": _number(),
    },
)


class PlanningViewSet(viewsets.GenericViewSet):
    permission_classes = [HasRole]
    required_roles = None  # reads: the selector scopes them
    write_roles = PLANNER_WRITE


class ForecastRunViewSet(HistoryMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, PlanningViewSet):
    """Forecast runs; POST queues a run (a background task) and answers 202 with its progress URL."""

    serializer_class = ForecastRunSerializer
    filterset_fields = ["status"]
    write_roles = CONSENSUS_WRITE

    def get_queryset(self):
        return selectors.forecast_run_list_for_user(user=self.request.user)

    @extend_schema(request=ForecastRunCreateSerializer, responses={202: ForecastRunSerializer})
    def create(self, request):
        data = ForecastRunCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        run = services.forecast_run_create(
            actor=request.user,
            first_period=values.get("first_period"),
            horizon=values.get("horizon"),
            product_ids=values.get("product_ids"),
            model=values.get("model"),
            source=values.get("history_source"),
        )
        return Response(ForecastRunSerializer(run).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(responses=ForecastRunSerializer)
    @action(detail=True, methods=["get"])
    def progress(self, request, pk=None):
        return Response(ForecastRunSerializer(self.get_object()).data)

    @extend_schema(responses=ForecastLineSerializer(many=True))
    @action(detail=True, methods=["get"])
    def lines(self, request, pk=None):
        run = self.get_object()
        queryset = selectors.forecast_line_list_for_user(user=request.user, run=run)
        for key in ("level", "product", "family"):
            if request.query_params.get(key):
                queryset = queryset.filter(**{key: request.query_params[key]})
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(ForecastLineSerializer(page, many=True).data)

    @extend_schema(request=None, responses=ForecastVersionSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        version = services.forecast_submit(run=self.get_object(), actor=request.user)
        return Response(ForecastVersionSerializer(version).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: dict})
    @action(detail=True, methods=["post"])
    def compile(self, request, pk=None):
        family = None
        if request.data.get("family"):
            family = get_object_or_404(ProductFamily, pk=request.data["family"])
        changed = services.forecast_inputs_compile(run=self.get_object(), actor=request.user, family=family)
        return Response({"changed": changed})


class ForecastOverrideViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, PlanningViewSet):
    """Overrides of the consensus: POST {line, new_value, reason[, customer]}."""

    serializer_class = ForecastOverrideSerializer
    filterset_fields = ["line", "line__run", "actor"]
    write_roles = CONSENSUS_WRITE

    def get_queryset(self):
        return selectors.forecast_override_list_for_user(user=self.request.user)

    def create(self, request):
        line_id = request.data.get("line")
        lines = ForecastLine.objects.filter(run__in=selectors.forecast_run_list_for_user(user=request.user))
        line = lines.filter(pk=line_id).first() if str(line_id or "").isdigit() else None
        if line is None:
            raise NotFound()
        override = services.forecast_override(
            line=line,
            new_value=request.data.get("new_value"),
            reason=request.data.get("reason", ""),
            actor=request.user,
        )
        return Response(ForecastOverrideSerializer(override).data, status=status.HTTP_201_CREATED)


class ForecastInputViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, PlanningViewSet):
    """Reps' own expectations per product (and customer) and month of an open run."""

    serializer_class = ForecastInputSerializer
    filterset_fields = ["run", "rep", "product", "period"]
    write_roles = INPUT_ROLES

    def get_queryset(self):
        return selectors.forecast_input_list_for_user(user=self.request.user)

    def create(self, request):
        data = ForecastInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        run = selectors.forecast_open_runs_for_inputs(user=request.user).filter(pk=values["run"].pk).first()
        if run is None:
            raise NotFound()
        # someone else's expectation only for those who set the consensus (the service refuses others)
        rep = values.get("rep") or request.user
        entry = services.forecast_input_save(
            run=run,
            rep=rep,
            product=values["product"],
            period=values["period"],
            quantity=values["quantity"],
            customer=values.get("customer"),
            note=values.get("note", ""),
            actor=request.user,
        )
        return Response(ForecastInputSerializer(entry).data, status=status.HTTP_201_CREATED)


class ForecastVersionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, PlanningViewSet):
    """Frozen monthly versions; GET …/rows/ lists the snapshot."""

    serializer_class = ForecastVersionSerializer

    def get_queryset(self):
        return selectors.forecast_version_list_for_user(user=self.request.user)

    @extend_schema(responses=ForecastVersionRow.__class__(many=True))
    @action(detail=True, methods=["get"])
    def rows(self, request, pk=None):
        version = self.get_object()
        page = self.paginate_queryset(
            version.rows.values("level", "product_id", "family_id", "period", "baseline", "consensus").order_by("pk")
        )
        return self.get_paginated_response(list(page))


class PolicyView(APIView):
    """The planning rules (one record): anyone who plans reads them, planners change them with PATCH."""

    permission_classes = [HasRole]

    def _policy(self, request):
        if not selectors.sees_planning(request.user):
            raise NotFound()
        return PlanningPolicy.current()

    @extend_schema(responses={200: PlanningPolicySerializer})
    def get(self, request):
        return Response(PlanningPolicySerializer(self._policy(request)).data)

    @extend_schema(request=PlanningPolicySerializer, responses={200: PlanningPolicySerializer})
    def patch(self, request):
        serializer = PlanningPolicySerializer(self._policy(request), data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        policy = services.planning_policy_update(actor=request.user, **serializer.validated_data)
        return Response(PlanningPolicySerializer(policy).data)


class AccuracyView(APIView):
    """Forecast accuracy: by month, family, product, rep; lag 1-3; value added. ?months=&family="""

    permission_classes = [HasRole]

    @extend_schema(responses={200: dict})
    def get(self, request):
        if not selectors.sees_planning(request.user):
            raise NotFound()
        months = min(max(int(request.query_params.get("months", 12) or 12), 1), 36)
        family = request.query_params.get("family")
        report = accuracy_report(months=months, family_id=int(family) if family and family.isdigit() else None)
        return Response(report)


class SopPackViewSet(HistoryMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, PlanningViewSet):
    """S&OP review packs; POST {month} prepares (or refreshes) one; decisions; close freezes it."""

    serializer_class = SopPackSerializer
    write_roles = frozenset({"planner", "sales_director", "general_manager", "sales_admin", "sysadmin"})

    def get_queryset(self):
        return selectors.sop_pack_list_for_user(user=self.request.user).prefetch_related("decisions")

    @extend_schema(request=SopPackSerializer, responses={201: SopPackSerializer})
    def create(self, request):
        month = serializers_date(request.data.get("month"))
        pack = services.sop_pack_prepare(month=month, actor=request.user)
        return Response(SopPackSerializer(pack).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=SopDecisionSerializer, responses={201: SopDecisionSerializer})
    @action(detail=True, methods=["post"])
    def decisions(self, request, pk=None):
        pack = self.get_object()
        data = SopDecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        decision = services.sop_decision_add(
            pack=pack,
            text=values["text"],
            owner=values["owner"],
            family=values.get("family"),
            due_date=values.get("due_date"),
            actor=request.user,
        )
        return Response(SopDecisionSerializer(decision).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=SopPackSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        pack = services.sop_pack_close(pack=self.get_object(), actor=request.user)
        return Response(SopPackSerializer(pack).data)


def serializers_date(value):

    field = DateField()
    return field.run_validation(value)


class AggregateScenarioViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, PlanningViewSet
):
    """Aggregate plan scenarios: POST {name, family?, first_period?, inputs{…}} solves and stores."""

    serializer_class = AggregateScenarioSerializer
    write_roles = frozenset({"planner", "sysadmin", "general_manager", "sales_director"})

    def get_queryset(self):
        return selectors.scenario_list_for_user(user=self.request.user)

    def create(self, request):
        data = AggregateScenarioSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        scenario = services.aggregate_scenario_create(
            name=values["name"],
            actor=request.user,
            inputs=values.get("inputs") or {},
            family=values.get("family"),
            first_period=values.get("first_period"),
        )
        return Response(AggregateScenarioSerializer(scenario).data, status=status.HTTP_201_CREATED)


class MasterScheduleViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, PlanningViewSet):
    """Master production schedules; POST generates one; GET …/lines/ lists its cells."""

    serializer_class = MasterScheduleSerializer

    def get_queryset(self):
        return selectors.schedule_list_for_user(user=self.request.user)

    @extend_schema(request=MpsGenerateSerializer, responses={201: MasterScheduleSerializer})
    def create(self, request):
        data = MpsGenerateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        schedule = services.mps_generate(actor=request.user, **data.validated_data)
        return Response(MasterScheduleSerializer(schedule).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=MpsLineSerializer(many=True))
    @action(detail=True, methods=["get"])
    def lines(self, request, pk=None):
        schedule = self.get_object()
        page = self.paginate_queryset(schedule.lines.select_related("product"))
        return self.get_paginated_response(MpsLineSerializer(page, many=True).data)


class MpsChangeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, PlanningViewSet):
    """Changes of MPS quantities: POST {line, new_quantity, reason}; frozen weeks wait for approval."""

    serializer_class = MpsChangeSerializer

    def get_queryset(self):
        return selectors.mps_change_list_for_user(user=self.request.user)

    def create(self, request):
        line = MpsLine.objects.filter(pk=request.data.get("line") or 0).first()
        if line is None:
            raise NotFound()
        change = services.mps_change_request(
            line=line,
            new_quantity=request.data.get("new_quantity"),
            reason=request.data.get("reason", ""),
            actor=request.user,
        )
        return Response(MpsChangeSerializer(change).data, status=status.HTTP_201_CREATED)


class ProductionPlanViewSet(HistoryMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, PlanningViewSet):
    """Monthly production plans: POST {month} creates from the MPS; issue; acknowledge; fulfilment."""

    serializer_class = ProductionPlanSerializer

    def get_permissions(self):
        if self.action == "acknowledge":
            self.write_roles = frozenset({"planner", "purchasing", "warehouse", "sysadmin"})
        return super().get_permissions()

    def get_queryset(self):
        return selectors.production_plan_list_for_user(user=self.request.user).prefetch_related(
            "buckets", "acknowledgements"
        )

    def create(self, request):
        plan = services.production_plan_create(month=serializers_date(request.data.get("month")), actor=request.user)
        return Response(ProductionPlanSerializer(plan).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=ProductionPlanSerializer)
    @action(detail=True, methods=["post"])
    def issue(self, request, pk=None):
        plan = services.production_plan_issue(plan=self.get_object(), actor=request.user)
        return Response(ProductionPlanSerializer(plan).data)

    @extend_schema(request=AcknowledgeSerializer, responses={201: dict})
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        data = AcknowledgeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        ack = services.production_plan_acknowledge(
            plan=self.get_object(), department=data.validated_data["department"], actor=request.user
        )
        return Response({"department": ack.department, "at": ack.at}, status=status.HTTP_201_CREATED)

    @extend_schema(responses=BucketFulfilment.__class__(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def fulfilment(self, request, pk=None):
        plan = self.get_object()
        return Response([_bucket_json(bucket_fulfilment(bucket)) for bucket in plan.buckets.all()])


def _bucket_json(summary: dict) -> dict:
    bucket = summary["bucket"]
    return {
        "bucket": bucket.pk,
        "start": bucket.start,
        "end": bucket.end,
        "closed_at": bucket.closed_at,
        "planned": summary["planned"],
        "made": summary["made"],
        "rate": None if summary["rate"] is None else round(float(summary["rate"]), 4),
        "lines": [
            {
                "line": row["line"].pk,
                "product": row["line"].product_id,
                "planned": row["line"].planned,
                "made": row["made"],
                "missed": row["missed"],
                "reason": row["line"].miss_reason,
            }
            for row in summary["lines"]
        ],
    }


class PlanBucketViewSet(mixins.RetrieveModelMixin, PlanningViewSet):
    """A week of a production plan: GET its fulfilment; POST …/close/ {reasons: {line id: text}}."""

    def get_queryset(self):
        plans = selectors.production_plan_list_for_user(user=self.request.user)
        return PlanBucket.objects.filter(plan__in=plans)

    @extend_schema(responses=BucketFulfilment)
    def retrieve(self, request, pk=None):
        return Response(_bucket_json(bucket_fulfilment(self.get_object())))

    @extend_schema(request=BucketCloseSerializer, responses=BucketFulfilment)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        data = BucketCloseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        bucket = services.plan_bucket_close(
            bucket=self.get_object(), reasons=data.validated_data.get("reasons") or {}, actor=request.user
        )
        return Response(_bucket_json(bucket_fulfilment(bucket)))


class FulfilmentTrendView(APIView):
    """Weekly fulfilment rate (兑现率) of the recent issued plans, oldest first."""

    permission_classes = [HasRole]

    @extend_schema(responses=FulfilmentTrendRow.__class__(many=True))
    def get(self, request):
        if not selectors.sees_plans(request.user):
            raise NotFound()
        return Response(
            [
                {
                    "plan": row["plan"].number,
                    "start": row["bucket"].start,
                    "end": row["bucket"].end,
                    "planned": row["planned"],
                    "made": row["made"],
                    "rate": None if row["rate"] is None else round(float(row["rate"]), 4),
                }
                for row in fulfilment_trend()
            ]
        )


class ProductionReportViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, PlanningViewSet):
    """Daily production reports: POST {date, product, quantity}."""

    serializer_class = ProductionReportSerializer
    filterset_fields = ["date", "product"]

    def get_queryset(self):
        return selectors.production_report_list_for_user(user=self.request.user)

    def create(self, request):
        data = ProductionReportSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        report = services.production_report_create(actor=request.user, **data.validated_data)
        return Response(ProductionReportSerializer(report).data, status=status.HTTP_201_CREATED)


class MrpRunViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, PlanningViewSet):
    """MRP runs; POST queues a regenerative run (202); GET …/progress/; capacity load."""

    serializer_class = MrpRunSerializer

    def get_queryset(self):
        return selectors.mrp_run_list_for_user(user=self.request.user)

    @extend_schema(request=None, responses={202: MrpRunSerializer})
    def create(self, request):
        run = services.mrp_run_create(actor=request.user)
        return Response(MrpRunSerializer(run).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(responses=MrpRunSerializer)
    @action(detail=True, methods=["get"])
    def progress(self, request, pk=None):
        return Response(MrpRunSerializer(self.get_object()).data)

    @extend_schema(responses=CapacityLoad.__class__(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def capacity(self, request, pk=None):
        run = self.get_object()
        return Response(list(run.capacity.values("work_centre__code", "period", "load_hours", "capacity_hours")))


class PlannedOrderViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, PlanningViewSet):
    """Planned orders of MRP runs (?run=&kind=purchase&status=planned); POST …/convert/."""

    serializer_class = PlannedOrderSerializer
    filterset_fields = ["run", "kind", "status", "product", "past_due"]
    write_roles = PURCHASE_CONVERT

    def get_queryset(self):
        return selectors.planned_order_list_for_user(user=self.request.user)

    @extend_schema(request=ConvertSerializer, responses=PlannedOrderSerializer)
    @action(detail=True, methods=["post"])
    def convert(self, request, pk=None):
        from salesops.inventory.models import Supplier

        planned = self.get_object()
        supplier = None
        if request.data.get("supplier"):
            data = ConvertSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            supplier = get_object_or_404(Supplier, pk=data.validated_data["supplier"])
        planned = services.planned_order_convert(planned=planned, actor=request.user, supplier=supplier)
        return Response(PlannedOrderSerializer(planned).data)

    @extend_schema(request=PurchaseDraftsSerializer, responses=PurchaseOrderSerializer(many=True))
    @action(detail=False, methods=["post"], url_path="purchase-orders")
    def purchase_orders(self, request):
        """Planned purchases (all still planned, or `ids`) → draft purchase orders per supplier."""
        data = PurchaseDraftsSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        ids = data.validated_data.get("ids")
        if ids is not None:
            ids = list(
                selectors.planned_order_list_for_user(user=request.user).filter(pk__in=ids).values_list("pk", flat=True)
            )
        orders = services.planned_purchases_to_drafts(actor=request.user, planned_ids=ids)
        return Response(PurchaseOrderSerializer(orders, many=True, context={"request": request}).data, status=201)


class MrpExceptionViewSet(mixins.ListModelMixin, PlanningViewSet):
    serializer_class = MrpExceptionSerializer
    filterset_fields = ["run", "kind", "product"]

    def get_queryset(self):
        return selectors.mrp_exception_list_for_user(user=self.request.user)


router = Router()
router.register("planning/forecast-runs", ForecastRunViewSet, basename="planning-forecast-run")
router.register("planning/forecast-overrides", ForecastOverrideViewSet, basename="planning-forecast-override")
router.register("planning/forecast-inputs", ForecastInputViewSet, basename="planning-forecast-input")
router.register("planning/forecast-versions", ForecastVersionViewSet, basename="planning-forecast-version")
router.register("planning/sop-packs", SopPackViewSet, basename="planning-sop-pack")
router.register("planning/aggregate-scenarios", AggregateScenarioViewSet, basename="planning-aggregate-scenario")
router.register("planning/mps", MasterScheduleViewSet, basename="planning-mps")
router.register("planning/mps-changes", MpsChangeViewSet, basename="planning-mps-change")
router.register("planning/production-plans", ProductionPlanViewSet, basename="planning-production-plan")
router.register("planning/plan-weeks", PlanBucketViewSet, basename="planning-plan-week")
router.register("planning/production-reports", ProductionReportViewSet, basename="planning-production-report")
router.register("planning/mrp-runs", MrpRunViewSet, basename="planning-mrp-run")
router.register("planning/planned-orders", PlannedOrderViewSet, basename="planning-planned-order")
router.register("planning/mrp-exceptions", MrpExceptionViewSet, basename="planning-mrp-exception")

from django.urls import path  # noqa: E402

urlpatterns = [
    path("planning/accuracy/", AccuracyView.as_view(), name="api-planning-accuracy"),
    path("planning/policy/", PolicyView.as_view(), name="api-planning-policy"),
    path("planning/fulfilment/", FulfilmentTrendView.as_view(), name="api-planning-fulfilment"),
    *router.urls,
]

__all__ = ["urlpatterns", "Product", "ForecastRun"]
