from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from salesops.core.api.base import InputSerializer, ModelSerializer
from salesops.core.api.fields import DateField, DecimalField, IdMapField
from salesops.credit.models import Receipt
from salesops.sales.models import (
    Contract,
    ContractChange,
    ContractChangeLine,
    Delivery,
    DeliveryLine,
    Invoice,
    InvoiceLine,
    OrderLine,
    Quote,
    QuoteLine,
    QuoteRevision,
    SalesOrder,
    SalesReturn,
)

DEC = {"max_digits": 16, "decimal_places": 6}


class LineInputSerializer(InputSerializer):
    product = serializers.IntegerField()
    # kept as text so that the service can tell "too many decimal places" from "not a number"
    quantity = serializers.CharField(max_length=40)
    unit_price = serializers.CharField(max_length=40, required=False, allow_null=True, allow_blank=True)
    # an id, checked by the order service (code invalid_lot): a lot of the line's product, not
    # expired, with the quantity in the order's warehouse; quotes and contracts refuse it
    lot = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=2**63 - 1,
        help_text=_(
            "Orders: sell the line from this lot (a clearance lot); an empty price is then the lot's clearance price."
        ),
    )


class OrderCreateSerializer(InputSerializer):
    customer = serializers.IntegerField()
    payment = serializers.ChoiceField(choices=SalesOrder.Payment.choices)
    lines = LineInputSerializer(many=True, allow_empty=False)
    warehouse = serializers.IntegerField(required=False, allow_null=True)
    order_date = DateField(required=False)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class PaymentInputSerializer(InputSerializer):
    """Money taken with a cash order; it becomes the order's receipt."""

    method = serializers.ChoiceField(choices=Receipt.Method.choices, default=Receipt.Method.CASH)
    received_on = serializers.DateField(required=False)
    bank_reference = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)


class OrderSubmitSerializer(InputSerializer):
    # kept as text so that the service refuses what is not an amount with its own message
    expected_prepayment = serializers.CharField(
        required=False,
        allow_blank=True,
        allow_null=True,
        max_length=40,
        help_text=_("What the customer is expected to pay in advance: information for finance, not a payment."),
    )
    payment = PaymentInputSerializer(required=False, allow_null=True)

    def validate(self, attrs):
        unknown = set(self.initial_data) - set(self.fields) if hasattr(self.initial_data, "keys") else set()
        if unknown:
            raise serializers.ValidationError({name: [_("Not a field of this request.")] for name in sorted(unknown)})
        return attrs


class OrderLineSerializer(ModelSerializer):
    sku = serializers.CharField(source="product.sku", read_only=True)
    product_name = serializers.CharField(source="product.name", read_only=True)
    lot_code = serializers.CharField(source="lot.code", read_only=True, default=None)
    lot_expiry_date = serializers.DateField(source="lot.expiry_date", read_only=True, default=None)

    class Meta:
        model = OrderLine
        fields = [
            "id",
            "position",
            "product",
            "sku",
            "product_name",
            "quantity",
            "unit_price",
            "list_price",
            "discount_percent",
            "amount",
            "tax_rate",
            "tax_amount",
            "lot",
            "lot_code",
            "lot_expiry_date",
            "clearance_pct",
            "delivered_quantity",
            "invoiced_quantity",
            "returned_quantity",
            "cancelled_quantity",
        ]


class OrderSerializer(ModelSerializer):
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    net_total = DecimalField(max_digits=14, decimal_places=2, read_only=True)
    rep_name = serializers.CharField(source="rep.display_name", read_only=True)

    class Meta:
        model = SalesOrder
        fields = [
            "id",
            "number",
            "status",
            "total",
            "tax_total",
            "net_total",
            "prices_include_tax",
            "customer",
            "customer_name",
            "rep",
            "rep_name",
            "team",
            "warehouse",
            "payment",
            "order_date",
            "expected_prepayment",
            "delivered_amount",
            "invoiced_amount",
            "confirmed_at",
            "delivery_due_at",
            "approval_reason",
            "quote",
            "contract",
            "note",
            "created_at",
        ]
        read_only_fields = fields


class OrderPaymentSerializer(ModelSerializer):
    class Meta:
        model = Receipt
        fields = ["id", "number", "amount", "received_on", "method", "status"]
        read_only_fields = fields


class OrderDetailSerializer(OrderSerializer):
    lines = OrderLineSerializer(many=True, read_only=True)
    payments = OrderPaymentSerializer(source="receipts", many=True, read_only=True)

    class Meta(OrderSerializer.Meta):
        fields = [*OrderSerializer.Meta.fields, "lines", "payments"]
        read_only_fields = fields


