"""One integration test per seeded SOP rule (PRODUCT.md §10): the real document, made through
its own service, opens the obligation; the clock reminds before the deadline and escalates
after it; the document that meets the deadline closes it. No stubs: the areas' services call
`sop.hooks` themselves.

Times are relative to today (the services stamp some records with the real time), so each
flow starts in the past: the clock is run at the reminder and past the deadline, then the
meeting document comes now, late. Where a flow can also be met on time, that is checked too.
"""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from salesops.core.calendar import WorkCalendar
from salesops.core.models import Notification
from salesops.sop import hooks
from salesops.sop.clock import sop_clock_run
from salesops.sop.models import Obligation

OPEN, MET, MET_LATE, MISSED = (
    Obligation.Status.OPEN,
    Obligation.Status.MET,
    Obligation.Status.MET_LATE,
    Obligation.Status.MISSED,
)
MINUTE = datetime.timedelta(minutes=1)


@pytest.fixture
def clock(django_capture_on_commit_callbacks):
    def run(moment):
        with django_capture_on_commit_callbacks(execute=True):
            return sop_clock_run(now=moment)

    return run


def obligation(rule: str, **filters) -> Obligation:
    return Obligation.objects.select_related("rule", "person").get(rule__code=rule, **filters)


def remind_then_escalate(clock, found: Obligation, escalated_to) -> Obligation:
    """Open until the reminder: reminded once; past the deadline: missed, the person told and
    `escalated_to` told, once."""
    assert found.status == OPEN
    clock(found.remind_at + MINUTE)
    clock(found.remind_at + 2 * MINUTE)
    found.refresh_from_db()
    assert found.reminded_at == found.remind_at + MINUTE
    name = found.rule.name
    reminders = Notification.objects.filter(user=found.person, kind="sop.reminder", body__contains=name)
    assert reminders.count() == 1
    clock(found.due_at + MINUTE)
    clock(found.due_at + 2 * MINUTE)
    found.refresh_from_db()
    assert (found.status, found.escalated_at) == (MISSED, found.due_at + MINUTE)
    assert Notification.objects.filter(user=found.person, kind="sop.missed", body__contains=name).count() == 1
    escalations = Notification.objects.filter(user=escalated_to, kind="sop.escalation", body__contains=name)
    assert escalations.count() == 1
    return found


def closed_late(found: Obligation) -> Obligation:
    found.refresh_from_db()
    assert found.status == MET_LATE and found.met_at > found.due_at and found.event_id
    return found


def local_midnight(day: datetime.date) -> datetime.datetime:
    return hooks.start_of_day(day)


