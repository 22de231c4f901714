"""Work centre pages: the planner (and the administrator) list, add and change work centres
with an audit trail; other planning roles see the list only; everyone else sees nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from salesops.core.audit import history_for
from salesops.core.exceptions import PermissionDenied
from salesops.planning.masters import work_centre_save
from salesops.planning.models import WorkCentre

pytestmark = pytest.mark.django_db


def _client(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def mill(org):
    return work_centre_save(actor=org["planner"], code="MILL", name="Mill", hours_per_week=Decimal("120"))


@pytest.mark.parametrize("role", ["planner", "admin"])
def test_planner_and_administrator_add_and_change_a_work_centre(org, mill, role):
    client = _client(org[role])
    listing = client.get(reverse("planning-work-centres"))
    assert listing.status_code == 200 and b"MILL" in listing.content and b"new-work-centre" in listing.content

    response = client.post(
        reverse("planning-work-centre-new"), {"code": "PACK", "name": "Packing", "hours_per_week": "80"}
    )
    assert response.status_code == 302
    pack = WorkCentre.objects.get(code="PACK")
    assert pack.hours_per_week == Decimal("80.00")

    response = client.post(
        reverse("planning-work-centre-edit", args=[mill.pk]), {"code": "MILL", "name": "Mill", "hours_per_week": "96.5"}
    )
    assert response.status_code == 302
    mill.refresh_from_db()
    assert mill.hours_per_week == Decimal("96.50")
    (change,) = [event for event in history_for(mill) if event.action == "update"]
    assert change.actor == org[role] and Decimal(change.changes["hours_per_week"][1]) == Decimal("96.5")


def test_errors_are_shown_next_to_the_field_and_the_input_is_kept(org, mill):
    client = _client(org["planner"])
    response = client.post(
        reverse("planning-work-centre-new"), {"code": "MILL", "name": "Second mill", "hours_per_week": "-"}
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "code" in form.errors and "hours_per_week" in form.errors
    assert b"Second mill" in response.content
    assert WorkCentre.objects.count() == 1


@pytest.mark.parametrize("role", ["director", "salesadmin", "gm", "purchasing"])
def test_other_planning_roles_see_the_list_but_may_not_edit(org, mill, role):
    client = _client(org[role])
    listing = client.get(reverse("planning-work-centres"))
    assert listing.status_code == 200 and b"MILL" in listing.content and b"new-work-centre" not in listing.content
    assert client.get(reverse("planning-work-centre-new")).status_code == 403
    response = client.post(
        reverse("planning-work-centre-edit", args=[mill.pk]), {"code": "MILL", "name": "X", "hours_per_week": "1"}
    )
    assert response.status_code == 403
    mill.refresh_from_db()
    assert mill.name == "Mill"
    with pytest.raises(PermissionDenied):
        work_centre_save(actor=org[role], work_centre=mill, name="X")


@pytest.mark.parametrize("role", ["rep1", "supervisor1", "finance", "warehouse", "norole"])
def test_people_without_a_planning_role_see_nothing(org, mill, role):
    client = _client(org[role])
    assert client.get(reverse("planning-work-centres")).status_code == 404
    assert client.get(reverse("planning-work-centre-edit", args=[mill.pk])).status_code == 403
