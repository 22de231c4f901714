"""The API of unit sales per role: who sees which purchase, who may do what, and refusals as
{code, message, fields} with stable codes."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from salesops.units.models import Reservation, Unit
from salesops.units.tests.factories import (
    make_buyer,
    make_project,
    make_venue,
    mortgage_contract,
    pay,
    reserve,
    unit_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(org):
    return make_project(org)


@pytest.fixture
def sale(org, project):
    """rep1's customer holds 1-101 with the deposit paid."""
    return reserve(org, project)


# who sees rep1's purchase (team East-1 in region East)
SEES = {
    "rep1": 200,
    "rep2": 404,
    "supervisor1": 200,
    "supervisor2": 404,
    "rep3": 404,
    "manager": 200,
    "finance": 200,
    "director": 200,
    "warehouse": 403,
    "norole": 403,
}


@pytest.mark.parametrize("username, status", SEES.items())
def test_a_purchase_is_seen_by_its_consultant_their_managers_and_finance(org, api, sale, username, status):
    response = api(org[username]).get(f"/api/v1/unit-reservations/{sale.pk}/")
    assert response.status_code == status
    listed = api(org[username]).get("/api/v1/unit-reservations/")
    if status == 403:
        assert listed.status_code == 403 and listed.json()["code"] == "permission_denied"
    else:
        assert [row["id"] for row in listed.json()["results"]] == ([sale.pk] if status == 200 else [])


@pytest.mark.parametrize("username, status", SEES.items())
def test_the_board_names_the_customer_only_to_those_who_see_the_purchase(org, api, project, sale, username, status):
    response = api(org[username]).get(f"/api/v1/unit-projects/{project.pk}/board/")
    if status == 403:
        assert response.status_code == 403
        return
    assert response.status_code == 200
    body = response.json()
    first = body["buildings"][0]["floors"][-1]["units"][0]
    assert first["code"] == "1-101" and first["status"] == "reserved"
    assert first["customer"] == (sale.customer.name if status == 200 else None)
    assert body["counts"]["reserved"] == 1 and body["counts"]["available"] == 19


def test_the_board_reads_a_constant_number_of_queries(org, api):
    client = api(org["rep1"])
    small = make_project(org, floors=2, units_per_floor=2)
    large = make_project(org, floors=30, units_per_floor=8)
    reserve(org, large, code="1-1505")
    client.get(f"/api/v1/unit-projects/{small.pk}/board/")  # the user's roles are read once per request user
    counts = []
    for project in (small, large):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/api/v1/unit-projects/{project.pk}/board/").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 6  # project, buildings, units, purchases, waitlist counts (+ session)


def test_holding_a_taken_unit_is_refused_or_queued(org, api, project, sale):
    unit = unit_of(project)
    buyer = make_buyer(org["rep2"])
    refused = api(org["rep2"]).post(f"/api/v1/units/{unit.pk}/hold/", {"customer": buyer.pk}, format="json")
    assert refused.status_code == 409
    assert refused.json()["code"] == "unit_not_available"
    queued = api(org["rep2"]).post(
        f"/api/v1/units/{unit.pk}/hold/", {"customer": buyer.pk, "waitlist": True}, format="json"
    )
    assert queued.status_code == 202 and queued.json()["position"] == 1


def test_hold_input_is_checked(org, api, project):
    unit = unit_of(project, "1-102")
    client = api(org["rep1"])
    buyer = make_buyer(org["rep1"])
    for deposit in ("abc", "-5", "100.001", "1e400"):
        response = client.post(
            f"/api/v1/units/{unit.pk}/hold/", {"customer": buyer.pk, "deposit_amount": deposit}, format="json"
        )
        assert response.status_code == 400, deposit
        assert response.json()["code"] == "validation_error" and "deposit_amount" in response.json()["fields"]
    other = make_buyer(org["rep3"])
    response = client.post(f"/api/v1/units/{unit.pk}/hold/", {"customer": other.pk}, format="json")
    assert response.status_code == 400 and "customer" in response.json()["fields"]
    assert Unit.objects.get(pk=unit.pk).status == Unit.Status.AVAILABLE
    assert not Reservation.objects.filter(unit=unit).exists()


