"""The seeded commission and approval rules were named in two languages in one field. They are
the company's own data: they keep the Chinese name the company uses (people rename them at will)."""

import re

from django.db import migrations

SEEDED = [
    ("targets", "CommissionRule", "销售提成（达成率<80%） Sales commission, below 80 %"),
    ("targets", "CommissionRule", "销售提成（80%–100%） Sales commission, 80–100 %"),
    ("targets", "CommissionRule", "销售提成（≥100%） Sales commission, 100 % and above"),
    ("targets", "CommissionRule", "回款提成 Collection commission"),
    ("approvals", "ApprovalRule", "超预算费用报销：主管、经理、总监 Over-budget claim: supervisor, manager, director"),
    ("approvals", "ApprovalRule", "费用报销：直接上级 Expense claim: direct supervisor"),
    ("approvals", "ApprovalRule", "客户利润计划：直接上级 Customer profit plan: direct supervisor"),
    ("approvals", "ApprovalRule", "月度提成：销售总监、总经理 Monthly commission: sales director, GM"),
]


def chinese_part(name: str) -> str:
    return re.split(r"\s+(?=[A-Z])", name, maxsplit=1)[0]


def rename(apps, schema_editor):
    for app, model, name in SEEDED:
        apps.get_model(app, model).objects.filter(name=name).update(name=chinese_part(name))


def restore(apps, schema_editor):
    for app, model, name in SEEDED:
        apps.get_model(app, model).objects.filter(name=chinese_part(name)).update(name=name)


class Migration(migrations.Migration):
    dependencies = [("targets", "0002_seed_policy_weights_rules_deadlines")]

    operations = [migrations.RunPython(rename, restore)]
