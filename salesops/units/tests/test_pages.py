"""The pages of unit sales: the board for every reader, holds and payments through forms with
errors next to the field, documents per role, both languages."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from salesops.units import services
from salesops.units.models import PurchaseContract, Reservation, Unit
from salesops.units.tests.factories import make_buyer, make_project, reserve, today, unit_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(org):
    return make_project(org)


def login(client, user, language="en"):
    client.force_login(user)
    client.cookies["salesops_language"] = language


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_board_shows_every_unit_coloured_by_status(org, client, project, language):
    sale = reserve(org, project)
    login(client, org["rep1"], language)
    response = client.get(reverse("units-board", args=[project.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('data-unit="') == 20
    assert 'data-unit="1-101" data-status="reserved"' in html and sale.customer.name in html
    assert 'hx-trigger="every 15s"' in html
    login(client, org["rep3"], language)
    assert sale.customer.name not in client.get(reverse("units-board", args=[project.pk])).content.decode()


def test_the_board_page_reads_a_constant_number_of_queries(org, client):
    login(client, org["manager"])
    small = make_project(org, floors=2, units_per_floor=2)
    large = make_project(org, floors=25, units_per_floor=6)
    reserve(org, large, code="1-1003")
    client.get(reverse("units-board", args=[small.pk]))
    counts = []
    for project in (small, large):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("units-board", args=[project.pk])).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_board_page_reads_as_many_queries_for_a_large_busy_project_as_for_a_small_one(org, client):
    """More buildings, holds, reservations, waitlists and blocked units add rows, not queries."""
    login(client, org["manager"])
    small = make_project(org, floors=2, units_per_floor=2)
    large = make_project(org, floors=12, units_per_floor=10)
    for code in ("2", "3"):
        services.building_create(
            project=large,
            code=code,
            name=f"{code}号楼",
            floors=12,
            units_per_floor=10,
            area=Decimal("88.00"),
            price_per_m2=Decimal("18000.00"),
            actor=org["manager"],
        )
    reserve(org, small)
    for index, code in enumerate(("1-101", "1-1205", "2-310", "3-802")):
        rep = org[("rep1", "rep2", "rep3")[index % 3]]
        held = services.reservation_hold(unit=unit_of(large, code), customer=make_buyer(rep), actor=rep)
        services.reservation_hold(unit=held.reservation.unit, customer=make_buyer(rep), actor=rep, waitlist=True)
    reserve(org, large, code="2-707")
    services.unit_block(unit=unit_of(large, "3-1210"), actor=org["manager"], blocked=True)
    client.get(reverse("units-board", args=[small.pk]))
    counts, pages = [], []
    for project in (small, large):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("units-board", args=[project.pk]))
        assert response.status_code == 200
        counts.append(len(queries))
        pages.append(response.content.decode())
    assert counts[0] == counts[1]
    assert pages[1].count("data-unit=") == 360 and pages[0].count("data-unit=") == 4
    assert pages[1].count('data-status="held"') == 4 and pages[1].count("<small>+1</small>") == 4
    assert 'data-unit="3-1210" data-status="blocked"' in pages[1]


def test_the_board_filters_dim_the_other_units(org, client, project):
    reserve(org, project)
    login(client, org["rep1"])
    html = client.get(reverse("units-board", args=[project.pk]) + "?status=reserved").content.decode()
    assert html.count('class="s-available dim"') == 19 and 'class="s-reserved"' in html
    partial = client.get(reverse("units-board", args=[project.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial and 'data-unit="1-101"' in partial


def test_holding_from_the_unit_page(org, client, project):
    buyer = make_buyer(org["rep1"])
    unit = unit_of(project)
    login(client, org["rep1"])
    page = reverse("units-unit", args=[unit.pk])
    refused = client.post(page, {"customer": buyer.pk, "deposit_amount": "3000000.00", "waitlist": "on"})
    assert refused.status_code == 200
    assert 'data-field="deposit_amount"' in refused.content.decode()  # the error next to its field
    assert Unit.objects.get(pk=unit.pk).status == Unit.Status.AVAILABLE
    response = client.post(page, {"customer": buyer.pk, "deposit_amount": "", "waitlist": "on"})
    reservation = Reservation.objects.get(unit=unit)
    assert response.status_code == 302 and response["Location"] == reverse("units-reservation", args=[reservation.pk])
    other = make_buyer(org["rep2"])
    login(client, org["rep2"])
    queued = client.post(page, {"customer": other.pk, "waitlist": "on"})
    assert queued.status_code == 302 and queued["Location"] == page
    assert other.name in client.get(page).content.decode()


def test_finance_records_the_deposit_from_the_reservation(org, client, project):
    reservation = services.reservation_hold(
        unit=unit_of(project), customer=make_buyer(org["rep1"]), actor=org["rep1"]
    ).reservation
    deposit = reservation.payment_items.get()
    login(client, org["rep1"])
    page = client.get(reverse("units-reservation", args=[reservation.pk])).content.decode()
    assert 'data-testid="pay-deposit"' not in page
    assert client.get(reverse("units-payment-pay", args=[deposit.pk])).status_code == 404
    login(client, org["finance"])
    assert (
        'data-testid="pay-deposit"' in client.get(reverse("units-reservation", args=[reservation.pk])).content.decode()
    )
    url = reverse("units-payment-pay", args=[deposit.pk])
    future = (today() + datetime.timedelta(days=1)).isoformat()
    refused = client.post(url, {"amount": "20000.00", "received_on": future, "method": "bank_transfer"})
    assert 'data-field="received_on"' in refused.content.decode()
    too_much = client.post(url, {"amount": "20000.01", "received_on": today(), "method": "bank_transfer"})
    assert 'data-field="amount"' in too_much.content.decode()
    done = client.post(url, {"amount": "20000.00", "received_on": today(), "method": "bank_transfer"})
    assert done.status_code == 302
    reservation.refresh_from_db()
    assert reservation.status == Reservation.Status.RESERVED


def test_drafting_a_contract_with_errors_next_to_the_fields(org, client, project):
    sale = reserve(org, project)
    login(client, org["rep1"])
    url = reverse("units-contract-new", args=[sale.pk])
    form = client.get(url).content.decode()
    assert 'name="price"' in form and "disabled" in form.split('name="price"')[1].split(">")[0]
    refused = client.post(url, {"method": "mortgage", "down_payment": "600000.00", "loan_amount": "0"})
    html = refused.content.decode()
    assert 'data-field="loan_amount"' in html and 'data-field="bank"' in html
    assert not PurchaseContract.objects.exists()
    done = client.post(
        url,
        {
            "method": "mortgage",
            "down_payment": "600000.00",
            "loan_amount": "1400000.00",
            "bank": "招商银行",
            "loan_expected_on": (today() + datetime.timedelta(days=30)).isoformat(),
        },
    )
    contract = PurchaseContract.objects.get()
    assert done.status_code == 302 and contract.price == sale.price


def test_other_teams_do_not_open_a_purchase(org, client, project):
    sale = reserve(org, project)
    for username, status in (("rep3", 404), ("supervisor2", 404), ("supervisor1", 200), ("finance", 200)):
        login(client, org[username])
        assert client.get(reverse("units-reservation", args=[sale.pk])).status_code == status, username


def test_price_changes_are_requested_unit_by_unit(org, client, project):
    unit = unit_of(project)
    login(client, org["manager"])
    url = reverse("units-price-change-new", args=[project.pk])
    refused = client.post(url, {"reason": "", f"price_{unit.pk}": "1.001"})
    html = refused.content.decode()
    assert refused.status_code == 200 and "Use at most two decimal places." in html
    done = client.post(url, {"reason": "开盘", f"price_{unit.pk}": "2100000.00"})
    assert done.status_code == 302
    login(client, org["rep1"])
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_reports_render_with_charts(org, client, project, language):
    reserve(org, project)
    login(client, org["manager"], language)
    html = client.get(reverse("units-reports")).content.decode()
    assert 'data-chart="status-chart"' in html and 'data-chart="cash-chart"' in html
    assert 'data-testid="reserved-not-signed"' in html
