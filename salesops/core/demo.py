"""Demo company: a flour and food manufacturer-distributor with two regions and three teams."""

import datetime

from django.contrib.auth.hashers import make_password

from salesops.core import services
from salesops.core.calendar import calendar_seed_year, official_schedule_known, unknown_schedule_warning
from salesops.core.models import Company, OrgUnit, User
from salesops.core.roles import Role
from salesops.demo.loader import DEMO_PASSWORD

ORDER = 10

# username, full name, roles, unit code, manager username
PEOPLE = [
    ("admin", "系统管理员", [Role.SYSADMIN], "HQ", None),
    ("gm", "王建", [Role.GENERAL_MANAGER], "HQ", None),
    ("director", "李明", [Role.SALES_DIRECTOR], "SALES", "gm"),
    ("manager", "陈伟", [Role.SALES_MANAGER], "EAST", "director"),
    ("manager2", "赵磊", [Role.SALES_MANAGER], "NORTH", "director"),
    ("supervisor1", "刘洋", [Role.SALES_SUPERVISOR], "EAST-1", "manager"),
    ("supervisor2", "杨帆", [Role.SALES_SUPERVISOR], "EAST-2", "manager"),
    ("supervisor3", "黄静", [Role.SALES_SUPERVISOR], "NORTH-1", "manager2"),
    ("rep1", "张三", [Role.SALES_REP], "EAST-1", "supervisor1"),
    ("rep2", "李四", [Role.SALES_REP], "EAST-1", "supervisor1"),
    ("rep3", "王五", [Role.SALES_REP], "EAST-2", "supervisor2"),
    ("rep4", "赵六", [Role.SALES_REP], "EAST-1", "supervisor1"),
    ("rep5", "孙七", [Role.SALES_REP], "EAST-2", "supervisor2"),
    ("rep6", "周八", [Role.SALES_REP], "EAST-2", "supervisor2"),
    ("rep7", "吴九", [Role.SALES_REP], "NORTH-1", "supervisor3"),
    ("rep8", "郑十", [Role.SALES_REP], "NORTH-1", "supervisor3"),
    ("rep9", "冯一", [Role.SALES_REP], "NORTH-1", "supervisor3"),
    ("rep10", "钱二", [Role.SALES_REP], "NORTH-1", "supervisor3"),
    ("salesadmin", "马丽", [Role.SALES_ADMIN], "SALES", "director"),
    ("finance", "何芳", [Role.FINANCE], "FIN", "gm"),
    ("warehouse", "郭强", [Role.WAREHOUSE], "OPS", "gm"),
    ("planner", "林涛", [Role.PLANNER], "OPS", "gm"),
    ("purchasing", "高峰", [Role.PURCHASING], "OPS", "gm"),
]

UNITS = [
    # code, name, kind, parent code
    ("HQ", "麦丰食品", OrgUnit.Kind.COMPANY, None),
    ("SALES", "销售部", OrgUnit.Kind.DEPARTMENT, "HQ"),
    ("EAST", "华东大区", OrgUnit.Kind.REGION, "SALES"),
    ("NORTH", "华北大区", OrgUnit.Kind.REGION, "SALES"),
    ("EAST-1", "华东一组", OrgUnit.Kind.TEAM, "EAST"),
    ("EAST-2", "华东二组", OrgUnit.Kind.TEAM, "EAST"),
    ("NORTH-1", "华北一组", OrgUnit.Kind.TEAM, "NORTH"),
    ("FIN", "财务部", OrgUnit.Kind.DEPARTMENT, "HQ"),
    ("OPS", "生产与物流", OrgUnit.Kind.DEPARTMENT, "HQ"),
]
HEADS = {
    "HQ": "gm",
    "SALES": "director",
    "EAST": "manager",
    "NORTH": "manager2",
    "EAST-1": "supervisor1",
    "EAST-2": "supervisor2",
    "NORTH-1": "supervisor3",
    "FIN": "finance",
    "OPS": "planner",
}


def build(ctx):
    company = Company.objects.create(
        name="麦丰食品",
        legal_name="麦丰食品有限公司",
        tax_id="91310000MA1FL8XQ3B",
        time_zone="Asia/Shanghai",
        currency="CNY",
        work_start=datetime.time(9),
        work_end=datetime.time(18),
    )
    units = {}
    for code, name, kind, parent in UNITS:
        units[code] = services.org_unit_create(
            company=company, name=name, code=code, kind=kind, parent=units.get(parent)
        )
    users = {}
    password_hash = make_password(DEMO_PASSWORD)  # hashed once: hashing is slow on purpose
    for username, full_name, roles, unit, manager in PEOPLE:
        users[username] = services.user_create(
            username=username,
            password=None,
            roles=roles,
            full_name=full_name,
            email=f"{username}@maifeng.example",
            org_unit=units[unit],
            manager=users.get(manager),
            is_staff=username == "admin",
        )
    User.objects.filter(pk__in=[u.pk for u in users.values()]).update(password=password_hash)
    admin = users["admin"]
    admin.is_staff = admin.is_superuser = True
    admin.save(update_fields=["is_staff", "is_superuser"])
    for code, username in HEADS.items():
        services.org_unit_update(unit=units[code], data={"head": users[username]}, actor=admin)
    # the years the demo shows: its history (up to two months back) and the year ahead
    for year in range((ctx.today - datetime.timedelta(days=62)).year, ctx.today.year + 2):
        calendar_seed_year(year=year)
        if not official_schedule_known(year):
            ctx.say(f"WARNING: {unknown_schedule_warning(year)}")
    ctx.say(f"company with {len(units)} units and {len(users)} people")
