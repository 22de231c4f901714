import datetime
import zoneinfo
from decimal import Decimal

import pytest
from django.utils import timezone
from icalendar import Calendar

from salesops.core.exceptions import InvalidTransition
from salesops.crm import services
from salesops.crm.exceptions import LossReasonRequired
from salesops.crm.grading import fallback_abc, grading_run, register_grading_measure
from salesops.crm.ical import activities_ics
from salesops.crm.models import Complaint, Customer, CustomerGrade, GradingRun, Stage, StageChange
from salesops.crm.selectors import agenda_for_user, pipeline_summary
from salesops.crm.tests.factories import make_customer

SH = zoneinfo.ZoneInfo("Asia/Shanghai")


def _stage(code):
    return Stage.objects.get(code=code)


def test_default_stages_are_data(db):
    assert list(Stage.objects.values_list("code", "probability")) == [
        ("lead", 10),
        ("needs", 20),
        ("proposal", 40),
        ("negotiation", 60),
        ("contract", 80),
        ("won", 100),
        ("lost", 0),
    ]


def test_stage_changes_recorded_and_loss_reason_required(org):
    customer = make_customer(org["rep1"])
    opp = services.opportunity_create(
        actor=org["rep1"],
        customer=customer,
        name="年度面粉",
        amount=Decimal("10000"),
        expected_close=datetime.date(2026, 12, 31),
    )
    services.opportunity_move(opportunity=opp, stage=_stage("proposal"), actor=org["rep1"])
    with pytest.raises(LossReasonRequired):
        services.opportunity_move(opportunity=opp, stage=_stage("lost"), actor=org["rep1"])
    opp.refresh_from_db()
    assert opp.stage.code == "proposal" and opp.closed_at is None
    services.opportunity_move(opportunity=opp, stage=_stage("lost"), actor=org["rep1"], loss_reason="价格太高")
    opp.refresh_from_db()
    assert opp.loss_reason == "价格太高" and opp.closed_at is not None
    assert [
        (c.from_stage and c.from_stage.code, c.to_stage.code) for c in StageChange.objects.filter(opportunity=opp)
    ] == [(None, "lead"), ("lead", "proposal"), ("proposal", "lost")]
    with pytest.raises(InvalidTransition):
        services.opportunity_move(opportunity=opp, stage=_stage("won"), actor=org["rep1"])


