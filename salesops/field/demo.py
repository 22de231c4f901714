"""Demo field sales: every rep gets a home base in their region's city (Shanghai for the East,
Beijing for the North) and twenty outlets around it, the beverage manual's required SKUs per
channel, coolers at the bigger outlets, a published two-week route cycle planned by the
engine, and two weeks of visits recorded through the same service as the phone (some off
time, some skipped, most with an order made from the suggested order), so that the success
rate, coverage and distribution pages show history."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal

from salesops.catalog.models import Product
from salesops.core.calendar import WorkCalendar
from salesops.core.exceptions import ApplicationError
from salesops.core.models import User
from salesops.core.roles import Role
from salesops.crm.models import Customer
from salesops.crm.services import customer_create
from salesops.field import services
from salesops.field.models import Cooler, RequiredSku, Visit

ORDER = 55
HISTORY_DAYS = 14
OUTLETS_PER_REP = 20
HOMES = {"EAST": ("上海", 31.2304, 121.4737), "NORTH": ("北京", 39.9042, 116.4074)}
STREETS = ["南京路", "淮海路", "四川路", "延安路", "长寿路", "建国路", "复兴路", "中山路", "人民路", "和平路"]
KINDS = [
    (Customer.Channel.CONVENIENCE, "便利店"),
    (Customer.Channel.SUPERMARKET, "超市"),
    (Customer.Channel.RESTAURANT, "餐厅"),
]
GRADES = "AAABBBBBCCCCCCCCCCCC"


def build(ctx):
    rng = ctx.rng("field")
    admin = ctx.user("admin")
    products = list(
        Product.objects.filter(active=True, status=Product.Status.APPROVED, list_price__gt=0).order_by("pk")[:3]
    )
    for channel, _suffix in KINDS:
        for product in products:
            RequiredSku.objects.get_or_create(channel=channel, product=product)
    reps = list(
        User.objects.filter(role_assignments__role=Role.SALES_REP)
        .select_related("org_unit__parent")
        .order_by("username")
    )
    for number, rep in enumerate(reps):
        region = rep.org_unit.parent.code if rep.org_unit and rep.org_unit.parent else "EAST"
        city, lat, lon = HOMES.get(region, HOMES["EAST"])
        home_lat, home_lon = lat + rng.uniform(-0.03, 0.03), lon + rng.uniform(-0.03, 0.03)
        services.workday_set(
            rep=rep,
            actor=admin,
            data={"home_latitude": Decimal(f"{home_lat:.6f}"), "home_longitude": Decimal(f"{home_lon:.6f}")},
        )
        for index in range(OUTLETS_PER_REP):
            channel, suffix = KINDS[index % len(KINDS)]
            outlet = customer_create(
                actor=admin,
                name=f"{city}{rng.choice(STREETS)}{suffix}{number + 1:02d}{index + 1:02d}",
                owner=rep,
                channel=channel,
                status=Customer.Status.ACTIVE,
                city=city,
                address=f"{city}市{rng.choice(STREETS)}{rng.randint(1, 999)}号",
                latitude=Decimal(f"{home_lat + rng.uniform(-0.035, 0.035):.6f}"),
                longitude=Decimal(f"{home_lon + rng.uniform(-0.04, 0.04):.6f}"),
            )
            # the class an ABC grading run would give (crm.grading grades on sales history)
            Customer.objects.filter(pk=outlet.pk).update(grade=GRADES[index])
            if GRADES[index] == "A":
                services.cooler_create(
                    actor=admin,
                    customer=outlet,
                    asset_number=f"BG-{number + 1:02d}{index + 1:02d}",
                    model_name="海尔 SC-340",
                    placed_on=ctx.today - datetime.timedelta(days=200),
                )
    supervisors = {u.org_unit_id: u for u in User.objects.filter(role_assignments__role=Role.SALES_SUPERVISOR)}
    calendar = WorkCalendar.load()
    start = ctx.today - datetime.timedelta(days=HISTORY_DAYS)
    start -= datetime.timedelta(days=start.weekday())
    visits = orders = 0
    for rep in reps:
        planner = supervisors.get(rep.org_unit_id) or admin
        cycle = services.route_cycle_plan(rep=rep, actor=planner, time_limit=1)
        services.route_cycle_publish(cycle=cycle, actor=planner, starts_on=start)
        day = start
        while day < ctx.today:
            if calendar.is_working_day(day):
                for visit in services.visits_plan_day(rep=rep, date=day):
                    made = _record(ctx, rng, rep, visit, products, calendar)
                    visits += made[0]
                    orders += made[1]
            day += datetime.timedelta(days=1)
        services.visits_plan_day(rep=rep, date=ctx.today)
    ctx.say(f"field: {len(reps)} published route cycles, {visits} visits recorded, {orders} orders from visits")


def _record(ctx, rng, rep, visit: Visit, products, calendar) -> tuple[int, int]:
    roll = rng.random()
    if roll < 0.06:
        services.visit_skip(visit=visit, actor=rep, reason=rng.choice(["门店装修", "客户临时外出", "交通管制"]))
        return 0, 0
    if roll < 0.12:
        return 0, 0  # not done: shows as planned but missing
    late = rng.random() < 0.15
    check_in = visit.planned_at + datetime.timedelta(minutes=rng.randint(70, 120) if late else rng.randint(-10, 30))
    check_in = min(check_in, datetime.datetime.combine(visit.date, datetime.time(17, 40), tzinfo=calendar.tz))
    ordered = rng.random() < 0.86
    lines = [
        {
            "product": product.pk,
            "stock_seen": str(rng.choice([0, 0, 2, 5, 8, 12])),
            "suggested_quantity": str(rng.choice([6, 12, 24])) if ordered else "0",
        }
        for product in products
    ]
    coolers = [
        {
            "cooler": c.pk,
            "placed": True,
            "powered": rng.random() > 0.05,
            "clean": rng.random() > 0.15,
            "right_packs": rng.random() > 0.1,
        }
        for c in Cooler.objects.filter(customer=visit.customer_id)
    ]
    try:
        services.visit_submit(
            actor=rep,
            client_key=uuid.uuid5(uuid.NAMESPACE_URL, f"salesops-demo-visit-{visit.pk}"),
            visit=visit,
            check_in_at=check_in,
            check_out_at=check_in + datetime.timedelta(minutes=rng.randint(12, 25)),
            latitude=visit.customer.latitude + Decimal(f"{rng.uniform(-0.0008, 0.0008):.6f}"),
            longitude=visit.customer.longitude + Decimal(f"{rng.uniform(-0.0008, 0.0008):.6f}"),
            record={
                "outcome": Visit.Outcome.ORDERED
                if ordered
                else rng.choice([Visit.Outcome.NO_ORDER, Visit.Outcome.NOT_MET]),
                "price_tags_ok": rng.random() > 0.2,
                "shelf_ok": rng.random() > 0.25,
                "competitor_info": rng.choice(["", "", "康师傅 买二送一", "统一 新品进场", "竞品降价 0.5 元"]),
                "next_step": rng.choice(["", "补货", "调整陈列", "送促销物料"]),
            },
            lines=lines,
            cooler_checks=coolers,
            make_order=ordered,
            now=check_in + datetime.timedelta(hours=1),
        )
    except ApplicationError:
        return 0, 0
    return 1, 1 if ordered else 0
