from rest_framework import serializers

from salesops.catalog.permissions import sees_costs
from salesops.core.api.base import ModelSerializer
from salesops.core.api.fields import DateField, DecimalField, IdMapField
from salesops.inventory.models import (
    PurchaseOrder,
    PurchaseOrderLine,
    StockBalance,
    StockMove,
    Stocktake,
    StocktakeLine,
    Supplier,
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
            "actor",
            "at",
        ]


class LineInSerializer(serializers.Serializer):
    product = serializers.IntegerField()
    quantity = DecimalField(**QTY)
    unit_cost = DecimalField(max_digits=14, decimal_places=4, required=False)


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
        fields = ["id", "code", "name", "contact", "phone", "active"]


class PurchaseOrderLineSerializer(ModelSerializer):
    class Meta:
        model = PurchaseOrderLine
        fields = ["product", "quantity", "received_quantity", "unit_cost"]


class PurchaseOrderSerializer(ModelSerializer):
    lines = PurchaseOrderLineSerializer(many=True, read_only=True)

    class Meta:
        model = PurchaseOrder
        fields = ["id", "number", "supplier", "warehouse", "expected_date", "status", "lines"]


class PurchaseOrderCreateSerializer(serializers.Serializer):
    supplier = serializers.PrimaryKeyRelatedField(queryset=Supplier.objects.all())
    warehouse = serializers.PrimaryKeyRelatedField(queryset=Warehouse.objects.all())
    expected_date = DateField()
    lines = LineInSerializer(many=True)
