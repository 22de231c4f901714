"""API shapes of targets and performance; input serializers only validate, services decide."""

from __future__ import annotations

from decimal import Decimal

from rest_framework import serializers

from salesops.core.api import fields as api_fields
from salesops.core.api.base import ModelSerializer
from salesops.targets.models import (
    BusinessReview,
    CommissionLine,
    CommissionRule,
    CommissionRun,
    CommissionStatement,
    ExpenseBudget,
    ExpenseClaim,
    ExpenseType,
    PerformancePolicy,
    ProfitPlan,
    ProfitPlanLine,
    ReviewAction,
    ScorecardWeight,
    Target,
    TargetPlan,
)

MONEY = {"max_digits": 14, "decimal_places": 2}

# How a total is split over people: in proportion to last year's sales, or evenly.
SPLIT_METHODS = ["last_year", "even"]


class PeriodQuerySerializer(serializers.Serializer):
    period = serializers.CharField(max_length=20, help_text="2026-11, 2026-Q4, 2026-W48 or 2026")
    group_by = serializers.ChoiceField(choices=["rep", "team", "region"], default="rep")


class KpiSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    owner = serializers.CharField()
    unit = serializers.CharField()
    formula = serializers.CharField()
    higher_is_better = serializers.BooleanField()


class ScorecardRowSerializer(serializers.Serializer):
    key = serializers.IntegerField()
    name = serializers.CharField()
    rank = serializers.IntegerField()
    score = api_fields.DecimalField(**MONEY)
    values = serializers.DictField(child=api_fields.DecimalField(**MONEY, allow_null=True))
    points = serializers.DictField(child=api_fields.DecimalField(**MONEY))


class PolicySerializer(ModelSerializer):
    class Meta:
        model = PerformancePolicy
        fields = ["measure", "bad_debt_days", "updated_at"]
        read_only_fields = ["updated_at"]


class WeightSerializer(ModelSerializer):
    class Meta:
        model = ScorecardWeight
        fields = ["id", "kpi", "weight", "target_value", "cap_percent", "position"]
        extra_kwargs = {"kpi": {"validators": []}}


class TargetPlanSerializer(ModelSerializer):
    class Meta:
        model = TargetPlan
        fields = [
            "id",
            "year",
            "version",
            "measure",
            "total",
            "month_method",
            "month_weights",
            "status",
            "previous",
            "note",
            "created_at",
            "approved_at",
        ]
        read_only_fields = ["version", "measure", "status", "previous", "created_at", "approved_at"]


class TargetPlanCreateSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    total = api_fields.DecimalField(**MONEY, min_value=Decimal("0.01"))
    month_method = serializers.ChoiceField(choices=TargetPlan.MonthMethod.choices)
    month_weights = serializers.ListField(child=serializers.CharField(max_length=30), required=False, max_length=12)
    org_method = serializers.ChoiceField(choices=SPLIT_METHODS, default="last_year")
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class TargetSerializer(ModelSerializer):
    name = serializers.CharField(source="node_label", read_only=True)

    class Meta:
        model = Target
        fields = ["id", "parent", "level", "month", "org_unit", "rep", "customer", "family", "amount", "name"]


class SetChildrenSerializer(serializers.Serializer):
    parent = serializers.IntegerField(required=False, allow_null=True, help_text="empty: the twelve months")
    amounts = serializers.DictField(child=api_fields.DecimalField(**MONEY), allow_empty=False)


class SplitRepSerializer(serializers.Serializer):
    rep = serializers.IntegerField()
    by = serializers.ChoiceField(choices=["customer", "family"])
    method = serializers.ChoiceField(choices=SPLIT_METHODS, default="last_year")


class CommissionRuleSerializer(ModelSerializer):
    class Meta:
        model = CommissionRule
        fields = ["id", "name", "base", "family", "rate", "min_achievement", "max_achievement", "active"]


class CommissionLineSerializer(ModelSerializer):
    class Meta:
        model = CommissionLine
        fields = ["kind", "rule_name", "family", "reference", "base", "rate", "amount"]


