"""The planning policy page and endpoint: planners change the rules, other planning roles read
them, everyone else is not told they exist; bad values are refused next to the field."""

import pytest

from salesops.core.models import AuditEvent
from salesops.planning.models import PlanningPolicy

pytestmark = pytest.mark.django_db

VALID = {
    "history_source": "shipments",
    "forecast_horizon": "4",
    "forecast_model": "ets",
    "consumption": "orders_in_fence",
    "demand_time_fence_weeks": "3",
    "frozen_weeks": "4",
    "planning_time_fence_weeks": "10",
    "mps_weeks": "13",
    "mrp_weeks": "13",
    "plan_buckets": "3",
    "mps_net_stock": "on",
}


def test_planner_changes_the_policy_and_it_is_audited(org, client):
    client.force_login(org["planner"])
    assert client.get("/planning/policy/").status_code == 200
    response = client.post("/planning/policy/", VALID)
    assert response.status_code == 302
    policy = PlanningPolicy.current()
    assert (policy.consumption, policy.frozen_weeks, policy.forecast_model) == ("orders_in_fence", 4, "ets")
    assert AuditEvent.objects.filter(object_id=str(policy.pk), actor=org["planner"]).exists()


def test_a_bad_value_is_shown_next_to_the_field_and_nothing_is_saved(org, client):
    client.force_login(org["planner"])
    response = client.post("/planning/policy/", {**VALID, "frozen_weeks": "-1", "forecast_model": "magic"})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"frozen_weeks", "forecast_model"}
    assert PlanningPolicy.current().frozen_weeks == 2


def test_other_planning_roles_read_but_cannot_change(org, client):
    client.force_login(org["director"])
    response = client.get("/planning/policy/")
    assert response.status_code == 200
    assert all(field.disabled for field in response.context["form"].fields.values())
    assert client.post("/planning/policy/", VALID).status_code == 403
    assert PlanningPolicy.current().consumption == "max"


@pytest.mark.parametrize("username", ["rep1", "rep3", "supervisor1", "norole"])
def test_people_outside_planning_do_not_see_it(org, client, username):
    client.force_login(org[username])
    assert client.get("/planning/policy/").status_code == 404


def test_api_reads_and_changes_the_policy(org, api):
    assert api(org["director"]).get("/api/v1/planning/policy/").json()["consumption"] == "max"
    denied = api(org["director"]).patch("/api/v1/planning/policy/", {"frozen_weeks": 5}, format="json")
    assert denied.status_code == 403
    planner = api(org["planner"])
    bad = planner.patch("/api/v1/planning/policy/", {"consumption": "sometimes"}, format="json")
    assert bad.status_code == 400 and bad.json()["code"] == "validation_error" and "consumption" in bad.json()["fields"]
    changed = planner.patch("/api/v1/planning/policy/", {"frozen_weeks": 5}, format="json")
    assert changed.status_code == 200 and changed.json()["frozen_weeks"] == 5
    assert PlanningPolicy.current().frozen_weeks == 5
    assert api(org["rep1"]).get("/api/v1/planning/policy/").status_code == 404
