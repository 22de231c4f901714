from decimal import Decimal

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from salesops.catalog.permissions import sees_costs
from salesops.core.api.base import ModelSerializer
from salesops.core.api.fields import DateField, DecimalField, IdMapField
from salesops.inventory.models import (
    LotBalance,
    LotDisposal,
    PurchaseOrder,
    PurchaseOrderLine,
    StockBalance,
    StockMove,
    Stocktake,
    StocktakeLine,
    Supplier,
    SupplierItem,
    Transfer,
    TransferLine,
    Warehouse,
)

QTY = {"max_digits": 16, "decimal_places": 3}


class CostHidingMixin:
    cost_fields: tuple = ()

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None and not sees_costs(request.user):
            for name in self.cost_fields:
                fields.pop(name, None)
        return fields


class WarehouseSerializer(ModelSerializer):
    class Meta:
        model = Warehouse
        fields = ["id", "code", "name", "kind", "allow_negative", "active"]


class StockLevelSerializer(CostHidingMixin, ModelSerializer):
    """On-hand, reserved and available as decimal strings; costs only for stock roles."""

    cost_fields = ("avg_cost", "value")
    sku = serializers.CharField(source="product.sku", read_only=True)
    warehouse_code = serializers.CharField(source="warehouse.code", read_only=True)
    available = DecimalField(source="available_qty", read_only=True, **QTY)
    value = DecimalField(max_digits=20, decimal_places=2, read_only=True)

    class Meta:
        model = StockBalance
        fields = [
            "product",
            "sku",
            "warehouse",
            "warehouse_code",
            "on_hand",
            "reserved",
            "available",
            "avg_cost",
            "value",
        ]


class StockMoveSerializer(ModelSerializer):
    sku = serializers.CharField(source="product.sku", read_only=True)
    lot_code = serializers.CharField(source="lot.code", read_only=True, default=None)

    class Meta:
        model = StockMove
        fields = [
            "id",
            "product",
            "sku",
            "warehouse",
            "kind",
            "quantity",
            "unit_cost",
            "reference_type",
            "reference_id",
            "reference_number",
            "lot",
            "lot_code",
            "reason",
            "actor",
            "at",
        ]


class LineInSerializer(serializers.Serializer):
    product = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    quantity = DecimalField(min_value=Decimal("0.001"), **QTY)
    unit_cost = DecimalField(max_digits=14, decimal_places=4, min_value=Decimal("0"), required=False)


class TransferLineSerializer(ModelSerializer):
    sku = serializers.CharField(source="product.sku", read_only=True)

    class Meta:
        model = TransferLine
        fields = ["product", "sku", "quantity", "received_quantity", "unit_cost"]


class TransferSerializer(ModelSerializer):
    lines = TransferLineSerializer(many=True, read_only=True)

    class Meta:
        model = Transfer
        fields = [
            "id",
            "number",
            "source",
            "destination",
            "status",
            "note",
            "sent_at",
            "received_at",
            "has_difference",
            "lines",
        ]


class TransferCreateSerializer(serializers.Serializer):
    source = serializers.PrimaryKeyRelatedField(queryset=Warehouse.objects.all())
    destination = serializers.PrimaryKeyRelatedField(queryset=Warehouse.objects.all())
    note = serializers.CharField(required=False, allow_blank=True, default="")
    lines = LineInSerializer(many=True)


class QuantitiesSerializer(serializers.Serializer):
    """{"quantities": {"<product id>": "12.5", …}}"""

    quantities = IdMapField(child=DecimalField(**QTY), required=False, default=dict)


class StocktakeLineSerializer(ModelSerializer):
    sku = serializers.CharField(source="product.sku", read_only=True)

    class Meta:
        model = StocktakeLine
        fields = [
            "product",
            "sku",
            "snapshot_quantity",
            "counted_quantity",
            "counted_at",
            "moved_quantity",
            "variance",
            "unit_cost",
        ]


class StocktakeSerializer(ModelSerializer):
    class Meta:
        model = Stocktake
        fields = ["id", "number", "warehouse", "family", "status", "frozen_at", "approval_threshold", "posted_at"]
        read_only_fields = ["number", "status", "frozen_at", "posted_at"]


