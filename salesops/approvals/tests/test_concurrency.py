"""Two approvers deciding the same step at the same moment: exactly one decision counts."""

import datetime

import pytest

from salesops.approvals import services
from salesops.approvals.exceptions import ApprovalNotPending
from salesops.approvals.models import ApprovalRequest, ApprovalTask
from salesops.approvals.tests.factories import submit_visit
from salesops.core.tests.parallel import run_at_once


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_approvers_at_once_exactly_one_counts(org):
    today = datetime.date.today()
    # supervisor1 is away today: supervisor2 may decide for them; both try at the same moment
    services.delegation_create(
        from_user=org["supervisor1"],
        to_user=org["supervisor2"],
        starts_on=today,
        ends_on=today + datetime.timedelta(days=1),
        actor=org["supervisor1"],
    )
    _visit, request = submit_visit(rep=org["rep1"])
    task = request.tasks.get()
    # the delegation re-routed the step; make the original approver the assignee again so both are entitled
    ApprovalTask.objects.filter(pk=task.pk).update(assignee=org["supervisor1"], on_behalf_of=None)

    decisions = {"supervisor1": "approve", "supervisor2": "reject"}

    def decide(username):
        services.approval_decide(task=task, actor=org[username], decision=decisions[username], comment=f"by {username}")
        return "ok"

    results = run_at_once(decide, decisions, expected=ApprovalNotPending, timeout=30)
    outcomes = {
        username: "conflict" if isinstance(result, ApprovalNotPending) else result
        for username, result in zip(decisions, results, strict=True)
    }

    assert sorted(outcomes.values()) == ["conflict", "ok"]
    winner = next(name for name, outcome in outcomes.items() if outcome == "ok")
    task.refresh_from_db()
    request.refresh_from_db()
    assert task.decided_by == org[winner]
    assert task.comment == f"by {winner}"
    assert request.status == (
        ApprovalRequest.Status.APPROVED if winner == "supervisor1" else ApprovalRequest.Status.REJECTED
    )
