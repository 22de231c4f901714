"""Seed the policy of unit sales: the approval rules of refunds and changes (退认购/退房/换房,
the sales manager then finance) and of list price changes (调价), the SOP rule that makes each
instalment's due date a deadline, and the papers the purchase file must hold (from the manual's
lists of what an archive bag contains). Administrators edit them afterwards."""

from django.db import migrations

DEPT, FIN = "department_manager", "finance"

# doc_type, position, name, conditions, chain
RULES = [
    ("unit_change", 10, "退认购/退房/换房：销售经理、财务 Unit refund or change: sales manager, finance", [], [DEPT, FIN]),
    ("unit_price_change", 10, "房源调价：销售经理、财务 Unit price change: sales manager, finance", [], [DEPT, FIN]),
]

SOP_RULE = {
    "code": "unit-instalment-due",
    "name_en": "Unit payment received by its due date",
    "name_zh": "房款按期到账",
    "description": "Started when a purchase contract is signed, one per line of its payment schedule; met by the "
    "money allocated to the line. The consultant who sold the unit is reminded three days before.",
    "event_type": "unit_instalment_paid",
    "roles": [],
    "schedule": "same-day",
    "reminder_minutes": 3 * 24 * 60,
    "escalate_to": "manager",
    "enabled": True,
}

# code, English, Chinese, stage, position
DOCUMENTS = [
    ("buyer-id", "Copy of the buyer's ID (2 copies)", "客户身份证件复印件（2份）", "reservation", 10),
    ("reservation-form", "Reservation details form (original)", "《认购基础信息表》原件", "reservation", 20),
    ("routing-slip", "Routing slip (on the file's cover)", "《流转单》（贴于档案袋封面）", "reservation", 30),
    ("reservation-agreement", "Reservation agreement (original)", "《认购书》原件", "reservation", 40),
    ("deposit-receipt", "Copy of the deposit receipt", "认购定金收据复印件", "reservation", 50),
    ("signing-approval", "Signing approval form (original)", "《签约审批单》原件", "contract", 10),
    ("payment-plan", "Payment method details (original and 2 copies)", "《付款方式明细表》原件及复印件", "contract", 20),
    ("draft-contract", "Draft contract", "《草签合同》", "contract", 30),
    ("contract-originals", "Contract originals (4 copies)", "《正本合同》原件4本", "contract", 40),
    ("down-payment-invoice", "Copy of the down payment invoice", "首付款发票复印件", "contract", 50),
    ("loan-documents", "Loan application documents", "按揭贷款资料", "mortgage", 10),
]


def seed(apps, schema_editor):
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
    SopRule = apps.get_model("sop", "SopRule")
    if not SopRule.objects.filter(code=SOP_RULE["code"]).exists():
        SopRule.objects.create(**SOP_RULE)
    RequiredDocument = apps.get_model("units", "RequiredDocument")
    for code, name_en, name_zh, stage, position in DOCUMENTS:
        RequiredDocument.objects.get_or_create(
            code=code, defaults={"name_en": name_en, "name_zh": name_zh, "stage": stage, "position": position}
        )


def unseed(apps, schema_editor):
    ApprovalRule = apps.get_model("approvals", "ApprovalRule")
    for doc_type, position, _name, _conditions, _chain in RULES:
        ApprovalRule.objects.filter(doc_type=doc_type, position=position).delete()
    apps.get_model("sop", "SopRule").objects.filter(code=SOP_RULE["code"], obligations__isnull=True).delete()
    apps.get_model("units", "RequiredDocument").objects.filter(code__in=[row[0] for row in DOCUMENTS]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("units", "0001_unit_sales_and_bookings"),
        ("approvals", "0003_multi_level_escalation"),
        ("sop", "0002_seed_sop_calendar"),
    ]
    operations = [migrations.RunPython(seed, unseed)]
