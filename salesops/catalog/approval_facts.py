"""What the approvers of a new product and of a price change read (see
`salesops.approvals.facts`); cost and margin only for readers who may see costs."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from rest_framework import serializers

from salesops.approvals.facts import (
    COST,
    HIDDEN,
    Derived,
    DocumentFacts,
    Facts,
    margin_percent,
    money,
    percent,
)
from salesops.catalog.models import Product


class NewProductFacts(DocumentFacts):
    sku = serializers.CharField(label=_("SKU"), read_only=True)
    name = serializers.CharField(label=_("Name"), read_only=True)
    name_en = serializers.CharField(label=_("English name"), read_only=True)
    spec = serializers.CharField(label=_("Specification"), read_only=True)
    unit = serializers.CharField(label=pgettext_lazy("measure", "Unit"), read_only=True)
    family = serializers.CharField(source="family.name", default=None, label=_("Product family"), read_only=True)
    source = serializers.ChoiceField(choices=Product.Source.choices, label=_("Make or buy"), read_only=True)
    list_price = money(_("List price"))
    cost = money(_("Standard cost"), style=COST)
    margin_percent = Derived(lambda p: margin_percent(p.list_price, p.cost), label=_("Margin on cost %"), style=COST)


class PriceLineFacts(Facts):
    product_id = serializers.IntegerField(read_only=True, style=HIDDEN)
    product = serializers.CharField(source="product.__str__", label=_("Product"), read_only=True)
    old_price = money(_("Old price"))
    new_price = money(_("New price"))
    change_pct = percent(_("Change %"))
    unit_cost = money(_("Standard cost"), source="product.cost", style=COST)
    new_margin_percent = Derived(
        lambda line: margin_percent(line.new_price, line.product.cost), label=_("New margin on cost %"), style=COST
    )


class PriceChangeFacts(DocumentFacts):
    number = serializers.CharField(label=_("Number"), read_only=True)
    price_list = serializers.CharField(source="price_list.name", default=None, label=_("Price list"), read_only=True)
    effective_date = serializers.DateField(label=_("Effective date"), read_only=True)
    reason = serializers.CharField(label=_("Reason"), read_only=True)
    lines = PriceLineFacts(many=True, read_only=True, label=_("Lines"))