@pytest.mark.parametrize("username, status", [("finance", 201), ("rep1", 403), ("supervisor1", 403), ("rep3", 404)])
def test_only_finance_records_payments(org, api, project, username, status):
    reservation = reserve(org, project, code="1-103")
    contract_item = reservation.payment_items.get()  # the deposit, already paid
    hold = api(org["rep1"]).post(
        f"/api/v1/units/{unit_of(project, '1-104').pk}/hold/", {"customer": make_buyer(org["rep1"]).pk}, format="json"
    )
    deposit = Reservation.objects.get(pk=hold.json()["id"]).payment_items.get()
    response = api(org[username]).post(
        f"/api/v1/unit-payments/{deposit.pk}/pay/",
        {"amount": "20000.00", "received_on": timezone.localdate().isoformat()},
        format="json",
    )
    assert response.status_code == status
    if status == 201:
        assert response.json()["receipt_status"] == "confirmed"
        assert Reservation.objects.get(pk=deposit.reservation_id).status == "reserved"
    else:
        assert Reservation.objects.get(pk=deposit.reservation_id).status == "held"
    again = api(org["finance"]).post(
        f"/api/v1/unit-payments/{contract_item.pk}/pay/",
        {"amount": "1.00", "received_on": timezone.localdate().isoformat()},
        format="json",
    )
    assert again.status_code == 409 and again.json()["code"] in ("nothing_due", "invalid_transition")


