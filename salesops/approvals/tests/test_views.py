"""Pages: inbox with overdue highlight, deciding from the task page, rule form errors,
home section, visit request pages, and nothing shown to people who may not see it."""

import datetime
import html
import re

import pytest
from django.utils import timezone

from salesops.approvals.models import ApprovalRequest, ApprovalRule, ApprovalTask, VisitRequest
from salesops.approvals.tests.factories import make_customer, submit_visit


@pytest.fixture
def pending(org):
    _visit, request = submit_visit(rep=org["rep1"])
    return request.tasks.get()


def test_inbox_lists_and_highlights_overdue(org, client, pending):
    ApprovalTask.objects.filter(pk=pending.pk).update(due_at=timezone.now() - datetime.timedelta(hours=1))
    client.force_login(org["supervisor1"])
    page = client.get("/approvals/").content.decode()
    assert "Annual review" not in page  # the list shows the title, the snapshot is on the task page
    assert f"/approvals/tasks/{pending.pk}/" in page
    assert 'data-testid="overdue"' in page


def test_home_section_for_the_approver(org, client, pending):
    client.force_login(org["supervisor1"])
    page = client.get("/").content.decode()
    assert "Approvals waiting for you" in page
    assert 'data-testid="approvals-count">1<' in page
    client.force_login(org["rep3"])
    assert "Approvals waiting for you" not in client.get("/").content.decode()


def test_decide_from_the_task_page(org, client, pending):
    client.force_login(org["supervisor1"])
    page = client.get(f"/approvals/tasks/{pending.pk}/").content.decode()
    assert "Annual review" in page and 'data-testid="decide-form"' in page
    response = client.post(f"/approvals/tasks/{pending.pk}/", {"decision": "return", "comment": "Add an agenda"})
    assert response.status_code == 302
    assert ApprovalRequest.objects.get().status == ApprovalRequest.Status.RETURNED


def test_reject_without_comment_shows_the_error_next_to_the_field(org, client, pending):
    client.force_login(org["supervisor1"])
    page = client.post(f"/approvals/tasks/{pending.pk}/", {"decision": "reject"}).content.decode()
    assert 'data-field="comment"' in page
    assert ApprovalRequest.objects.get().status == ApprovalRequest.Status.PENDING


def test_the_requester_sees_no_decision_form(org, client, pending):
    client.force_login(org["rep1"])
    page = client.get(f"/approvals/tasks/{pending.pk}/").content.decode()
    assert 'data-testid="decide-form"' not in page


@pytest.mark.parametrize("who", ["rep3", "finance", "norole"])
def test_pages_hidden_from_others(org, client, pending, who):
    client.force_login(org[who])
    assert client.get(f"/approvals/tasks/{pending.pk}/").status_code == 404
    assert client.get(f"/approvals/requests/{pending.request_id}/").status_code == 404


def test_withdraw_from_my_requests(org, client, pending):
    client.force_login(org["rep1"])
    assert f"/approvals/requests/{pending.request_id}/" in client.get("/approvals/mine/").content.decode()
    page = client.get(f"/approvals/requests/{pending.request_id}/").content.decode()
    assert 'data-testid="withdraw"' in page
    client.post(f"/approvals/requests/{pending.request_id}/withdraw/")
    assert ApprovalRequest.objects.get().status == ApprovalRequest.Status.WITHDRAWN
    assert VisitRequest.objects.get().status == VisitRequest.Status.DRAFT


