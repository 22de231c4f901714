"""The documents of unit sales that go through the approval engine: refunds and changes of a
purchase (退认购, 退房, 换房) and list price changes (调价). Conditions compare stored values."""

from decimal import Decimal

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from salesops.approvals.facts import HIDDEN, Derived, DocumentFacts, Facts, money
from salesops.approvals.registry import ConditionField, DocumentType, register_document_type
from salesops.units import changes
from salesops.units.models import PriceChange, Reservation, UnitChange

CENT = Decimal("0.01")


# --- what the approver reads (see `salesops.approvals.facts`) -------------------------------------------
class UnitChangeFacts(DocumentFacts):
    """The purchase being undone or moved, what the buyer paid, what the seller keeps by the
    project's rule for this reason, and what is refunded."""

    number = serializers.CharField(label=_("Number"), read_only=True)
    kind = serializers.ChoiceField(choices=UnitChange.Kind.choices, label=_("Kind"), read_only=True)
    reason = serializers.ChoiceField(choices=UnitChange.Reason.choices, label=_("Reason"), read_only=True)
    reservation = serializers.CharField(source="reservation.number", label=_("Reservation"), read_only=True)
    reservation_status = serializers.ChoiceField(
        source="reservation.status", choices=Reservation.Status.choices, label=_("Status"), read_only=True
    )
    customer_id = serializers.IntegerField(source="reservation.customer_id", read_only=True, style=HIDDEN)
    customer = serializers.CharField(source="reservation.customer.name", label=_("Customer"), read_only=True)
    project = serializers.CharField(source="reservation.project.name", label=_("Project"), read_only=True)
    unit = serializers.CharField(
        source="reservation.unit.code", label=pgettext_lazy("property", "Unit"), read_only=True
    )
    new_unit = serializers.CharField(
        source="target_unit.code", default=None, label=pgettext_lazy("property", "New unit"), read_only=True
    )
    price = money(_("Price"), source="reservation.price")
    deposit = money(_("Deposit"), source="reservation.deposit_amount")
    paid_amount = money(_("Paid so far"))
    kept_amount = money(_("Kept by the seller"))
    refund_amount = money(_("Refund"))
    explanation = serializers.CharField(source="note", label=_("Explanation"), read_only=True)


@extend_schema_serializer(component_name="UnitPriceLineFacts")
class PriceLineFacts(Facts):
    unit_id = serializers.IntegerField(read_only=True, style=HIDDEN)
    unit = serializers.CharField(source="unit.code", label=pgettext_lazy("property", "Unit"), read_only=True)
    old_price = money(_("Old price"))
    new_price = money(_("New price"))
    change_percent = Derived(
        lambda line: (
            ((line.new_price - line.old_price) * 100 / line.old_price).quantize(CENT) if line.old_price else None
        ),
        label=_("Change %"),
    )


class PriceLines(serializers.ListSerializer):
    def get_attribute(self, change):
        return change.lines.select_related("unit").order_by("unit__code")


class UnitPriceChangeFacts(DocumentFacts):
    """Every unit's old and new list price, and the totals of the units changed."""

    number = serializers.CharField(label=_("Number"), read_only=True)
    project = serializers.CharField(source="project.name", label=_("Project"), read_only=True)
    reason = serializers.CharField(label=_("Reason"), read_only=True)
    old_total = Derived(
        lambda change: sum((line.old_price for line in change.lines.all()), Decimal("0.00")),
        label=_("Old prices, total"),
    )
    new_total = Derived(
        lambda change: sum((line.new_price for line in change.lines.all()), Decimal("0.00")),
        label=_("New prices, total"),
    )
    largest_change_percent = Derived(
        lambda change: _price_values(change)["max_change_pct"], label=_("Largest change %")
    )
    lines = PriceLines(child=PriceLineFacts(), read_only=True, label=_("Prices"))


