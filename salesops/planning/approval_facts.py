"""What the sales VP reads before signing a production plan change (see
`salesops.approvals.facts`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from salesops.approvals.facts import HIDDEN, Derived, DocumentFacts, quantity


class MpsChangeFacts(DocumentFacts):
    number = serializers.CharField(label=_("Number"), read_only=True)
    product_id = serializers.IntegerField(source="line.product_id", read_only=True, style=HIDDEN)
    product = serializers.CharField(source="line.product.__str__", label=_("Product"), read_only=True)
    week = serializers.DateField(source="line.week", label=_("Week"), read_only=True)
    in_frozen_period = serializers.BooleanField(label=_("In the frozen period"), read_only=True)
    forecast = quantity(_("Forecast"), source="line.forecast")
    orders = quantity(_("Firm orders"), source="line.orders")
    old_quantity = quantity(_("Old quantity"))
    new_quantity = quantity(_("New quantity"))
    change = Derived(lambda c: c.new_quantity - c.old_quantity, label=_("Change in quantity"), decimal_places=3)
    reason = serializers.CharField(label=_("Reason"), read_only=True)
