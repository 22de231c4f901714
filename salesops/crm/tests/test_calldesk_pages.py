"""The call desk's pages and API: who may use them, the form's errors next to the fields, the
as-you-type check, the rotation page with the counts, and the API's stable error codes."""

import pytest
from django.test import Client

from salesops.core.selectors import company_date
from salesops.crm import calldesk, services
from salesops.crm.models import Customer, InboundContact, RepAbsence

pytestmark = pytest.mark.django_db


@pytest.fixture
def line(org):
    for rep in ("rep1", "rep2"):
        calldesk.rotation_seat_add(actor=org["salesadmin"], channel="call", rep=org[rep])


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    "username, status",
    [("salesadmin", 200), ("supervisor1", 200), ("manager", 200), ("director", 200), ("rep1", 404), ("finance", 404)],
)
def test_desk_pages_by_role(org, username, status):
    client = client_for(org[username])
    assert client.get("/crm/call-desk/").status_code == status
    assert client.get("/crm/call-desk/rotation/").status_code == status
    assert client.get("/crm/call-desk/matches/?phone=1380").status_code == status


def test_the_desk_registers_and_comes_back_for_the_next_call(org, line):
    client = client_for(org["salesadmin"])
    response = client.post(
        "/crm/call-desk/",
        {"via": "call", "phone": "138 0013 8001", "name": "上海新客户", "assign": "rotation", "kind": "company"},
    )
    assert response.status_code == 302 and response["Location"] == "/crm/call-desk/"
    record = InboundContact.objects.get()
    assert (record.assigned_to, record.customer.name) == (org["rep1"], "上海新客户")
    page = client.get("/crm/call-desk/").content.decode()
    assert "上海新客户" in page and "Rep1" in page


def test_the_desk_form_shows_errors_next_to_the_fields_and_keeps_the_input(org, line):
    client = client_for(org["salesadmin"])
    response = client.post(
        "/crm/call-desk/", {"via": "call", "phone": "12345", "name": "某客户", "assign": "chosen", "kind": "company"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-field="rep"' in page and 'data-field="phone"' not in page  # form errors first
    assert 'value="某客户"' in page
    response = client.post(
        "/crm/call-desk/", {"via": "call", "phone": "12345", "name": "某客户", "assign": "rotation", "kind": "company"}
    )
    assert 'data-field="phone"' in response.content.decode()
    assert Customer.objects.count() == 0


def test_nobody_present_is_said_next_to_the_assignment(org, line):
    today = company_date()
    for rep in ("rep1", "rep2"):
        RepAbsence.objects.create(rep=org[rep], start=today, end=today, created_by=org["salesadmin"])
    response = client_for(org["salesadmin"]).post(
        "/crm/call-desk/",
        {"via": "call", "phone": "13800138001", "name": "某客户", "assign": "rotation", "kind": "company"},
    )
    assert 'data-field="assign"' in response.content.decode()
    assert InboundContact.objects.count() == 0


def test_the_check_while_typing_names_the_known_customer(org):
    services.lead_register(actor=org["rep1"], name="杭州好又多超市", phone="13800138000")
    page = client_for(org["salesadmin"]).get("/crm/call-desk/matches/?phone=138 0013&name=").content.decode()
    assert "杭州好又多超市" in page and "Rep1" in page
    fresh = client_for(org["salesadmin"]).get("/crm/call-desk/matches/?phone=13999&name=").content.decode()
    assert 'data-testid="desk-new"' in fresh


def test_rotation_page_shows_the_order_the_turn_absences_and_counts(org, line):
    today = company_date()
    calldesk.absence_add(actor=org["salesadmin"], rep=org["rep1"], start=today, end=today, reason="培训")
    calldesk.inbound_register(actor=org["salesadmin"], via="call", name="甲客户", phone="13800138001")
    page = client_for(org["salesadmin"]).get("/crm/call-desk/rotation/").content.decode()
    assert page.index('data-rep="rep1"') < page.index('data-rep="rep2"')
    assert "培训" in page and 'data-testid="rep-counts"' in page
    assert "100.0 %" in page  # same-day share


def test_rotation_page_adds_a_seat_and_an_absence(org):
    client = client_for(org["salesadmin"])
    client.post("/crm/call-desk/rotation/", {"add_seat": "1", "seat-channel": "visit", "seat-rep": org["rep3"].pk})
    today = company_date().isoformat()
    client.post(
        "/crm/call-desk/rotation/",
        {"add_absence": "1", "absence-rep": org["rep3"].pk, "absence-start": today, "absence-end": today},
    )
    assert calldesk.rotation_line(calldesk.Rotation.for_channel("visit"), company_date())[0]["absent"] is True


def test_a_supervisor_opening_the_rep_form_is_sent_to_the_desk(org):
    response = client_for(org["supervisor1"]).get("/leads/register/")
    assert response.status_code == 302 and response["Location"] == "/crm/call-desk/"
    assert client_for(org["rep1"]).get("/leads/register/").status_code == 200


# --- API ------------------------------------------------------------------------------------------
def test_api_registers_by_rotation_and_lists_the_day(org, line, api):
    client = api(org["salesadmin"])
    response = client.post("/api/v1/crm/call-desk/", {"phone": "13800138001", "name": "接口客户"}, format="json")
    assert response.status_code == 201, response.content
    assert (response.data["assigned_to"], response.data["assignment"]) == (org["rep1"].pk, "rotation")
    listed = client.get("/api/v1/crm/call-desk/")
    assert [row["name"] for row in listed.data] == ["接口客户"]
    counts = client.get("/api/v1/crm/call-desk/counts/").data
    assert (counts["total"], counts["same_day_percent"]) == (1, "100.0")
    rotations = {r["channel"]: r for r in client.get("/api/v1/crm/rotations/").data}
    assert [s["next"] for s in rotations["call"]["seats"]] == [False, True]


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"phone": "123", "name": "x"}, "phone"),
        ({"phone": "13800138001", "name": "x", "assign": "chosen"}, "rep"),
        ({"phone": "13800138001", "name": "x", "assign": "somebody"}, "assign"),
        ({"phone": "13800138001"}, "name"),
    ],
)
def test_api_bad_input_is_400_with_the_field(org, line, api, payload, field):
    response = api(org["salesadmin"]).post("/api/v1/crm/call-desk/", payload, format="json")
    assert response.status_code == 400
    assert field in str(response.data)
    assert InboundContact.objects.count() == 0


@pytest.mark.parametrize("username", ["rep1", "finance", "norole"])
def test_api_is_for_the_desk_roles(org, api, username):
    client = api(org[username])
    assert client.get("/api/v1/crm/call-desk/").status_code == 403
    assert (
        client.post("/api/v1/crm/call-desk/", {"phone": "13800138001", "name": "x"}, format="json").status_code == 403
    )


def test_api_absences(org, api):
    client = api(org["salesadmin"])
    today = company_date().isoformat()
    created = client.post("/api/v1/crm/absences/", {"rep": org["rep1"].pk, "start": today, "end": today}, format="json")
    assert created.status_code == 201
    bad = client.post(
        "/api/v1/crm/absences/", {"rep": org["rep1"].pk, "start": today, "end": "2000-01-01"}, format="json"
    )
    assert bad.status_code == 400
    assert client.delete(f"/api/v1/crm/absences/{created.data['id']}/").status_code == 204
    assert RepAbsence.objects.count() == 0
