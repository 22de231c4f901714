"""The daily report starts written from the rep's day: visits, calls, orders, collections, and
complaints with the visits' market feedback; other reps' records and other days stay out."""

import datetime
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from salesops.core.selectors import company_date, company_zone
from salesops.credit import receipts
from salesops.credit.models import Receipt
from salesops.crm.models import Activity
from salesops.crm.services import activity_log, complaint_register
from salesops.field import services
from salesops.field.daily_report import daily_report_prefill
from salesops.field.tests.factories import make_outlets, require
from salesops.sales.tests.factories import make_product, make_warehouse
from salesops.sop.models import DailyReport


@pytest.fixture
def day(org):
    """A day of rep1: an ordered visit, a skipped one, a call, a complaint and cash collected;
    rep3 and yesterday have records of their own."""
    rep = org["rep1"]
    with timezone.override(company_zone()):  # as in a request: the company's day
        today = company_date()
        product = make_product(price="5.00", stock="500", warehouse=make_warehouse())
        require(product)
        outlets = make_outlets(rep, 6)
        others = make_outlets(org["rep3"], 2)
        cycle = services.route_cycle_plan(rep=rep, actor=org["supervisor1"], time_limit=1)
        services.route_cycle_publish(cycle=cycle, actor=org["supervisor1"], starts_on=today)
        first, second, *_rest = services.visits_plan_day(rep=rep, date=today)
        now = timezone.now()
        ordered, _created = services.visit_submit(
            actor=rep,
            client_key=uuid.uuid4(),
            visit=first,
            check_in_at=now - datetime.timedelta(minutes=20),
            check_out_at=now - datetime.timedelta(minutes=5),
            latitude=first.customer.latitude,
            longitude=first.customer.longitude,
            record={"competitor_info": "统一 新品进场", "next_step": "调整陈列"},
            lines=[{"product": product.pk, "stock_seen": "2", "suggested_quantity": "12"}],
            make_order=True,
        )
        ordered.refresh_from_db()
        services.visit_skip(visit=second, actor=rep, reason="门店装修")
        activity_log(
            actor=rep,
            customer=outlets[2],
            kind=Activity.Kind.CALL,
            subject="约下周送货",
            occurred_at=now - datetime.timedelta(minutes=30),
            outcome="同意",
        )
        activity_log(
            actor=rep,
            customer=outlets[3],
            kind=Activity.Kind.CALL,
            subject="昨天的电话",
            occurred_at=now - datetime.timedelta(days=1, hours=1),
        )
        activity_log(
            actor=org["rep3"],
            customer=others[0],
            kind=Activity.Kind.CALL,
            subject="别人的电话",
            occurred_at=now - datetime.timedelta(minutes=30),
        )
        complaint = complaint_register(actor=rep, customer=outlets[4], subject="包装破损")
        receipt = receipts.receipt_record(
            actor=rep,
            customer=outlets[2],
            amount="300.00",
            received_on=today,
            method="cash",
            handed_by=rep,
        )
    return {"today": today, "order": ordered.order, "outlets": outlets, "complaint": complaint, "receipt": receipt}


def test_every_part_of_the_report_is_written_from_the_day(org, day):
    outlets = day["outlets"]
    report = daily_report_prefill(rep=org["rep1"], date=day["today"])

    assert set(report) == {"visits", "calls", "orders", "collections", "feedback"}
    assert report["visits"].splitlines()[0].startswith("Planned ")
    assert "done 1 (0 off route), skipped 1." in report["visits"]
    assert day["order"].number in report["visits"] and "门店装修" in report["visits"]
    assert report["calls"] == f"- {outlets[2].name}: 约下周送货 · 同意"
    assert report["orders"].startswith(f"- {day['order'].number} · {day['order'].customer.name} · ¥")
    assert report["collections"] == f"- {day['receipt'].number} · {outlets[2].name} · ¥300.00 · Cash"
    assert f"{day['complaint'].code} · {outlets[4].name}: 包装破损" in report["feedback"]
    assert "统一 新品进场" in report["feedback"]

    assert daily_report_prefill(rep=org["rep2"], date=day["today"]) == dict.fromkeys(report, "")
    yesterday = daily_report_prefill(rep=org["rep1"], date=day["today"] - datetime.timedelta(days=1))
    assert yesterday["calls"] == f"- {outlets[3].name}: 昨天的电话"
    assert yesterday["visits"] == yesterday["orders"] == yesterday["collections"] == ""


def test_the_report_page_starts_pre_filled_and_then_shows_what_was_submitted(org, day, client):
    client.force_login(org["rep1"])
    form = client.get(reverse("sop-report-new")).context["form"]
    assert form.initial["date"] == day["today"]
    for part in ["visits", "calls", "orders", "collections", "feedback"]:
        assert form.initial[part], part
    assert day["receipt"].number in form.initial["collections"]

    response = client.post(
        reverse("sop-report-new"),
        {
            "date": day["today"].isoformat(),
            "visits": "改过的拜访",
            "calls": "",
            "orders": "",
            "collections": "",
            "feedback": "",
        },
    )
    assert response.status_code == 302
    assert DailyReport.objects.get(rep=org["rep1"], date=day["today"]).visits == "改过的拜访"
    again = client.get(reverse("sop-report-new")).context["form"]
    assert again.initial["visits"] == "改过的拜访" and again.initial["calls"] == ""


def test_chinese_readers_get_the_report_in_chinese(org, day, client):
    client.force_login(org["rep1"])
    form = client.get(reverse("sop-report-new"), HTTP_ACCEPT_LANGUAGE="zh-hans").context["form"]
    assert form.initial["visits"].startswith("计划")
    with translation.override("zh-hans"):
        cash = str(Receipt.Method.CASH.label)
    assert cash != "Cash" and form.initial["collections"].endswith(f"¥300.00 · {cash}")