def test_move_api_loss_reason(org, api):
    customer = make_customer(org["rep1"])
    opp = services.opportunity_create(
        actor=org["rep1"], customer=customer, name="x", amount=Decimal("100"), expected_close=datetime.date(2026, 12, 1)
    )
    response = api(org["rep1"]).post(f"/api/v1/opportunities/{opp.pk}/move/", {"stage": "lost"}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "loss_reason_required"
    assert "loss_reason" in response.json()["fields"]
    assert (
        api(org["rep3"]).post(f"/api/v1/opportunities/{opp.pk}/move/", {"stage": "won"}, format="json").status_code
        == 404
    )


def test_weighted_pipeline_by_rep_team_month(org):
    c1, c2 = make_customer(org["rep1"]), make_customer(org["rep2"])
    services.opportunity_create(
        actor=org["rep1"],
        customer=c1,
        name="a",
        amount=Decimal("1000"),
        expected_close=datetime.date(2026, 12, 5),
        stage=_stage("proposal"),
    )
    services.opportunity_create(
        actor=org["rep2"],
        customer=c2,
        name="b",
        amount=Decimal("2000"),
        expected_close=datetime.date(2027, 1, 5),
        stage=_stage("contract"),
    )
    by_team = pipeline_summary(user=org["supervisor1"], group_by="team")
    assert by_team == [{"key": "East-1", "count": 2, "amount": Decimal("3000.00"), "weighted": Decimal("2000.00")}]
    by_month = pipeline_summary(user=org["supervisor1"], group_by="month")
    assert [(r["key"], r["weighted"]) for r in by_month] == [
        ("2026-12", Decimal("400.00")),
        ("2027-01", Decimal("1600.00")),
    ]
    assert [(r["key"], r["weighted"]) for r in pipeline_summary(user=org["rep1"])] == [("Rep1", Decimal("400.00"))]
    assert pipeline_summary(user=org["rep3"]) == []


def test_abc_rule_hand_checked():
    rows = fallback_abc([("d", 5), ("b", 30), ("a", 50), ("c", 15)], cutoffs=(40, 80))
    assert [(r["entity"], r["class"]) for r in rows] == [("a", "A"), ("b", "B"), ("c", "C"), ("d", "C")]
    assert [r["cumulative_share"] for r in rows] == [50, 80, 95, 100]


def test_grading_from_measure_provider_kept_with_history(org):
    customers = [make_customer(org["rep1"]) for _ in range(5)]
    amounts = {
        customers[0].pk: Decimal(50),
        customers[1].pk: Decimal(30),
        customers[2].pk: Decimal(15),
        customers[3].pk: Decimal(5),
    }
    register_grading_measure("test_measure", lambda *, start, end: amounts)
    run = grading_run(measure="test_measure")
    grades = {g.customer_id: (g.grade, g.share) for g in CustomerGrade.objects.filter(run=run)}
    assert grades[customers[0].pk] == ("A", Decimal("50.0000"))
    assert (
        grades[customers[1].pk][0] == "B"
        and grades[customers[2].pk][0] == "C"
        and grades[customers[4].pk] == ("C", Decimal("0"))
    )
    assert Customer.objects.get(pk=customers[0].pk).grade == "A"
    amounts[customers[4].pk] = Decimal(1000)
    grading_run(measure="test_measure")
    assert Customer.objects.get(pk=customers[4].pk).grade == "A"
    assert Customer.objects.get(pk=customers[0].pk).grade == "C"  # 90.9% ranks above it
    assert GradingRun.objects.count() == 2 and CustomerGrade.objects.filter(customer=customers[0]).count() == 2


def test_grading_by_won_opportunities(org):
    customer = make_customer(org["rep1"])
    opp = services.opportunity_create(
        actor=org["rep1"], customer=customer, name="x", amount=Decimal("500"), expected_close=datetime.date(2026, 12, 1)
    )
    services.opportunity_move(opportunity=opp, stage=_stage("won"), actor=org["rep1"])
    run = grading_run(measure="opportunities_won")
    assert run.total == Decimal("500.00") and Customer.objects.get(pk=customer.pk).grade == "A"


def test_activity_entered_late_and_agenda(org):
    customer = make_customer(org["rep1"])
    now = timezone.now()
    late = services.activity_log(
        actor=org["rep1"], customer=customer, kind="visit", subject="拜访", occurred_at=now - datetime.timedelta(days=2)
    )
    same_day = services.activity_log(actor=org["rep1"], customer=customer, kind="call", subject="电话", occurred_at=now)
    assert late.entered_late and not same_day.entered_late
    local_today = timezone.localdate()
    planned_at = timezone.make_aware(datetime.datetime.combine(local_today, datetime.time(23, 30)))
    planned = services.activity_log(
        actor=org["rep1"], customer=customer, kind="meeting", subject="会议", occurred_at=planned_at, done=False
    )
    overdue = services.activity_log(
        actor=org["rep1"],
        customer=customer,
        kind="call",
        subject="跟进",
        occurred_at=now - datetime.timedelta(hours=1),
        next_step="送样品",
        next_step_due=local_today - datetime.timedelta(days=1),
    )
    agenda = agenda_for_user(user=org["rep1"])
    assert planned in agenda["activities"] and not planned.entered_late
    assert agenda["overdue"] == [overdue]
    assert agenda_for_user(user=org["rep2"])["activities"] == []
    services.activity_complete(activity=overdue, actor=org["rep1"])
    assert agenda_for_user(user=org["rep1"])["overdue"] == []


def test_icalendar_output(org):
    customer = make_customer(org["rep1"], name="上海华联超市", address="上海市, 南京路; 1号")
    activity = services.activity_log(
        actor=org["rep1"],
        customer=customer,
        kind="visit",
        subject="拜访, 送样品; 谈价格 " + "很长的主题" * 10,
        occurred_at=datetime.datetime(2026, 11, 23, 10, 0, tzinfo=SH),
    )
    text = activities_ics([activity], calendar_name="rep1")
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n") and text.endswith("END:VCALENDAR\r\n")
    assert f"UID:activity-{activity.pk}@salesops\r\n" in text
    assert "DTSTART:20261123T020000Z\r\n" in text and "DTSTAMP:" in text
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    unfolded = text.replace("\r\n ", "")
    assert "SUMMARY:Visit: 拜访\\, 送样品\\; 谈价格 " in unfolded
    assert "LOCATION:上海市\\, 南京路\\; 1号" in unfolded
    (event,) = Calendar.from_ical(text).walk("VEVENT")  # a calendar reader gets the text back
    assert str(event["summary"]).startswith("Visit: 拜访, 送样品; 谈价格 ") and str(event["summary"]).endswith(
        customer.name
    )
    assert event.decoded("dtstart") == datetime.datetime(2026, 11, 23, 2, 0, tzinfo=datetime.UTC)
    assert str(event["status"]) == ("CONFIRMED" if activity.done else "TENTATIVE")


def test_complaint_due_over_weekend(org):
    customer = make_customer(org["rep1"])
    friday = datetime.datetime(2026, 11, 20, 16, 0, tzinfo=SH)
    complaint = services.complaint_register(
        actor=org["rep1"], customer=customer, subject="包装破损", received_at=friday
    )
    # 二十四小时内: a day and a night, over the weekend too (the SOP rule "complaint-24h")
    assert complaint.answer_due == datetime.datetime(2026, 11, 21, 16, 0, tzinfo=SH)
    services.complaint_answer(complaint=complaint, actor=org["rep1"], answer="已安排补货")
    services.complaint_resolve(complaint=complaint, actor=org["rep1"], resolution="补发 10 袋")
    closed = services.complaint_follow_up(complaint=complaint, actor=org["rep1"], satisfaction=4, note="满意")
    assert closed.status == Complaint.Status.CLOSED and closed.satisfaction == 4
    with pytest.raises(InvalidTransition):
        services.complaint_answer(complaint=closed, actor=org["rep1"], answer="x")