def test_a_sale_through_the_api(org, api, project, sale):
    rep, finance = api(org["rep1"]), api(org["finance"])
    today = timezone.localdate()
    mismatch = rep.post(
        "/api/v1/unit-contracts/",
        {
            "reservation": sale.pk,
            "method": "instalments",
            "down_payment": "600000.00",
            "instalments": [{"due_date": (today + datetime.timedelta(days=90)).isoformat(), "amount": "100.00"}],
        },
        format="json",
    )
    assert mismatch.status_code == 400 and mismatch.json()["code"] == "schedule_mismatch"
    created = rep.post(
        "/api/v1/unit-contracts/",
        {
            "reservation": sale.pk,
            "method": "instalments",
            "down_payment": "600000.00",
            "instalments": [
                {"due_date": (today + datetime.timedelta(days=90)).isoformat(), "amount": "700000.00"},
                {"due_date": (today + datetime.timedelta(days=180)).isoformat(), "amount": "700000.00"},
            ],
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    contract = created.json()
    assert [line["kind"] for line in contract["schedule"]] == ["deposit", "down_payment", "instalment", "instalment"]
    assert rep.post(f"/api/v1/unit-contracts/{contract['id']}/sign/", {}).json()["code"] == "invalid_transition"
    own = rep.post(f"/api/v1/unit-contracts/{contract['id']}/review/", {}, format="json")
    assert own.status_code == 403
    partial = api(org["supervisor1"]).post(
        f"/api/v1/unit-contracts/{contract['id']}/review/", {"check_customer": True}, format="json"
    )
    assert partial.status_code == 400 and partial.json()["code"] == "review_incomplete"
    assert set(partial.json()["fields"]) == {
        "check_discount",
        "check_amounts",
        "check_loan_date",
        "check_deposit_receipt",
    }
    checks = dict.fromkeys(
        ["check_customer", "check_discount", "check_amounts", "check_loan_date", "check_deposit_receipt"], True
    )
    reviewed = api(org["supervisor1"]).post(f"/api/v1/unit-contracts/{contract['id']}/review/", checks, format="json")
    assert reviewed.json()["status"] == "reviewed"
    assert rep.post(f"/api/v1/unit-contracts/{contract['id']}/sign/", {}).json()["code"] == "down_payment_not_paid"
    down = contract["schedule"][1]["id"]
    paid = finance.post(
        f"/api/v1/unit-payments/{down}/pay/", {"amount": "580000.00", "received_on": today.isoformat()}, format="json"
    )
    assert paid.status_code == 201
    signed = rep.post(f"/api/v1/unit-contracts/{contract['id']}/sign/", {}, format="json")
    assert signed.json()["status"] == "signed"
    for line in signed.json()["schedule"][2:]:
        assert line["receivable"] and line["open_amount"] == "700000.00"
        finance.post(
            f"/api/v1/unit-payments/{line['id']}/pay/",
            {"amount": "700000.00", "received_on": today.isoformat()},
            format="json",
        )
    final = rep.get(f"/api/v1/unit-contracts/{contract['id']}/").json()
    assert final["status"] == "completed"
    assert Unit.objects.get(pk=sale.unit_id).status == "sold"


def test_a_refund_through_the_api(org, api, project, sale):
    created = api(org["rep1"]).post(
        "/api/v1/unit-changes/",
        {"reservation": sale.pk, "kind": "cancel_reservation", "reason": "seller"},
        format="json",
    )
    assert created.status_code == 201 and created.json()["refund_amount"] == "20000.00"
    from salesops.sales.tests.helpers import decide_all
    from salesops.units.models import UnitChange

    decide_all(UnitChange.objects.get(pk=created.json()["id"]), "unit_change")
    refused = api(org["rep1"]).post(
        f"/api/v1/unit-changes/{created.json()['id']}/pay-refund/",
        {"paid_on": timezone.localdate().isoformat(), "method": "bank_transfer"},
        format="json",
    )
    assert refused.status_code == 403
    paid = api(org["finance"]).post(
        f"/api/v1/unit-changes/{created.json()['id']}/pay-refund/",
        {"paid_on": timezone.localdate().isoformat(), "method": "bank_transfer", "reference": "退款001"},
        format="json",
    )
    assert paid.status_code == 200 and paid.json()["refund_paid_on"] == timezone.localdate().isoformat()
    again = api(org["finance"]).post(
        f"/api/v1/unit-changes/{created.json()['id']}/pay-refund/",
        {"paid_on": timezone.localdate().isoformat(), "method": "bank_transfer"},
        format="json",
    )
    assert again.status_code == 409 and again.json()["code"] == "refund_already_paid"


@pytest.mark.parametrize(
    "username, status", [("manager", 200), ("supervisor1", 200), ("director", 200), ("rep1", 404), ("norole", 404)]
)
def test_reports_are_for_managers(org, api, project, sale, username, status):
    response = api(org[username]).get(f"/api/v1/unit-reports/?project={project.pk}")
    assert response.status_code == status
    if status == 200:
        body = response.json()
        assert body["sales_by_building"][0]["counts"]["reserved"] == 1
        month = timezone.localdate().isoformat()[:7]
        row = next(row for row in body["cash_by_month"] if row["month"] == month)
        assert row["collected"] == "20000.00"


def test_reports_refuse_bad_parameters(org, api):
    client = api(org["manager"])
    assert client.get("/api/v1/unit-reports/?from=x").json()["code"] == "validation_error"
    assert client.get("/api/v1/unit-reports/?months=999").status_code == 400
    assert client.get("/api/v1/unit-reports/?project=abc").status_code == 400


def test_project_rules_are_validated_when_written(org, api, project):
    client = api(org["manager"])
    response = client.patch(
        f"/api/v1/unit-projects/{project.pk}/", {"hold_hours": 0, "forfeit_percent": "150"}, format="json"
    )
    assert response.status_code == 400 and {"hold_hours", "forfeit_percent"} <= set(response.json()["fields"])
    assert (
        api(org["rep1"]).patch(f"/api/v1/unit-projects/{project.pk}/", {"hold_hours": 48}, format="json").status_code
        == 403
    )
    assert (
        client.patch(f"/api/v1/unit-projects/{project.pk}/", {"hold_hours": 48}, format="json").json()["hold_hours"]
        == 48
    )


def test_mortgage_stages_through_the_api(org, api, project, sale):
    contract = mortgage_contract(org, sale)
    pay(sale.payment_items.get(kind="down_payment"), org)
    client = api(org["rep1"])
    assert client.post(f"/api/v1/unit-contracts/{contract.pk}/sign/", {}, format="json").status_code == 200
    wrong = client.post(f"/api/v1/unit-contracts/{contract.pk}/mortgage/", {"stage": "funds_arrived"}, format="json")
    assert wrong.status_code == 400
    assert (
        client.post(f"/api/v1/unit-contracts/{contract.pk}/mortgage/", {"stage": "applied"}, format="json").json()[
            "mortgage"
        ]["stage"]
        == "applied"
    )
    approved = client.post(
        f"/api/v1/unit-contracts/{contract.pk}/mortgage/",
        {"stage": "approved", "approved_amount": "1400000.00"},
        format="json",
    )
    assert approved.json()["mortgage"]["approved_amount"] == "1400000.00"


def test_bookings_through_the_api(org, api):
    room_type = make_venue(org, rooms=1, overbooking=0)
    guest = make_buyer(org["rep1"])
    client = api(org["rep1"])
    day = (timezone.localdate() + datetime.timedelta(days=2)).isoformat()
    created = client.post(
        "/api/v1/bookings/",
        {"room_type": room_type.pk, "customer": guest.pk, "arrival": day, "length": 2},
        format="json",
    )
    assert created.status_code == 201
    full = client.post(
        "/api/v1/bookings/",
        {"room_type": room_type.pk, "customer": guest.pk, "arrival": day, "length": 1},
        format="json",
    )
    assert full.status_code == 409 and full.json()["code"] == "no_room_available"
    bad = client.post(
        "/api/v1/bookings/",
        {"room_type": room_type.pk, "customer": guest.pk, "arrival": "soon", "length": 1},
        format="json",
    )
    assert bad.status_code == 400 and "arrival" in bad.json()["fields"]
    availability = client.get(f"/api/v1/venues/{room_type.venue_id}/availability/?from={day}&days=3").json()
    assert [slot["free"] for slot in availability[0]["slots"]] == [0, 0, 1]
    assert api(org["rep3"]).get(f"/api/v1/bookings/{created.json()['id']}/").status_code == 404
    assert Decimal(created.json()["rate"]) == Decimal("500.00")
