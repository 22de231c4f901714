"""The SOP calendar wired to the documents that start and meet each deadline.

"24 hours" is calendar hours (二十四小时内), so approvals and complaints count clock hours;
the credit review follows each credit file (3 months after its last review); collection is met
by the invoice being paid, past 30 days the department manager and past 60 days the general
manager are told; the forecast is the sales admin's. Every rule is on (the monthly customer
profit plan and the business review are switched on by the targets area, which owns them).
"""

from django.db import migrations

ON = {
    "calls-same-day": {
        "description": "Started when a call, visit or meeting takes place; met when it is entered "
        "as done in the CRM, by the end of that day.",
    },
    "approval-24h": {
        "name_en": "Approval answered within 24 hours",
        "schedule": "after 24h",
        "description": "Started when an approval step reaches its approver; met by their decision. "
        "The approval chains count their hours the way this rule does.",
    },
    "delivery-24h": {
        "name_en": "Order received by the customer within 24 hours",
        "name_zh": "订单24小时内送达客户",
        "description": "Started when an order is confirmed; met when the customer's signed receipt of "
        "its last delivery comes back.",
    },
    "production-plan-29th": {"description": "Next month's production plan, met when it is issued."},
    "forecast-month-end": {
        "roles": ["sales_admin"],
        "description": "Rolling forecast for the next three months, submitted by the sales admin.",
    },
    "sop-meeting-month-end": {"description": "Met when the month's S&OP pack is closed with its decisions."},
    "credit-review-quarterly": {
        "name_en": "Credit file reviewed every 3 months",
        "name_zh": "信用档案每3个月评审",
        "schedule": "after 3 months",
        "roles": [],
        "description": "Started when a credit file is opened or reviewed; met by its next credit review.",
    },
    "overdue-30": {
        "name_en": "Overdue invoice collected within 30 days",
        "name_zh": "逾期30天内收回欠款",
        "event_type": "invoice_settled",
        "escalate_to": "sales_manager",
        "description": "Started when an invoice falls due; met when it is paid in full. Past 30 days "
        "the department manager is told, with the credit file.",
    },
    "overdue-60": {
        "name_en": "Overdue invoice collected within 60 days",
        "name_zh": "逾期60天内收回欠款",
        "event_type": "invoice_settled",
        "escalate_to": "general_manager",
        "description": "Started when an invoice falls due; met when it is paid in full. Past 60 days "
        "the general manager is told.",
    },
    "complaint-24h": {
        "schedule": "after 24h",
        "description": "Started when a complaint is registered; met when the answer to the customer "
        "is recorded.",
    },
}
DESCRIBED = {
    "customer-plan-20th": "Next month's plan per customer, met by the first submission of the rep's "
    "monthly customer profit plan; moved to the previous working day when the 20th is not one.",
    "business-review-3wd": "Review of last month's results, met when the business review of the "
    "manager's unit is held.",
}


def seed(apps, schema_editor):
    SopRule = apps.get_model("sop", "SopRule")
    for code, fields in ON.items():
        SopRule.objects.filter(code=code).update(enabled=True, scheduled_until=None, **fields)
    for code, description in DESCRIBED.items():
        SopRule.objects.filter(code=code).update(description=description)


class Migration(migrations.Migration):
    dependencies = [("sop", "0003_obligation_documents_and_cancelled")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