class CommissionStatementSerializer(ModelSerializer):
    rep_name = serializers.CharField(source="rep.display_name", read_only=True)
    month = serializers.DateField(source="run.month", read_only=True)
    run_status = serializers.CharField(source="run.status", read_only=True)
    lines = CommissionLineSerializer(many=True, read_only=True)

    class Meta:
        model = CommissionStatement
        fields = [
            "id",
            "run",
            "month",
            "run_status",
            "rep",
            "rep_name",
            "team",
            "target",
            "sales",
            "achievement",
            "collected",
            "earned",
            "clawback",
            "total",
            "lines",
        ]


class CommissionRunSerializer(ModelSerializer):
    class Meta:
        model = CommissionRun
        fields = ["id", "number", "month", "status", "total", "computed_at", "approved_at"]


class MonthSerializer(serializers.Serializer):
    month = serializers.DateField(help_text="any day of the month, e.g. 2026-10-01")


class EstimateSerializer(serializers.Serializer):
    rep = serializers.IntegerField(source="rep_id")
    target = api_fields.DecimalField(**MONEY)
    sales = api_fields.DecimalField(**MONEY)
    achievement = api_fields.DecimalField(max_digits=9, decimal_places=2)
    collected = api_fields.DecimalField(**MONEY)
    earned = api_fields.DecimalField(**MONEY)
    clawback = api_fields.DecimalField(**MONEY)
    total = api_fields.DecimalField(**MONEY)


class ExpenseTypeSerializer(ModelSerializer):
    name = serializers.CharField(read_only=True)

    class Meta:
        model = ExpenseType
        fields = ["id", "code", "name", "name_en", "name_zh", "active"]


class BudgetSerializer(ModelSerializer):
    spent = serializers.SerializerMethodField()

    class Meta:
        model = ExpenseBudget
        fields = ["id", "team", "rep", "month", "expense_type", "amount", "spent"]

    def get_spent(self, budget) -> str:
        from salesops.targets.expenses import spent_on

        return str(spent_on(budget))


class ClaimSerializer(ModelSerializer):
    claimant_name = serializers.CharField(source="claimant.display_name", read_only=True)

    class Meta:
        model = ExpenseClaim
        fields = [
            "id",
            "number",
            "claimant",
            "claimant_name",
            "team",
            "expense_type",
            "spent_on",
            "month",
            "amount",
            "description",
            "customer",
            "remaining_before",
            "over_budget",
            "status",
            "created_at",
            "decided_at",
        ]
        read_only_fields = [
            "number",
            "claimant",
            "team",
            "month",
            "remaining_before",
            "over_budget",
            "status",
            "created_at",
            "decided_at",
        ]


class ClaimCreateSerializer(serializers.Serializer):
    expense_type = serializers.PrimaryKeyRelatedField(queryset=ExpenseType.objects.all())
    spent_on = serializers.DateField()
    amount = api_fields.DecimalField(**MONEY)
    description = serializers.CharField(max_length=500)


class ProfitPlanLineSerializer(ModelSerializer):
    class Meta:
        model = ProfitPlanLine
        fields = ["customer", "volume", "price", "margin_percent", "promotion", "expenses", "revenue", "profit"]
        read_only_fields = ["revenue", "profit"]


class ProfitPlanSerializer(ModelSerializer):
    lines = ProfitPlanLineSerializer(many=True, read_only=True)

    class Meta:
        model = ProfitPlan
        fields = [
            "id",
            "number",
            "rep",
            "team",
            "month",
            "status",
            "revenue",
            "profit",
            "note",
            "submitted_at",
            "lines",
        ]


class ProfitPlanSaveSerializer(serializers.Serializer):
    month = serializers.DateField()
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    lines = serializers.ListField(child=serializers.DictField(), max_length=200)
    submit = serializers.BooleanField(default=False)


class ReviewActionSerializer(ModelSerializer):
    class Meta:
        model = ReviewAction
        fields = ["id", "review", "issue", "action", "owner", "due_date", "status", "done_at", "outcome"]
        read_only_fields = ["review", "status", "done_at", "outcome"]


class BusinessReviewSerializer(ModelSerializer):
    actions = ReviewActionSerializer(many=True, read_only=True)

    class Meta:
        model = BusinessReview
        fields = ["id", "number", "month", "unit", "status", "summary", "data", "held_at", "held_by", "actions"]


class ReviewPrepareSerializer(serializers.Serializer):
    month = serializers.DateField()
    unit = serializers.IntegerField()


class HoldSerializer(serializers.Serializer):
    summary = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class OutcomeSerializer(serializers.Serializer):
    outcome = serializers.CharField(max_length=500)
