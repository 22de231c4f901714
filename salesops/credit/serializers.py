from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from salesops.core.api.base import InputSerializer, ModelSerializer
from salesops.core.api.fields import DateField, DecimalField, IdMapField
from salesops.credit.models import (
    CollectionEscalation,
    CreditFile,
    CreditLimitRequest,
    CreditReview,
    Receipt,
    Reconciliation,
    Statement,
    StatementRun,
)

MONEY = {"max_digits": 14, "decimal_places": 2}


class CreditSummarySerializer(serializers.Serializer):
    limit = DecimalField(**MONEY)
    exposure = DecimalField(**MONEY)
    available = DecimalField(**MONEY)
    overdue = DecimalField(**MONEY)
    on_account = DecimalField(**MONEY)


class CreditFileSerializer(ModelSerializer):
    customer_name = serializers.CharField(source="customer.name", read_only=True)

    class Meta:
        model = CreditFile
        fields = [
            "id",
            "customer",
            "customer_name",
            "limit",
            "grade",
            "payment_terms_days",
            "overdue_grace_days",
            "review_due",
            "active",
            "updated_at",
        ]
        read_only_fields = ["limit", "payment_terms_days", "updated_at"]


class CreditFileOpenSerializer(InputSerializer):
    customer = serializers.IntegerField()
    grade = serializers.ChoiceField(choices=CreditFile.Grade.choices, default=CreditFile.Grade.B)
    payment_terms_days = serializers.IntegerField(min_value=0, max_value=365, default=30)
    overdue_grace_days = serializers.IntegerField(min_value=0, max_value=90, default=0)
    requested_limit = DecimalField(min_value=Decimal("0"), required=False, **MONEY)
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class CreditFileUpdateSerializer(InputSerializer):
    grade = serializers.ChoiceField(choices=CreditFile.Grade.choices, required=False)
    overdue_grace_days = serializers.IntegerField(min_value=0, max_value=90, required=False)
    review_due = DateField(required=False, allow_null=True)
    active = serializers.BooleanField(required=False)


class CreditReviewSerializer(ModelSerializer):
    requested_limit = DecimalField(min_value=Decimal("0"), required=False, write_only=True, **MONEY)
    requested_terms_days = serializers.IntegerField(min_value=0, max_value=365, required=False, write_only=True)

    class Meta:
        model = CreditReview
        fields = [
            "id",
            "credit_file",
            "review_date",
            "period_start",
            "business_situation",
            "financial_situation",
            "average_days_to_pay",
            "overdue_incidents",
            "max_exposure",
            "grade",
            "conclusion",
            "reviewer",
            "created_at",
            "requested_limit",
            "requested_terms_days",
        ]
        read_only_fields = [
            "period_start",
            "average_days_to_pay",
            "overdue_incidents",
            "max_exposure",
            "reviewer",
            "created_at",
        ]
        extra_kwargs = {"review_date": {"required": False}, "credit_file": {"queryset": CreditFile.objects.all()}}


class PaymentHistorySerializer(serializers.Serializer):
    since = DateField()
    until = DateField()
    average_days_to_pay = DecimalField(max_digits=7, decimal_places=1)
    overdue_incidents = serializers.IntegerField()
    max_exposure = DecimalField(**MONEY)
    paid_amount = DecimalField(**MONEY)
    invoiced_amount = DecimalField(**MONEY)


class CreditLimitRequestSerializer(ModelSerializer):
    customer_name = serializers.CharField(source="credit_file.customer.name", read_only=True)
    submit = serializers.BooleanField(
        write_only=True,
        default=True,
        help_text="Send for approval at once (the default); false keeps a draft to submit later.",
    )

    class Meta:
        model = CreditLimitRequest
        fields = [
            "id",
            "number",
            "credit_file",
            "customer_name",
            "current_limit",
            "requested_limit",
            "current_terms_days",
            "requested_terms_days",
            "reason",
            "status",
            "requested_by",
            "created_at",
            "applied_at",
            "submit",
        ]
        read_only_fields = [
            "number",
            "current_limit",
            "current_terms_days",
            "status",
            "requested_by",
            "created_at",
            "applied_at",
        ]
        extra_kwargs = {"credit_file": {"queryset": CreditFile.objects.all()}}


class AllocationSerializer(serializers.Serializer):
    invoice = serializers.IntegerField(source="invoice_id")
    invoice_number = serializers.CharField(source="invoice.number")
    amount = DecimalField(**MONEY)
    allocated_on = DateField()


