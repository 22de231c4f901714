"""API representations of the planning area."""

from rest_framework import serializers

from salesops.core.api.base import ModelSerializer
from salesops.core.api.fields import DateField
from salesops.core.models import User
from salesops.planning.models import (
    AggregatePlanScenario,
    ForecastInput,
    ForecastLine,
    ForecastOverride,
    ForecastRun,
    ForecastVersion,
    MasterSchedule,
    MpsChange,
    MpsLine,
    MrpExceptionRow,
    MrpRun,
    PlanAcknowledgement,
    PlanBucket,
    PlannedOrder,
    PlanningPolicy,
    ProductionPlan,
    ProductionReport,
    SopDecision,
    SopPack,
)
from salesops.planning.mps import POLICY_FIELDS


class ForecastRunSerializer(ModelSerializer):
    percent = serializers.IntegerField(read_only=True)

    class Meta:
        model = ForecastRun
        fields = [
            "id",
            "number",
            "first_period",
            "horizon",
            "history_source",
            "model",
            "product_ids",
            "status",
            "progress_done",
            "progress_total",
            "percent",
            "message",
            "n_series",
            "seconds",
            "created_at",
            "finished_at",
        ]
        read_only_fields = fields


class ForecastRunCreateSerializer(serializers.Serializer):
    first_period = DateField(required=False)
    horizon = serializers.IntegerField(required=False, min_value=1, max_value=24)
    product_ids = serializers.ListField(child=serializers.IntegerField(), required=False)
    model = serializers.ChoiceField(
        choices=["auto", "seasonal_naive", "ets", "theta", "arima", "croston"], required=False
    )
    history_source = serializers.ChoiceField(choices=["orders", "shipments"], required=False)


class ForecastLineSerializer(ModelSerializer):
    sku = serializers.CharField(source="product.sku", default=None)
    family_name = serializers.CharField(source="family.name", default=None)

    class Meta:
        model = ForecastLine
        fields = [
            "id",
            "run",
            "level",
            "product",
            "sku",
            "family",
            "family_name",
            "period",
            "baseline",
            "seasonal_naive",
            "model",
            "consensus",
        ]


class ForecastOverrideSerializer(ModelSerializer):
    actor_name = serializers.CharField(source="actor.display_name", read_only=True)

    class Meta:
        model = ForecastOverride
        fields = ["id", "line", "old_value", "new_value", "reason", "customer", "actor", "actor_name", "at"]
        read_only_fields = ["old_value", "actor", "at"]


class ForecastInputSerializer(ModelSerializer):
    rep = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True),
        required=False,
        help_text="whose expectation: the caller's own when not given (someone else's: the consensus roles only)",
    )

    class Meta:
        model = ForecastInput
        fields = ["id", "run", "rep", "team", "customer", "product", "period", "quantity", "note", "created_at"]
        read_only_fields = ["team", "created_at"]


class ForecastVersionSerializer(ModelSerializer):
    class Meta:
        model = ForecastVersion
        fields = ["id", "month", "run", "submitted_by", "submitted_at"]


class SopDecisionSerializer(ModelSerializer):
    class Meta:
        model = SopDecision
        fields = ["id", "pack", "family", "text", "owner", "due_date", "created_at"]
        read_only_fields = ["pack", "created_at"]


class SopPackSerializer(ModelSerializer):
    decisions = SopDecisionSerializer(many=True, read_only=True)

    class Meta:
        model = SopPack
        fields = ["id", "month", "status", "data", "decisions", "created_at", "closed_at", "closed_by"]
        read_only_fields = ["status", "data", "created_at", "closed_at", "closed_by"]


class AggregateScenarioSerializer(ModelSerializer):
    class Meta:
        model = AggregatePlanScenario
        fields = [
            "id",
            "name",
            "family",
            "first_period",
            "inputs",
            "result",
            "status",
            "message",
            "total_cost",
            "created_at",
        ]
        read_only_fields = ["result", "status", "message", "total_cost", "created_at"]
        extra_kwargs = {"first_period": {"required": False}, "inputs": {"required": False}}


