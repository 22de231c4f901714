"""Policy as data: the default pipeline stages, lead-pool rules and CRM policy row."""

from django.db import migrations

STAGES = [
    ("lead", "Lead", "线索", 10, "open"),
    ("needs", "Needs analysis", "需求分析", 20, "open"),
    ("proposal", "Proposal / quote", "方案报价", 40, "open"),
    ("negotiation", "Negotiation", "商务谈判", 60, "open"),
    ("contract", "Contract", "合同签订", 80, "open"),
    ("won", "Won", "赢单", 100, "won"),
    ("lost", "Lost", "输单", 0, "lost"),
]
POOL_RULES = {"": 30, "C": 30, "B": 60, "A": 90}


def seed(apps, schema_editor):
    Stage = apps.get_model("crm", "Stage")
    PoolRule = apps.get_model("crm", "PoolRule")
    CrmPolicy = apps.get_model("crm", "CrmPolicy")
    for order, (code, name, name_zh, probability, outcome) in enumerate(STAGES, start=1):
        Stage.objects.get_or_create(
            code=code,
            defaults={"name": name, "name_zh": name_zh, "order": order * 10, "probability": probability, "outcome": outcome},
        )
    for grade, days in POOL_RULES.items():
        PoolRule.objects.get_or_create(grade=grade, defaults={"return_after_days": days})
    if not CrmPolicy.objects.exists():
        CrmPolicy.objects.create()


class Migration(migrations.Migration):
    dependencies = [("crm", "0002_leads_ownership_pipeline_complaints")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
