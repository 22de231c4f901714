"""Demo performance data, made through the services after the sales and credit history:
- this year's target (last year's sales + 15 %), split into months by last year's
  seasonality and down to every rep, rep1's split over their customers, approved by the
  sales director;
- last month's commission run, computed, approved by the director and the GM;
- expense budgets of every team for this month and last, and claims against them: most
  approved by the supervisor, one over budget waiting for the higher chain;
- rep1's customer profit plan for next month, submitted;
- the East region's business review of last month, with actions, held.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from salesops.approvals.models import ApprovalRequest, ApprovalTask
from salesops.approvals.services import approval_decide
from salesops.core.models import OrgUnit
from salesops.crm.models import Customer
from salesops.planning.periods import add_months
from salesops.targets import commissions, expenses, profit, review, services
from salesops.targets.measures import sales_by_rep
from salesops.targets.models import ExpenseType, TargetPlan
from salesops.targets.periods import year as year_period

ORDER = 70
BUDGETS = {"travel": 6000, "entertainment": 4000, "promotion": 8000}
CLAIMS = [
    ("rep1", "travel", "1280.00", "拜访重点客户往返高铁及住宿"),
    ("rep2", "entertainment", "860.00", "经销商年度合作洽谈招待"),
    ("rep4", "promotion", "2400.00", "超市堆头及试吃促销"),
    ("rep3", "travel", "960.00", "区域门店巡访差旅"),
    ("rep7", "travel", "1500.00", "北区新网点开发差旅"),
]


def _approve(document, doc_type: str) -> None:
    """Every open step of the document's pending approval, decided by its approver."""
    request = ApprovalRequest.objects.filter(doc_type=doc_type, object_id=str(document.pk), status="pending").first()
    while request is not None and request.status == "pending":
        task = request.tasks.filter(status=ApprovalTask.Status.OPEN).select_related("assignee").first()
        if task is None:
            return
        approval_decide(task=task, actor=task.assignee, decision="approve", comment="同意 Approved")
        request.refresh_from_db()


def build(ctx):
    today = ctx.today
    director, finance = ctx.user("director"), ctx.user("finance")
    _targets(ctx, today, director)
    _commission_run(ctx, today, finance)
    _budgets_and_claims(ctx, today)
    _profit_plan(ctx, today)
    _business_review(ctx, today)
    ctx.say("targets: plan, commission run, budgets and claims, profit plan, business review")


def _targets(ctx, today, director) -> None:
    if TargetPlan.objects.filter(year=today.year).exists():
        return
    last_year = sum(sales_by_rep(year_period(today.replace(year=today.year - 1)), None).values(), Decimal(0))
    total = max((last_year * Decimal("1.15")).quantize(Decimal("1000")), Decimal("1200000"))
    plan = services.target_plan_create(
        year=today.year,
        total=total,
        month_method="seasonality",
        org_method="last_year",
        actor=director,
        note="去年销售额上浮15% Last year's sales + 15 %",
    )
    services.target_split_rep(plan=plan, rep=ctx.user("rep1"), by="customer", actor=director)
    services.target_plan_submit(plan=plan, actor=director)
    _approve(plan, "sales_plan")


def _commission_run(ctx, today, finance) -> None:
    last_month = add_months(today.replace(day=1), -1)
    run = commissions.commission_run_create(month=last_month, actor=finance, today=today)
    if run.status in ("draft", "rejected"):
        commissions.commission_run_submit(run=run, actor=finance)
        _approve(run, "commission_run")


def _budgets_and_claims(ctx, today) -> None:
    types = {t.code: t for t in ExpenseType.objects.filter(code__in=BUDGETS)}
    director = ctx.user("director")
    for team in OrgUnit.objects.filter(kind=OrgUnit.Kind.TEAM, active=True):
        for month in (add_months(today.replace(day=1), -1), today.replace(day=1)):
            for code, amount in BUDGETS.items():
                expenses.expense_budget_set(
                    team=team, month=month, expense_type=types[code], amount=Decimal(amount), actor=director
                )
    spent_on = max(today - datetime.timedelta(days=3), today.replace(day=1))
    for username, code, amount, text in CLAIMS:
        claim = expenses.expense_claim_submit(
            actor=ctx.user(username),
            expense_type=types[code],
            spent_on_day=spent_on,
            amount=Decimal(amount),
            description=text,
        )
        _approve(claim, "expense_claim")
    # one claim that does not fit what remains: it waits for the manager and the director
    expenses.expense_claim_submit(
        actor=ctx.user("rep2"),
        expense_type=types["promotion"],
        spent_on_day=spent_on,
        amount=Decimal("9000.00"),
        description="春节档大型卖场促销活动",
    )


def _profit_plan(ctx, today) -> None:
    rep = ctx.user("rep1")
    customers = list(Customer.objects.filter(owner=rep).order_by("pk")[:3])
    if not customers:
        return
    rng = ctx.rng("profit-plan")
    lines = [
        {
            "customer": customer.pk,
            "volume": str(rng.randrange(200, 800, 10)),
            "price": str(rng.choice(["98.00", "110.00", "125.00"])),
            "margin_percent": str(rng.choice(["12", "15", "18"])),
            "promotion": str(rng.randrange(500, 3000, 100)),
            "expenses": str(rng.randrange(300, 1500, 100)),
        }
        for customer in customers
    ]
    plan = profit.profit_plan_save(
        rep=rep, month=add_months(today.replace(day=1), 1), lines=lines, actor=rep, note="重点客户下月计划"
    )
    if plan.submitted_at is None:
        profit.profit_plan_submit(plan=plan, actor=rep)


def _business_review(ctx, today) -> None:
    manager = ctx.user("manager")
    last_month = add_months(today.replace(day=1), -1)
    item = review.review_prepare(month=last_month, unit=manager.org_unit, actor=manager)
    if item.status == "held":
        return
    review.review_action_add(
        review=item,
        issue="东二组回款偏慢，逾期占比上升",
        action="主管每周与财务对账，逾期30天以上客户逐户跟进",
        owner=ctx.user("supervisor2"),
        due_date=today + datetime.timedelta(days=14),
        actor=manager,
    )
    review.review_action_add(
        review=item,
        issue="新品铺货率不足",
        action="下月每位业务员新增5家铺货门店",
        owner=ctx.user("supervisor1"),
        due_date=add_months(today.replace(day=1), 1),
        actor=manager,
    )
    review.review_hold(
        review=item, actor=manager, summary="整体达成率符合预期；回款和新品铺货需加强。", at=timezone.now()
    )
