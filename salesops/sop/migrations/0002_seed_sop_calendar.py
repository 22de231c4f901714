"""Seed the SOP calendar of PRODUCT.md section 10 (制度时限).

Only the daily report is switched on: its event source (the daily report) exists. The other
rules wait for their areas, which switch them on when they start reporting the events.
"""

from django.db import migrations

REP, SUPERVISOR, MANAGER = "sales_rep", "sales_supervisor", "sales_manager"
DIRECTOR, GM, FINANCE, PLANNER = "sales_director", "general_manager", "finance", "planner"

# code, English, Chinese, event type, roles, schedule, reminder minutes, escalate to, enabled, description
RULES = [
    (
        "calls-same-day",
        "Calls and visits entered the same day",
        "拜访/来电当天录入",
        "call_registered",
        [],
        "same-day",
        120,
        "manager",
        False,
        "Started when a visit or call takes place; the record must be entered the same day.",
    ),
    (
        "daily-report",
        "Daily sales report by 17:30",
        "每日17:30前提交销售日报",
        "daily_report_submitted",
        [REP],
        "daily 17:30",
        30,
        "manager",
        True,
        "Every working day each rep submits the daily report (visits, calls, orders, collections, feedback).",
    ),
    (
        "approval-24h",
        "Approval answered within 24 working hours",
        "审批24小时内答复",
        "approval_answered",
        [],
        "after 24 working-hours",
        240,
        "manager",
        False,
        "Informational: the approval engine runs its own reminders and escalations for approval requests.",
    ),
    (
        "delivery-24h",
        "Order delivered within 24 hours",
        "订单24小时内发货",
        "order_delivered",
        [],
        "after 24h",
        240,
        "manager",
        False,
        "Started when an order is confirmed; delivered within 24 hours.",
    ),
    (
        "customer-plan-20th",
        "Monthly customer profit plan by the 20th",
        "每月20日前提交客户利润计划",
        "customer_plan_submitted",
        [REP],
        "monthly day 20",
        2880,
        "manager",
        False,
        "Next month's plan per customer; moved to the previous working day when the 20th is not one.",
    ),
    (
        "production-plan-29th",
        "Production plan issued by the 29th",
        "每月29日前下达生产计划",
        "production_plan_issued",
        [PLANNER],
        "monthly day 29",
        2880,
        GM,
        False,
        "Next month's production plan.",
    ),
    (
        "business-review-3wd",
        "Business review within the first 3 working days",
        "每月前3个工作日内召开经营分析会",
        "business_review_held",
        [MANAGER],
        "monthly workday 3",
        1440,
        "manager",
        False,
        "Review of last month's results by each sales manager.",
    ),
    (
        "forecast-month-end",
        "Month-end forecast (M+3) submitted",
        "月末提交M+3滚动预测",
        "forecast_submitted",
        [MANAGER],
        "month-end",
        2880,
        "manager",
        False,
        "Rolling forecast for the next three months.",
    ),
    (
        "sop-meeting-month-end",
        "S&OP meeting held at month-end",
        "月末召开产销协调(S&OP)会议",
        "sop_meeting_held",
        [DIRECTOR],
        "month-end",
        2880,
        GM,
        False,
        "Sales and operations planning meeting.",
    ),
    (
        "credit-review-quarterly",
        "Quarterly credit review",
        "每季度信用评审",
        "credit_review_done",
        [FINANCE],
        "quarterly",
        10080,
        GM,
        False,
        "Credit limits and terms of every credit customer reviewed.",
    ),
    (
        "overdue-30",
        "Overdue 30 days followed up",
        "逾期30天跟进催收",
        "overdue_followed_up",
        [],
        "after 30 days",
        1440,
        "manager",
        False,
        "Started when an invoice falls due; collection followed up by the owner rep within 30 days.",
    ),
    (
        "overdue-60",
        "Overdue 60 days escalated",
        "逾期60天上报处理",
        "overdue_escalated",
        [],
        "after 60 days",
        1440,
        DIRECTOR,
        False,
        "Started when an invoice falls due; at 60 days overdue the case goes to the sales director.",
    ),
    (
        "complaint-24h",
        "Complaint answered within 24 hours",
        "客户投诉24小时内答复",
        "complaint_answered",
        [],
        "after 24h",
        240,
        "manager",
        False,
        "Started when a complaint is registered.",
    ),
]


def seed(apps, schema_editor):
    SopRule = apps.get_model("sop", "SopRule")
    for code, name_en, name_zh, event_type, roles, schedule, reminder, escalate, enabled, description in RULES:
        SopRule.objects.update_or_create(
            code=code,
            defaults={
                "name_en": name_en,
                "name_zh": name_zh,
                "event_type": event_type,
                "roles": roles,
                "schedule": schedule,
                "reminder_minutes": reminder,
                "escalate_to": escalate,
                "enabled": enabled,
                "description": description,
            },
        )


def unseed(apps, schema_editor):
    apps.get_model("sop", "SopRule").objects.filter(code__in=[rule[0] for rule in RULES], obligations=None).delete()


class Migration(migrations.Migration):
    dependencies = [("sop", "0001_rules_obligations_events_daily_reports")]

    operations = [migrations.RunPython(seed, unseed)]
