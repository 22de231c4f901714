"""A customer given to another rep follows the rep into the rep's team, and only someone who
may fill that team can move it there."""

import pytest
from django.urls import reverse

from salesops.core.exceptions import ValidationFailed
from salesops.crm import services
from salesops.crm.models import Customer, OwnershipChange
from salesops.crm.tests.factories import make_customer


def _form_data(customer, **changes):
    data = {
        "name": customer.name,
        "kind": customer.kind,
        "channel": customer.channel,
        "status": customer.status,
        "owner": customer.owner_id,
        "team": customer.team_id,
        "phone": customer.phone,
    }
    data.update(changes)
    return data


def test_web_supervisor_moves_within_own_team(org, client):
    customer = make_customer(org["rep1"])
    client.force_login(org["supervisor1"])
    response = client.post(reverse("customer-edit", args=[customer.pk]), _form_data(customer, owner=org["rep2"].pk))
    assert response.status_code == 302
    customer.refresh_from_db()
    assert (customer.owner, customer.team) == (org["rep2"], org.units["EAST-1"])


def test_web_supervisor_cannot_give_customer_to_another_team(org, client):
    customer = make_customer(org["rep1"])
    client.force_login(org["supervisor1"])
    response = client.post(reverse("customer-edit", args=[customer.pk]), _form_data(customer, owner=org["rep3"].pk))
    assert response.status_code == 200
    assert "owner" in response.context["form"].errors
    customer.refresh_from_db()
    assert (customer.owner, customer.team) == (org["rep1"], org.units["EAST-1"])
    assert not OwnershipChange.objects.filter(customer=customer, reason="reassigned").exists()


def test_web_manager_moves_customer_with_its_team(org, client):
    customer = make_customer(org["rep1"])
    client.force_login(org["manager"])
    # The form still carries the old team: the new owner's team wins.
    response = client.post(reverse("customer-edit", args=[customer.pk]), _form_data(customer, owner=org["rep3"].pk))
    assert response.status_code == 302
    customer.refresh_from_db()
    assert (customer.owner, customer.team) == (org["rep3"], org.units["EAST-2"])
    assert customer.ownership_changes.filter(reason="reassigned").get().to_owner == org["rep3"]


def test_api_supervisor_cannot_give_customer_to_another_team(org, api):
    customer = make_customer(org["rep1"])
    response = api(org["supervisor1"]).patch(
        f"/api/v1/customers/{customer.pk}/", {"owner": org["rep3"].pk}, format="json"
    )
    assert response.status_code == 400, response.content
    assert "owner" in response.json()["fields"]
    customer.refresh_from_db()
    assert (customer.owner, customer.team) == (org["rep1"], org.units["EAST-1"])


def test_api_supervisor_cannot_move_team_alone(org, api):
    customer = make_customer(org["rep1"])
    response = api(org["supervisor1"]).patch(
        f"/api/v1/customers/{customer.pk}/", {"team": org.units["EAST-2"].pk}, format="json"
    )
    assert response.status_code == 400, response.content
    assert "team" in response.json()["fields"]
    assert Customer.objects.get(pk=customer.pk).team == org.units["EAST-1"]


def test_api_manager_owner_change_sets_team(org, api):
    customer = make_customer(org["rep1"])
    response = api(org["manager"]).patch(
        f"/api/v1/customers/{customer.pk}/",
        {"owner": org["rep3"].pk, "team": org.units["EAST-1"].pk},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["team"] == org.units["EAST-2"].pk
    customer.refresh_from_db()
    assert (customer.owner, customer.team) == (org["rep3"], org.units["EAST-2"])


def test_bulk_reassignment_moves_team_along(org, api, django_capture_on_commit_callbacks):
    customers = [make_customer(org["rep1"]) for _ in range(2)]
    with django_capture_on_commit_callbacks(execute=True):
        response = api(org["manager"]).post(
            "/api/v1/crm/reassignments/",
            {"from_owner": org["rep1"].pk, "to_owner": org["rep3"].pk, "reason": "territory change"},
            format="json",
        )
    assert response.status_code == 201, response.content
    for customer in customers:
        customer.refresh_from_db()
        assert (customer.owner, customer.team) == (org["rep3"], org.units["EAST-2"])


def test_bulk_reassignment_refused_into_a_team_the_supervisor_does_not_run(org):
    make_customer(org["rep1"])
    with pytest.raises(ValidationFailed) as refused:
        services.reassignment_start(actor=org["supervisor1"], from_owner=org["rep1"], to_owner=org["rep3"], reason="x")
    assert set(refused.value.fields) == {"to_owner"}


def test_web_bulk_reassignment_moves_team_along(org, client, django_capture_on_commit_callbacks):
    customer = make_customer(org["rep1"])
    client.force_login(org["manager"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reassign"),
            {"from_owner": org["rep1"].pk, "to_owner": org["rep3"].pk, "reason": "territory change"},
        )
    assert response.status_code == 302
    customer.refresh_from_db()
    assert (customer.owner, customer.team) == (org["rep3"], org.units["EAST-2"])