class QuoteLineSerializer(ModelSerializer):
    class Meta:
        model = QuoteLine
        fields = [
            "id",
            "position",
            "product",
            "quantity",
            "unit_price",
            "list_price",
            "discount_percent",
            "amount",
            "tax_rate",
            "tax_amount",
        ]


class QuoteRevisionLineSerializer(serializers.Serializer):
    position = serializers.IntegerField()
    product = serializers.IntegerField()
    sku = serializers.CharField()
    name = serializers.CharField()
    quantity = serializers.CharField()
    unit_price = serializers.CharField()
    list_price = serializers.CharField()
    discount_percent = serializers.CharField()
    tax_rate = serializers.CharField()
    tax_amount = serializers.CharField()
    amount = serializers.CharField()


class QuoteRevisionSerializer(ModelSerializer):
    lines = QuoteRevisionLineSerializer(many=True, read_only=True)

    class Meta:
        model = QuoteRevision
        fields = ["revision", "valid_until", "total", "tax_total", "note", "lines", "replaced_by", "replaced_at"]
        read_only_fields = fields


class QuoteSerializer(ModelSerializer):
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    net_total = DecimalField(max_digits=14, decimal_places=2, read_only=True)
    lines = QuoteLineSerializer(many=True, read_only=True)
    revisions = QuoteRevisionSerializer(many=True, read_only=True)
    contracts = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    orders = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Quote
        fields = [
            "id",
            "number",
            "status",
            "customer",
            "customer_name",
            "rep",
            "team",
            "quote_date",
            "valid_until",
            "total",
            "tax_total",
            "net_total",
            "prices_include_tax",
            "discount_approved",
            "note",
            "opportunity",
            "revision",
            "lines",
            "revisions",
            "contracts",
            "orders",
        ]
        read_only_fields = fields


class QuoteCreateSerializer(InputSerializer):
    customer = serializers.IntegerField()
    lines = LineInputSerializer(many=True, allow_empty=False)
    valid_until = DateField(required=False)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    opportunity = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=2**31 - 1)


class QuoteUpdateSerializer(InputSerializer):
    """A change of a draft or returned quote: what is given replaces what the quote has (lines
    all together)."""

    lines = LineInputSerializer(many=True, allow_empty=False, required=False)
    valid_until = DateField(required=False)
    note = serializers.CharField(required=False, allow_blank=True, max_length=5000)


class QuoteToOrderSerializer(InputSerializer):
    payment = serializers.ChoiceField(choices=SalesOrder.Payment.choices, default=SalesOrder.Payment.CREDIT)
    warehouse = serializers.IntegerField(required=False, allow_null=True)


class ContractChangeLineSerializer(ModelSerializer):
    class Meta:
        model = ContractChangeLine
        fields = ["position", "product", "quantity", "unit_price", "amount"]
        read_only_fields = fields


class ContractChangeSerializer(ModelSerializer):
    """A contract change. `lines` (in): the contract's lines as the change proposes them, all of
    them; their sum is the new value. `proposed_lines` / `previous_lines` (out): the lines after
    and before. Open orders under the contract keep their prices."""

    lines = LineInputSerializer(many=True, required=False, write_only=True, allow_empty=False)
    proposed_lines = ContractChangeLineSerializer(source="lines", many=True, read_only=True)

    class Meta:
        model = ContractChange
        fields = [
            "id",
            "number",
            "status",
            "reason",
            "new_end_date",
            "new_total",
            "additional_terms",
            "lines",
            "proposed_lines",
            "previous_lines",
            "created_at",
        ]
        read_only_fields = ["id", "number", "status", "previous_lines", "created_at"]


class ContractSerializer(ModelSerializer):
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    changes = ContractChangeSerializer(many=True, read_only=True)

    class Meta:
        model = Contract
        fields = [
            "id",
            "number",
            "status",
            "customer",
            "customer_name",
            "rep",
            "team",
            "quote",
            "title",
            "start_date",
            "end_date",
            "total",
            "payment_terms_days",
            "terms",
            "version",
            "changes",
        ]
        read_only_fields = fields


class ContractCreateSerializer(InputSerializer):
    customer = serializers.IntegerField()
    title = serializers.CharField(max_length=200)
    start_date = DateField()
    end_date = DateField()
    lines = LineInputSerializer(many=True, allow_empty=False)
    terms = serializers.CharField(required=False, allow_blank=True, default="")
    payment_terms_days = serializers.IntegerField(required=False, min_value=0, max_value=365, default=30)
    quote = serializers.IntegerField(required=False, allow_null=True)


