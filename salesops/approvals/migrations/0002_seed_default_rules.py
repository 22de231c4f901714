"""Default approval rules from the manuals (PRODUCT.md §3). Rules of document types whose area
does not register them yet stay dormant until it does. Administrators edit them afterwards."""

from django.db import migrations

SUP, DEPT, DIR, GM, FIN = "supervisor", "department_manager", "sales_director", "general_manager", "finance"

# doc_type, position, name, conditions, chain
DEFAULT_RULES = [
    ("visit_request", 10, "重点客户拜访：销售总监审批 Key-account visit: sales director",
     [{"field": "key_account", "operator": "=", "value": True}], [DIR]),
    ("visit_request", 20, "客户拜访：直接上级审批 Visit: direct supervisor", [], [SUP]),
    ("sales_plan", 10, "月度销售计划：销售总监审批 Monthly sales plan: sales director", [], [DIR]),
    ("contract", 10, "大额合同：销售总监审批 Large contract: sales director",
     [{"field": "amount", "operator": ">=", "value": "500000"}], [SUP, DIR]),
    ("contract", 20, "普通合同：直接上级审批 Ordinary contract: direct manager", [], [SUP]),
    ("contract_major_terms", 10, "重大条款/风险合同：销售总监及以上 Major terms or risk: sales director and above",
     [], [SUP, DIR, GM]),
    ("special_discount", 10, "特殊折扣≥15%：经理、总监 Discount ≥ 15%: manager, director",
     [{"field": "discount_pct", "operator": ">=", "value": "15"}], [SUP, DEPT, DIR]),
    ("special_discount", 20, "特殊折扣：主管、经理 Special discount: supervisor, manager", [], [SUP, DEPT]),
    ("overlimit_shipment", 10, "超额度发货：销售副总审批 Over-limit shipment: sales VP", [], [DIR]),
    ("credit_limit", 10, "信用额度：财务审核、总经理审批 Credit limit: finance, general manager", [], [FIN, GM]),
    ("price_change", 10, "变价单：经理审批 Price change: manager", [], [DEPT, FIN]),
    ("stocktake_variance", 10, "大额盘点差异 Large stocktake variance",
     [{"field": "variance_amount", "operator": ">=", "value": "10000"}], [SUP, FIN, GM]),
    ("stocktake_variance", 20, "盘点差异 Stocktake variance", [], [SUP, FIN]),
    ("refund", 10, "退货退款 Refund or cancellation", [], [SUP, DEPT, FIN]),
    ("new_outlet", 10, "新网点 New outlet", [], [SUP]),
    ("new_product", 10, "新品建档：采购经理审批 New product: purchasing manager", [], [SUP]),
    ("production_plan_change", 10, "生产计划变更：销售副总签字 Production plan change: sales VP", [], [DIR]),
]


def seed(apps, schema_editor):
    ApprovalRule = apps.get_model("approvals", "ApprovalRule")
    ApprovalStep = apps.get_model("approvals", "ApprovalStep")
    for doc_type, position, name, conditions, chain in DEFAULT_RULES:
        if ApprovalRule.objects.filter(doc_type=doc_type, position=position).exists():
            continue
        rule = ApprovalRule.objects.create(
            doc_type=doc_type, position=position, name=name, conditions=conditions, deadline_hours=24, reminder_hours=4
        )
        for index, approver in enumerate(chain, start=1):
            ApprovalStep.objects.create(rule=rule, position=index, approver=approver)


def unseed(apps, schema_editor):
    ApprovalRule = apps.get_model("approvals", "ApprovalRule")
    for doc_type, position, _name, _conditions, _chain in DEFAULT_RULES:
        ApprovalRule.objects.filter(doc_type=doc_type, position=position).delete()


class Migration(migrations.Migration):
    dependencies = [("approvals", "0001_approval_engine")]
    operations = [migrations.RunPython(seed, unseed)]
