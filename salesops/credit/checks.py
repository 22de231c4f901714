"""The money check: do the receivables at each month end hold together with the receipts?

For every month end from the first document to today (and today), over all customers:
- ageing: the open total (documents issued by then less the receipts' allocations dated by
  then), the money on account and the balance, as the ageing page shows them;
- ledger: documents issued by then less money confirmed and received by then (reversed money
  counted back on its reversal date) — the balance statements and the AR pack print;
- the two balances must be equal, and the ageing's open total must equal the sum rebuilt from
  the documents and the allocations.
Once, over today's rows: every invoice's paid amount is the sum of its allocations, every
allocation has a source dated no later than itself, every confirmed receipt's allocated amount
is the sum of its allocations, every invoice of a cash sale is paid by a receipt (none by
nothing), every stored statement's closing balance is the ledger's balance at its end, and every
reconciliation's ledger figure is the rep's open invoices at its month end.

`money_check()` returns the month rows and the problems found; `manage.py money_check` prints
them and fails when there is a problem.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import F, Min, Q, Sum
from django.utils import timezone

from salesops.credit.ageing import ageing
from salesops.credit.ledger import month_end
from salesops.credit.models import Allocation, Receipt, Reconciliation, Statement
from salesops.credit.money import cents, money_total
from salesops.credit.statements import rep_ledger_balance

ZERO = Decimal("0.00")


@dataclass
class MonthRow:
    as_of: datetime.date
    open_total: Decimal
    on_account: Decimal
    ageing_balance: Decimal
    ledger_balance: Decimal
    rebuilt_open: Decimal

    @property
    def agrees(self) -> bool:
        return self.ageing_balance == self.ledger_balance and self.open_total == self.rebuilt_open


@dataclass
class MoneyCheck:
    months: list[MonthRow] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and all(row.agrees for row in self.months)


def _ledger_balance(day: datetime.date) -> Decimal:
    from salesops.sales.models import Invoice

    documents = Invoice.objects.exclude(status=Invoice.Status.CANCELLED).filter(issue_date__lte=day)
    counted = Receipt.objects.filter(status__in=(Receipt.Status.CONFIRMED, Receipt.Status.REVERSED))
    return (
        money_total(documents, "total")
        - money_total(counted.filter(received_on__lte=day), "amount")
        + money_total(counted.filter(reversed_on__lte=day), "amount")
    )


def _rebuilt_open(day: datetime.date) -> Decimal:
    from salesops.sales.models import Invoice

    documents = Invoice.objects.exclude(status=Invoice.Status.CANCELLED).filter(issue_date__lte=day)
    paid = Allocation.objects.filter(receipt__isnull=False, allocated_on__lte=day).exclude(
        invoice__status=Invoice.Status.CANCELLED
    )
    return money_total(documents, "total") - money_total(paid, "amount")


def month_ends(first: datetime.date, today: datetime.date) -> list[datetime.date]:
    days, day = [], month_end(first)
    while day < today:
        days.append(day)
        day = month_end(day + datetime.timedelta(days=1))
    return [*days, today]


def money_check(*, today: datetime.date | None = None) -> MoneyCheck:
    from salesops.sales.models import Invoice

    today = today or timezone.localdate()
    result = MoneyCheck()
    first = Invoice.objects.aggregate(first=Min("issue_date"))["first"]
    if first is None:
        return result
    everything, money = Invoice.objects.all(), Receipt.objects.all()
    for day in month_ends(first, today):
        totals = ageing(everything, as_of=day, group_by="team", receipts=money)["totals"]
        result.months.append(
            MonthRow(
                day, totals["total"], totals["on_account"], totals["balance"], _ledger_balance(day), _rebuilt_open(day)
            )
        )
    _check_rows(result)
    return result


def _check_rows(result: MoneyCheck) -> None:
    from salesops.sales.models import Invoice

    sums = dict(
        Allocation.objects.values("invoice_id").annotate(total=Sum("amount")).values_list("invoice_id", "total")
    )
    drawn = dict(
        Allocation.objects.filter(credit_note__isnull=False)
        .values("credit_note_id")
        .annotate(total=Sum("amount"))
        .values_list("credit_note_id", "total")
    )
    for number, pk, kind, paid in Invoice.objects.exclude(status=Invoice.Status.CANCELLED).values_list(
        "number", "pk", "kind", "paid_amount"
    ):
        expected = cents(sums.get(pk)) - cents(drawn.get(pk))
        if paid != expected:
            result.problems.append(f"{number} ({kind}): paid {paid}, its allocations {expected}")
    for number, paid in (
        Invoice.objects.filter(kind=Invoice.Kind.INVOICE, order__payment="cash", paid_amount__gt=0)
        .exclude(allocations__receipt__isnull=False)
        .values_list("number", "paid_amount")
    ):
        result.problems.append(f"{number}: a cash sale paid {paid} without a receipt")
    early = Allocation.objects.filter(
        Q(receipt__received_on__gt=F("allocated_on"))
        | Q(invoice__issue_date__gt=F("allocated_on"))
        | Q(credit_note__issue_date__gt=F("allocated_on"))
    )
    for allocation in early.select_related("invoice")[:50]:
        result.problems.append(f"allocation {allocation.pk} to {allocation.invoice.number} dated before its documents")
    allocated = dict(
        Allocation.objects.filter(receipt__isnull=False)
        .values("receipt_id")
        .annotate(total=Sum("amount"))
        .values_list("receipt_id", "total")
    )
    for number, pk, amount in Receipt.objects.filter(status=Receipt.Status.CONFIRMED).values_list(
        "number", "pk", "allocated_amount"
    ):
        if amount != cents(allocated.get(pk)):
            result.problems.append(f"{number}: allocated {amount}, its allocations {cents(allocated.get(pk))}")
    from salesops.credit.ledger import balance_at

    for statement in Statement.objects.all():
        balance = balance_at(customer_id=statement.customer_id, day=statement.period_end)
        if statement.closing_balance != balance:
            result.problems.append(f"{statement.number}: closing {statement.closing_balance}, ledger {balance}")
    for reconciliation in Reconciliation.objects.select_related("rep"):
        figure = rep_ledger_balance(rep=reconciliation.rep, as_of=month_end(reconciliation.period_start))
        if reconciliation.ledger_balance != figure:
            result.problems.append(f"reconciliation {reconciliation}: {reconciliation.ledger_balance}, ledger {figure}")