class MpsLineSerializer(ModelSerializer):
    sku = serializers.CharField(source="product.sku", read_only=True)

    class Meta:
        model = MpsLine
        fields = ["id", "product", "sku", "week", "forecast", "orders", "demand", "projected", "quantity"]


class MasterScheduleSerializer(ModelSerializer):
    class Meta:
        model = MasterSchedule
        fields = [
            "id",
            "number",
            "first_week",
            "weeks",
            "consumption",
            "frozen_weeks",
            "demand_time_fence_weeks",
            "planning_time_fence_weeks",
            "created_at",
        ]
        read_only_fields = fields


class MpsGenerateSerializer(serializers.Serializer):
    first_week = DateField(required=False)
    weeks = serializers.IntegerField(required=False, min_value=1, max_value=52)
    product_ids = serializers.ListField(child=serializers.IntegerField(), required=False)


class MpsChangeSerializer(ModelSerializer):
    class Meta:
        model = MpsChange
        fields = [
            "id",
            "number",
            "line",
            "old_quantity",
            "new_quantity",
            "reason",
            "in_frozen_period",
            "status",
            "requested_by",
            "created_at",
        ]
        read_only_fields = ["number", "old_quantity", "in_frozen_period", "status", "requested_by", "created_at"]


class PlanAckSerializer(ModelSerializer):
    class Meta:
        model = PlanAcknowledgement
        fields = ["department", "user", "at"]


class PlanBucketSerializer(ModelSerializer):
    class Meta:
        model = PlanBucket
        fields = ["id", "position", "start", "end", "closed_at"]


class ProductionPlanSerializer(ModelSerializer):
    buckets = PlanBucketSerializer(many=True, read_only=True)
    acknowledgements = PlanAckSerializer(many=True, read_only=True)

    class Meta:
        model = ProductionPlan
        fields = [
            "id",
            "number",
            "month",
            "schedule",
            "status",
            "issued_at",
            "issued_by",
            "buckets",
            "acknowledgements",
            "created_at",
        ]
        read_only_fields = ["number", "schedule", "status", "issued_at", "issued_by", "created_at"]


class AcknowledgeSerializer(serializers.Serializer):
    department = serializers.ChoiceField(choices=PlanAcknowledgement.Department.choices)


class BucketCloseSerializer(serializers.Serializer):
    reasons = serializers.DictField(child=serializers.CharField(allow_blank=True), required=False)


class ProductionReportSerializer(ModelSerializer):
    class Meta:
        model = ProductionReport
        fields = ["id", "date", "product", "quantity", "reported_by", "created_at"]
        read_only_fields = ["reported_by", "created_at"]


class MrpRunSerializer(ModelSerializer):
    percent = serializers.IntegerField(read_only=True)

    class Meta:
        model = MrpRun
        fields = [
            "id",
            "number",
            "first_week",
            "weeks",
            "schedule",
            "status",
            "progress_done",
            "progress_total",
            "percent",
            "message",
            "n_items",
            "n_planned",
            "n_exceptions",
            "seconds",
            "timings",
            "created_at",
            "finished_at",
        ]
        read_only_fields = fields


class PlannedOrderSerializer(ModelSerializer):
    sku = serializers.CharField(source="product.sku", read_only=True)
    pegging = serializers.ListField(source="pegs", read_only=True, child=serializers.ListField())

    class Meta:
        model = PlannedOrder
        fields = [
            "id",
            "run",
            "product",
            "sku",
            "kind",
            "release_date",
            "receipt_date",
            "quantity",
            "past_due",
            "pegging",
            "status",
            "purchase_order",
            "production_order",
        ]
        read_only_fields = fields


class ConvertSerializer(serializers.Serializer):
    supplier = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)


class PurchaseDraftsSerializer(serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1), required=False, max_length=10000
    )


class MrpExceptionSerializer(ModelSerializer):
    sku = serializers.CharField(source="product.sku", read_only=True)

    class Meta:
        model = MrpExceptionRow
        fields = ["id", "run", "product", "sku", "kind", "period", "to_period", "quantity", "message"]


class PlanningPolicySerializer(ModelSerializer):
    class Meta:
        model = PlanningPolicy
        fields = POLICY_FIELDS
