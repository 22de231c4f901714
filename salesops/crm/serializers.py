from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from salesops.core.api.base import ModelSerializer
from salesops.core.api.fields import DecimalField
from salesops.crm.models import (
    Activity,
    Address,
    Complaint,
    Contact,
    Customer,
    CustomerGrade,
    CustomerImport,
    GradingRun,
    KeyAccountFile,
    Opportunity,
    OwnershipChange,
    OwnershipConflict,
    ReassignmentBatch,
    Stage,
)
from salesops.crm.privacy import shown_email, shown_phone


class MaskedContactMixin:
    """Phones and e-mails masked for roles that need only names (see privacy.py)."""

    masked_fields = ("phone", "email")

    def to_representation(self, instance):
        data = super().to_representation(instance)
        user = self.context["request"].user if "request" in self.context else None
        if user is not None:
            if "phone" in data:
                data["phone"] = shown_phone(user, data["phone"] or "")
            if "email" in data:
                data["email"] = shown_email(user, data["email"] or "")
        return data


class ContactSerializer(MaskedContactMixin, ModelSerializer):
    class Meta:
        model = Contact
        fields = ["id", "name", "title", "phone", "email", "is_primary"]


class AddressSerializer(ModelSerializer):
    class Meta:
        model = Address
        fields = ["id", "label", "address", "city", "latitude", "longitude"]


class CustomerSerializer(MaskedContactMixin, ModelSerializer):
    owner_name = serializers.CharField(source="owner.display_name", read_only=True)

    class Meta:
        model = Customer
        fields = [
            "id",
            "code",
            "name",
            "kind",
            "channel",
            "status",
            "owner",
            "owner_name",
            "team",
            "phone",
            "email",
            "tax_id",
            "industry",
            "source",
            "tags",
            "address",
            "city",
            "latitude",
            "longitude",
            "grade",
            "in_pool",
            "registered_via",
            "last_activity_at",
            "created_at",
        ]
        read_only_fields = ["code", "created_at", "grade", "in_pool", "last_activity_at"]
        extra_kwargs = {"team": {"required": False}}


class CustomerDetailSerializer(CustomerSerializer):
    contacts = ContactSerializer(many=True, read_only=True)
    addresses = AddressSerializer(many=True, read_only=True)

    class Meta(CustomerSerializer.Meta):
        fields = [*CustomerSerializer.Meta.fields, "contacts", "addresses"]


class DirectorySerializer(MaskedContactMixin, ModelSerializer):
    class Meta:
        model = Customer
        fields = ["id", "code", "name", "city", "phone"]


class LeadRegisterSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    contact_name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    kind = serializers.ChoiceField(choices=Customer.Kind.choices, default=Customer.Kind.COMPANY)
    via = serializers.ChoiceField(choices=[Customer.Via.CALL, Customer.Via.VISIT], default=Customer.Via.CALL)
    interest = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    source = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    city = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    tax_id = serializers.CharField(max_length=18, required=False, allow_blank=True, default="")


class OwnershipCheckSerializer(serializers.Serializer):
    name = serializers.CharField(required=False, allow_blank=True, default="")
    phone = serializers.CharField(required=False, allow_blank=True, default="")
    email = serializers.CharField(required=False, allow_blank=True, default="")
    tax_id = serializers.CharField(required=False, allow_blank=True, default="")
    kind = serializers.ChoiceField(choices=Customer.Kind.choices, default=Customer.Kind.COMPANY)


class ConflictSerializer(ModelSerializer):
    attempted_by_name = serializers.CharField(source="attempted_by.display_name", read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)

    class Meta:
        model = OwnershipConflict
        fields = [
            "id",
            "customer",
            "customer_name",
            "attempted_by",
            "attempted_by_name",
            "owner_at_attempt",
            "team",
            "matched_on",
            "attempted_name",
            "status",
            "created_at",
            "resolved_at",
        ]


class OwnConflictSerializer(ModelSerializer):
    """What the registering rep may know of their own attempt: not whose customer it is."""

    class Meta:
        model = OwnershipConflict
        fields = ["id", "attempted_name", "matched_on", "status", "created_at"]


class DecideSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=["keep", "assign"])


class OwnershipChangeSerializer(ModelSerializer):
    class Meta:
        model = OwnershipChange
        fields = ["id", "from_owner", "to_owner", "reason", "note", "batch", "changed_by", "at"]


