"""Commissions: tiers by achievement, family rules, collections, clawbacks, run and approval."""

import datetime
from decimal import Decimal

import pytest

from salesops.catalog.services import family_create
from salesops.core.exceptions import ValidationFailed
from salesops.credit.receipts import receipt_record
from salesops.sales import services as sales
from salesops.sales.models import Invoice, SalesReturn
from salesops.sales.tests.helpers import decide_all
from salesops.targets import commissions, services
from salesops.targets.exceptions import DocumentLocked, MonthNotOver
from salesops.targets.models import CommissionLine, CommissionRule, CommissionRun, TargetPlan
from salesops.targets.tests.conftest import sell

pytestmark = pytest.mark.django_db
NOV = datetime.date(2026, 11, 1)


@pytest.fixture
def plan(org):
    plan = services.target_plan_create(
        year=2026, total=Decimal("36000.00"), month_method="even", org_method="even", actor=org["gm"]
    )
    services.target_plan_approved(plan=TargetPlan.objects.get(pk=plan.pk))
    return plan  # each rep: 1,000.00 a month


def _kinds(data):
    return sorted((line["kind"], line["rate"], line["amount"]) for line in data.lines)


def test_the_tier_follows_the_achievement(org, shop, plan):
    sell(rep=org["rep1"], customer=shop["c1"], product=shop["product"], quantity="9", on=datetime.date(2026, 11, 5))
    sell(rep=org["rep2"], customer=shop["c2"], product=shop["product"], quantity="12", on=datetime.date(2026, 11, 5))
    data = commissions.commission_compute(month=NOV)
    rep1, rep2 = data[org["rep1"].pk], data[org["rep2"].pk]
    assert rep1.achievement == Decimal("90.00") and rep2.achievement == Decimal("120.00")
    assert _kinds(rep1) == [("earned", Decimal("2.00"), Decimal("18.00"))]
    assert _kinds(rep2) == [("earned", Decimal("3.00"), Decimal("36.00"))]
    assert data[org["rep3"].pk].total == 0


def test_a_family_rule_takes_precedence_and_collections_earn_their_rate(org, shop, plan):
    family = family_create(code="FLOUR", name="Flour")
    shop["product"].family = family
    shop["product"].save(update_fields=["family"])
    CommissionRule.objects.create(name="Flour", base="sales", family=family, rate=Decimal("5.00"))
    sell(rep=org["rep1"], customer=shop["c1"], product=shop["product"], quantity="10", on=datetime.date(2026, 10, 5))
    invoice = Invoice.objects.get()
    receipt_record(
        actor=org["finance"],
        customer=shop["c1"],
        amount=Decimal("600.00"),
        received_on=datetime.date(2026, 11, 9),
        invoices=[invoice],
    )
    rep1 = commissions.commission_compute(month=NOV)[org["rep1"].pk]
    assert _kinds(rep1) == [("earned", Decimal("0.50"), Decimal("3.00"))]  # no sales in Nov; 0.5 % of 600 collected
    october = commissions.commission_compute(month=datetime.date(2026, 10, 1))[org["rep1"].pk]
    assert _kinds(october) == [("earned", Decimal("5.00"), Decimal("50.00"))]


def test_a_return_claws_back_what_its_sale_earned(org, shop, plan):
    order = sell(
        rep=org["rep1"], customer=shop["c1"], product=shop["product"], quantity="10", on=datetime.date(2026, 10, 5)
    )
    line = order.lines.get()
    sales_return = sales.return_request(
        order=order,
        kind=SalesReturn.Kind.RETURN,
        actor=org["rep1"],
        reason="damaged",
        quantities={line.pk: Decimal("4")},
    )
    decide_all(sales_return, "refund")
    credit_note = Invoice.objects.get(kind=Invoice.Kind.CREDIT_NOTE)
    month = credit_note.issue_date.replace(day=1)
    data = commissions.commission_compute(month=month)[org["rep1"].pk]
    clawbacks = [x for x in data.lines if x["kind"] == CommissionLine.Kind.RETURN]
    assert clawbacks and clawbacks[0]["base"] == Decimal("-400.00") and clawbacks[0]["reference"] == credit_note.number
    assert data.clawback == -sum(x["amount"] for x in clawbacks)


def test_bad_debt_claws_back_the_open_part(org, shop, plan):
    sell(rep=org["rep1"], customer=shop["c1"], product=shop["product"], quantity="10", on=datetime.date(2026, 4, 1))
    invoice = Invoice.objects.get()
    receipt_record(
        actor=org["finance"],
        customer=shop["c1"],
        amount=Decimal("250.00"),
        received_on=datetime.date(2026, 5, 1),
        invoices=[invoice],
    )
    reached = invoice.due_date + datetime.timedelta(days=180)
    data = commissions.commission_compute(month=reached.replace(day=1))[org["rep1"].pk]
    bad = [x for x in data.lines if x["kind"] == CommissionLine.Kind.BAD_DEBT]
    assert bad and bad[0]["base"] == Decimal("-750.00") and bad[0]["reference"] == invoice.number


def test_bands_must_not_overlap(org):
    with pytest.raises(ValidationFailed) as error:
        commissions.commission_rule_save(
            rule=None,
            data={
                "name": "x",
                "base": "sales",
                "rate": Decimal("1"),
                "min_achievement": Decimal("50"),
                "max_achievement": Decimal("90"),
            },
            actor=org["gm"],
        )
    assert "min_achievement" in error.value.fields
    assert CommissionRule.objects.count() == 4


def test_the_run_needs_an_ended_month_and_is_approved(org, shop, plan):
    sell(rep=org["rep1"], customer=shop["c1"], product=shop["product"], quantity="9", on=datetime.date(2026, 11, 5))
    with pytest.raises(MonthNotOver):
        commissions.commission_run_create(month=NOV, actor=org["finance"], today=datetime.date(2026, 11, 20))
    run = commissions.commission_run_create(month=NOV, actor=org["finance"], today=datetime.date(2026, 12, 2))
    assert run.total == Decimal("18.00") and run.statements.count() >= 1
    again = commissions.commission_run_create(month=NOV, actor=org["finance"], today=datetime.date(2026, 12, 2))
    assert again.pk == run.pk and run.statements.count() == again.statements.count()
    commissions.commission_run_submit(run=run, actor=org["finance"])
    run.refresh_from_db()
    assert run.status == CommissionRun.Status.PENDING_APPROVAL
    with pytest.raises(DocumentLocked):
        commissions.commission_run_create(month=NOV, actor=org["finance"], today=datetime.date(2026, 12, 2))
    decide_all(run, "commission_run")
    run.refresh_from_db()
    assert run.status == CommissionRun.Status.APPROVED


def test_the_estimate_is_the_month_so_far(org, shop, plan):
    sell(rep=org["rep1"], customer=shop["c1"], product=shop["product"], quantity="5", on=datetime.date(2026, 11, 5))
    estimate = commissions.commission_estimate(rep=org["rep1"], today=datetime.date(2026, 11, 10))
    assert estimate.sales == Decimal("500.00") and estimate.total == Decimal("5.00")
