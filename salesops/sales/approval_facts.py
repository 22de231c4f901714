"""What approvers of sales documents read (see `salesops.approvals.facts`): the lines with list
price, discount and — for those who may see costs — margin against cost; for orders the
customer's credit figures; for contracts and their changes the lines and what changes."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from rest_framework import serializers

from salesops.approvals.facts import (
    COST,
    HIDDEN,
    CreditFacts,
    Derived,
    DocumentFacts,
    Facts,
    credit_facts,
    margin_percent,
    money,
    percent,
    quantity,
)
from salesops.credit.receipts import paid_for_order
from salesops.sales.models import APPROVAL_REASONS, SalesOrder, SalesReturn


class PricedLineFacts(Facts):
    position = serializers.IntegerField(label=_("Line"), read_only=True)
    product_id = serializers.IntegerField(read_only=True, style=HIDDEN)
    product = serializers.CharField(source="product.__str__", label=_("Product"), read_only=True)
    quantity = quantity(_("Quantity"))
    list_price = money(_("List price"))
    unit_price = money(_("Unit price"))
    discount_percent = percent(_("Discount %"))
    amount = money(_("Amount"))
    unit_cost = money(_("Unit cost"), source="product.cost", style=COST)
    margin_percent = Derived(
        lambda line: margin_percent(line.unit_price, line.product.cost),
        label=_("Margin on cost %"),
        help_text="(unit price − unit cost) / unit price × 100",
        style=COST,
    )


class LineFacts(Facts):
    position = serializers.IntegerField(label=_("Line"), read_only=True)
    product_id = serializers.IntegerField(read_only=True, style=HIDDEN)
    product = serializers.CharField(source="product.__str__", label=_("Product"), read_only=True)
    quantity = quantity(_("Quantity"))
    unit_price = money(_("Unit price"))
    amount = money(_("Amount"))


class ReturnLineFacts(LineFacts):
    position = None  # return lines have none


class OrderCreditFacts(CreditFacts):
    """The customer's credit with what this order adds: its total less what is paid in advance
    (nothing for a cash sale, paid with the order)."""

    def to_representation(self, order):
        adds = Decimal("0.00") if order.payment == SalesOrder.Payment.CASH else order.total - paid_for_order(order)
        return super().to_representation(credit_facts(order.customer, adds=adds))


class OrderFacts(DocumentFacts):
    number = serializers.CharField(label=_("Number"), read_only=True)
    customer_id = serializers.IntegerField(read_only=True, style=HIDDEN)
    customer = serializers.CharField(source="customer.name", label=_("Customer"), read_only=True)
    order_date = serializers.DateField(label=_("Order date"), read_only=True)
    payment = serializers.ChoiceField(choices=SalesOrder.Payment.choices, label=_("Payment"), read_only=True)
    approval_reason = serializers.ChoiceField(
        choices=list(APPROVAL_REASONS.items()), label=_("Waiting for"), read_only=True
    )
    total = money(_("Total"))
    expected_prepayment = money(_("Prepayment expected"))
    paid_in_advance = Derived(paid_for_order, label=_("Paid in advance"))
    max_discount = percent(_("Largest discount %"))
    lines = PricedLineFacts(many=True, read_only=True, label=_("Lines"))
    credit = OrderCreditFacts(source="*", read_only=True, label=pgettext_lazy("credit figures", "Credit"))


class QuoteFacts(DocumentFacts):
    number = serializers.CharField(label=_("Number"), read_only=True)
    customer_id = serializers.IntegerField(read_only=True, style=HIDDEN)
    customer = serializers.CharField(source="customer.name", label=_("Customer"), read_only=True)
    quote_date = serializers.DateField(label=_("Quote date"), read_only=True)
    valid_until = serializers.DateField(label=_("Valid until"), read_only=True)
    total = money(_("Total"))
    max_discount = percent(_("Largest discount %"))
    lines = PricedLineFacts(many=True, read_only=True, label=_("Lines"))


class ContractFacts(DocumentFacts):
    number = serializers.CharField(label=_("Number"), read_only=True)
    customer_id = serializers.IntegerField(read_only=True, style=HIDDEN)
    customer = serializers.CharField(source="customer.name", label=_("Customer"), read_only=True)
    title = serializers.CharField(label=_("Title"), read_only=True)
    quote = serializers.CharField(source="quote.number", default=None, label=_("Quote"), read_only=True)
    start_date = serializers.DateField(label=_("Starts"), read_only=True)
    end_date = serializers.DateField(label=_("Ends"), read_only=True)
    payment_terms_days = serializers.IntegerField(label=_("Payment terms (days)"), read_only=True)
    total = money(_("Contract value"))
    terms = serializers.CharField(label=_("Additional terms"), read_only=True)
    lines = LineFacts(many=True, read_only=True, label=_("Lines"))


class ContractChangeFacts(DocumentFacts):
    number = serializers.CharField(label=_("Number"), read_only=True)
    contract = serializers.CharField(source="contract.number", label=_("Contract"), read_only=True)
    customer = serializers.CharField(source="contract.customer.name", label=_("Customer"), read_only=True)
    reason = serializers.CharField(label=_("Reason for the change"), read_only=True)
    current_end_date = serializers.DateField(source="contract.end_date", label=_("Ends now"), read_only=True)
    new_end_date = serializers.DateField(label=_("New end date"), read_only=True)
    current_total = money(_("Contract value now"), source="contract.total")
    new_total = money(_("New contract value"))
    additional_terms = serializers.CharField(label=_("Additional terms"), read_only=True)
    contract_lines = LineFacts(source="contract.lines", many=True, read_only=True, label=_("Contract lines now"))
    lines = LineFacts(many=True, read_only=True, label=_("Contract lines after the change"))


class ReturnFacts(DocumentFacts):
    number = serializers.CharField(label=_("Number"), read_only=True)
    kind = serializers.ChoiceField(choices=SalesReturn.Kind.choices, label=_("Kind"), read_only=True)
    order = serializers.CharField(source="order.number", label=pgettext_lazy("sales", "Order"), read_only=True)
    customer = serializers.CharField(source="order.customer.name", label=_("Customer"), read_only=True)
    reason = serializers.CharField(label=_("Reason"), read_only=True)
    total = money(_("Value"))
    refund_amount = money(_("Prepayment to refund"))
    lines = ReturnLineFacts(many=True, read_only=True, label=_("Lines"))
