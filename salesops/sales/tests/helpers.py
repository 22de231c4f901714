from salesops.approvals.models import ApprovalRequest, ApprovalTask
from salesops.approvals.services import approval_decide


def decide_all(document, doc_type, decision="approve", comment=""):
    """Every step of the pending approval of `document` decided by its assignee."""
    request = ApprovalRequest.objects.get(doc_type=doc_type, object_id=str(document.pk), status="pending")
    while True:
        task = ApprovalTask.objects.filter(request=request, status=ApprovalTask.Status.OPEN).first()
        if task is None:
            break
        approval_decide(task=task, actor=task.assignee, decision=decision, comment=comment or "ok")
        request.refresh_from_db()
        if request.status != "pending":
            break
    return request