class SupplierSerializer(ModelSerializer):
    class Meta:
        model = Supplier
        fields = [
            "id",
            "code",
            "name",
            "contact",
            "phone",
            "email",
            "lead_time_days",
            "receipt_tolerance_pct",
            "active",
        ]


class SupplierItemSerializer(ModelSerializer):
    sku = serializers.CharField(source="product.sku", read_only=True)

    class Meta:
        model = SupplierItem
        fields = [
            "id",
            "supplier",
            "product",
            "sku",
            "lead_time_days",
            "min_order_qty",
            "order_multiple",
            "unit_cost",
            "preferred",
        ]


class PurchaseOrderLineSerializer(ModelSerializer):
    class Meta:
        model = PurchaseOrderLine
        fields = ["product", "quantity", "received_quantity", "unit_cost", "tax_rate", "closed"]


class PurchaseOrderSerializer(CostHidingMixin, ModelSerializer):
    cost_fields = ("total_net", "total_tax", "total")
    lines = PurchaseOrderLineSerializer(many=True, read_only=True)

    class Meta:
        model = PurchaseOrder
        fields = [
            "id",
            "number",
            "supplier",
            "warehouse",
            "expected_date",
            "status",
            "note",
            "total_net",
            "total_tax",
            "total",
            "sent_at",
            "lines",
        ]


class PurchaseOrderCreateSerializer(serializers.Serializer):
    supplier = serializers.PrimaryKeyRelatedField(queryset=Supplier.objects.all())
    warehouse = serializers.PrimaryKeyRelatedField(queryset=Warehouse.objects.all())
    expected_date = DateField()
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)
    lines = LineInSerializer(many=True)


class LotInSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=40)
    production_date = serializers.DateField()
    expiry_date = serializers.DateField(required=False, allow_null=True, default=None)


@extend_schema_serializer(component_name="PurchaseOrderReceipt")
class ReceiptSerializer(QuantitiesSerializer):
    """{"quantities": {"<product id>": "12.5"}, "lots": {"<product id>": {"code", "production_date", "expiry_date"}}}"""

    lots = IdMapField(child=LotInSerializer(), required=False, default=dict)


class LotBalanceSerializer(ModelSerializer):
    code = serializers.CharField(source="lot.code", read_only=True)
    production_date = serializers.DateField(source="lot.production_date", read_only=True)
    expiry_date = serializers.DateField(source="lot.expiry_date", read_only=True)
    sku = serializers.CharField(source="product.sku", read_only=True)
    discount_pct = serializers.DecimalField(source="lot.discount_pct", max_digits=5, decimal_places=2, read_only=True)
    discount_reason = serializers.CharField(source="lot.discount_reason", read_only=True)
    promised = serializers.DecimalField(
        max_digits=16, decimal_places=3, read_only=True, help_text="Promised from the lot to orders."
    )

    class Meta:
        model = LotBalance
        fields = [
            "id",
            "lot",
            "code",
            "product",
            "sku",
            "warehouse",
            "production_date",
            "expiry_date",
            "on_hand",
            "promised",
            "discount_pct",
            "discount_reason",
        ]


class LotDisposalSerializer(ModelSerializer):
    class Meta:
        model = LotDisposal
        fields = ["id", "number", "kind", "lot", "warehouse", "quantity", "value", "reason", "status", "posted_at"]
        read_only_fields = ["number", "lot", "warehouse", "value", "status", "posted_at"]


class LotDisposalCreateSerializer(serializers.Serializer):
    balance = serializers.IntegerField(min_value=1, max_value=2**63 - 1, help_text="id of the lot balance")
    kind = serializers.ChoiceField(choices=LotDisposal.Kind.choices)
    quantity = DecimalField(min_value=Decimal("0.001"), **QTY)
    reason = serializers.CharField(max_length=300)


class LotDiscountSerializer(serializers.Serializer):
    """{"percent": "30", "reason": "…"}; 0 removes the discount."""

    percent = serializers.DecimalField(max_digits=5, decimal_places=2, min_value=Decimal("0"), max_value=Decimal("90"))
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
