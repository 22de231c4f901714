"""Endpoints: permission matrix, decisions and conflicts, rules, delegations, visit requests,
and the inbox's query count not growing with the number of requests."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from salesops.approvals.models import ApprovalRequest, ApprovalRule, ApprovalTask, VisitRequest
from salesops.approvals.services import approval_deadlines_run
from salesops.approvals.tests.factories import make_customer, submit_visit

# the request of rep1 (team EAST-1) waits for supervisor1
ROLES = ["rep1", "supervisor1", "rep3", "finance", "norole"]


@pytest.fixture
def pending(org):
    _visit, request = submit_visit(rep=org["rep1"])
    return request.tasks.get()


@pytest.mark.parametrize(("who", "status"), list(zip(ROLES, [200, 200, 404, 404, 404], strict=True)))
def test_read_a_task(org, api, pending, who, status):
    response = api(org[who]).get(f"/api/v1/approvals/tasks/{pending.pk}/")
    assert response.status_code == status
    if status == 200:
        assert response.json()["request"]["snapshot"]["purpose"] == "Annual review"


@pytest.mark.parametrize(
    ("who", "status", "code"),
    [
        ("rep1", 403, "approval_self"),
        ("supervisor1", 200, None),
        ("rep3", 404, "not_found"),
        ("finance", 404, "not_found"),
        ("norole", 404, "not_found"),
    ],
)
def test_decide(org, api, pending, who, status, code):
    response = api(org[who]).post(f"/api/v1/approvals/tasks/{pending.pk}/decide/", {"decision": "approve"})
    assert response.status_code == status
    pending.refresh_from_db()
    if status == 200:
        assert response.json()["status"] == "approved"
        assert pending.status == ApprovalTask.Status.APPROVED
    else:
        assert response.json()["code"] == code
        assert (pending.status, pending.decided_at) == (ApprovalTask.Status.OPEN, None)


def test_anonymous_is_refused(api, pending):
    assert api().get("/api/v1/approvals/inbox/").status_code in {401, 403}
    assert api().post(f"/api/v1/approvals/tasks/{pending.pk}/decide/", {"decision": "approve"}).status_code in {
        401,
        403,
    }


def test_decision_on_a_decided_request_is_a_409(org, api, pending):
    client = api(org["supervisor1"])
    assert (
        client.post(
            f"/api/v1/approvals/tasks/{pending.pk}/decide/", {"decision": "reject", "comment": "No"}
        ).status_code
        == 200
    )
    response = client.post(f"/api/v1/approvals/tasks/{pending.pk}/decide/", {"decision": "approve"})
    assert response.status_code == 409
    assert response.json()["code"] == "approval_not_pending"
    pending.refresh_from_db()
    assert pending.decision == "reject"


def test_reject_without_comment_names_the_field(org, api, pending):
    response = api(org["supervisor1"]).post(f"/api/v1/approvals/tasks/{pending.pk}/decide/", {"decision": "reject"})
    assert response.status_code == 400
    assert "comment" in response.json()["fields"]


@pytest.mark.parametrize(("who", "count"), list(zip(ROLES, [0, 1, 0, 0, 0], strict=True)))
def test_inbox_shows_only_what_waits_for_the_caller(org, api, pending, who, count):
    response = api(org[who]).get("/api/v1/approvals/inbox/")
    assert response.status_code == 200
    assert response.json()["count"] == count


@pytest.mark.parametrize(("who", "status"), list(zip(ROLES, [200, 200, 404, 404, 404], strict=True)))
def test_read_a_request(org, api, pending, who, status):
    assert api(org[who]).get(f"/api/v1/approvals/requests/{pending.request_id}/").status_code == status


@pytest.mark.parametrize(("who", "status"), list(zip(ROLES, [200, 404, 404, 404, 404], strict=True)))
def test_withdraw(org, api, pending, who, status):
    response = api(org[who]).post(f"/api/v1/approvals/requests/{pending.request_id}/withdraw/")
    assert response.status_code in ({status} if status == 200 else {403, 404})
    expected = ApprovalRequest.Status.WITHDRAWN if status == 200 else ApprovalRequest.Status.PENDING
    assert ApprovalRequest.objects.get(pk=pending.request_id).status == expected


def test_my_requests(org, api, pending):
    assert api(org["rep1"]).get("/api/v1/approvals/requests/?mine=1").json()["count"] == 1
    assert api(org["supervisor1"]).get("/api/v1/approvals/requests/?mine=1").json()["count"] == 0


def _inbox_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_inbox_query_count_does_not_grow(org, api, client):
    customer = make_customer(owner=org["rep1"])
    for _ in range(5):
        submit_visit(rep=org["rep1"], customer=customer)
    api_client = api(org["supervisor1"])
    client.force_login(org["supervisor1"])
    for url in ["/api/v1/approvals/inbox/", "/approvals/", "/"]:  # warm caches (company, content types)
        (api_client if url.startswith("/api") else client).get(url)
    few_api = _inbox_queries(api_client, "/api/v1/approvals/inbox/?page_size=100")
    few_page = _inbox_queries(client, "/approvals/")
    few_home = _inbox_queries(client, "/")
    for _ in range(45):
        submit_visit(rep=org["rep2"], customer=customer)
    assert ApprovalTask.objects.filter(assignee=org["supervisor1"], status="open").count() == 50
    assert _inbox_queries(api_client, "/api/v1/approvals/inbox/?page_size=100") == few_api
    assert _inbox_queries(client, "/approvals/") == few_page
    assert _inbox_queries(client, "/") == few_home


class TestRulesApi:
    URL = "/api/v1/approvals/rules/"

    def body(self, **changes):
        return {
            "doc_type": "visit_request",
            "name": "Far ahead",
            "position": 5,
            "conditions": [{"field": "days_ahead", "operator": ">=", "value": "30"}],
            "steps": [{"approver": "supervisor"}, {"approver": "sales_director"}],
            "deadline_hours": 16,
            "reminder_hours": 2,
            **changes,
        }

    @pytest.mark.parametrize(("who", "status"), [("admin", 200), ("gm", 403), ("rep1", 403), ("norole", 403)])
    def test_only_administrators(self, org, api, who, status):
        assert api(org[who]).get(self.URL).status_code == status

    def test_create_and_read_back(self, org, api):
        response = api(org["admin"]).post(self.URL, self.body(), format="json")
        assert response.status_code == 201, response.json()
        data = api(org["admin"]).get(f"{self.URL}{response.json()['id']}/").json()
        assert data["conditions"] == [{"field": "days_ahead", "operator": ">=", "value": "30"}]
        assert data["steps"] == [{"approver": "supervisor", "user": None}, {"approver": "sales_director", "user": None}]
        assert data["dormant"] is False

    @pytest.mark.parametrize(
        ("changes", "field", "fragment"),
        [
            (
                {"conditions": [{"field": "amount", "operator": ">=", "value": "1"}]},
                "conditions",
                "has no field “amount”",
            ),
            (
                {"conditions": [{"field": "days_ahead", "operator": ">=", "value": "soon"}]},
                "conditions",
                "cannot be compared",
            ),
            (
                {
                    "conditions": [
                        {"field": "days_ahead", "operator": ">=", "value": "100"},
                        {"field": "days_ahead", "operator": "<", "value": "50"},
                    ]
                },
                "conditions",
                "never match",
            ),
            ({"steps": []}, "steps", "at least one approver"),
        ],
    )
    def test_bad_rules_are_refused_with_the_problem(self, org, api, changes, field, fragment):
        before = ApprovalRule.objects.count()
        response = api(org["admin"]).post(self.URL, self.body(**changes), format="json")
        assert response.status_code == 400
        assert any(fragment in message for message in response.json()["fields"][field]), response.json()
        assert ApprovalRule.objects.count() == before

    def test_role_nobody_holds(self, org, api):
        from salesops.core import services as core

        core.user_set_roles(user=org["director"], roles=[], actor=org["admin"])
        response = api(org["admin"]).post(self.URL, self.body(), format="json")
        assert response.status_code == 400
        assert response.json()["fields"]["steps"] == ["Step 2: nobody holds the role “Sales director”."]


class TestDelegationsApi:
    def test_create_list_end(self, org, api):
        client = api(org["supervisor1"])
        response = client.post(
            "/api/v1/approvals/delegations/",
            {"to_user": org["supervisor2"].pk, "starts_on": "2026-03-01", "ends_on": "2026-03-05"},
        )
        assert response.status_code == 201, response.json()
        assert response.json()["from_user"] == org["supervisor1"].pk
        pk = response.json()["id"]
        assert api(org["supervisor2"]).get("/api/v1/approvals/delegations/").json()["count"] == 1
        assert api(org["rep3"]).get(f"/api/v1/approvals/delegations/{pk}/").status_code == 404
        assert api(org["supervisor2"]).post(f"/api/v1/approvals/delegations/{pk}/end/").status_code == 404
        assert client.post(f"/api/v1/approvals/delegations/{pk}/end/").json()["active"] is False

    def test_bad_dates(self, org, api):
        response = api(org["supervisor1"]).post(
            "/api/v1/approvals/delegations/",
            {"to_user": org["supervisor2"].pk, "starts_on": "2026-03-05", "ends_on": "2026-03-01"},
        )
        assert response.status_code == 400
        assert "ends_on" in response.json()["fields"]


class TestVisitRequestsApi:
    def test_rep_creates_and_submits_a_key_account_visit(self, org, api):
        customer = make_customer(owner=org["rep1"])
        client = api(org["rep1"])
        response = client.post(
            "/api/v1/visit-requests/",
            {"customer": customer.pk, "planned_date": "2026-03-10", "purpose": "Listing talks", "key_account": True},
        )
        assert response.status_code == 201, response.json()
        pk = response.json()["id"]
        response = client.post(f"/api/v1/visit-requests/{pk}/submit/")
        assert response.status_code == 200
        assert response.json()["status"] == "pending"
        assert api(org["director"]).get("/api/v1/approvals/inbox/").json()["count"] == 1

    def test_a_rep_cannot_use_another_reps_customer(self, org, api):
        customer = make_customer(owner=org["rep3"])
        response = api(org["rep1"]).post(
            "/api/v1/visit-requests/", {"customer": customer.pk, "planned_date": "2026-03-10", "purpose": "x"}
        )
        assert response.status_code == 400
        assert not VisitRequest.objects.exists()

    @pytest.mark.parametrize(("who", "status"), list(zip(ROLES, [200, 200, 404, 200, 404], strict=True)))
    def test_read(self, org, api, pending, who, status):
        visit = VisitRequest.objects.get()
        # finance sees sales records company-wide; people without a sales role see none
        expected = 403 if who == "norole" else status
        assert api(org[who]).get(f"/api/v1/visit-requests/{visit.pk}/").status_code == expected

    @pytest.mark.parametrize("who", ["supervisor1", "rep3", "finance", "norole"])
    def test_only_the_rep_edits(self, org, api, pending, who):
        visit = VisitRequest.objects.get()
        response = api(org[who]).patch(f"/api/v1/visit-requests/{visit.pk}/", {"purpose": "Changed"})
        assert response.status_code in {403, 404}
        visit.refresh_from_db()
        assert visit.purpose == "Annual review"

    def test_edit_cancels_the_pending_approval(self, org, api, pending):
        visit = VisitRequest.objects.get()
        response = api(org["rep1"]).patch(f"/api/v1/visit-requests/{visit.pk}/", {"purpose": "Changed"})
        assert response.status_code == 200
        assert response.json()["status"] == "draft"
        assert ApprovalRequest.objects.get().status == ApprovalRequest.Status.CANCELLED


def test_escalations_are_in_the_request_and_the_escalated_approver_can_decide(org, api, pending):
    """Two missed deadlines: supervisor1 → manager → director; the API shows each level."""
    first = pending.due_at + datetime.timedelta(minutes=1)
    assert approval_deadlines_run(now=first)["escalated"] == 1
    pending.refresh_from_db()
    assert approval_deadlines_run(now=pending.due_at + datetime.timedelta(minutes=1))["escalated"] == 1

    body = api(org["director"]).get(f"/api/v1/approvals/requests/{pending.request_id}/").json()
    (task,) = body["tasks"]
    assert (task["assignee"], task["escalation_level"], task["escalation_ended"]) == (org["director"].pk, 2, False)
    assert [(e["level"], e["from_user_name"], e["to_user_name"]) for e in task["escalations"]] == [
        (1, "Supervisor1", "Manager"),
        (2, "Manager", "Director"),
    ]
    assert api(org["manager"]).get("/api/v1/approvals/inbox/").json()["count"] == 1
    response = api(org["director"]).post(
        f"/api/v1/approvals/tasks/{pending.pk}/decide/", {"decision": "approve"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert ApprovalRequest.objects.get(pk=pending.request_id).status == ApprovalRequest.Status.APPROVED
