import datetime
from decimal import Decimal

import pytest

from salesops.credit import receipts
from salesops.credit.ageing import ageing_for_user
from salesops.credit.tests.factories import make_customer, make_invoice

D = Decimal
day = datetime.date


@pytest.fixture
def history(org):
    """A hand-made account, aged at 2025-03-31."""
    customer = make_customer(org, "rep1", name="Alpha")
    inv1 = make_invoice(customer, "1000.00", issue_date=day(2024, 12, 1), due_date=day(2024, 12, 31))
    inv2 = make_invoice(customer, "500.00", issue_date=day(2025, 3, 1), due_date=day(2025, 3, 31))
    make_invoice(customer, "700.00", issue_date=day(2025, 4, 5), due_date=day(2025, 5, 5))  # not yet issued
    inv4 = make_invoice(customer, "300.00", issue_date=day(2024, 10, 1), due_date=day(2024, 10, 31))
    make_invoice(customer, "250.00", issue_date=day(2025, 2, 1), due_date=day(2025, 3, 1))
    make_invoice(customer, "80.00", issue_date=day(2024, 12, 1), due_date=day(2024, 12, 30))
    make_invoice(customer, "40.00", issue_date=day(2025, 1, 1), due_date=day(2025, 1, 30))
    finance = org["finance"]
    receipts.receipt_record(
        actor=finance, customer=customer, amount="300.00", received_on=day(2025, 1, 10), invoices=[inv4]
    )
    receipts.receipt_record(
        actor=finance, customer=customer, amount="400.00", received_on=day(2025, 2, 15), invoices=[inv1]
    )
    receipts.receipt_record(
        actor=finance, customer=customer, amount="600.00", received_on=day(2025, 4, 10), invoices=[inv1]
    )
    other = make_customer(org, "rep3", name="Beta")
    make_invoice(other, "10.00", issue_date=day(2025, 3, 20), due_date=day(2025, 4, 19))
    return customer, other, inv2


def test_buckets_at_a_past_date(org, history):
    customer, other, _inv2 = history
    data = ageing_for_user(user=org["finance"], as_of=day(2025, 3, 31), group_by="customer")
    rows = {row["name"]: row for row in data["rows"]}
    alpha = rows["Alpha"]
    assert (alpha["current"], alpha["d1_30"], alpha["d31_60"], alpha["d61_90"], alpha["d90_plus"]) == (
        D("500.00"),
        D("250.00"),
        D("40.00"),
        D("600.00"),
        D("80.00"),
    )
    assert alpha["total"] == D("1470.00")
    assert rows["Beta"]["current"] == D("10.00")
    assert data["totals"]["total"] == D("1480.00")


def test_today_uses_paid_amounts(org, history):
    data = ageing_for_user(user=org["finance"], as_of=datetime.date.today(), group_by="customer")
    alpha = next(row for row in data["rows"] if row["name"] == "Alpha")
    # inv1 and inv4 are paid by now; 500 + 700 + 250 + 80 + 40 remain
    assert alpha["total"] == D("1570.00")


def test_api_groups_and_scopes(org, history, api):
    response = api(org["finance"]).get("/api/v1/receivables/ageing/?as_of=2025-03-31&group_by=team")
    assert response.status_code == 200
    body = response.json()
    assert body["totals"]["total"] == "1480.00"
    assert {row["name"]: row["total"] for row in body["rows"]} == {"East-1": "1470.00", "East-2": "10.00"}
    rep_view = api(org["rep3"]).get("/api/v1/receivables/ageing/?as_of=2025-03-31&group_by=rep").json()
    assert rep_view["totals"]["total"] == "10.00"
    assert api(org["warehouse"]).get("/api/v1/receivables/ageing/?as_of=2025-03-31").json()["rows"] == []
    assert api(org["finance"]).get("/api/v1/receivables/ageing/?as_of=31.3.2025").status_code == 400
    assert api(org["finance"]).get("/api/v1/receivables/ageing/?group_by=planet").status_code == 400


def test_drill_down_lists_the_invoices(org, history, api):
    customer, _other, inv2 = history
    rows = (
        api(org["supervisor1"])
        .get(f"/api/v1/receivables/ageing/invoices/?as_of=2025-03-31&group_by=customer&key={customer.pk}")
        .json()
    )
    assert [(row["open_amount"], row["bucket"]) for row in rows] == [
        ("80.00", "d90_plus"),
        ("600.00", "d61_90"),
        ("40.00", "d31_60"),
        ("250.00", "d1_30"),
        ("500.00", "current"),
    ]
    assert (
        api(org["rep3"])
        .get(f"/api/v1/receivables/ageing/invoices/?as_of=2025-03-31&group_by=customer&key={customer.pk}")
        .json()
        == []
    )


def test_ageing_page_renders_chart_and_table(org, history, client):
    client.force_login(org["finance"])
    response = client.get("/receivables/ageing/?as_of=2025-03-31&group_by=customer")
    assert response.status_code == 200
    assert b'data-chart="ageing-chart"' in response.content and b"1,470.00" in response.content
    export = client.get("/receivables/ageing/?as_of=2025-03-31&export=xlsx")
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