def last_month() -> datetime.date:
    return (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


# --- CRM ---------------------------------------------------------------------------------------
def test_calls_same_day(org, clock):
    from salesops.crm import services as crm
    from salesops.crm.tests.factories import make_customer

    customer = make_customer(org["rep1"])
    yesterday = timezone.localtime(timezone=WorkCalendar.load().tz) - datetime.timedelta(days=1)
    planned = crm.activity_log(
        actor=org["rep1"], customer=customer, kind="visit", subject="门店拜访", occurred_at=yesterday, done=False
    )
    found = obligation("calls-same-day", person=org["rep1"])
    assert found.open_at == yesterday
    assert found.due_at == datetime.datetime.combine(yesterday.date(), datetime.time(23, 59), yesterday.tzinfo)
    remind_then_escalate(clock, found, org["supervisor1"])
    crm.activity_complete(activity=planned, actor=org["rep1"], outcome="下单 20 袋")
    assert closed_late(found).url == f"/customers/{customer.pk}/"

    on_time = crm.activity_log(
        actor=org["rep1"], customer=customer, kind="call", subject="回访", occurred_at=timezone.now()
    )
    assert obligation("calls-same-day", reference=f"crm.activity:{on_time.pk}").status == MET
    crm.activity_log(actor=org["rep1"], customer=customer, kind="email", subject="报价", occurred_at=timezone.now())
    assert Obligation.objects.filter(rule__code="calls-same-day").count() == 2  # e-mails are not calls or visits


def test_complaint_answered_within_24_hours(org, clock):
    from salesops.crm import services as crm
    from salesops.crm.tests.factories import make_customer

    customer = make_customer(org["rep1"])
    received = timezone.now() - datetime.timedelta(days=3)
    complaint = crm.complaint_register(actor=org["rep1"], customer=customer, subject="包装破损", received_at=received)
    found = obligation("complaint-24h", reference=f"complaint:{complaint.pk}")
    assert (found.person, found.due_at) == (org["rep1"], received + datetime.timedelta(hours=24))
    assert complaint.answer_due == found.due_at  # the complaint's own deadline is the rule's
    remind_then_escalate(clock, found, org["supervisor1"])
    crm.complaint_answer(complaint=complaint, actor=org["rep2"], answer="已安排补货")  # a colleague answers
    closed_late(found)

    quick = crm.complaint_register(actor=org["rep1"], customer=customer, subject="送货慢")
    crm.complaint_resolve(complaint=quick, actor=org["rep1"], resolution="当天补送")  # resolved = answered
    assert obligation("complaint-24h", reference=f"complaint:{quick.pk}").status == MET


# --- daily report --------------------------------------------------------------------------------
def test_daily_report_by_17_30(org, clock):
    from salesops.sop.services import daily_report_submit

    calendar = WorkCalendar.load()
    day = calendar.add_working_days(timezone.localdate(), -3)
    clock(local_midnight(day) + 5 * MINUTE)
    found = obligation("daily-report", person=org["rep1"], period_key=day.isoformat())
    assert found.due_at == datetime.datetime.combine(day, datetime.time(17, 30), calendar.tz)
    daily_report_submit(
        rep=org["rep2"], date=day, actor=org["rep2"], submitted_at=found.due_at - 30 * MINUTE, visits="三家门店"
    )
    remind_then_escalate(clock, found, org["supervisor1"])
    report = daily_report_submit(rep=org["rep1"], date=day, actor=org["rep1"], visits="补交：拜访两家")
    assert closed_late(found).url == f"/sop/daily-reports/{report.pk}/"
    assert obligation("daily-report", person=org["rep2"], period_key=day.isoformat()).status == MET


# --- approvals -----------------------------------------------------------------------------------
def test_approval_answered_within_24_hours(org, clock):
    from salesops.approvals.models import ApprovalTask
    from salesops.approvals.services import approval_decide
    from salesops.approvals.tests.factories import submit_visit

    submitted = timezone.now() - datetime.timedelta(days=3)
    _visit, request = submit_visit(rep=org["rep1"], key_account=True, now=submitted)
    task = ApprovalTask.objects.get(request=request, status=ApprovalTask.Status.OPEN)
    found = obligation("approval-24h", person=task.assignee)
    assert (found.open_at, found.due_at) == (submitted, submitted + datetime.timedelta(hours=24))
    assert task.due_at == found.due_at and found.url == f"/approvals/tasks/{task.pk}/"
    remind_then_escalate(clock, found, task.assignee.manager)
    approval_decide(task=task, actor=task.assignee, decision="approve")
    closed_late(found)


def test_an_escalated_approval_is_the_next_holders_obligation_and_withdrawal_cancels(org, clock):
    from salesops.approvals.models import ApprovalTask
    from salesops.approvals.services import approval_deadlines_run, approval_withdraw
    from salesops.approvals.tests.factories import submit_visit

    submitted = timezone.now() - datetime.timedelta(hours=30)
    _visit, request = submit_visit(rep=org["rep1"], key_account=True, now=submitted)
    first = ApprovalTask.objects.get(request=request, status=ApprovalTask.Status.OPEN).assignee
    approval_deadlines_run(now=submitted + datetime.timedelta(hours=25))
    task = ApprovalTask.objects.get(request=request, status=ApprovalTask.Status.OPEN)
    assert task.assignee != first
    handed = obligation("approval-24h", person=task.assignee)
    assert handed.due_at == submitted + datetime.timedelta(hours=49) and handed.status == OPEN
    approval_withdraw(request=request, actor=org["rep1"])
    handed.refresh_from_db()
    assert handed.status == Obligation.Status.CANCELLED
    assert obligation("approval-24h", person=first).status == OPEN  # past due: the clock marks it missed
    clock(timezone.now())
    assert obligation("approval-24h", person=first).status == MISSED


# --- order to cash -----------------------------------------------------------------------------------
@pytest.fixture
def shop(org):
    from salesops.sales.tests.factories import make_customer, make_product, make_warehouse

    warehouse = make_warehouse()
    return {
        "warehouse": warehouse,
        "product": make_product(price="10.00", stock="1000", warehouse=warehouse),
        "customer": make_customer(owner=org["rep1"], limit="100000.00"),
    }


def confirmed_order(org, shop, at=None):
    from salesops.sales import services as sales

    order = sales.order_create(
        actor=org["rep1"],
        customer=shop["customer"],
        payment="credit",
        lines=[{"product": shop["product"].pk, "quantity": "5"}],
        warehouse=shop["warehouse"],
    )
    return sales.order_submit(order=order, actor=org["rep1"], at=at)


def test_order_received_by_the_customer_within_24_hours(org, shop, clock):
    from salesops.sales import services as sales

    confirmed = timezone.now() - datetime.timedelta(days=3)
    order = confirmed_order(org, shop, at=confirmed)
    found = obligation("delivery-24h", reference=f"order:{order.number}")
    assert found.due_at == order.delivery_due_at == confirmed + datetime.timedelta(hours=24)
    remind_then_escalate(clock, found, org["supervisor1"])
    delivery = sales.delivery_issue(order=order, actor=org["warehouse"], at=confirmed + datetime.timedelta(hours=2))
    found.refresh_from_db()
    assert found.status == MISSED  # goods out of the warehouse are not goods at the customer
    sales.delivery_confirm(delivery=delivery, actor=org["warehouse"], received_by="王店长")
    closed_late(found)

    quick = confirmed_order(org, shop)
    issued = sales.delivery_issue(order=quick, actor=org["warehouse"])
    sales.delivery_confirm(delivery=issued, actor=org["warehouse"], received_by="王店长")
    assert obligation("delivery-24h", reference=f"order:{quick.number}").status == MET


def invoiced_order(org, shop, *, issue_date):
    from salesops.sales import services as sales

    order = confirmed_order(org, shop)
    delivery = sales.delivery_issue(order=order, actor=org["warehouse"])
    return sales.invoice_create(deliveries=[delivery], actor=org["finance"], issue_date=issue_date)


@pytest.mark.parametrize("rule, level, days_past_due", [("overdue-30", 30, 40), ("overdue-60", 60, 70)])
def test_overdue_invoice_collected_within_30_and_60_days(org, shop, clock, rule, level, days_past_due):
    from salesops.credit.escalations import escalations_run
    from salesops.credit.models import CollectionEscalation
    from salesops.credit.receipts import receipt_record

    today = timezone.localdate()
    invoice = invoiced_order(org, shop, issue_date=today - datetime.timedelta(days=30 + days_past_due))
    assert invoice.due_date == today - datetime.timedelta(days=days_past_due)
    found = obligation(rule, reference=f"invoice:{invoice.number}")
    assert (found.person, found.open_at) == (org["rep1"], local_midnight(invoice.due_date))
    assert found.due_at == local_midnight(invoice.due_date + datetime.timedelta(days=level))
    remind_then_escalate(clock, found, org["manager"] if level == 30 else org["gm"])
    escalations_run()  # the credit file goes to the same people on the same day
    assert list(CollectionEscalation.objects.values_list("level", flat=True).order_by("level")) == (
        [30] if level == 30 else [30, 60]
    )
    receipt_record(actor=org["finance"], customer=shop["customer"], amount=invoice.total, received_on=today)
    closed_late(found)
    if level == 30:
        assert obligation("overdue-60", reference=f"invoice:{invoice.number}").status == MET


def test_a_receipt_dated_before_the_deadline_but_keyed_in_later_meets_it_on_time(org, shop, clock):
    from salesops.credit.receipts import receipt_record

    today = timezone.localdate()
    invoice = invoiced_order(org, shop, issue_date=today - datetime.timedelta(days=65))
    found = obligation("overdue-30", reference=f"invoice:{invoice.number}")
    clock(found.due_at + MINUTE)
    received = invoice.due_date + datetime.timedelta(days=29)
    receipt_record(actor=org["finance"], customer=shop["customer"], amount=invoice.total, received_on=received)
    found.refresh_from_db()
    assert found.status == MET and found.escalated_at is not None  # the escalation stays on record


def test_credit_file_reviewed_every_3_months(org, clock):
    from salesops.credit import services as credit
    from salesops.credit.tests.factories import make_customer

    customer = make_customer(org)
    credit_file = credit.credit_file_open(customer=customer, actor=org["finance"])
    opened = obligation("credit-review-quarterly", reference=f"credit-file:{credit_file.pk}:{credit_file.review_due}")
    assert opened.person == org["finance"] and credit_file.review_due > timezone.localdate()
    four_months_ago = timezone.localdate() - datetime.timedelta(days=122)
    review = {"business_situation": "稳定", "financial_situation": "良好", "grade": "B"}
    credit.credit_review_create(credit_file=credit_file, actor=org["finance"], review_date=four_months_ago, **review)
    assert Obligation.objects.get(pk=opened.pk).status == MET
    credit_file.refresh_from_db()
    found = obligation("credit-review-quarterly", reference=f"credit-file:{credit_file.pk}:{credit_file.review_due}")
    assert found.due_at == local_midnight(credit_file.review_due + datetime.timedelta(days=1))
    remind_then_escalate(clock, found, org["gm"])
    credit.credit_review_create(credit_file=credit_file, actor=org["finance"], **review)
    assert closed_late(found).url == f"/credit/{credit_file.pk}/"


# --- planning ------------------------------------------------------------------------------------------
@pytest.fixture
def plant(org):
    from salesops.planning.tests import factories as f

    family = f.make_family(org["admin"])
    return {"product": f.make_product(org["admin"], "STEADY", family=family), "family": family}


def test_production_plan_issued_by_the_29th(org, plant, clock):
    from salesops.planning import services as planning
    from salesops.planning.periods import month_start

    month = last_month()
    clock(local_midnight(month) + MINUTE)
    found = obligation("production-plan-29th", person=org["planner"], period_key=f"{month:%Y-%m}")
    assert found.due_at == hooks.period_due("production-plan-29th", month)
    assert found.due_at.astimezone(found.open_at.tzinfo).day <= 29
    remind_then_escalate(clock, found, org["gm"])
    schedule = planning.mps_generate(actor=org["planner"], weeks=6)
    plan = planning.production_plan_create(
        month=month_start(timezone.localdate()), actor=org["planner"], schedule=schedule
    )
    planning.production_plan_issue(plan=plan, actor=org["planner"])  # this month's plan was due last month
    assert closed_late(found).url == f"/planning/production-plans/{plan.pk}/"


def test_forecast_submitted_at_month_end(org, plant, clock):
    from salesops.planning import services as planning
    from salesops.planning.periods import month_start

    month = last_month()
    clock(local_midnight(month) + MINUTE)
    found = obligation("forecast-month-end", person=org["salesadmin"], period_key=f"{month:%Y-%m}")
    remind_then_escalate(clock, found, org["salesadmin"].manager)
    run = planning.forecast_run_create(
        actor=org["planner"],
        first_period=month_start(timezone.localdate()),
        product_ids=[plant["product"].pk],
        enqueue=False,
    )
    run = planning.forecast_run_execute(run=run, n_jobs=1)
    planning.forecast_submit(run=run, actor=org["salesadmin"])  # the M+3 of last month, submitted now
    closed_late(found)


def test_sop_meeting_held_at_month_end(org, plant, clock):
    from salesops.planning import services as planning

    month = last_month()
    clock(local_midnight(month) + MINUTE)
    found = obligation("sop-meeting-month-end", person=org["director"], period_key=f"{month:%Y-%m}")
    remind_then_escalate(clock, found, org["gm"])
    pack = planning.sop_pack_prepare(month=month, actor=org["director"])
    planning.sop_pack_close(pack=pack, actor=org["director"])
    assert closed_late(found).url == f"/planning/sop/{pack.pk}/"


# --- targets ---------------------------------------------------------------------------------------
def test_customer_profit_plan_by_the_20th(org, clock):
    from salesops.crm.tests.factories import make_customer
    from salesops.planning.periods import add_months
    from salesops.targets import profit

    month = last_month()
    clock(local_midnight(month) + MINUTE)
    found = obligation("customer-plan-20th", person=org["rep1"], period_key=f"{month:%Y-%m}")
    assert found.due_at == hooks.period_due("customer-plan-20th", month)
    assert found.due_at.astimezone(found.open_at.tzinfo).day <= 20
    remind_then_escalate(clock, found, org["supervisor1"])
    customer = make_customer(org["rep1"])
    plan = profit.profit_plan_save(
        rep=org["rep1"],
        month=add_months(month, 1),
        lines=[{"customer": customer.pk, "volume": "100"}],
        actor=org["rep1"],
    )
    profit.profit_plan_submit(plan=plan, actor=org["rep1"])  # this month's plan was due by last month's 20th
    closed_late(found)


def test_business_review_within_the_first_3_working_days(org, clock):
    from salesops.planning.periods import add_months
    from salesops.targets import review as reviews

    month = last_month()  # its review is due within the first three working days of this month
    before = add_months(month, -1)
    clock(local_midnight(month) + MINUTE)
    found = obligation("business-review-3wd", person=org["manager"], period_key=f"{month:%Y-%m}")
    assert found.due_at == hooks.period_due("business-review-3wd", month)
    assert found.due_at.date() <= WorkCalendar.load().nth_working_day(month.year, month.month, 3)
    remind_then_escalate(clock, found, org["manager"].manager)
    review = reviews.review_prepare(month=before, unit=org.units["EAST"], actor=org["manager"])
    reviews.review_hold(review=review, actor=org["manager"], summary="回款偏慢，下月重点催收")
    closed_late(found)


def test_every_rule_of_the_sop_calendar_has_its_test_here():
    import importlib
    import inspect
    import sys

    seeded = importlib.import_module("salesops.sop.migrations.0002_seed_sop_calendar").RULES
    source = inspect.getsource(sys.modules[__name__])
    assert len(seeded) == 13
    for code, *_rest in seeded:
        assert f'"{code}"' in source, code


pytestmark = pytest.mark.django_db
