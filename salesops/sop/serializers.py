from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from salesops.core.api.base import ModelSerializer
from salesops.core.api.fields import DateField
from salesops.core.roles import Role
from salesops.sop.events import event_type_choices
from salesops.sop.models import DailyReport, Obligation, SopEvent, SopRule, escalation_choices


class SopRuleSerializer(ModelSerializer):
    event_type = serializers.ChoiceField(choices=event_type_choices())
    roles = serializers.ListField(child=serializers.ChoiceField(choices=Role.choices), required=False)
    escalate_to = serializers.ChoiceField(choices=escalation_choices(), required=False)
    name = serializers.CharField(read_only=True)

    class Meta:
        model = SopRule
        fields = [
            "id",
            "code",
            "name",
            "name_en",
            "name_zh",
            "description",
            "event_type",
            "roles",
            "org_unit",
            "schedule",
            "reminder_minutes",
            "escalate_to",
            "enabled",
        ]


class ObligationSerializer(ModelSerializer):
    rule_code = serializers.CharField(source="rule.code", read_only=True)
    rule_name = serializers.CharField(source="rule.name", read_only=True)
    person_name = serializers.CharField(source="person.display_name", read_only=True)

    class Meta:
        model = Obligation
        fields = [
            "id",
            "rule",
            "rule_code",
            "rule_name",
            "person",
            "person_name",
            "period_key",
            "open_at",
            "due_at",
            "status",
            "met_at",
            "reminded_at",
            "escalated_at",
            "reference",
            "event",
        ]
        read_only_fields = fields


class SopEventSerializer(ModelSerializer):
    event_type = serializers.ChoiceField(choices=event_type_choices())

    class Meta:
        model = SopEvent
        fields = ["id", "event_type", "person", "occurred_at", "reference", "period_key", "obligation"]
        read_only_fields = ["id", "person", "obligation"]
        extra_kwargs = {"occurred_at": {"required": False}}


class ComplianceQuerySerializer(serializers.Serializer):
    """?from=YYYY-MM-DD&to=YYYY-MM-DD&group_by=person|team|rule"""

    locals()["from"] = DateField()
    to = DateField()
    group_by = serializers.ChoiceField(choices=["person", "team", "rule"], default="person")

    def validate(self, attrs):
        if attrs["from"] > attrs["to"]:
            raise serializers.ValidationError({"from": [_("The start date is after the end date.")]})
        if (attrs["to"] - attrs["from"]).days > 731:
            raise serializers.ValidationError({"to": [_("Choose a period of at most two years.")]})
        return attrs


class ComplianceRowSerializer(serializers.Serializer):
    key = serializers.IntegerField(allow_null=True)
    label = serializers.CharField()
    met = serializers.IntegerField()
    met_late = serializers.IntegerField()
    missed = serializers.IntegerField()
    open = serializers.IntegerField()
    total = serializers.IntegerField()
    on_time_rate = serializers.FloatField(allow_null=True)


class DailyReportSerializer(ModelSerializer):
    rep_name = serializers.CharField(source="rep.display_name", read_only=True)

    class Meta:
        model = DailyReport
        fields = [
            "id",
            "rep",
            "rep_name",
            "team",
            "date",
            "visits",
            "calls",
            "orders",
            "collections",
            "feedback",
            "submitted_at",
            "reviewed_by",
            "reviewed_at",
            "review_comment",
        ]
        read_only_fields = ["id", "rep", "team", "submitted_at", "reviewed_by", "reviewed_at", "review_comment"]
        validators = []


class ReviewSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="")
