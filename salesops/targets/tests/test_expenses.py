"""Expense claims against the remaining budget: over budget goes higher; concurrent claims
cannot both spend the same remainder (PostgreSQL, threads)."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from salesops.approvals.models import ApprovalRequest
from salesops.core.exceptions import PermissionDenied, ValidationFailed
from salesops.core.tests.parallel import run_at_once
from salesops.sales.tests.helpers import decide_all
from salesops.targets import expenses
from salesops.targets.models import ExpenseClaim, ExpenseType


def _claim(org, amount, username="rep1"):
    return expenses.expense_claim_submit(
        actor=org[username],
        expense_type=ExpenseType.objects.get(code="travel"),
        spent_on_day=timezone.localdate(),
        amount=Decimal(amount),
        description="客户拜访差旅",
    )


def _budget(org, amount):
    return expenses.expense_budget_set(
        team=org.units["EAST-1"],
        month=timezone.localdate().replace(day=1),
        expense_type=ExpenseType.objects.get(code="travel"),
        amount=Decimal(amount),
        actor=org["supervisor1"],
    )


@pytest.mark.django_db
def test_a_claim_within_budget_goes_to_the_supervisor(org):
    _budget(org, "1000.00")
    claim = _claim(org, "600.00")
    assert (claim.over_budget, claim.remaining_before) == (False, Decimal("1000.00"))
    request = ApprovalRequest.objects.get(doc_type="expense_claim", object_id=str(claim.pk))
    assert [t.assignee.username for t in request.tasks.order_by("position")] == ["supervisor1"]
    second = _claim(org, "500.00", "rep2")
    assert (
        second.over_budget and second.remaining_before == Decimal("400.00") and second.over_amount == Decimal("100.00")
    )
    chain = ApprovalRequest.objects.get(doc_type="expense_claim", object_id=str(second.pk)).tasks.order_by("position")
    assert [t.assignee.username for t in chain] == ["supervisor1", "manager", "director"]
    decide_all(claim, "expense_claim", decision="reject", comment="no receipt")
    claim.refresh_from_db()
    assert claim.status == ExpenseClaim.Status.REJECTED
    assert expenses.remaining(claim.budget) == Decimal("500.00")  # the rejected claim frees its part


@pytest.mark.django_db
def test_no_budget_is_over_budget(org):
    claim = _claim(org, "1.00")
    assert claim.over_budget and claim.budget is None


@pytest.mark.django_db
def test_a_bad_claim_changes_nothing(org):
    with pytest.raises(ValidationFailed) as error:
        expenses.expense_claim_submit(
            actor=org["rep1"],
            expense_type=ExpenseType.objects.get(code="travel"),
            spent_on_day=timezone.localdate() + datetime.timedelta(days=2),
            amount=Decimal("1.00"),
            description="x",
        )
    assert "spent_on" in error.value.fields
    with pytest.raises(ValidationFailed):
        _claim(org, "0.001")
    assert not ExpenseClaim.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["rep1", "rep3", "finance", "norole"])
def test_who_may_set_east1_budget(org, username):
    allowed = username in ("finance",)
    if allowed:
        assert expenses.expense_budget_set(
            team=org.units["EAST-1"],
            month=datetime.date(2026, 12, 1),
            expense_type=ExpenseType.objects.get(code="travel"),
            amount=Decimal("1"),
            actor=org[username],
        )
    else:
        with pytest.raises(PermissionDenied):
            expenses.expense_budget_set(
                team=org.units["EAST-1"],
                month=datetime.date(2026, 12, 1),
                expense_type=ExpenseType.objects.get(code="travel"),
                amount=Decimal("1"),
                actor=org[username],
            )


@pytest.mark.django_db
def test_a_supervisor_budgets_only_their_own_team(org):
    with pytest.raises(PermissionDenied):
        expenses.expense_budget_set(
            team=org.units["EAST-2"],
            month=datetime.date(2026, 12, 1),
            expense_type=ExpenseType.objects.get(code="travel"),
            amount=Decimal("1"),
            actor=org["supervisor1"],
        )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_claims_at_once_cannot_both_spend_the_remainder(org):
    _budget(org, "1000.00")
    results = run_at_once(lambda username: _claim(org, "700.00", username).over_budget, ["rep1", "rep2"])
    assert sorted(results) == [False, True]
