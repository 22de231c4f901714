"""Demo approvals: visit requests through the approval engine — several key-account visits
waiting for the sales director (one of them overdue), supervisor approvals waiting, and
approved and returned ones. The default rules come from the data migration."""

import datetime

from django.utils import timezone

from salesops.approvals import services, visits
from salesops.approvals.models import VisitRequest
from salesops.crm.models import Customer

ORDER = 25

PURPOSES = [
    ("年度合作洽谈 Annual agreement talks", "续签年度供货协议 Renew the annual supply agreement"),
    ("新品铺货 New product listing", "新品进店 3 个单品 Three new SKUs listed"),
    ("客诉回访 Complaint follow-up", "客户满意度恢复 Customer satisfied again"),
    ("陈列检查 Display check", "端架陈列到位 End-cap display in place"),
    ("回款沟通 Collection visit", "逾期款项回收 Overdue amount collected"),
]


def build(ctx):
    rng = ctx.rng("approvals")
    now = timezone.now()
    plan = [
        # rep, key account, submitted hours ago, outcome
        ("rep1", True, 2, None),
        ("rep2", True, 5, None),
        ("rep7", True, 1, None),
        ("rep3", True, 240, None),  # ten days ago: overdue, escalated by the deadline job
        ("rep4", False, 3, None),
        ("rep5", False, 4, None),
        ("rep8", False, 6, None),
        ("rep6", True, 30, "approve"),
        ("rep9", False, 20, "approve"),
        ("rep10", False, 10, "return"),
    ]
    for index, (username, key_account, hours_ago, outcome) in enumerate(plan):
        rep = ctx.user(username)
        customer = Customer.objects.filter(owner=rep).order_by("code")[rng.randint(0, 5)]
        purpose, expected = PURPOSES[index % len(PURPOSES)]
        visit = visits.visit_request_create(
            actor=rep,
            customer=customer,
            planned_date=ctx.today + datetime.timedelta(days=rng.randint(3, 14)),
            purpose=purpose,
            expected_outcome=expected,
            key_account=key_account,
        )
        submitted = now - datetime.timedelta(hours=hours_ago)
        visit, request = visits.visit_request_submit(visit=visit, actor=rep, now=submitted)
        if outcome and request:
            task = request.tasks.get(status="open")
            comment = "同意 Agreed" if outcome == "approve" else "请补充拜访议程 Please add the agenda"
            services.approval_decide(
                task=task,
                actor=task.assignee,
                decision=outcome,
                comment=comment,
                now=submitted + datetime.timedelta(hours=2),
            )
    # what the periodic job would have done by now: reminders, and the request nobody answered
    # for ten days escalated step by step up the hierarchy (replayed every two hours)
    counts = {"reminded": 0, "escalated": 0}
    moment = now - datetime.timedelta(hours=max(hours for _u, _k, hours, _o in plan))
    while moment < now:
        moment = min(moment + datetime.timedelta(hours=2), now)
        for key, value in services.approval_deadlines_run(now=moment).items():
            counts[key] += value
    pending = VisitRequest.objects.filter(status=VisitRequest.Status.PENDING).count()
    ctx.say(f"{len(plan)} visit requests ({pending} waiting for approval, {counts['escalated']} escalated)")
