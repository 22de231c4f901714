"""Default discount allowances per role (policy as data, edited by administrators) and the
approval rules for the sales documents that the default set does not name yet."""

from django.db import migrations

ALLOWANCES = [
    ("sales_rep", "5.00"),
    ("sales_supervisor", "10.00"),
    ("sales_manager", "15.00"),
    ("sales_director", "25.00"),
    ("general_manager", "40.00"),
]
SUP, DEPT, DIR = "supervisor", "department_manager", "sales_director"
RULES = [
    ("special_discount_order", 10, "订单特殊折扣≥15%：经理、总监 Order discount ≥ 15%: manager, director",
     [{"field": "discount_pct", "operator": ">=", "value": "15"}], [SUP, DEPT, DIR]),
    ("special_discount_order", 20, "订单特殊折扣：主管、经理 Order special discount: supervisor, manager", [], [SUP, DEPT]),
    ("contract_change", 10, "合同变更：主管、销售总监 Contract change: supervisor, sales director", [], [SUP, DIR]),
]


def seed(apps, schema_editor):
    DiscountPolicy = apps.get_model("sales", "DiscountPolicy")
    for role, percent in ALLOWANCES:
        DiscountPolicy.objects.get_or_create(role=role, defaults={"max_discount_percent": percent})
    ApprovalRule = apps.get_model("approvals", "ApprovalRule")
    ApprovalStep = apps.get_model("approvals", "ApprovalStep")
    for doc_type, position, name, conditions, chain in RULES:
        if ApprovalRule.objects.filter(doc_type=doc_type, position=position).exists():
            continue
        rule = ApprovalRule.objects.create(
            doc_type=doc_type, position=position, name=name, conditions=conditions, deadline_hours=24, reminder_hours=4
        )
        for index, approver in enumerate(chain, start=1):
            ApprovalStep.objects.create(rule=rule, position=index, approver=approver)


def unseed(apps, schema_editor):
    apps.get_model("sales", "DiscountPolicy").objects.all().delete()
    ApprovalRule = apps.get_model("approvals", "ApprovalRule")
    for doc_type, position, *_rest in RULES:
        ApprovalRule.objects.filter(doc_type=doc_type, position=position).delete()


class Migration(migrations.Migration):
    dependencies = [("sales", "0002_documents_deliveries_returns"), ("approvals", "0002_seed_default_rules")]
    operations = [migrations.RunPython(seed, unseed)]