class ReceiptSerializer(ModelSerializer):
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    order_number = serializers.CharField(source="order.number", read_only=True, default=None)
    unallocated_amount = DecimalField(read_only=True, **MONEY)
    allocations = AllocationSerializer(many=True, read_only=True)
    released_orders = serializers.SerializerMethodField(
        help_text=_("Orders this action confirmed: the money now covers them (numbers).")
    )

    def get_released_orders(self, receipt) -> list[str]:
        return [order.number for order in getattr(receipt, "released_orders", [])]

    class Meta:
        model = Receipt
        fields = [
            "id",
            "number",
            "customer",
            "customer_name",
            "order",
            "order_number",
            "amount",
            "allocated_amount",
            "unallocated_amount",
            "received_on",
            "method",
            "bank_reference",
            "handed_by",
            "status",
            "reversed_on",
            "note",
            "recorded_by",
            "confirmed_by",
            "created_at",
            "allocations",
            "released_orders",
        ]
        read_only_fields = fields


class ReceiptCreateSerializer(InputSerializer):
    customer = serializers.IntegerField()
    amount = DecimalField(**MONEY)
    received_on = DateField()
    method = serializers.ChoiceField(choices=Receipt.Method.choices, default=Receipt.Method.BANK_TRANSFER)
    bank_reference = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)
    handed_by = serializers.IntegerField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)
    invoices = serializers.ListField(child=serializers.IntegerField(), required=False)
    order = serializers.IntegerField(required=False, allow_null=True, help_text=_("The order this money pays"))


class AllocateSerializer(InputSerializer):
    invoices = serializers.ListField(child=serializers.IntegerField(), required=False, help_text=_("In this order"))
    amounts = IdMapField(child=DecimalField(**MONEY), required=False)
    order = serializers.IntegerField(required=False, allow_null=True, help_text=_("The order this money pays"))


class ReceiptOrderSerializer(InputSerializer):
    order = serializers.IntegerField(help_text=_("The open order of the same customer this money pays"))


class ReceiptReverseSerializer(InputSerializer):
    reversed_on = DateField()
    reason = serializers.CharField(max_length=250)


class StatementSerializer(ModelSerializer):
    customer_name = serializers.CharField(source="customer.name", read_only=True)

    class Meta:
        model = Statement
        fields = [
            "id",
            "number",
            "customer",
            "customer_name",
            "period_start",
            "period_end",
            "opening_balance",
            "invoiced",
            "credited",
            "received",
            "closing_balance",
            "status",
            "sent_at",
            "sent_to",
            "send_error",
            "confirmed_on",
            "signed_copy",
            "customer_note",
            "created_at",
        ]
        read_only_fields = fields


class StatementCreateSerializer(InputSerializer):
    customer = serializers.IntegerField()
    month = DateField(help_text=_("Any day of the month"))


class StatementConfirmSerializer(InputSerializer):
    confirmed_on = DateField(required=False, allow_null=True)
    signed_copy = serializers.FileField(required=False)
    customer_note = serializers.CharField(required=False, allow_blank=True, default="")
    disputed = serializers.BooleanField(default=False)


class StatementRunSerializer(ModelSerializer):
    percent = serializers.IntegerField(read_only=True)

    class Meta:
        model = StatementRun
        fields = [
            "id",
            "period_start",
            "send_email",
            "status",
            "total",
            "done",
            "percent",
            "error",
            "created_at",
            "finished_at",
        ]
        read_only_fields = ["status", "total", "done", "percent", "error", "created_at", "finished_at"]


class ReconciliationSerializer(ModelSerializer):
    difference = DecimalField(read_only=True, allow_null=True, **MONEY)

    class Meta:
        model = Reconciliation
        fields = [
            "id",
            "rep",
            "team",
            "period_start",
            "ledger_balance",
            "rep_balance",
            "difference",
            "note",
            "status",
            "rep_signed_at",
            "finance_signed_by",
            "finance_signed_at",
        ]
        read_only_fields = fields


class ReconciliationOpenSerializer(InputSerializer):
    month = DateField()
    rep = serializers.IntegerField(required=False)


class ReconciliationSignSerializer(InputSerializer):
    rep_balance = DecimalField(required=False, **MONEY)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    accept = serializers.BooleanField(default=True)


class EscalationSerializer(ModelSerializer):
    invoice_number = serializers.CharField(source="invoice.number", read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)

    class Meta:
        model = CollectionEscalation
        fields = [
            "id",
            "customer",
            "customer_name",
            "invoice",
            "invoice_number",
            "level",
            "notified",
            "days_overdue",
            "open_amount",
            "created_at",
        ]
        read_only_fields = fields
