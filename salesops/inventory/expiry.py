"""Clearing near-expiry and expired lots (临期 / 过期商品清理).

The lists: lots with stock whose expiry date has passed (expired) or falls within the
product's warning days (near expiry). The actions on a lot: write it off (a `LotDisposal`
that waits for approval when a rule of the approval engine asks for it, say above a value,
and is posted when approved) or return it to its supplier (posted at once). Posting takes
the quantity out of that lot with a WRITE_OFF or SUPPLIER_RETURN move; expired lots may be
taken, since these are the actions that clear them. The third action discounts the lot: a
clearance discount % stored on the lot (`Lot.discount_pct`), audited, shown with the lot
wherever it is listed; `lot_unit_price` is the price of that lot's goods.
"""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import DecimalField, ExpressionWrapper, F, OuterRef, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salesops.core import bounds, formatting
from salesops.core.audit import audit_record, model_create
from salesops.core.exceptions import ValidationFailed
from salesops.core.models import AuditEvent
from salesops.core.numbering import next_number
from salesops.core.selectors import company_date
from salesops.core.state import StateMachine
from salesops.inventory.models import Lot, LotBalance, LotDisposal, StockBalance, StockMove
from salesops.inventory.services import Reference, StockLine, stock_issue

DOC_TYPE = "lot_write_off"
S = LotDisposal.Status
DISPOSAL_STATES = StateMachine({S.PENDING: {S.POSTED, S.REJECTED, S.CANCELLED}})
MOVE_KIND = {
    LotDisposal.Kind.WRITE_OFF: StockMove.Kind.WRITE_OFF,
    LotDisposal.Kind.SUPPLIER_RETURN: StockMove.Kind.SUPPLIER_RETURN,
}
VALUE = DecimalField(max_digits=20, decimal_places=4)


def lots_to_clear(*, queryset: QuerySet[LotBalance], today: datetime.date | None = None) -> QuerySet[LotBalance]:
    """Lot balances with stock that are expired or within their product's warning days, the
    soonest first, with `value` at the warehouse's average cost."""
    today = today or company_date()
    with_expiry = queryset.filter(on_hand__gt=0, lot__expiry_date__isnull=False)
    due = [
        pk
        for pk, expiry, warning in with_expiry.values_list("pk", "lot__expiry_date", "product__expiry_warning_days")
        if (expiry - today).days <= warning
    ]
    avg_cost = StockBalance.objects.filter(
        product_id=OuterRef("product_id"), warehouse_id=OuterRef("warehouse_id")
    ).values("avg_cost")[:1]
    return (
        queryset.filter(pk__in=due)
        .select_related("lot", "product", "warehouse")
        .annotate(avg_cost=Subquery(avg_cost, output_field=VALUE))
        .annotate(value=ExpressionWrapper(F("on_hand") * F("avg_cost"), output_field=VALUE))
        .order_by("lot__expiry_date", "lot__code")
    )


def days_left(balance: LotBalance, today: datetime.date | None = None) -> int:
    return (balance.lot.expiry_date - (today or company_date())).days


def _set_status(disposal: LotDisposal, status: str, actor, fields=()) -> None:
    DISPOSAL_STATES.check(disposal.status, status)
    before = disposal.status
    disposal.status = status
    disposal.save(update_fields=["status", *fields])
    audit_record(
        instance=disposal, action=AuditEvent.Action.TRANSITION, actor=actor, changes={"status": [before, status]}
    )


def _post(disposal: LotDisposal, actor) -> None:
    stock_issue(
        warehouse=disposal.warehouse,
        lines=[StockLine(disposal.lot.product_id, disposal.quantity, lot=disposal.lot_id)],
        reference=Reference("lot_disposal", disposal.pk, disposal.number),
        actor=actor,
        kind=MOVE_KIND[disposal.kind],
        consume_reservation=False,
        reason=disposal.reason,
        allow_expired=True,
    )
    disposal.posted_at = timezone.now()
    _set_status(disposal, S.POSTED, actor, fields=["posted_at"])


