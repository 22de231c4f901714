"""What the approvers of a stocktake variance read (see `salesops.approvals.facts`): every line
with a variance, its quantities and value (the value is what they decide on, so every approver
sees it; the unit cost only those who may see costs)."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from salesops.approvals.facts import COST, HIDDEN, Derived, DocumentFacts, Facts, quantity

CENT = Decimal("0.01")


class VarianceLineFacts(Facts):
    product_id = serializers.IntegerField(read_only=True, style=HIDDEN)
    product = serializers.CharField(source="product.__str__", label=_("Product"), read_only=True)
    snapshot_quantity = quantity(_("Book at freeze"))
    moved_quantity = quantity(_("Moves after freeze"))
    counted_quantity = quantity(_("Counted"))
    variance = quantity(_("Variance"))
    unit_cost = serializers.DecimalField(
        max_digits=16, decimal_places=4, label=_("Unit cost"), read_only=True, style=COST
    )
    value = Derived(lambda line: (line.variance * line.unit_cost).quantize(CENT), label=_("Value"))


class VarianceLines(serializers.ListSerializer):
    def get_attribute(self, stocktake):
        return stocktake.lines.exclude(variance=0).select_related("product").order_by("product__sku")


class StocktakeFacts(DocumentFacts):
    number = serializers.CharField(label=_("Number"), read_only=True)
    warehouse = serializers.CharField(source="warehouse.name", label=_("Warehouse"), read_only=True)
    family = serializers.CharField(source="family.name", default=None, label=_("Product family"), read_only=True)
    frozen_at = serializers.DateTimeField(label=_("Frozen at"), read_only=True)
    variance_value = Derived(lambda st: _variance_value(st), label=_("Variance value (absolute)"))
    lines = VarianceLines(child=VarianceLineFacts(), read_only=True, label=_("Lines with a variance"))


def _variance_value(stocktake):
    from salesops.inventory.stocktake import variance_value

    return variance_value(stocktake.lines.all())
