from rest_framework import serializers

from salesops.catalog.models import (
    Barcode,
    BomLine,
    PackagingUnit,
    PriceChange,
    PriceChangeLine,
    PriceHistory,
    PriceList,
    PriceListItem,
    Product,
    ProductFamily,
)
from salesops.catalog.permissions import sees_costs
from salesops.core.api.base import ModelSerializer
from salesops.core.api.fields import DateField

COST_FIELDS = {"cost"}


class FamilySerializer(ModelSerializer):
    class Meta:
        model = ProductFamily
        fields = ["id", "code", "name", "name_en", "parent", "path"]
        read_only_fields = ["path"]


class PackagingSerializer(ModelSerializer):
    class Meta:
        model = PackagingUnit
        fields = ["id", "name", "name_en", "factor"]


class ProductSerializer(ModelSerializer):
    barcodes = serializers.SlugRelatedField(many=True, read_only=True, slug_field="code")
    packaging = PackagingSerializer(many=True, read_only=True)
    display_name = serializers.CharField(read_only=True)
    sellable = serializers.BooleanField(read_only=True)

    class Meta:
        model = Product
        fields = [
            "id",
            "sku",
            "name",
            "name_en",
            "display_name",
            "spec",
            "spec_en",
            "unit",
            "family",
            "cost",
            "list_price",
            "tax_rate",
            "status",
            "active",
            "sellable",
            "source",
            "lead_time_days",
            "lot_rule",
            "lot_qty",
            "safety_stock",
            "quantity_decimals",
            "order_multiple",
            "min_order_qty",
            "yield_pct",
            "lot_tracked",
            "shelf_life_days",
            "expiry_warning_days",
            "barcodes",
            "packaging",
        ]
        read_only_fields = ["status"]
        # every product belongs to a family: the client names it (no silent "Unassigned")
        extra_kwargs = {"family": {"required": True, "allow_null": False}}

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None and not sees_costs(request.user):
            for name in COST_FIELDS:
                fields.pop(name, None)
        return fields


class ProductUpdateSerializer(ProductSerializer):
    class Meta(ProductSerializer.Meta):
        read_only_fields = ["status", "sku"]


class BarcodeSerializer(ModelSerializer):
    class Meta:
        model = Barcode
        fields = ["id", "code", "product"]
        read_only_fields = ["product"]


class BomLineSerializer(ModelSerializer):
    parent_sku = serializers.CharField(source="parent.sku", read_only=True)
    component_sku = serializers.CharField(source="component.sku", read_only=True)

    class Meta:
        model = BomLine
        fields = [
            "id",
            "parent",
            "parent_sku",
            "component",
            "component_sku",
            "quantity",
            "scrap_pct",
            "valid_from",
            "valid_to",
        ]


class PriceListSerializer(ModelSerializer):
    class Meta:
        model = PriceList
        fields = [
            "id",
            "code",
            "name",
            "channel",
            "is_default",
            "valid_from",
            "valid_to",
            "currency",
            "prices_include_tax",
        ]
        # a form-encoded request that leaves it out gets the model's default (含税), not False
        extra_kwargs = {"prices_include_tax": {"default": True}}


class PriceListItemSerializer(ModelSerializer):
    sku = serializers.CharField(source="product.sku", read_only=True)

    class Meta:
        model = PriceListItem
        fields = ["id", "price_list", "product", "sku", "price", "valid_from", "valid_to"]


class PriceChangeLineSerializer(ModelSerializer):
    sku = serializers.CharField(source="product.sku", read_only=True)

    class Meta:
        model = PriceChangeLine
        fields = ["product", "sku", "old_price", "new_price"]
        read_only_fields = ["old_price"]


class PriceChangeSerializer(ModelSerializer):
    lines = PriceChangeLineSerializer(many=True)

    class Meta:
        model = PriceChange
        fields = [
            "id",
            "number",
            "price_list",
            "effective_date",
            "reason",
            "status",
            "created_by",
            "created_at",
            "applied_at",
            "lines",
        ]
        read_only_fields = ["number", "status", "created_by", "created_at", "applied_at"]


class PriceHistorySerializer(ModelSerializer):
    sku = serializers.CharField(source="product.sku", read_only=True)

    class Meta:
        model = PriceHistory
        fields = [
            "id",
            "product",
            "sku",
            "price_list",
            "change",
            "old_price",
            "new_price",
            "effective_date",
            "applied_at",
        ]


class PriceQuerySerializer(serializers.Serializer):
    product = serializers.IntegerField()
    customer = serializers.IntegerField(required=False)
    date = DateField(required=False)