class TestRulePages:
    def form(self, **changes):
        data = {
            "doc_type": "visit_request",
            "name": "Soon",
            "position": "5",
            "conditions": "days_ahead < 2",
            "deadline_hours": "8",
            "reminder_hours": "2",
            "active": "on",
            "step_1": "supervisor",
        }
        data.update(changes)
        return data

    def test_only_administrators(self, org, client):
        client.force_login(org["gm"])
        assert client.get("/approvals/rules/").status_code == 404
        client.force_login(org["admin"])
        page = client.get("/approvals/rules/").content.decode()
        assert "Key-account visit request" in page

    def test_create(self, org, client):
        client.force_login(org["admin"])
        response = client.post("/approvals/rules/new/", self.form())
        assert response.status_code == 302
        rule = ApprovalRule.objects.get(name="Soon")
        assert rule.conditions == [{"field": "days_ahead", "operator": "<", "value": "2"}]
        assert [s.approver for s in rule.steps.all()] == ["supervisor"]

    @pytest.mark.parametrize(
        ("conditions", "fragment"),
        [
            ("amount >= 5", "has no field “amount”"),
            ("days_ahead >= soon", "cannot be compared"),
            ("days_ahead >= 100\ndays_ahead < 50", "can never match"),
            ("days_ahead", "Line 1: write field, operator and value"),
        ],
    )
    def test_problems_are_shown_by_the_field(self, org, client, conditions, fragment):
        client.force_login(org["admin"])
        before = ApprovalRule.objects.count()
        page = client.post("/approvals/rules/new/", self.form(conditions=conditions)).content.decode()
        assert fragment in page
        assert ApprovalRule.objects.count() == before

    @pytest.mark.parametrize(
        ("changes", "field", "fragment"),
        [
            ({"step_2": "finance"}, "step_2", "Nobody holds the role “Finance”."),
            ({"step_1": "user"}, "user_1", "Choose an active person."),
            ({"conditions": "amount >= 5"}, "conditions", "has no field “amount”"),
            ({"reminder_hours": "8"}, "reminder_hours", "The reminder must come before the deadline."),
        ],
    )
    def test_problems_are_placed_next_to_their_field(self, org, client, changes, field, fragment):
        from salesops.core import services as core

        core.user_set_roles(user=org["finance"], roles=[], actor=org["admin"])
        client.force_login(org["admin"])
        before = ApprovalRule.objects.count()
        page = client.post("/approvals/rules/new/", self.form(**changes)).content.decode()
        errors = re.search(rf'<ul class="errorlist" id="id_{field}_errors" data-field="{field}">(.*?)</ul>', page, re.S)
        assert errors is not None, page
        assert fragment in html.unescape(errors.group(1))
        assert 'value="Soon"' in page  # what was typed is kept
        assert ApprovalRule.objects.count() == before


def test_visit_request_pages(org, client):
    customer = make_customer(owner=org["rep1"])
    client.force_login(org["rep1"])
    response = client.post(
        "/visit-requests/new/",
        {"customer": customer.pk, "planned_date": "2026-03-10", "purpose": "Talk", "key_account": "on"},
    )
    assert response.status_code == 302
    visit = VisitRequest.objects.get()
    client.post(f"/visit-requests/{visit.pk}/submit/")
    visit.refresh_from_db()
    assert visit.status == VisitRequest.Status.PENDING
    assert "Visit requests" in client.get("/visit-requests/").content.decode()
    client.force_login(org["director"])
    assert client.get("/approvals/").content.decode().count("/approvals/tasks/") == 1


def test_delegation_page(org, client):
    client.force_login(org["supervisor1"])
    response = client.post(
        "/approvals/delegations/",
        {"to_user": org["supervisor2"].pk, "starts_on": "2026-03-01", "ends_on": "2026-03-05", "note": "Holiday"},
    )
    assert response.status_code == 302
    assert "Holiday" in client.get("/approvals/delegations/").content.decode()


def test_the_request_page_lists_each_escalation(org, client, pending):
    from salesops.approvals.services import approval_deadlines_run

    approval_deadlines_run(now=pending.due_at + datetime.timedelta(minutes=1))
    pending.refresh_from_db()
    approval_deadlines_run(now=pending.due_at + datetime.timedelta(minutes=1))
    client.force_login(org["rep1"])
    page = html.unescape(client.get(f"/approvals/requests/{pending.request_id}/").content.decode())
    assert "Supervisor1 did not answer in time → Manager" in page
    assert "Manager did not answer in time → Director" in page


def test_seeded_rules_read_in_each_language_and_conditions_under_their_labels(org, client):
    from salesops.approvals.models import ApprovalRule

    rule = ApprovalRule.objects.get(doc_type="special_discount_order", name__startswith="Order discount")
    assert (rule.name, rule.name_zh) == ("Order discount ≥ 15%: manager, director", "订单特殊折扣≥15%：经理、总监")
    client.force_login(org["admin"])
    english = client.get("/approvals/rules/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    chinese = client.get("/approvals/rules/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "Order discount ≥ 15%: manager, director" in english and "订单特殊折扣≥15%：经理、总监" not in english
    assert "订单特殊折扣≥15%：经理、总监" in chinese and "Order discount ≥ 15%" not in chinese
