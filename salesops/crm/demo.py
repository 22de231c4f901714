"""Demo customers: 300 outlets and business customers spread over the ten reps, then leads in
the pool, opportunities across the stages, activities (rep1's agenda today), ownership
conflicts, complaints (one overdue), grades and key-account files for A customers; the call
desk's rotations (one rep away today) and the calls and walk-ins the sales admin registered."""

import datetime
from decimal import Decimal

from django.utils import timezone

from salesops.core.models import User
from salesops.core.roles import Role
from salesops.crm import services
from salesops.crm.exceptions import OwnershipTaken
from salesops.crm.grading import grading_run
from salesops.crm.models import Customer, Stage

ORDER = 20

CITIES = {
    "EAST": [
        ("上海", 31.2304, 121.4737),
        ("杭州", 30.2741, 120.1551),
        ("南京", 32.0603, 118.7969),
        ("苏州", 31.2989, 120.5853),
    ],
    "NORTH": [("北京", 39.9042, 116.4074), ("天津", 39.3434, 117.3616), ("石家庄", 38.0428, 114.5149)],
}
PREFIXES = [
    "华联",
    "联华",
    "永辉",
    "好又多",
    "家家乐",
    "百佳",
    "美宜佳",
    "全家",
    "金龙",
    "福满",
    "康乐",
    "盛世",
    "鑫源",
    "宏达",
    "瑞丰",
    "佳美",
    "新世纪",
    "东方",
    "长城",
    "和平",
]
CHANNEL_SUFFIX = {
    Customer.Channel.SUPERMARKET: "超市",
    Customer.Channel.CONVENIENCE: "便利店",
    Customer.Channel.RESTAURANT: "餐厅",
    Customer.Channel.WHOLESALE: "批发部",
    Customer.Channel.DISTRIBUTOR: "商贸有限公司",
    Customer.Channel.INDUSTRIAL: "食品有限公司",
    Customer.Channel.ONLINE: "网店",
}
CHANNEL_WEIGHTS = [30, 25, 15, 12, 8, 6, 4]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英"]


def build(ctx):
    rng = ctx.rng("customers")
    admin = ctx.user("admin")
    reps = list(
        User.objects.filter(role_assignments__role=Role.SALES_REP)
        .select_related("org_unit__parent")
        .order_by("username")
    )
    channels = list(CHANNEL_SUFFIX)
    statuses = [Customer.Status.ACTIVE] * 7 + [Customer.Status.PROSPECT, Customer.Status.DORMANT, Customer.Status.LOST]
    for index in range(300):
        rep = reps[index % len(reps)]
        region = rep.org_unit.parent.code
        city, lat, lon = rng.choice(CITIES[region])
        channel = rng.choices(channels, weights=CHANNEL_WEIGHTS)[0]
        name = f"{city}{rng.choice(PREFIXES)}{CHANNEL_SUFFIX[channel]}{index + 1:03d}"
        customer = services.customer_create(
            actor=admin,
            name=name,
            owner=rep,
            channel=channel,
            status=rng.choice(statuses),
            kind=Customer.Kind.COMPANY,
            city=city,
            address=f"{city}市{rng.randint(1, 999)}号",
            latitude=Decimal(f"{lat + rng.uniform(-0.15, 0.15):.6f}"),
            longitude=Decimal(f"{lon + rng.uniform(-0.15, 0.15):.6f}"),
        )
        for position in range(rng.randint(1, 3)):
            services.contact_create(
                customer=customer,
                actor=admin,
                name=rng.choice(SURNAMES) + rng.choice(GIVEN),
                title=["店长", "采购", "老板", "财务"][position % 4],
                phone=f"1{rng.choice('3589')}{rng.randint(0, 9)}{rng.randint(10000000, 99999999)}",
                email=f"c{index + 1:03d}.{position}@example.cn",
                is_primary=position == 0,
            )
    ctx.say("300 customers with contacts")

    _pipeline(ctx, reps)
    _call_desk(ctx, reps)