def _change_values(change: UnitChange) -> dict:
    return {
        "kind": change.kind,
        "reason": change.reason,
        "refund_amount": change.refund_amount,
        "kept_amount": change.kept_amount,
        "paid_amount": change.paid_amount,
    }


def _change_summary(change: UnitChange) -> dict:
    reservation = change.reservation
    return {
        "number": change.number,
        "customer": reservation.customer.name,
        "unit": reservation.unit.code,
        "new_unit": change.target_unit.code if change.target_unit_id else "",
        "kind": change.kind,
        "reason": change.reason,
        "paid": change.paid_amount,  # Decimals: the version compares them by value
        "kept": change.kept_amount,
        "refund": change.refund_amount,
        "explanation": change.note,
    }


def _price_values(change: PriceChange) -> dict:
    lines = list(change.lines.all())
    biggest = max((abs(line.new_price - line.old_price) * 100 / line.old_price for line in lines), default=Decimal(0))
    return {"units": len(lines), "max_change_pct": biggest.quantize(Decimal("0.01"))}


def _price_summary(change: PriceChange) -> dict:
    return {
        "number": change.number,
        "project": change.project.name,
        "reason": change.reason,
        "lines": [
            f"{line.unit.code}: {line.old_price} → {line.new_price}" for line in change.lines.select_related("unit")
        ],
    }


def register() -> None:
    closed = {
        "on_rejected": lambda document, request: changes.change_closed(document, UnitChange.Status.REJECTED),
        "on_returned": lambda document, request: changes.change_closed(document, UnitChange.Status.REJECTED),
        "on_cancelled": lambda document, request: changes.change_closed(document, UnitChange.Status.WITHDRAWN),
    }
    register_document_type(
        DocumentType(
            key=changes.CHANGE_DOC_TYPE,
            label=_("Unit refund or change (退认购 / 退房 / 换房)"),
            model=UnitChange,
            fields={
                "kind": ConditionField(_("Kind"), kind="choice", choices=UnitChange.Kind.values),
                "reason": ConditionField(_("Reason"), kind="choice", choices=UnitChange.Reason.values),
                "refund_amount": _("Refund"),
                "kept_amount": _("Kept by the seller"),
                "paid_amount": _("Paid so far"),
            },
            values=_change_values,
            summary=_change_summary,
            summary_labels={
                "number": _("Number"),
                "customer": _("Customer"),
                "unit": pgettext_lazy("property", "Unit"),
                "new_unit": pgettext_lazy("property", "New unit"),
                "kind": _("Kind"),
                "reason": _("Reason"),
                "paid": _("Paid so far"),
                "kept": _("Kept by the seller"),
                "refund": _("Refund"),
                "explanation": _("Explanation"),
            },
            requester=lambda change: change.requested_by,
            on_approved=changes.change_approved,
            url=lambda change: reverse("units-change", args=[change.pk]),
            title=lambda change: f"{change.number} {change.reservation.unit.code} {change.reservation.customer.name}",
            facts=UnitChangeFacts,
            **closed,
        )
    )
    register_document_type(
        DocumentType(
            key=changes.PRICE_DOC_TYPE,
            label=_("Unit price change (调价)"),
            model=PriceChange,
            fields={"units": _("Units"), "max_change_pct": _("Largest change %")},
            values=_price_values,
            summary=_price_summary,
            summary_labels={
                "number": _("Number"),
                "project": _("Project"),
                "reason": _("Reason"),
                "lines": _("Prices"),
            },
            requester=lambda change: change.requested_by,
            on_approved=changes.price_change_apply,
            on_rejected=lambda document, request: changes.price_change_closed(document, PriceChange.Status.REJECTED),
            on_returned=lambda document, request: changes.price_change_closed(document, PriceChange.Status.REJECTED),
            on_cancelled=lambda document, request: changes.price_change_closed(document, PriceChange.Status.WITHDRAWN),
            url=lambda change: reverse("units-price-change", args=[change.pk]),
            title=lambda change: f"{change.number} {change.project.name}",
            facts=UnitPriceChangeFacts,
        )
    )
