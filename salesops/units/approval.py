"""The documents of unit sales that go through the approval engine: refunds and changes of a
purchase (退认购, 退房, 换房) and list price changes (调价). Conditions compare stored values."""

from decimal import Decimal

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from salesops.approvals.registry import ConditionField, DocumentType, register_document_type
from salesops.units import changes
from salesops.units.models import PriceChange, UnitChange


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
        "paid": str(change.paid_amount),
        "kept": str(change.kept_amount),
        "refund": str(change.refund_amount),
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
                "unit": _("Unit"),
                "new_unit": _("New unit"),
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
        )
    )
