"""The CRM policy is data an administrator edits in the app: holding limit, grading period
and cut-offs, pool return days per grade, pipeline stages (the complaint answer time is the
SOP rule "complaint-24h")."""

from decimal import Decimal

import pytest

from salesops.core.exceptions import PermissionDenied, ValidationFailed
from salesops.core.models import AuditEvent
from salesops.crm import services
from salesops.crm.grading import grading_run, register_grading_measure
from salesops.crm.models import CrmPolicy, GradingRun, PoolRule, Stage
from salesops.crm.tests.factories import make_customer

POLICY_POST = {
    "section": "policy",
    "policy-max_prospects_per_rep": "20",
    "policy-grade_period_days": "90",
    "policy-grade_cutoff_a": "50",
    "policy-grade_cutoff_b": "85",
    "policy-grade_measure": "opportunities_won",
}


def test_sales_admin_edits_policy_on_the_page_and_grading_uses_it(org, client):
    client.force_login(org["salesadmin"])
    page = client.get("/crm/policy/")
    assert page.status_code == 200 and 'data-testid="policy-form"' in page.content.decode()

    response = client.post("/crm/policy/", POLICY_POST)

    assert response.status_code == 302
    policy = CrmPolicy.current()
    assert (policy.max_prospects_per_rep, policy.grade_period_days) == (20, 90)
    assert (policy.grade_cutoff_a, policy.grade_cutoff_b) == (Decimal(50), Decimal(85))
    assert AuditEvent.objects.filter(action=AuditEvent.Action.UPDATE, actor=org["salesadmin"]).exists()
    customer = make_customer(org["rep1"])
    register_grading_measure("test_policy", lambda *, start, end: {customer.pk: Decimal(1)})
    run = grading_run(measure="test_policy")
    assert (run.cutoff_a, run.cutoff_b) == (Decimal(50), Decimal(85))
    assert (run.period_end - run.period_start).days == 89


def test_cut_offs_out_of_order_are_refused_next_to_the_field_and_input_kept(org, client):
    client.force_login(org["salesadmin"])

    response = client.post("/crm/policy/", {**POLICY_POST, "policy-grade_cutoff_b": "30"})

    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-field="grade_cutoff_b"' in body and 'value="30"' in body
    assert CrmPolicy.current().grade_cutoff_b == Decimal(80)


def test_pool_return_days_per_grade_are_edited_and_drive_the_pool(org, client):
    client.force_login(org["admin"])

    response = client.post(
        "/crm/policy/",
        {"section": "pool", "pool-days_none": "10", "pool-days_A": "120", "pool-days_B": "45", "pool-days_C": "15"},
    )

    assert response.status_code == 302
    assert services.pool_rules() == {"": 10, "A": 120, "B": 45, "C": 15}
    response = client.post(
        "/crm/policy/",
        {"section": "pool", "pool-days_none": "0", "pool-days_A": "120", "pool-days_B": "45", "pool-days_C": "15"},
    )
    assert response.status_code == 200 and 'data-field="days_none"' in response.content.decode()
    assert PoolRule.objects.get(grade="").return_after_days == 10


def test_stages_are_added_and_edited_and_a_closing_outcome_cannot_disappear(org, client):
    client.force_login(org["director"])

    response = client.post(
        "/crm/policy/stages/new/",
        {
            "code": "trial",
            "name": "Trial order",
            "name_zh": "试单",
            "order": "25",
            "probability": "30",
            "outcome": "open",
            "active": "on",
        },
    )

    assert response.status_code == 302
    trial = Stage.objects.get(code="trial")
    assert (trial.probability, trial.name_zh, trial.active) == (30, "试单", True)
    assert [s.code for s in Stage.objects.filter(active=True).order_by("order")][:4] == [
        "lead",
        "needs",
        "trial",
        "proposal",
    ]
    lost = Stage.objects.get(code="lost")
    response = client.post(
        f"/crm/policy/stages/{lost.pk}/",
        {"code": "lost", "name": "Lost", "name_zh": "输单", "order": "70", "probability": "0", "outcome": "lost"},
    )
    assert response.status_code == 200 and "lost" in response.content.decode().lower()
    assert Stage.objects.get(pk=lost.pk).active is True


@pytest.mark.parametrize("username", ["rep1", "supervisor1", "finance", "warehouse"])
def test_other_roles_cannot_see_or_change_the_policy(org, client, username):
    client.force_login(org[username])
    assert client.get("/crm/policy/").status_code == 404
    assert client.post("/crm/policy/", POLICY_POST).status_code == 404
    assert client.get("/crm/policy/stages/new/").status_code == 404
    with pytest.raises(PermissionDenied):
        services.crm_policy_update(actor=org[username], data={"max_prospects_per_rep": 1})
    assert CrmPolicy.current().max_prospects_per_rep == 50


def test_policy_service_validates_cut_offs(org):
    with pytest.raises(ValidationFailed) as error:
        services.crm_policy_update(
            actor=org["admin"], data={"grade_cutoff_a": Decimal(0), "grade_cutoff_b": Decimal(80)}
        )
    assert "grade_cutoff_a" in error.value.fields
    assert GradingRun.objects.count() == 0
