import datetime
from decimal import Decimal

import pytest

from salesops.approvals.models import ApprovalRequest, ApprovalRule, ApprovalTask
from salesops.approvals.services import approval_decide
from salesops.core.exceptions import PermissionDenied
from salesops.credit import receipts, services
from salesops.credit.exceptions import LimitApprovalMissing, LimitRequestPending
from salesops.credit.models import CreditFile, CreditLimitRequest, CreditReview
from salesops.credit.tests.factories import make_credit_file, make_customer, make_invoice

D = Decimal
TODAY = datetime.date.today()


def open_task(limit_request) -> ApprovalTask:
    return ApprovalTask.objects.get(
        request__doc_type="credit_limit", request__object_id=str(limit_request.pk), status="open"
    )


def test_limit_applies_only_when_the_general_manager_approves(org):
    customer = make_customer(org, "rep1")
    credit_file = services.credit_file_open(customer=customer, actor=org["finance"], payment_terms_days=45)
    assert credit_file.limit == 0
    request = services.limit_request_create(
        credit_file=credit_file,
        actor=org["rep1"],
        requested_limit=D("50000.00"),
        requested_terms_days=45,
        reason="Growing supermarket",
    )
    assert request.status == CreditLimitRequest.Status.PENDING
    first = open_task(request)
    assert first.assignee == org["finance"]
    approval_decide(task=first, actor=org["finance"], decision="approve")
    credit_file.refresh_from_db()
    assert credit_file.limit == 0  # finance alone changes nothing
    second = open_task(request)
    assert second.assignee == org["gm"]
    approval_decide(task=second, actor=org["gm"], decision="approve")
    credit_file.refresh_from_db()
    request.refresh_from_db()
    assert credit_file.limit == D("50000.00") and credit_file.payment_terms_days == 45
    assert request.status == CreditLimitRequest.Status.APPROVED and request.applied_at is not None


def test_rejected_request_leaves_the_limit(org):
    customer = make_customer(org, "rep1")
    credit_file = services.credit_file_open(
        customer=customer, actor=org["finance"], requested_limit=D("20000.00"), reason="new"
    )
    request = credit_file.limit_requests.get()
    with pytest.raises(LimitRequestPending):
        services.limit_request_create(
            credit_file=credit_file,
            actor=org["finance"],
            requested_limit=D("1"),
            requested_terms_days=30,
            reason="again",
        )
    task = open_task(request)
    assert task.assignee == org["gm"]  # finance asked: the finance step goes up to the GM
    approval_decide(task=task, actor=org["gm"], decision="reject", comment="Too early")
    credit_file.refresh_from_db()
    request.refresh_from_db()
    assert credit_file.limit == 0 and request.status == CreditLimitRequest.Status.REJECTED


def test_no_rule_ending_with_the_gm_means_no_change(org):
    ApprovalRule.objects.filter(doc_type="credit_limit").update(active=False)
    customer = make_customer(org, "rep1")
    credit_file = make_credit_file(customer, limit="100.00")
    with pytest.raises(LimitApprovalMissing):
        services.limit_request_create(
            credit_file=credit_file,
            actor=org["finance"],
            requested_limit=D("900.00"),
            requested_terms_days=30,
            reason="x",
        )
    assert CreditLimitRequest.objects.count() == 0 and ApprovalRequest.objects.count() == 0
    credit_file.refresh_from_db()
    assert credit_file.limit == D("100.00")


def test_the_limit_cannot_be_edited_directly(org, api):
    customer = make_customer(org, "rep1")
    credit_file = make_credit_file(customer, limit="100.00")
    services.credit_file_update(credit_file=credit_file, data={"limit": D("5000"), "grade": "A"}, actor=org["finance"])
    response = api(org["finance"]).patch(f"/api/v1/credit-files/{credit_file.pk}/", {"limit": "9999.00"}, format="json")
    assert response.status_code == 400 and "limit" in response.json()["fields"]  # refused, not ignored
    credit_file.refresh_from_db()
    assert credit_file.limit == D("100.00") and credit_file.grade == "A"


