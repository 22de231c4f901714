"""The customer profit plan meets the 20th deadline by being submitted; the business review
meets the third-working-day deadline by being held; its pack comes as PDF and Excel."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from salesops.core.exceptions import PermissionDenied, ValidationFailed
from salesops.planning.periods import add_months
from salesops.sales.tests.helpers import decide_all
from salesops.sop.models import SopEvent, SopRule
from salesops.targets import profit, review
from salesops.targets.exceptions import DocumentLocked, ReviewHeld
from salesops.targets.models import ProfitPlan, ReviewAction
from salesops.targets.tests.conftest import sell

pytestmark = pytest.mark.django_db


def _next_month():
    return add_months(timezone.localdate().replace(day=1), 1)


def test_profit_plan_lines_compute_expected_profit_and_submit_reports_the_event(org, shop):
    plan = profit.profit_plan_save(
        rep=org["rep1"],
        month=_next_month(),
        actor=org["rep1"],
        lines=[
            {
                "customer": shop["c1"].pk,
                "volume": "100",
                "price": "50.00",
                "margin_percent": "20",
                "promotion": "100",
                "expenses": "50",
            }
        ],
    )
    assert (plan.revenue, plan.profit) == (Decimal("5000.00"), Decimal("850.00"))
    profit.profit_plan_submit(plan=plan, actor=org["rep1"])
    plan.refresh_from_db()
    assert plan.status == ProfitPlan.Status.PENDING_APPROVAL and plan.submitted_at
    event = SopEvent.objects.get(event_type="customer_plan_submitted")
    assert event.person == org["rep1"] and event.period_key == f"{timezone.localdate():%Y-%m}-01"
    with pytest.raises(DocumentLocked):
        profit.profit_plan_save(
            rep=org["rep1"],
            month=_next_month(),
            actor=org["rep1"],
            lines=[{"customer": shop["c1"].pk, "volume": "1", "price": "1", "margin_percent": "1"}],
        )
    decide_all(plan, "customer_profit_plan")
    plan.refresh_from_db()
    assert plan.status == ProfitPlan.Status.APPROVED


def test_the_sop_rules_of_plan_and_review_are_switched_on():
    assert set(
        SopRule.objects.filter(enabled=True, code__in=["customer-plan-20th", "business-review-3wd"]).values_list(
            "code", flat=True
        )
    ) == {"customer-plan-20th", "business-review-3wd"}


def test_a_plan_for_anothers_customer_is_a_field_error(org, shop):
    with pytest.raises(ValidationFailed) as error:
        profit.profit_plan_save(
            rep=org["rep1"],
            month=_next_month(),
            actor=org["rep1"],
            lines=[{"customer": shop["c3"].pk, "volume": "1", "price": "1", "margin_percent": "1"}],
        )
    assert "lines.1.customer" in error.value.fields
    assert not ProfitPlan.objects.exists()


def test_only_the_rep_writes_their_plan(org, shop):
    with pytest.raises(PermissionDenied):
        profit.profit_plan_save(rep=org["rep1"], month=_next_month(), actor=org["supervisor1"], lines=[])


def test_review_pack_actions_follow_up_and_hold(org, shop):
    last_month = add_months(timezone.localdate().replace(day=1), -1)
    sell(
        rep=org["rep1"],
        customer=shop["c1"],
        product=shop["product"],
        quantity="4",
        on=last_month + datetime.timedelta(days=3),
    )
    item = review.review_prepare(month=last_month, unit=org.units["EAST"], actor=org["manager"])
    assert item.data["customers"]["top"][0]["value"] == "400.00"
    assert {row["name"] for row in item.data["teams"]} >= {"East-1", "East-2"}
    earlier = review.review_prepare(month=add_months(last_month, -1), unit=org.units["EAST"], actor=org["manager"])
    review.review_action_add(
        review=earlier,
        issue="回款慢",
        action="每周对账",
        owner=org["supervisor1"],
        due_date=last_month,
        actor=org["manager"],
    )
    assert [a.action for a in review.open_actions_before(item)] == ["每周对账"]
    pdf = review.review_pdf(item)
    assert pdf.startswith(b"%PDF") and len(pdf) > 5000
    xlsx = review.review_xlsx(item)
    assert xlsx[:2] == b"PK"
    review.review_hold(review=item, actor=org["manager"], summary="ok")
    event = SopEvent.objects.get(event_type="business_review_held")
    assert event.period_key == add_months(last_month, 1).isoformat()
    with pytest.raises(ReviewHeld):
        review.review_action_add(
            review=item, issue="x", action="y", owner=org["rep1"], due_date=last_month, actor=org["manager"]
        )
    action = ReviewAction.objects.get()
    review.review_action_done(item=action, outcome="done weekly", actor=org["supervisor1"])
    assert list(review.open_actions_before(item)) == []


def test_a_supervisor_cannot_prepare_a_region_review(org):
    with pytest.raises(PermissionDenied):
        review.review_prepare(month=datetime.date(2026, 1, 1), unit=org.units["EAST"], actor=org["supervisor1"])


def test_the_current_month_cannot_be_reviewed(org):
    with pytest.raises(ValidationFailed):
        review.review_prepare(month=timezone.localdate(), unit=org.units["EAST"], actor=org["manager"])