def _pipeline(ctx, reps):
    rng = ctx.rng("crm-pipeline")
    now = timezone.now()
    tz = timezone.get_current_timezone()
    today = ctx.today
    stages = {stage.code: stage for stage in Stage.objects.all()}
    open_codes = ["lead", "needs", "proposal", "negotiation", "contract"]
    products = ["高筋面粉", "低筋面粉", "全麦粉", "面包预拌粉", "饺子粉", "挂面", "糕点粉"]
    customers = list(Customer.objects.select_related("owner").order_by("pk"))
    opportunities = 0
    for index, customer in enumerate(customers):
        if index % 3:
            continue
        rep = customer.owner
        opportunity = services.opportunity_create(
            actor=rep,
            customer=customer,
            name=f"{rng.choice(products)} {rng.choice(['年度供货', '季度订单', '试用', '新品导入'])}",
            amount=Decimal(rng.randrange(5, 400) * 1000),
            expected_close=today + datetime.timedelta(days=rng.randint(-10, 120)),
            next_step=rng.choice(["送样品", "报价", "约见采购", "发合同"]),
            next_step_due=today + datetime.timedelta(days=rng.randint(-5, 10)),
            competitors=rng.choice(["", "五得利", "金龙鱼", "香雪"]),
        )
        target = rng.choice(open_codes + ["won", "won", "lost"])
        path = open_codes[: open_codes.index(target) + 1] if target in open_codes else open_codes[: rng.randint(2, 5)]
        for code in path[1:]:
            services.opportunity_move(opportunity=opportunity, stage=stages[code], actor=rep)
        if target == "won":
            services.opportunity_move(opportunity=opportunity, stage=stages["won"], actor=rep)
        elif target == "lost":
            reason = rng.choice(["价格高于竞品", "客户预算取消", "交期不满足"])
            services.opportunity_move(opportunity=opportunity, stage=stages["lost"], actor=rep, loss_reason=reason)
        opportunities += 1

    # Activities: the past two weeks for everyone, and today's agenda for rep1.
    kinds = ["call", "visit", "meeting", "email", "task"]
    for customer in customers[:120]:
        when = now - datetime.timedelta(days=rng.randint(1, 14), hours=rng.randint(0, 6))
        services.activity_log(
            actor=customer.owner,
            customer=customer,
            kind=rng.choice(kinds),
            subject=rng.choice(["回访", "新品介绍", "对账", "催款", "送样品"]),
            occurred_at=when,
            outcome=rng.choice(["客户有兴趣", "需要再报价", "下月下单", ""]),
            next_step=rng.choice(["", "送样品", "再次拜访", "发报价单"]),
            next_step_due=today + datetime.timedelta(days=rng.randint(-4, 6)),
        )
    rep1 = ctx.user("rep1")
    mine = [c for c in customers if c.owner_id == rep1.pk]
    for hour, customer in zip([9, 11, 14, 16], mine, strict=False):
        services.activity_log(
            actor=rep1,
            customer=customer,
            kind="visit" if hour < 15 else "call",
            subject="拜访店长" if hour < 15 else "电话跟进订单",
            occurred_at=datetime.datetime.combine(today, datetime.time(hour, 0), tz),
            done=False,
        )

    # Leads: registered calls, some returned to the pool.
    leads = []
    for index in range(24):
        rep = reps[index % len(reps)]
        leads.append(
            services.lead_register(
                actor=rep,
                name=(
                    f"{rng.choice(['杭州', '上海', '北京', '苏州'])}{rng.choice(['新', '好', '佳', '福'])}"
                    f"{rng.choice(['味', '食', '旺'])}食品商行{index + 1:02d}"
                ),
                phone=f"13{rng.randint(5, 9)}{rng.randint(10000000, 99999999)}",
                contact_name=rng.choice(SURNAMES) + rng.choice(GIVEN),
                via=rng.choice(["call", "visit"]),
                interest=rng.choice(["询问面粉价格", "想做经销", "要样品"]),
                source=rng.choice(["百度推广", "展会", "老客户介绍", "抖音"]),
            )
        )
    stale = now - datetime.timedelta(days=40)
    Customer.objects.filter(pk__in=[lead.pk for lead in leads[:10]]).update(last_activity_at=stale)
    services.pool_return_stale(now=now)

    # Ownership conflicts: colleagues calling in the same prospects.
    conflicts = 0
    for lead in leads[10:14]:
        other = next(rep for rep in reps if rep.pk != lead.owner_id and rep.org_unit_id != lead.owner.org_unit_id)
        try:
            services.lead_register(actor=other, name=lead.name, phone=lead.phone)
        except OwnershipTaken:
            conflicts += 1

    # Complaints: one overdue, others open or closed.
    for index, customer in enumerate(customers[5:11]):
        received = now - datetime.timedelta(days=[6, 2, 1, 0, 9, 3][index], hours=2)
        complaint = services.complaint_register(
            actor=customer.owner,
            customer=customer,
            kind="complaint" if index % 2 == 0 else "after_sales",
            subject=["包装破损", "送货延迟", "面粉结块", "发票错误", "数量短少", "要求换货"][index],
            received_at=received,
        )
        if index in (4, 5):
            services.complaint_answer(complaint=complaint, actor=customer.owner, answer="已联系客户并安排处理")
            services.complaint_resolve(complaint=complaint, actor=customer.owner, resolution="已补发")
        if index == 4:
            services.complaint_follow_up(complaint=complaint, actor=customer.owner, satisfaction=4, note="客户满意")

    run = grading_run(actor=ctx.user("admin"), measure="opportunities_won")
    files = 0
    for customer in Customer.objects.filter(grade="A").order_by("pk")[:15]:
        services.key_account_save(
            customer=customer,
            actor=customer.owner,
            data={
                "needs": "稳定供应高筋粉，每月约 20 吨；节前需求翻倍",
                "decision_makers": "采购经理（选型）、老板（价格）",
                "preferences": "25kg 袋装，周二、周五上午送货",
                "plans": "明年开新门店 3 家；推荐面包预拌粉",
            },
        )
        files += 1
    ctx.say(
        f"{opportunities} opportunities, {len(leads)} leads "
        f"({Customer.objects.filter(in_pool=True).count()} in the pool), {conflicts} ownership conflicts, "
        f"6 complaints, grades for {run.customers} customers, {files} key-account files"
    )


