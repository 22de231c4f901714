from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from salesops.core.api.base import ModelSerializer
from salesops.field.models import FieldCheck, OutletApplication, RouteCycle, RoutePlanRun, RouteStop, Visit, VisitLine


class VisitLineSerializer(ModelSerializer):
    class Meta:
        model = VisitLine
        fields = ["product", "stock_seen", "suggested_quantity"]


class VisitSerializer(ModelSerializer):
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    order_number = serializers.CharField(source="order.number", read_only=True, default=None)
    lines = VisitLineSerializer(many=True, read_only=True)

    class Meta:
        model = Visit
        fields = [
            "id",
            "rep",
            "team",
            "customer",
            "customer_name",
            "date",
            "planned",
            "sequence",
            "planned_at",
            "status",
            "check_in_at",
            "check_in_latitude",
            "check_in_longitude",
            "check_in_distance_m",
            "check_out_at",
            "outcome",
            "price_tags_ok",
            "shelf_ok",
            "competitor_info",
            "next_step",
            "next_step_due",
            "notes",
            "skip_reason",
            "order",
            "order_number",
            "lines",
        ]
        read_only_fields = fields


@extend_schema_serializer(component_name="VisitLineInput")
class LineInputSerializer(serializers.Serializer):
    product = serializers.IntegerField(min_value=1)
    stock_seen = serializers.DecimalField(max_digits=12, decimal_places=3, min_value=0, required=False, allow_null=True)
    suggested_quantity = serializers.DecimalField(
        max_digits=12, decimal_places=3, min_value=0, required=False, default=0
    )


class CoolerCheckInputSerializer(serializers.Serializer):
    cooler = serializers.IntegerField(min_value=1)
    placed = serializers.BooleanField(default=False)
    powered = serializers.BooleanField(default=False)
    clean = serializers.BooleanField(default=False)
    right_packs = serializers.BooleanField(default=False)


class RecordInputSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Visit.Outcome.choices, required=False, allow_blank=True)
    price_tags_ok = serializers.BooleanField(required=False, allow_null=True)
    shelf_ok = serializers.BooleanField(required=False, allow_null=True)
    competitor_info = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    next_step = serializers.CharField(required=False, allow_blank=True, max_length=200)
    next_step_due = serializers.DateField(required=False, allow_null=True)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class VisitSubmitSerializer(serializers.Serializer):
    """A whole visit as the phone sends it; `client_key` (a UUID the phone makes) makes it idempotent."""

    client_key = serializers.UUIDField()
    visit = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    customer = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    check_in_at = serializers.DateTimeField()
    check_out_at = serializers.DateTimeField()
    latitude = serializers.DecimalField(
        max_digits=12, decimal_places=8, required=False, allow_null=True, min_value=-90, max_value=90
    )
    longitude = serializers.DecimalField(
        max_digits=12, decimal_places=8, required=False, allow_null=True, min_value=-180, max_value=180
    )
    record = RecordInputSerializer(required=False)
    lines = LineInputSerializer(many=True, required=False)
    cooler_checks = CoolerCheckInputSerializer(many=True, required=False)
    make_order = serializers.BooleanField(default=False)

    def validate(self, data):
        if not data.get("visit") and not data.get("customer"):
            raise serializers.ValidationError({"visit": ["Give the planned visit or the outlet."]})
        return data


class SkipSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200)


class RouteStopSerializer(ModelSerializer):
    customer_name = serializers.CharField(source="customer.name", read_only=True)

    class Meta:
        model = RouteStop
        fields = ["id", "customer", "customer_name", "grade", "day", "sequence", "arrival_minute", "visit_minutes"]
        read_only_fields = fields


class RouteCycleSerializer(ModelSerializer):
    stops = RouteStopSerializer(many=True, read_only=True)

    class Meta:
        model = RouteCycle
        fields = [
            "id",
            "rep",
            "team",
            "status",
            "weeks",
            "days_per_week",
            "day_minutes",
            "starts_on",
            "total_km",
            "travel_minutes",
            "naive_km",
            "created_at",
            "published_at",
            "stops",
        ]
        read_only_fields = fields


@extend_schema_serializer(component_name="RouteStopMove")
class MoveSerializer(serializers.Serializer):
    stop = serializers.IntegerField(min_value=1)
    day = serializers.IntegerField(min_value=1, max_value=56)


class PublishSerializer(serializers.Serializer):
    starts_on = serializers.DateField(required=False)


class PlanRunSerializer(ModelSerializer):
    percent = serializers.IntegerField(read_only=True)

    class Meta:
        model = RoutePlanRun
        fields = [
            "id",
            "rep_ids",
            "total",
            "done",
            "failed",
            "percent",
            "status",
            "message",
            "created_at",
            "finished_at",
        ]
        read_only_fields = fields


class PlanRunCreateSerializer(serializers.Serializer):
    reps = serializers.ListField(child=serializers.IntegerField(min_value=1), min_length=1, max_length=1000)


class FiguresQuerySerializer(serializers.Serializer):
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    group_by = serializers.ChoiceField(choices=["rep", "team"], default="rep")
    period = serializers.ChoiceField(choices=["day", "week", "month"], required=False)

    def validate(self, data):
        if data["date_to"] < data["date_from"]:
            raise serializers.ValidationError({"date_to": ["The end comes before the start."]})
        if (data["date_to"] - data["date_from"]).days > 366:
            raise serializers.ValidationError({"date_to": ["Choose at most a year."]})
        return data


class FiguresRowSerializer(serializers.Serializer):
    label = serializers.CharField()
    period = serializers.CharField()
    planned = serializers.IntegerField()
    done = serializers.IntegerField()
    on_time = serializers.IntegerField()
    successful = serializers.IntegerField()
    off_route = serializers.IntegerField()
    done_rate = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)
    on_time_rate = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)
    success_rate = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)


class FieldCheckSerializer(ModelSerializer):
    scores = serializers.DictField(child=serializers.IntegerField(min_value=1, max_value=5), write_only=True)

    class Meta:
        model = FieldCheck
        fields = ["id", "kind", "checker", "rep", "team", "date", "customer", "score", "comment", "scores"]
        read_only_fields = ["id", "checker", "team", "score"]


class OutletApplicationSerializer(ModelSerializer):
    class Meta:
        model = OutletApplication
        fields = [
            "id",
            "number",
            "rep",
            "team",
            "name",
            "channel",
            "grade",
            "address",
            "city",
            "latitude",
            "longitude",
            "contact_name",
            "phone",
            "reason",
            "status",
            "customer",
            "created_at",
        ]
        read_only_fields = ["id", "number", "rep", "team", "status", "customer", "created_at"]