class DeliveryLineSerializer(ModelSerializer):
    class Meta:
        model = DeliveryLine
        fields = ["id", "order_line", "product", "quantity", "unit_price", "amount", "invoiced_quantity"]


class DeliverySerializer(ModelSerializer):
    order_number = serializers.CharField(source="order.number", read_only=True)
    lines = DeliveryLineSerializer(many=True, read_only=True)

    class Meta:
        model = Delivery
        fields = [
            "id",
            "number",
            "status",
            "order",
            "order_number",
            "warehouse",
            "total",
            "issued_at",
            "issued_by",
            "picked_up_by",
            "confirmed_at",
            "received_by",
            "note",
            "lines",
        ]
        read_only_fields = fields


class DeliveryIssueSerializer(InputSerializer):
    order = serializers.IntegerField()
    quantities = IdMapField(child=serializers.CharField(max_length=40), required=False)
    picked_up_by = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    lots = serializers.DictField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        required=False,
        default=dict,
        help_text="{order line id: lot id} to issue another lot than the first to expire",
    )
    lot_reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)


class DeliveryConfirmSerializer(InputSerializer):
    received_by = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)


class InvoiceLineSerializer(ModelSerializer):
    class Meta:
        model = InvoiceLine
        fields = [
            "id",
            "position",
            "product",
            "quantity",
            "unit_price",
            "amount",
            "tax_rate",
            "tax_amount",
            "delivery_line",
            "order_line",
        ]


class InvoiceSerializer(ModelSerializer):
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    open_amount = DecimalField(max_digits=14, decimal_places=2, read_only=True)
    net_total = DecimalField(max_digits=14, decimal_places=2, read_only=True)
    lines = InvoiceLineSerializer(many=True, read_only=True)

    class Meta:
        model = Invoice
        fields = [
            "id",
            "number",
            "kind",
            "status",
            "customer",
            "customer_name",
            "order",
            "rep",
            "team",
            "issue_date",
            "due_date",
            "total",
            "tax_total",
            "net_total",
            "paid_amount",
            "open_amount",
            "original",
            "sales_return",
            "lines",
        ]
        read_only_fields = fields


class InvoiceCreateSerializer(InputSerializer):
    deliveries = serializers.ListField(child=serializers.IntegerField(), allow_empty=False)
    quantities = IdMapField(child=serializers.CharField(max_length=40), required=False)
    issue_date = DateField(required=False)


class SalesReturnSerializer(ModelSerializer):
    class Meta:
        model = SalesReturn
        fields = [
            "id",
            "number",
            "kind",
            "status",
            "order",
            "reason",
            "total",
            "refund_amount",
            "completed_at",
            "created_at",
        ]
        read_only_fields = fields


class SalesReturnCreateSerializer(InputSerializer):
    order = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=SalesReturn.Kind.choices)
    reason = serializers.CharField()
    quantities = IdMapField(child=serializers.CharField(max_length=40), required=False)


CREDIT_OUTCOMES = [
    ("within_limit", _("Within the credit limit")),
    ("over_limit", _("Over the credit limit: needs approval or prepayment")),
    ("overdue", _("The customer has overdue invoices: needs approval or payment")),
    ("credit_blocked", _("Credit is blocked: needs approval")),
    ("no_file", _("No credit file: a credit order is refused")),
    ("cash", _("Cash sale: waits for the payment")),
    ("", _("Nothing to decide (no amount)")),
]


class OrderCreditSerializer(serializers.Serializer):
    """A customer's credit figures and what submitting the order would meet."""

    limit = DecimalField(source="summary.limit", max_digits=14, decimal_places=2)
    exposure = DecimalField(source="summary.exposure", max_digits=14, decimal_places=2)
    available = DecimalField(source="summary.available", max_digits=14, decimal_places=2)
    overdue = DecimalField(source="summary.overdue", max_digits=14, decimal_places=2)
    on_account = DecimalField(source="summary.on_account", max_digits=14, decimal_places=2)
    order_amount = DecimalField(source="amount", max_digits=14, decimal_places=2)
    payment = serializers.ChoiceField(choices=SalesOrder.Payment.choices)
    outcome = serializers.ChoiceField(choices=CREDIT_OUTCOMES)
    excess = DecimalField(max_digits=14, decimal_places=2)
    needs_decision = serializers.BooleanField()
