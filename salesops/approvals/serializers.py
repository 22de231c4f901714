from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from salesops.approvals import selectors
from salesops.approvals.facts import facts_for, facts_schema
from salesops.approvals.models import (
    ApprovalEscalation,
    ApprovalRequest,
    ApprovalRule,
    ApprovalTask,
    ApproverKind,
    Delegation,
    VisitRequest,
)
from salesops.approvals.registry import document_type_label, get_document_type
from salesops.core.api.base import ModelSerializer
from salesops.core.api.fields import DateTimeField
from salesops.core.models import User


class InboxTaskSerializer(ModelSerializer):
    request_id = serializers.IntegerField(source="request.pk", read_only=True)
    title = serializers.CharField(source="request.title", read_only=True)
    doc_type = serializers.CharField(source="request.doc_type", read_only=True)
    doc_type_label = serializers.SerializerMethodField()
    requester = serializers.IntegerField(source="request.requester_id", read_only=True)
    requester_name = serializers.CharField(source="request.requester.display_name", read_only=True)
    submitted_at = DateTimeField(source="request.submitted_at", read_only=True)
    snapshot = serializers.JSONField(source="request.snapshot", read_only=True)
    assignee_name = serializers.CharField(source="assignee.display_name", read_only=True)
    on_behalf_of_name = serializers.CharField(source="on_behalf_of.display_name", default=None, read_only=True)
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = ApprovalTask
        fields = [
            "id",
            "request_id",
            "title",
            "doc_type",
            "doc_type_label",
            "requester",
            "requester_name",
            "submitted_at",
            "snapshot",
            "position",
            "approver_kind",
            "assignee",
            "assignee_name",
            "on_behalf_of",
            "on_behalf_of_name",
            "escalated_from",
            "status",
            "due_at",
            "reminded_at",
            "escalated_at",
            "overdue",
        ]

    def get_doc_type_label(self, task) -> str:
        return str(document_type_label(task.request.doc_type))

    def get_overdue(self, task) -> bool:
        return bool(task.due_at and task.status == ApprovalTask.Status.OPEN and task.due_at < timezone.now())


class ApprovalEscalationSerializer(ModelSerializer):
    from_user_name = serializers.CharField(source="from_user.display_name", read_only=True)
    to_user_name = serializers.CharField(source="to_user.display_name", default=None, read_only=True)

    class Meta:
        model = ApprovalEscalation
        fields = ["level", "from_user", "from_user_name", "to_user", "to_user_name", "at", "missed_due_at", "due_at"]


class TaskSerializer(ModelSerializer):
    escalations = ApprovalEscalationSerializer(many=True, read_only=True)
    assignee_name = serializers.CharField(source="assignee.display_name", read_only=True)
    on_behalf_of_name = serializers.CharField(source="on_behalf_of.display_name", default=None, read_only=True)
    decided_by_name = serializers.CharField(source="decided_by.display_name", default=None, read_only=True)

    class Meta:
        model = ApprovalTask
        fields = [
            "id",
            "position",
            "approver_kind",
            "assignee",
            "assignee_name",
            "on_behalf_of",
            "on_behalf_of_name",
            "escalated_from",
            "status",
            "due_at",
            "reminded_at",
            "escalated_at",
            "escalation_level",
            "escalation_ended",
            "escalations",
            "decision",
            "comment",
            "decided_at",
            "decided_by",
            "decided_by_name",
        ]


class ApprovalRequestSerializer(ModelSerializer):
    requester_name = serializers.CharField(source="requester.display_name", read_only=True)
    doc_type_label = serializers.SerializerMethodField()

    class Meta:
        model = ApprovalRequest
        fields = [
            "id",
            "doc_type",
            "doc_type_label",
            "object_id",
            "title",
            "requester",
            "requester_name",
            "status",
            "rule_name",
            "snapshot",
            "submitted_at",
            "closed_at",
        ]

    def get_doc_type_label(self, request) -> str:
        return str(document_type_label(request.doc_type))


class ApprovalRequestDetailSerializer(ApprovalRequestSerializer):
    tasks = serializers.SerializerMethodField()

    class Meta(ApprovalRequestSerializer.Meta):
        fields = [*ApprovalRequestSerializer.Meta.fields, "tasks"]

    def get_tasks(self, request) -> list:
        tasks = selectors.tasks_of_request(request=request)
        return TaskSerializer(tasks, many=True).data


class TaskDetailSerializer(TaskSerializer):
    """One step with its request and the typed `facts` of the document, as the caller may read
    them (one schema per document type, told by `facts.doc_type`; null when the document is gone)."""

    request = ApprovalRequestDetailSerializer(read_only=True)
    facts = serializers.SerializerMethodField()

    class Meta(TaskSerializer.Meta):
        fields = [*TaskSerializer.Meta.fields, "request", "facts"]

    @extend_schema_field(facts_schema())
    def get_facts(self, task):
        doc_type = get_document_type(task.request.doc_type)
        document = doc_type.load(task.request.object_id) if doc_type else None
        return facts_for(doc_type, document, self.context["request"].user)


class DecisionSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=ApprovalTask.Decision.choices)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class ConditionSerializer(serializers.Serializer):
    field = serializers.CharField(max_length=60)
    operator = serializers.CharField(max_length=4)
    value = serializers.JSONField()


class StepSerializer(serializers.Serializer):
    approver = serializers.ChoiceField(choices=ApproverKind.choices)
    user = serializers.PrimaryKeyRelatedField(queryset=User.objects.all(), required=False, allow_null=True)


class RuleSerializer(ModelSerializer):
    conditions = ConditionSerializer(many=True, required=False)
    steps = StepSerializer(many=True)
    dormant = serializers.SerializerMethodField()

    class Meta:
        model = ApprovalRule
        fields = [
            "id",
            "doc_type",
            "name",
            "name_zh",
            "position",
            "conditions",
            "steps",
            "deadline_hours",
            "reminder_hours",
            "active",
            "dormant",
            "updated_at",
        ]
        read_only_fields = ["updated_at"]

    def get_dormant(self, rule) -> bool:
        from salesops.approvals.registry import get_document_type

        return get_document_type(rule.doc_type) is None

    def to_representation(self, rule):
        data = super().to_representation(rule)
        data["steps"] = [{"approver": s.approver, "user": s.user_id} for s in rule.steps.all()]
        data["conditions"] = rule.conditions
        return data

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if "conditions" in attrs:
            attrs["conditions"] = [dict(c) for c in attrs["conditions"]]
        if "steps" in attrs:
            attrs["steps"] = [dict(s) for s in attrs["steps"]]
        return attrs


class DelegationSerializer(ModelSerializer):
    from_user_name = serializers.CharField(source="from_user.display_name", read_only=True)
    to_user_name = serializers.CharField(source="to_user.display_name", read_only=True)

    class Meta:
        model = Delegation
        fields = [
            "id",
            "from_user",
            "from_user_name",
            "to_user",
            "to_user_name",
            "starts_on",
            "ends_on",
            "note",
            "active",
        ]
        read_only_fields = ["from_user", "active"]


class VisitRequestSerializer(ModelSerializer):
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    rep_name = serializers.CharField(source="rep.display_name", read_only=True)

    class Meta:
        model = VisitRequest
        fields = [
            "id",
            "number",
            "customer",
            "customer_name",
            "rep",
            "rep_name",
            "team",
            "planned_date",
            "purpose",
            "expected_outcome",
            "key_account",
            "status",
            "created_at",
        ]
        read_only_fields = ["number", "rep", "team", "status", "created_at"]
