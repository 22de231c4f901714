"""Every paid amount backed by a receipt and its allocation.

Before this, a cash sale (and a prepayment typed on a credit order) marked its invoices paid
with no receipt behind them, so every report read at a past date counted them as unpaid. For
each order, what its invoices show as paid beyond their allocations, plus for a cash order the
part of its payment not invoiced yet, becomes one confirmed receipt for that order, dated the
order date, allocated to those invoices on their issue dates. The note says where it came
from, so finance can trace it. Invoices without an order get a receipt of their own.
"""

import datetime
from collections import defaultdict
from decimal import Decimal

from django.db import migrations
from django.db.models import F, Sum

ZERO = Decimal("0.00")
NOTE = "Paid with the order before receipts were required (recorded by migration)"
OPEN_ORDER_STATES = ("confirmed", "partially_delivered", "delivered")


def _number(NumberSequence, year: int) -> str:
    key = f"RC-{year}"
    sequence, _created = NumberSequence.objects.get_or_create(key=key, defaults={"last_value": 0})
    NumberSequence.objects.filter(pk=sequence.pk).update(last_value=F("last_value") + 1)
    sequence.refresh_from_db()
    return f"{key}-{sequence.last_value:06d}"


def back_paid_amounts(apps, schema_editor):
    Invoice = apps.get_model("sales", "Invoice")
    SalesOrder = apps.get_model("sales", "SalesOrder")
    Allocation = apps.get_model("credit", "Allocation")
    Receipt = apps.get_model("credit", "Receipt")
    NumberSequence = apps.get_model("core", "NumberSequence")

    allocated = dict(
        Allocation.objects.values("invoice_id").annotate(total=Sum("amount")).values_list("invoice_id", "total")
    )
    unbacked = defaultdict(list)  # order id (or None) → [(invoice, amount)]
    for invoice in Invoice.objects.filter(kind="invoice").exclude(status="cancelled").order_by("issue_date", "pk"):
        missing = invoice.paid_amount - (allocated.get(invoice.pk) or ZERO)
        if missing > 0:
            unbacked[invoice.order_id].append((invoice, missing))
    orders = {order.pk: order for order in SalesOrder.objects.filter(pk__in=[pk for pk in unbacked if pk])}
    for order in SalesOrder.objects.filter(payment="cash", status__in=OPEN_ORDER_STATES).exclude(pk__in=list(orders)):
        if order.expected_prepayment > order.prepayment_applied:
            orders[order.pk] = order

    def record(*, customer_id, team_id, user_id, order, day: datetime.date, method: str, amount, parts):
        receipt = Receipt.objects.create(
            number=_number(NumberSequence, day.year),
            customer_id=customer_id,
            order=order,
            amount=amount,
            allocated_amount=sum((part for _invoice, part in parts), ZERO),
            received_on=day,
            method=method,
            team_id=team_id,
            status="confirmed",
            note=NOTE,
            recorded_by_id=user_id,
            confirmed_by_id=user_id,
        )
        for invoice, part in parts:
            Allocation.objects.create(
                receipt=receipt,
                invoice=invoice,
                amount=part,
                allocated_on=max(day, invoice.issue_date),
                created_by_id=user_id,
            )

    for order in orders.values():
        parts = unbacked.get(order.pk, [])
        amount = sum((part for _invoice, part in parts), ZERO)
        if order.payment == "cash" and order.status in OPEN_ORDER_STATES:
            amount += max(order.expected_prepayment - order.prepayment_applied, ZERO)
        if amount > 0:
            record(
                customer_id=order.customer_id,
                team_id=order.team_id,
                user_id=order.created_by_id or order.rep_id,
                order=order,
                day=order.order_date,
                method="cash" if order.payment == "cash" else "bank_transfer",
                amount=amount,
                parts=parts,
            )
    for invoice, part in unbacked.get(None, []):
        record(
            customer_id=invoice.customer_id,
            team_id=invoice.team_id,
            user_id=invoice.created_by_id or invoice.rep_id,
            order=None,
            day=invoice.issue_date,
            method="bank_transfer",
            amount=part,
            parts=[(invoice, part)],
        )


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_periodic_run"),
        ("credit", "0004_receipts_for_orders_and_reversals"),
    ]

    operations = [migrations.RunPython(back_paid_amounts, migrations.RunPython.noop)]
