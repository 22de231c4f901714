"""The measure customer grading ranks by default ("sales_amount"): what each customer was
invoiced in the period, net of credit notes, cancelled invoices left out. One GROUP BY."""

from __future__ import annotations

import datetime
from decimal import Decimal

from salesops.credit.money import cents, money_sum
from salesops.sales.models import Invoice


def invoiced_sales_measure(*, start: datetime.date, end: datetime.date) -> dict[int, Decimal]:
    rows = (
        Invoice.objects.filter(issue_date__gte=start, issue_date__lte=end)
        .exclude(status=Invoice.Status.CANCELLED)
        .values("customer_id")
        .annotate(amount=money_sum("total"))
    )
    return {row["customer_id"]: cents(row["amount"]) for row in rows}
