"""Two approvers deciding the same step at the same moment: exactly one decision counts."""

import datetime
import threading

import pytest
from django.db import connection

from salesops.approvals import services
from salesops.approvals.exceptions import ApprovalNotPending
from salesops.approvals.models import ApprovalRequest, ApprovalTask
from salesops.approvals.tests.factories import submit_visit


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

    barrier = threading.Barrier(2)
    outcomes = {}

    def decide(username, decision):
        try:
            barrier.wait(timeout=10)
            services.approval_decide(task=task, actor=org[username], decision=decision, comment=f"by {username}")
            outcomes[username] = "ok"
        except ApprovalNotPending:
            outcomes[username] = "conflict"
        finally:
            connection.close()

    threads = [
        threading.Thread(target=decide, args=("supervisor1", "approve")),
        threading.Thread(target=decide, args=("supervisor2", "reject")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes.values()) == ["conflict", "ok"]
    winner = next(name for name, outcome in outcomes.items() if outcome == "ok")
    task.refresh_from_db()
    request.refresh_from_db()
    assert task.decided_by == org[winner]
    assert task.comment == f"by {winner}"
    assert request.status == (
        ApprovalRequest.Status.APPROVED if winner == "supervisor1" else ApprovalRequest.Status.REJECTED
    )
