"""Defaults an administrator edits afterwards (policy as data):
- the performance policy: sales counted when invoiced, bad debt after 180 days overdue;
- the scorecard (考核表): achievement 40 %, growth 15 %, collections discipline (DSO 15 %,
  overdue share 15 %), customer satisfaction 15 %;
- expense types of a sales department (差旅费, 业务招待费, 促销费, 运输费, 样品费, 其他);
- commission rates: on invoiced sales, tiered by achievement (1 % below 80 %, 2 % to 100 %,
  3 % above), and 0.5 % on money collected;
- approval rules of the new document types (the sales plan's rule is seeded by approvals):
  expense claims (over budget: supervisor, manager, director; else the supervisor), the
  customer profit plan (the supervisor), the commission run (sales director, then GM);
- the SOP rules of the profit plan (by the 20th) and the business review (first three
  working days) switched on: their events now come from the real records.
"""

from django.db import migrations

WEIGHTS = [
    ("achievement", "40", "100", "120", 10),
    ("growth_yoy", "15", "10", "150", 20),
    ("dso", "15", "45", "120", 30),
    ("overdue_share", "15", "5", "120", 40),
    ("satisfaction", "15", "5", "100", 50),
]
EXPENSE_TYPES = [
    ("travel", "Travel", "差旅费"),
    ("entertainment", "Customer entertainment", "业务招待费"),
    ("promotion", "Promotion", "促销费"),
    ("transport", "Transport", "运输费"),
    ("samples", "Samples", "样品费"),
    ("other", "Other", "其他费用"),
]
COMMISSION_RULES = [
    ("销售提成（达成率<80%） Sales commission, below 80 %", "sales", "1.00", "0", "80"),
    ("销售提成（80%–100%） Sales commission, 80–100 %", "sales", "2.00", "80", "100"),
    ("销售提成（≥100%） Sales commission, 100 % and above", "sales", "3.00", "100", None),
    ("回款提成 Collection commission", "collections", "0.50", "0", None),
]
SUP, DEPT, DIR, GM = "supervisor", "department_manager", "sales_director", "general_manager"
APPROVAL_RULES = [
    ("expense_claim", 10, "超预算费用报销：主管、经理、总监 Over-budget claim: supervisor, manager, director",
     [{"field": "over_budget", "operator": "=", "value": "true"}], [SUP, DEPT, DIR]),
    ("expense_claim", 20, "费用报销：直接上级 Expense claim: direct supervisor", [], [SUP]),
    ("customer_profit_plan", 10, "客户利润计划：直接上级 Customer profit plan: direct supervisor", [], [SUP]),
    ("commission_run", 10, "月度提成：销售总监、总经理 Monthly commission: sales director, GM", [], [DIR, GM]),
]
SOP_RULES = ["customer-plan-20th", "business-review-3wd"]


def seed(apps, schema_editor):
    apps.get_model("targets", "PerformancePolicy").objects.get_or_create(pk=1, defaults={"measure": "invoices", "bad_debt_days": 180})
    Weight = apps.get_model("targets", "ScorecardWeight")
    for kpi, weight, target, cap, position in WEIGHTS:
        Weight.objects.get_or_create(kpi=kpi, defaults={"weight": weight, "target_value": target, "cap_percent": cap, "position": position})
    ExpenseType = apps.get_model("targets", "ExpenseType")
    for code, en, zh in EXPENSE_TYPES:
        ExpenseType.objects.get_or_create(code=code, defaults={"name_en": en, "name_zh": zh})
    Rule = apps.get_model("targets", "CommissionRule")
    if not Rule.objects.exists():
        for name, base, rate, low, high in COMMISSION_RULES:
            Rule.objects.create(name=name, base=base, rate=rate, min_achievement=low, max_achievement=high)
    ApprovalRule = apps.get_model("approvals", "ApprovalRule")
    ApprovalStep = apps.get_model("approvals", "ApprovalStep")
    for doc_type, position, name, conditions, chain in APPROVAL_RULES:
        if ApprovalRule.objects.filter(doc_type=doc_type, position=position).exists():
            continue
        rule = ApprovalRule.objects.create(
            doc_type=doc_type, position=position, name=name, conditions=conditions, deadline_hours=24, reminder_hours=4
        )
        for index, approver in enumerate(chain, start=1):
            ApprovalStep.objects.create(rule=rule, position=index, approver=approver)
    apps.get_model("sop", "SopRule").objects.filter(code__in=SOP_RULES).update(enabled=True, scheduled_until=None)


def unseed(apps, schema_editor):
    apps.get_model("sop", "SopRule").objects.filter(code__in=SOP_RULES).update(enabled=False)
    ApprovalRule = apps.get_model("approvals", "ApprovalRule")
    for doc_type, position, *_rest in APPROVAL_RULES:
        ApprovalRule.objects.filter(doc_type=doc_type, position=position).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("targets", "0001_performance_targets_commissions_expenses_reviews"),
        ("approvals", "0003_multi_level_escalation"),
        ("sop", "0002_seed_sop_calendar"),
    ]
    operations = [migrations.RunPython(seed, unseed)]