class ReassignSerializer(serializers.Serializer):
    from_owner = serializers.IntegerField()
    to_owner = serializers.IntegerField()
    reason = serializers.CharField(max_length=200)
    customer_ids = serializers.ListField(child=serializers.IntegerField(), required=False)


class ReassignmentBatchSerializer(ModelSerializer):
    percent = serializers.IntegerField(read_only=True)

    class Meta:
        model = ReassignmentBatch
        fields = [
            "id",
            "from_owner",
            "to_owner",
            "reason",
            "total",
            "done",
            "percent",
            "status",
            "created_at",
            "finished_at",
            "error",
        ]


class StageSerializer(ModelSerializer):
    class Meta:
        model = Stage
        fields = ["id", "code", "name", "name_zh", "order", "probability", "outcome", "active"]


class OpportunitySerializer(ModelSerializer):
    weighted_amount = DecimalField(max_digits=18, decimal_places=2, read_only=True)
    stage_code = serializers.CharField(source="stage.code", read_only=True)

    class Meta:
        model = Opportunity
        fields = [
            "id",
            "code",
            "customer",
            "name",
            "owner",
            "team",
            "stage",
            "stage_code",
            "amount",
            "weighted_amount",
            "expected_close",
            "next_step",
            "next_step_due",
            "competitors",
            "loss_reason",
            "closed_at",
            "created_at",
        ]
        read_only_fields = ["code", "owner", "team", "stage", "loss_reason", "closed_at", "created_at"]


@extend_schema_serializer(component_name="OpportunityMove")
class MoveSerializer(serializers.Serializer):
    stage = serializers.SlugRelatedField(slug_field="code", queryset=Stage.objects.filter(active=True))
    loss_reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class ActivitySerializer(ModelSerializer):
    class Meta:
        model = Activity
        fields = [
            "id",
            "customer",
            "opportunity",
            "owner",
            "kind",
            "subject",
            "occurred_at",
            "duration_minutes",
            "done",
            "outcome",
            "next_step",
            "next_step_due",
            "next_step_done",
            "entered_late",
            "created_at",
        ]
        read_only_fields = ["owner", "entered_late", "created_at", "next_step_done"]
        extra_kwargs = {"done": {"required": False}}


class ComplaintSerializer(ModelSerializer):
    class Meta:
        model = Complaint
        fields = [
            "id",
            "code",
            "customer",
            "kind",
            "owner",
            "subject",
            "description",
            "received_at",
            "answer_due",
            "answered_at",
            "answer",
            "resolution",
            "resolved_at",
            "follow_up_at",
            "follow_up_note",
            "satisfaction",
            "status",
            "created_at",
        ]
        read_only_fields = [
            "code",
            "owner",
            "answer_due",
            "answered_at",
            "answer",
            "resolution",
            "resolved_at",
            "follow_up_at",
            "follow_up_note",
            "satisfaction",
            "status",
            "created_at",
        ]
        extra_kwargs = {"received_at": {"required": False}}


class ComplaintActionSerializer(serializers.Serializer):
    text = serializers.CharField(required=False, allow_blank=True, default="")
    satisfaction = serializers.IntegerField(required=False, min_value=1, max_value=5)


class GradingRunSerializer(ModelSerializer):
    class Meta:
        model = GradingRun
        fields = ["id", "run_at", "period_start", "period_end", "measure", "cutoff_a", "cutoff_b", "customers", "total"]


class CustomerGradeSerializer(ModelSerializer):
    class Meta:
        model = CustomerGrade
        fields = ["run", "customer", "value", "share", "cumulative_share", "grade"]


class KeyAccountSerializer(ModelSerializer):
    class Meta:
        model = KeyAccountFile
        fields = ["needs", "decision_makers", "preferences", "plans", "updated_at"]
        read_only_fields = ["updated_at"]


class CustomerImportSerializer(ModelSerializer):
    error_rows = serializers.IntegerField(read_only=True)
    good_rows = serializers.IntegerField(read_only=True)

    class Meta:
        model = CustomerImport
        fields = ["id", "file_name", "status", "rows", "error_rows", "good_rows", "created", "created_at"]


class ImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField()


class ImportCommitSerializer(serializers.Serializer):
    only_good_rows = serializers.BooleanField(default=False)