@transaction.atomic
def lot_disposal_create(*, balance: LotBalance, kind: str, quantity, reason: str, actor) -> LotDisposal:
    """Write off or return (part of) a lot's stock in one warehouse. A write-off goes to the
    approval engine (posted at once when no rule applies); a return is posted at once."""
    from salesops.approvals.services import approval_submit

    balance = LotBalance.objects.select_related("lot__product", "warehouse").get(pk=balance.pk)
    errors = {}
    if kind not in LotDisposal.Kind.values:
        errors["kind"] = [_("Choose write-off or return to supplier.")]
    if not (reason or "").strip():
        errors["reason"] = [_("Say why the lot is cleared.")]
    try:
        quantity = Decimal(quantity)
    except (ArithmeticError, TypeError, ValueError):
        quantity = None
    if quantity is None or not quantity.is_finite() or quantity <= 0 or quantity > balance.on_hand:
        errors["quantity"] = [
            _("Enter a quantity above zero and at most %(n)s.")
            % {"n": formatting.quantity(balance.on_hand, balance.lot.product)}
        ]
    if errors:
        raise ValidationFailed(fields=errors)
    avg_cost = (
        StockBalance.objects.filter(product_id=balance.product_id, warehouse_id=balance.warehouse_id)
        .values_list("avg_cost", flat=True)
        .first()
    ) or Decimal("0")
    disposal = LotDisposal(
        number=next_number(prefix="WO" if kind == LotDisposal.Kind.WRITE_OFF else "RTV"),
        kind=kind,
        lot=balance.lot,
        warehouse=balance.warehouse,
        quantity=quantity,
        value=(quantity * avg_cost).quantize(Decimal("0.01")),
        reason=reason.strip(),
        created_by=actor,
    )
    model_create(instance=disposal, actor=actor)
    if kind == LotDisposal.Kind.WRITE_OFF and approval_submit(document=disposal, doc_type=DOC_TYPE, actor=actor):
        return disposal
    _post(disposal, actor)
    return disposal


@transaction.atomic
def lot_discount_set(*, lot: Lot, percent, reason: str, actor) -> Lot:
    """Set (or with 0, remove) the clearance discount of a lot; the field's own bounds (0–90 %)
    hold. Only a lot that is expired or within its product's warning days may be discounted;
    removing is always allowed."""
    lot = Lot.objects.select_for_update().select_related("product").get(pk=lot.pk)
    percent = bounds.clean_input(Lot, "discount_pct", percent, field="percent").quantize(Decimal("0.01"))
    reason = (reason or "").strip()
    if percent and not reason:
        raise ValidationFailed(fields={"reason": [_("Say why the lot is discounted.")]})
    if percent and not (
        lot.expiry_date is not None and (lot.expiry_date - company_date()).days <= lot.product.expiry_warning_days
    ):
        raise ValidationFailed(fields={"percent": [_("Only a lot that is expired or near expiry may be discounted.")]})
    before = {"discount_pct": str(lot.discount_pct), "discount_reason": lot.discount_reason}
    lot.discount_pct = percent
    lot.discount_reason = reason[:300] if percent else ""
    lot.save(update_fields=["discount_pct", "discount_reason"])
    audit_record(
        instance=lot,
        action=AuditEvent.Action.UPDATE,
        actor=actor,
        changes={
            "discount_pct": [before["discount_pct"], str(lot.discount_pct)],
            "discount_reason": [before["discount_reason"], lot.discount_reason],
        },
    )
    return lot


def clearance_price(price: Decimal, percent: Decimal) -> Decimal:
    """`price` less a clearance discount of `percent`, to the cent (half up, as every amount);
    the one formula of a clearance price (a sales order line sold from a lot uses it too)."""
    if not percent:
        return price
    return (price * (Decimal("100") - percent) / Decimal("100")).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def lot_unit_price(*, lot: Lot, price: Decimal) -> Decimal:
    """The unit price of goods of this lot: `price` less the lot's clearance discount."""
    return clearance_price(price, lot.discount_pct)