def test_review_prefills_payment_history_and_reschedules(org, api):
    customer = make_customer(org, "rep1")
    credit_file = make_credit_file(customer, limit="10000.00")
    late = make_invoice(
        customer,
        "1000.00",
        issue_date=TODAY - datetime.timedelta(days=100),
        due_date=TODAY - datetime.timedelta(days=70),
    )
    on_time = make_invoice(
        customer, "500.00", issue_date=TODAY - datetime.timedelta(days=50), due_date=TODAY - datetime.timedelta(days=20)
    )
    receipts.receipt_record(
        actor=org["finance"],
        customer=customer,
        amount="1000.00",
        received_on=TODAY - datetime.timedelta(days=60),
        invoices=[late],
    )
    receipts.receipt_record(
        actor=org["finance"],
        customer=customer,
        amount="500.00",
        received_on=TODAY - datetime.timedelta(days=30),
        invoices=[on_time],
    )
    history = api(org["finance"]).get(f"/api/v1/credit-files/{credit_file.pk}/payment-history/").json()
    # (40 days × 1000 + 20 days × 500) / 1500 = 33.3
    assert history["average_days_to_pay"] == "33.3"
    assert history["overdue_incidents"] == 1
    assert history["max_exposure"] == "1000.00"  # the first invoice was paid before the second came
    assert api(org["rep1"]).get(f"/api/v1/credit-files/{credit_file.pk}/payment-history/").status_code == 404

    review = services.credit_review_create(
        credit_file=credit_file,
        actor=org["finance"],
        business_situation="Stable",
        financial_situation="Sound",
        grade="A",
        requested_limit=D("15000.00"),
    )
    credit_file.refresh_from_db()
    assert review.overdue_incidents == 1 and review.average_days_to_pay == D("33.3")
    assert credit_file.grade == "A" and credit_file.review_due > TODAY + datetime.timedelta(days=85)
    assert credit_file.limit == D("10000.00")
    assert credit_file.limit_requests.get().requested_limit == D("15000.00")
    from salesops.sop.models import SopEvent

    assert SopEvent.objects.filter(event_type="credit_review_done", person=org["finance"]).count() == 1


def test_reviews_are_hidden_from_reps(org, api):
    customer = make_customer(org, "rep1")
    credit_file = make_credit_file(customer)
    review = services.credit_review_create(
        credit_file=credit_file, actor=org["finance"], business_situation="x", financial_situation="Secret", grade="C"
    )
    assert api(org["rep1"]).get(f"/api/v1/credit-reviews/{review.pk}/").status_code == 404
    assert api(org["rep1"]).get("/api/v1/credit-reviews/").json()["count"] == 0
    assert api(org["director"]).get(f"/api/v1/credit-reviews/{review.pk}/").status_code == 200
    assert CreditReview.objects.count() == 1
    assert CreditFile.objects.get().review_due is not None


def test_a_limit_request_kept_as_a_draft_is_submitted_later_through_the_api(org, api):
    customer = make_customer(org, "rep1")
    credit_file = services.credit_file_open(customer=customer, actor=org["finance"], payment_terms_days=45)
    client = api(org["rep1"])
    body = {"credit_file": credit_file.pk, "requested_limit": "30000.00", "requested_terms_days": 45, "reason": "x"}
    draft = client.post("/api/v1/credit-limit-requests/", {**body, "submit": False}, format="json")
    assert draft.status_code == 201 and draft.json()["status"] == CreditLimitRequest.Status.DRAFT
    submitted = client.post(f"/api/v1/credit-limit-requests/{draft.json()['id']}/submit/")
    assert submitted.status_code == 200 and submitted.json()["status"] == CreditLimitRequest.Status.PENDING
    again = client.post(f"/api/v1/credit-limit-requests/{draft.json()['id']}/submit/")
    assert again.status_code == 409  # already waiting for approval


def test_only_the_requester_withdraws_a_limit_request_whatever_the_path(org):
    customer = make_customer(org, "rep1")
    credit_file = services.credit_file_open(customer=customer, actor=org["finance"], payment_terms_days=30)
    request = services.limit_request_create(
        credit_file=credit_file, actor=org["rep1"], requested_limit=D("9000.00"), requested_terms_days=30, reason="x"
    )
    for other in ("supervisor1", "finance", "gm"):
        with pytest.raises(PermissionDenied):
            services.limit_request_cancel(limit_request=request, actor=org[other])
    request.refresh_from_db()
    assert request.status == CreditLimitRequest.Status.PENDING
    assert services.limit_request_cancel(limit_request=request, actor=org["rep1"]).status == "cancelled"
