"""Target plans: split to months and reps adding up exactly, by hand, approval and versions."""

import datetime
from decimal import Decimal

import pytest

from salesops.approvals.models import ApprovalRequest
from salesops.core.exceptions import PermissionDenied, ValidationFailed
from salesops.core.models import AuditEvent
from salesops.sales.tests.helpers import decide_all
from salesops.targets import services
from salesops.targets.exceptions import PlanLocked, SplitDoesNotAddUp
from salesops.targets.models import Target, TargetPlan
from salesops.targets.tests.conftest import sell

pytestmark = pytest.mark.django_db


def _check_tree(plan):
    rows = list(Target.objects.filter(plan=plan))
    children = {}
    for row in rows:
        children.setdefault(row.parent_id, []).append(row)
    for row in rows:
        if row.pk in children:
            assert sum(child.amount for child in children[row.pk]) == row.amount, row
    assert sum(row.amount for row in children[None]) == plan.total
    return rows


def test_even_plan_splits_months_and_reps_exactly(org):
    plan = services.target_plan_create(
        year=2027, total=Decimal("1000000.01"), month_method="even", org_method="even", actor=org["director"]
    )
    rows = _check_tree(plan)
    months = [row for row in rows if row.level == Target.Level.COMPANY]
    assert len(months) == 12
    assert sorted({row.amount for row in months}) == [Decimal("83333.33"), Decimal("83333.34")]
    reps = [row for row in rows if row.level == Target.Level.REP]
    assert {row.rep.username for row in reps} == {"rep1", "rep2", "rep3"}
    assert len(reps) == 36
    # rep1 and rep2 share team EAST-1, rep3 is alone in EAST-2: evenly per rep
    jan = {row.rep.username: row.amount for row in reps if row.month == datetime.date(2027, 1, 1)}
    assert sum(jan.values()) == months[0].amount
    assert abs(jan["rep1"] - jan["rep3"]) <= Decimal("0.01")


def test_seasonality_follows_last_years_sales(org, shop):
    sell(rep=org["rep1"], customer=shop["c1"], product=shop["product"], quantity="30", on=datetime.date(2026, 1, 15))
    sell(rep=org["rep3"], customer=shop["c3"], product=shop["product"], quantity="10", on=datetime.date(2026, 3, 10))
    plan = services.target_plan_create(
        year=2027, total=Decimal("120000.00"), month_method="seasonality", org_method="last_year", actor=org["gm"]
    )
    rows = _check_tree(plan)
    months = {row.month.month: row.amount for row in rows if row.level == Target.Level.COMPANY}
    assert months[1] == Decimal("90000.00") and months[3] == Decimal("30000.00") and months[2] == 0
    jan = {row.rep.username: row.amount for row in rows if row.level == "rep" and row.month.month == 1}
    assert jan == {"rep1": Decimal("67500.00"), "rep2": Decimal("0.00"), "rep3": Decimal("22500.00")}


def test_months_by_hand_keep_every_split_exact_and_change_the_total(org):
    plan = services.target_plan_create(
        year=2027, total=Decimal("1200.00"), month_method="even", org_method="even", actor=org["director"]
    )
    months = list(Target.objects.filter(plan=plan, level="company").order_by("month"))
    amounts = {row.pk: Decimal("100.00") for row in months}
    amounts[months[0].pk] = Decimal("333.33")
    services.target_set_children(parent=None, plan=plan, amounts=amounts, actor=org["director"])
    plan.refresh_from_db()
    assert plan.total == Decimal("1433.33")
    _check_tree(plan)


def test_a_split_by_hand_that_does_not_add_up_changes_nothing(org):
    plan = services.target_plan_create(year=2027, total=Decimal("1200.00"), month_method="even", actor=org["director"])
    january = Target.objects.get(plan=plan, level="company", month=datetime.date(2027, 1, 1))
    children = list(january.children.all())
    before = [child.amount for child in children]
    with pytest.raises(SplitDoesNotAddUp) as error:
        services.target_set_children(
            parent=january, plan=plan, amounts={c.pk: Decimal("1.00") for c in children}, actor=org["director"]
        )
    assert error.value.code == "split_does_not_add_up"
    assert [c.amount for c in Target.objects.filter(pk__in=[c.pk for c in children]).order_by("pk")] == before


def test_manual_month_weights_must_be_twelve_numbers(org):
    with pytest.raises(ValidationFailed) as error:
        services.target_plan_create(
            year=2027, total=Decimal("1.00"), month_method="manual", month_weights=["1", "x"], actor=org["director"]
        )
    assert "month_weights" in error.value.fields
    assert not TargetPlan.objects.exists()


@pytest.mark.parametrize("username", ["rep1", "supervisor1", "manager", "finance", "norole"])
def test_only_plan_writers_create_plans(org, username):
    with pytest.raises(PermissionDenied):
        services.target_plan_create(year=2027, total=Decimal("1.00"), month_method="even", actor=org[username])


def test_split_rep_over_customers_adds_up_to_the_rep(org, shop):
    plan = services.target_plan_create(year=2027, total=Decimal("1200.00"), month_method="even", actor=org["director"])
    count = services.target_split_rep(plan=plan, rep=org["rep1"], by="customer", method="even", actor=org["director"])
    assert count == 12
    _check_tree(plan)
    services.target_split_rep(plan=plan, rep=org["rep1"], by="customer", method="even", actor=org["director"])
    assert Target.objects.filter(plan=plan, level="customer").count() == 12  # replaced, not added


def test_approval_versions_and_superseding(org):
    plan = services.target_plan_create(
        year=2027, total=Decimal("1200.00"), month_method="even", actor=org["salesadmin"]
    )
    services.target_plan_submit(plan=plan, actor=org["salesadmin"])
    plan.refresh_from_db()
    assert plan.status == TargetPlan.Status.PENDING_APPROVAL
    with pytest.raises(PlanLocked):
        services.target_split_rep(plan=plan, rep=org["rep1"], by="customer", actor=org["salesadmin"])
    decide_all(plan, "sales_plan")
    plan.refresh_from_db()
    assert plan.status == TargetPlan.Status.APPROVED and plan.approved_at
    revision = services.target_plan_revise(plan=plan, actor=org["salesadmin"])
    assert revision.version == 2 and revision.previous_id == plan.pk
    assert Target.objects.filter(plan=revision).count() == Target.objects.filter(plan=plan).count()
    _check_tree(revision)
    services.target_plan_submit(plan=revision, actor=org["salesadmin"])
    decide_all(revision, "sales_plan")
    plan.refresh_from_db()
    revision.refresh_from_db()
    assert (plan.status, revision.status) == ("superseded", "approved")
    assert ApprovalRequest.objects.filter(doc_type="sales_plan", status="approved").count() == 2
    assert AuditEvent.objects.filter(object_id=str(plan.pk), changes__status__1="superseded").exists()