def _days_past_expiry(disposal: LotDisposal) -> int:
    """Days past expiry on the day the write-off was asked for: a stored date, so the
    document's version does not change from one day to the next while it waits."""
    expiry_date = disposal.lot.expiry_date
    asked_on = company_date(disposal.created_at)
    return max((asked_on - expiry_date).days, 0) if expiry_date else 0


def _lot_write_off_facts():
    """What the approver of a write-off reads: the lot, its dates, how much goes and its value
    at cost (what they decide on, so every approver sees it; the unit cost only those who may
    see costs)."""
    from rest_framework import serializers

    from salesops.approvals.facts import COST, HIDDEN, Derived, DocumentFacts, money
    from salesops.approvals.facts import quantity as quantity_field

    class LotWriteOffFacts(DocumentFacts):
        number = serializers.CharField(label=gettext_lazy("Number"), read_only=True)
        kind = serializers.ChoiceField(choices=LotDisposal.Kind.choices, label=gettext_lazy("Action"), read_only=True)
        product_id = serializers.IntegerField(source="lot.product_id", read_only=True, style=HIDDEN)
        product = serializers.CharField(source="lot.product.__str__", label=gettext_lazy("Product"), read_only=True)
        lot = serializers.CharField(source="lot.code", label=gettext_lazy("Lot"), read_only=True)
        production_date = serializers.DateField(
            source="lot.production_date", label=gettext_lazy("Production date"), read_only=True
        )
        expiry_date = serializers.DateField(source="lot.expiry_date", label=gettext_lazy("Expiry date"), read_only=True)
        days_past_expiry = serializers.SerializerMethodField(label=gettext_lazy("Days past expiry"))
        warehouse = serializers.CharField(source="warehouse.name", label=gettext_lazy("Warehouse"), read_only=True)
        quantity = quantity_field(gettext_lazy("Quantity"))
        unit_cost = Derived(
            lambda d: (d.value / d.quantity).quantize(Decimal("0.0001")) if d.quantity else None,
            label=gettext_lazy("Unit cost"),
            decimal_places=4,
            style=COST,
        )
        value = money(gettext_lazy("Value at cost"))
        reason = serializers.CharField(label=gettext_lazy("Reason"), read_only=True)

        def get_days_past_expiry(self, disposal) -> int:
            return _days_past_expiry(disposal)

    return LotWriteOffFacts


def lot_write_off_type():
    from salesops.approvals.registry import DocumentType

    return DocumentType(
        key=DOC_TYPE,
        label=gettext_lazy("Lot write-off"),
        model=LotDisposal,
        fields={"value": gettext_lazy("Value at cost"), "days_past_expiry": gettext_lazy("Days past expiry")},
        values=lambda d: {
            "value": d.value,
            "days_past_expiry": _days_past_expiry(d),
        },
        summary=lambda d: {
            "number": d.number,
            "product": f"{d.lot.product.sku} {d.lot.product.name}",
            "lot": d.lot.code,
            "expiry_date": str(d.lot.expiry_date or ""),
            "warehouse": d.warehouse.name,
            "quantity": f"{d.quantity.normalize():f}",
            "value": str(d.value),
            "reason": d.reason,
        },
        requester=lambda d: d.created_by,
        title=lambda d: _("Write-off %(number)s · lot %(lot)s") % {"number": d.number, "lot": d.lot.code},
        on_approved=lambda d, request: _post(d, None),
        on_rejected=lambda d, request: _set_status(d, S.REJECTED, None),
        on_cancelled=lambda d, request: _set_status(d, S.CANCELLED, None) if d.status == S.PENDING else None,
        url=lambda d: reverse("lot-disposals"),
        facts=_lot_write_off_facts(),
    )
