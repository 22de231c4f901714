"""Demo credit and collections.

`build` (ORDER 42, before the sales history) opens credit files for the demo customers with
limits by size and channel, each limit granted through the approval engine (finance asks, the
general manager approves); some customers buy for cash only, one limit change is left
waiting, and some reviews are done or due.

`credit_demo_payments(ctx)` runs at the end of the sales demo, once invoices exist: payments
with realistic delays (most on time, some late, a few accounts overdue 30+/60+/90+), rep
hand-overs waiting for finance, last month's statements (some confirmed), the reps'
reconciliations and the escalations of overdue invoices.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from salesops.approvals.models import ApprovalTask
from salesops.approvals.services import approval_decide
from salesops.credit import receipts, services, statements
from salesops.credit.escalations import escalations_run
from salesops.credit.ledger import month_start
from salesops.credit.models import Receipt
from salesops.crm.models import Customer

ORDER = 42

# channel → (limit range in CNY, payment terms choices)
CHANNEL_TERMS = {
    Customer.Channel.SUPERMARKET: ((60_000, 200_000), [30, 45, 60]),
    Customer.Channel.CONVENIENCE: ((10_000, 30_000), [30]),
    Customer.Channel.RESTAURANT: ((15_000, 50_000), [30, 45]),
    Customer.Channel.WHOLESALE: ((100_000, 300_000), [30, 45]),
    Customer.Channel.DISTRIBUTOR: ((300_000, 800_000), [45, 60]),
    Customer.Channel.INDUSTRIAL: ((200_000, 500_000), [60]),
    Customer.Channel.ONLINE: ((10_000, 30_000), [30]),
    Customer.Channel.OTHER: ((10_000, 30_000), [30]),
}
GRADES = ["AAA", "AA", "A", "B", "C"]
GRADE_WEIGHTS = [5, 15, 35, 35, 10]


def _approve_pending(limit_request, approvers) -> None:
    for _step in range(3):
        task = (
            ApprovalTask.objects.filter(
                request__doc_type=services.LIMIT_DOC_TYPE, request__object_id=str(limit_request.pk), status="open"
            )
            .select_related("assignee")
            .first()
        )
        if task is None:
            return
        approval_decide(task=task, actor=task.assignee, decision="approve")


def build(ctx):
    rng = ctx.rng("credit-files")
    finance = ctx.user("finance")
    gm = ctx.user("gm")
    customers = list(Customer.objects.filter(status__in=["active", "dormant"]).order_by("pk"))
    opened = cash_only = 0
    files = []
    for customer in customers:
        if rng.random() < 0.12:
            cash_only += 1
            continue
        (low, high), terms = CHANNEL_TERMS.get(customer.channel, CHANNEL_TERMS[Customer.Channel.OTHER])
        limit = Decimal(rng.randrange(low, high + 1, 5_000))
        credit_file = services.credit_file_open(
            customer=customer,
            actor=finance,
            grade=rng.choices(GRADES, weights=GRADE_WEIGHTS)[0],
            payment_terms_days=rng.choice(terms),
            overdue_grace_days=rng.choice([0, 0, 3, 5]),
            requested_limit=limit,
            reason="新客户授信 Credit for a new customer",
        )
        for limit_request in credit_file.limit_requests.all():
            _approve_pending(limit_request, (finance, gm))
        files.append(credit_file)
        opened += 1
    # Reviews: some done about three months ago (so due about now), one recently.
    for credit_file in rng.sample(files, k=min(12, len(files))):
        review_date = ctx.today - datetime.timedelta(days=rng.randint(80, 100))
        services.credit_review_create(
            credit_file=credit_file,
            actor=finance,
            review_date=review_date,
            business_situation="门店经营正常，客流稳定 Trading normally, steady footfall",
            financial_situation="按期付款，无不良记录 Pays on time, no bad record",
            grade=credit_file.grade,
            conclusion="维持额度 Keep the limit",
        )
    # One increase asked by a rep, waiting for finance and the general manager.
    rep1_files = [f for f in files if f.customer.owner.username == "rep1"]
    if rep1_files:
        target = rep1_files[0]
        target.refresh_from_db()
        services.limit_request_create(
            credit_file=target,
            actor=ctx.user("rep1"),
            requested_limit=target.limit + Decimal("50000"),
            requested_terms_days=target.payment_terms_days,
            reason="春节备货，订单增加 Spring Festival stocking: larger orders",
        )
    ctx.say(f"credit: {opened} credit files (limits approved by the general manager), {cash_only} cash-only customers")


# --- payments, called by the sales demo once its invoices exist ------------------------------------
PROFILES = ["prompt", "prompt", "prompt", "prompt", "prompt", "prompt", "late", "late", "slow", "bad"]


def credit_demo_payments(ctx) -> None:
    from salesops.sales.models import Invoice

    rng = ctx.rng("credit-payments")
    today = ctx.today
    finance = ctx.user("finance")
    profiles: dict[int, str] = {}
    paid = handed = 0
    invoices = (
        Invoice.objects.filter(kind=Invoice.Kind.INVOICE, status=Invoice.Status.OPEN)
        .select_related("customer__owner", "order")
        .order_by("issue_date", "pk")
    )
    for invoice in invoices:
        profile = profiles.setdefault(invoice.customer_id, rng.choice(PROFILES))
        cash_order = invoice.order is not None and invoice.order.payment == "cash"
        if cash_order:
            pay_on = invoice.issue_date
        elif profile == "prompt":
            pay_on = invoice.due_date - datetime.timedelta(days=rng.randint(0, 10))
        elif profile == "late":
            pay_on = invoice.due_date + datetime.timedelta(days=rng.randint(3, 25))
        elif profile == "slow":
            pay_on = invoice.due_date + datetime.timedelta(days=rng.randint(20, 75))
        else:  # bad payer: pays the old ones very late, leaves the recent ones
            pay_on = invoice.due_date + datetime.timedelta(days=rng.randint(60, 140))
        pay_on = max(pay_on, invoice.issue_date)
        if pay_on > today:
            continue
        amount = invoice.total - invoice.paid_amount
        if profile in {"late", "slow"} and rng.random() < 0.15:
            amount = (amount * Decimal("0.5")).quantize(Decimal("0.01"))  # part now, rest stays open
        if rng.random() < 0.02:
            amount += Decimal(rng.choice(["100.00", "500.00"]))  # paid a little too much: kept on account
        method = rng.choice(
            [Receipt.Method.BANK_TRANSFER] * 6
            + [Receipt.Method.CASH, Receipt.Method.CHEQUE, Receipt.Method.ACCEPTANCE_BILL]
        )
        if method == Receipt.Method.CASH:
            rep = invoice.customer.owner
            receipt = receipts.receipt_record(
                actor=rep, customer=invoice.customer, amount=amount, received_on=pay_on, method=method
            )
            if (today - pay_on).days > 2:
                receipts.receipt_confirm(receipt=receipt, actor=finance, invoices=[invoice.pk])
            else:
                handed += 1
        else:
            receipts.receipt_record(
                actor=finance,
                customer=invoice.customer,
                amount=amount,
                received_on=pay_on,
                method=method,
                bank_reference=f"{pay_on:%Y%m%d}{rng.randint(100000, 999999)}",
                handed_by=invoice.customer.owner,
                invoices=[invoice.pk],
            )
        paid += 1
    # Cash a rep collected today and handed to the cashier, for finance to confirm.
    for rep_name in ("rep1", "rep3", "rep7"):
        rep = ctx.user(rep_name)
        customer = Customer.objects.filter(owner=rep, credit_file__isnull=False).order_by("pk").first()
        if customer:
            receipts.receipt_record(
                actor=rep,
                customer=customer,
                amount=Decimal(rng.randint(20, 80) * 100),
                received_on=today,
                method=Receipt.Method.CASH,
                note="门店现金回款",
            )
            handed += 1
    # Last month's statements; most answered, a few disputed.
    last_month = month_start(month_start(today) - datetime.timedelta(days=1))
    made = 0
    for customer in statements.customers_to_state(last_month)[:120]:
        statement = statements.statement_create(customer=customer, period_start=last_month, actor=finance)
        made += 1
        roll = rng.random()
        if roll < 0.6:
            statements.statement_confirm(
                statement=statement,
                actor=finance,
                confirmed_on=last_month + datetime.timedelta(days=rng.randint(33, 40)),
            )
        elif roll < 0.65:
            statements.statement_confirm(
                statement=statement,
                actor=finance,
                disputed=True,
                customer_note="客户称有一笔退货未冲账 Customer says a return is not credited",
            )
    # The reps' reconciliation of last month: some signed, some closed by finance.
    for index, rep_name in enumerate(["rep1", "rep2", "rep3", "rep4", "rep7"]):
        rep = ctx.user(rep_name)
        rec = statements.reconciliation_open(rep=rep, period_start=last_month, actor=rep)
        if index < 3:
            statements.reconciliation_rep_sign(reconciliation=rec, actor=rep, rep_balance=rec.ledger_balance)
        if index < 2:
            statements.reconciliation_finance_sign(reconciliation=rec, actor=finance)
    escalated = escalations_run(now=timezone.now())
    overdue = Invoice.objects.filter(status="open", due_date__lt=today).count()
    ctx.say(
        f"credit: {paid} payments ({handed} waiting for finance), {made} statements of {last_month:%Y-%m}, "
        f"{overdue} overdue invoices, {escalated} escalations"
    )