def _call_desk(ctx, reps):
    """The East region's reps take calls in turn, the first four take walk-ins; one is on leave
    today; the sales admin has registered this morning's calls and walk-ins, one of them a
    customer already known (it went to its owner) and one to the pool, plus last night's late
    walk-in entered this morning."""
    from salesops.crm import calldesk

    admin = ctx.user("salesadmin")
    east = [rep for rep in reps if rep.org_unit and rep.org_unit.parent and rep.org_unit.parent.code == "EAST"]
    line = east or reps
    for rep in line:
        calldesk.rotation_seat_add(actor=admin, channel="call", rep=rep)
    for rep in line[:4]:
        calldesk.rotation_seat_add(actor=admin, channel="visit", rep=rep)
    today = ctx.today
    calldesk.absence_add(actor=admin, rep=line[1], start=today, end=today + datetime.timedelta(days=2), reason="年假")
    morning = timezone.make_aware(datetime.datetime.combine(today, datetime.time(9, 5)))
    last_night = morning - datetime.timedelta(hours=14)
    known = Customer.objects.filter(in_pool=False).exclude(phone="").order_by("pk").first()
    calls = [
        ("call", "13761230001", "苏州禾丰食品商行", "问高筋粉价格", "rotation", morning),
        ("call", "13761230002", "上海面包工坊", "想做经销", "rotation", morning + datetime.timedelta(minutes=20)),
        ("visit", "13761230003", "杭州福满餐饮", "来店看样品", "rotation", morning + datetime.timedelta(minutes=45)),
        ("call", "13761230004", "南京小吃店", "只问地址", "pool", morning + datetime.timedelta(minutes=70)),
        ("visit", "13761230005", "无锡烘焙坊", "昨晚来访（次日录入）", "rotation", last_night),
    ]
    if known is not None:
        calls.append(("call", known.phone, known.name, "追加订单", "rotation", morning + datetime.timedelta(hours=1)))
    registered = 0
    for via, phone, name, interest, assign, at in calls:
        if at > timezone.now():
            at = timezone.now()
        calldesk.inbound_register(
            actor=admin, via=via, phone=phone, name=name, interest=interest, assign=assign, occurred_at=at
        )
        registered += 1
    ctx.say(f"call desk: {len(line)} reps in the call rotation, {registered} calls and walk-ins registered")
