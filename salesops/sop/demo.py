"""Demo deadlines: every SOP rule switched on, and the clock run over the demo's history from
the first day of last month (creating, reminding, escalating as it would have).

This step comes after every area whose documents start or meet deadlines: their demos made
the calls and visits, complaints, approvals, orders and deliveries, invoices and receipts,
credit reviews, forecasts, production plans and S&OP packs through their services, which
opened and closed the obligations as they went. Here the ten reps write their daily reports
(most on time, some late, some not at all), and the replayed clock marks what was missed.
The monthly customer profit plan and the business review have no document yet, so their
obligations stay open or missed."""

from __future__ import annotations

import datetime

from django.utils import timezone

from salesops.core.calendar import WorkCalendar
from salesops.core.models import User
from salesops.core.roles import Role
from salesops.crm.models import Customer
from salesops.sop import services
from salesops.sop.clock import sop_clock_run
from salesops.sop.models import SopRule

ORDER = 90
# How reliable each rep is: chance of on time, of late (the rest: missing).
HABITS = {
    "rep1": (0.95, 0.04),
    "rep2": (0.85, 0.10),
    "rep3": (0.60, 0.20),
    "rep4": (0.80, 0.12),
    "rep5": (0.75, 0.15),
    "rep6": (0.90, 0.06),
    "rep7": (0.55, 0.25),
    "rep8": (0.85, 0.10),
    "rep9": (0.80, 0.08),
    "rep10": (0.70, 0.20),
}
FEEDBACK = [
    "客户反映面粉价格偏高，竞品在做满减活动。",
    "门店要求增加小包装规格。",
    "春节备货需求上升，建议提前安排库存。",
    "经销商回款较慢，已约下周对账。",
    "新品试吃反馈良好。",
    "",
]


def _at(day: datetime.date, hour: int, minute: int, tz) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tz)


def _history_start(today: datetime.date) -> datetime.date:
    """The first day of last month: a full month and this one so far."""
    return (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


def build(ctx):
    rng = ctx.rng("sop")
    admin = ctx.user("admin")
    for rule in SopRule.objects.filter(enabled=False).order_by("code"):
        services.sop_rule_update(rule=rule, data={"enabled": True}, actor=admin)
    calendar = WorkCalendar.load()
    tz = calendar.tz
    real_now = timezone.now()
    reps = list(User.objects.filter(role_assignments__role=Role.SALES_REP).order_by("username"))
    customers = {
        rep.pk: list(Customer.objects.filter(owner=rep).order_by("code").values_list("name", flat=True)[:20])
        for rep in reps
    }
    start = _history_start(ctx.today)
    days = (ctx.today - start).days
    reports = []

    def clock(moment):
        if moment <= real_now:
            sop_clock_run(now=moment, send_email=False)

    def submit(rep, day, moment):
        names = customers.get(rep.pk) or ["—"]
        visited = rng.sample(names, k=min(len(names), rng.randint(2, 4)))
        report = services.daily_report_submit(
            rep=rep,
            date=day,
            actor=rep,
            submitted_at=moment,
            visits="\n".join(f"拜访 {name}" for name in visited),
            calls=f"电话回访 {rng.randint(2, 8)} 家客户",
            orders=f"新订单 {rng.randint(0, 5)} 笔，合计 ¥{rng.randint(2, 60) * 1000:,}",
            collections=f"回款 ¥{rng.randint(0, 30) * 1000:,}" if rng.random() < 0.6 else "",
            feedback=rng.choice(FEEDBACK),
        )
        reports.append(report)

    clock(_at(start - datetime.timedelta(days=1), 23, 0, tz))
    for offset in range(days + 1):
        day = start + datetime.timedelta(days=offset)
        clock(_at(day, 0, 5, tz))
        if day >= ctx.today or not calendar.is_working_day(day):
            continue
        plans = []
        for rep in reps:
            on_time, late = HABITS.get(rep.username, (0.8, 0.1))
            roll = rng.random()
            if roll < on_time:
                minutes = rng.randint(15 * 60, 17 * 60 + 29)
            elif roll < on_time + late:
                minutes = rng.randint(17 * 60 + 40, 21 * 60 + 30)
            else:
                continue
            plans.append((minutes, rep))
        plans.sort(key=lambda plan: (plan[0], plan[1].username))
        checkpoints = [(17 * 60, (17, 0)), (17 * 60 + 31, (17, 31))]
        for minutes, rep in plans:
            while checkpoints and minutes >= checkpoints[0][0]:
                clock(_at(day, *checkpoints.pop(0)[1], tz))
            submit(rep, day, _at(day, minutes // 60, minutes % 60, tz))
        for _limit, (hour, minute) in checkpoints:
            clock(_at(day, hour, minute, tz))
        clock(_at(day, 23, 0, tz))
    sop_clock_run(now=real_now, send_email=False)

    supervisors = {
        unit: user
        for user in User.objects.filter(role_assignments__role=Role.SALES_SUPERVISOR)
        for unit in [user.org_unit_id]
    }
    reviewed = 0
    for report in reports:
        reviewer = supervisors.get(report.team_id)
        if reviewer and report.date <= ctx.today - datetime.timedelta(days=3) and rng.random() < 0.85:
            services.daily_report_review(
                report=report, reviewer=reviewer, comment=rng.choice(["", "收到", "注意跟进回款"])
            )
            reviewed += 1
    ctx.say(f"{len(reports)} daily reports ({reviewed} reviewed), every SOP rule on, clock run over {days} days")
