"""Contract changes that change the lines (prices, quantities): asked on their own page or by
the API, applied only when approved, and the change's page says what happens to the open
orders under the contract (nothing: they keep their prices)."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from salesops.approvals.models import ApprovalRequest
from salesops.core.exceptions import ValidationFailed
from salesops.sales import services
from salesops.sales.models import ContractChange
from salesops.sales.tests.helpers import decide_all

D = Decimal


@pytest.fixture
def contract(shop):
    rep = shop["org"]["rep1"]
    today = datetime.date.today()
    contract = services.contract_create(
        actor=rep,
        customer=shop["customer"],
        title="年度供货合同",
        start_date=today,
        end_date=today + datetime.timedelta(days=365),
        lines=[{"product": shop["p1"].pk, "quantity": "100", "unit_price": "10.00"}],
    )
    services.contract_submit(contract=contract, actor=rep)
    decide_all(contract, "contract")
    contract.refresh_from_db()
    assert contract.status == "active"
    return contract


@pytest.fixture
def open_order(shop, contract):
    order = services.order_create(
        actor=shop["org"]["rep1"],
        customer=shop["customer"],
        payment="credit",
        lines=[{"product": shop["p1"].pk, "quantity": "5", "unit_price": "10.00"}],
        warehouse=shop["warehouse"],
        contract=contract,
    )
    return services.order_submit(order=order, actor=shop["org"]["rep1"])


def contract_lines(contract):
    return list(contract.lines.order_by("position").values_list("product_id", "quantity", "unit_price", "amount"))


def test_new_lines_wait_for_approval_then_replace_the_contracts_lines_and_leave_open_orders(shop, contract, open_order):
    rep = shop["org"]["rep1"]
    change = services.contract_change_request(
        contract=contract,
        actor=rep,
        reason="原料涨价",
        lines=[
            {"product": shop["p1"].pk, "quantity": "120", "unit_price": "11.00"},
            {"product": shop["p2"].pk, "quantity": "10", "unit_price": "3.00"},
        ],
    )
    assert (change.status, change.new_total) == ("pending_approval", D("1350.00"))
    assert [line["unit_price"] for line in change.previous_lines] == ["10.00"]
    contract.refresh_from_db()
    assert contract_lines(contract) == [(shop["p1"].pk, D("100"), D("10.00"), D("1000.00"))]  # not before approval

    decide_all(change, "contract_change")
    contract.refresh_from_db()
    assert (contract.version, contract.total) == (2, D("1350.00"))
    assert contract_lines(contract) == [
        (shop["p1"].pk, D("120"), D("11.00"), D("1320.00")),
        (shop["p2"].pk, D("10"), D("3.00"), D("30.00")),
    ]
    open_order.refresh_from_db()
    assert open_order.status == "confirmed" and open_order.total == D("50.00")
    assert list(open_order.lines.values_list("unit_price", flat=True)) == [D("10.00")]


def test_a_rejected_change_changes_nothing(shop, contract):
    change = services.contract_change_request(
        contract=contract, actor=shop["org"]["rep1"], reason="x", lines=[{"product": shop["p1"].pk, "quantity": "1"}]
    )
    decide_all(change, "contract_change", decision="reject")
    contract.refresh_from_db()
    assert (contract.version, contract.total) == (1, D("1000.00"))
    assert contract_lines(contract) == [(shop["p1"].pk, D("100"), D("10.00"), D("1000.00"))]


def test_the_lines_as_they_are_or_a_value_that_disagrees_with_them_are_refused(shop, contract):
    same = [{"product": shop["p1"].pk, "quantity": "100", "unit_price": "10.00"}]
    with pytest.raises(ValidationFailed) as nothing:
        services.contract_change_request(contract=contract, actor=shop["org"]["rep1"], reason="x", lines=same)
    assert "reason" in nothing.value.fields
    with pytest.raises(ValidationFailed) as disagree:
        services.contract_change_request(
            contract=contract,
            actor=shop["org"]["rep1"],
            reason="x",
            new_total=D("5.00"),
            lines=[{"product": shop["p1"].pk, "quantity": "1"}],
        )
    assert "new_total" in disagree.value.fields
    assert (
        not ContractChange.objects.exists() and not ApprovalRequest.objects.filter(doc_type="contract_change").exists()
    )


def test_the_change_page_asks_with_the_lines_and_states_the_effect_on_open_orders(shop, client, contract, open_order):
    client.force_login(shop["org"]["rep1"])
    url = reverse("sales-contract-change", args=[contract.pk])
    assert url in client.get(reverse("sales-contract", args=[contract.pk])).content.decode()
    page = client.get(url).content.decode()
    assert 'name="lines-0-quantity" value="100"' in page
    assert open_order.number in page and "keep their lines and prices" in page
    data = {
        "reason": "原料涨价",
        "new_end_date": "",
        "new_total": "",
        "additional_terms": "",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
        "lines-0-product": str(shop["p1"].pk),
        "lines-0-quantity": "100",
        "lines-0-unit_price": "12.00",
    }
    response = client.post(url, data)
    change = ContractChange.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "sales-contract-change-detail", args=[change.pk]
    )
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="change-lines"' in page and "12.00" in page and "10.00" in page
    assert 'data-testid="contract-open-orders"' in page and open_order.number in page and "keeps its prices" in page
    client.force_login(shop["org"]["rep3"])
    assert client.get(response["Location"]).status_code == 404
    assert client.get(url).status_code == 404


def test_the_approval_page_leads_to_the_change_page(shop, client, contract):
    change = services.contract_change_request(
        contract=contract, actor=shop["org"]["rep1"], reason="x", lines=[{"product": shop["p1"].pk, "quantity": "50"}]
    )
    request = ApprovalRequest.objects.get(doc_type="contract_change", object_id=str(change.pk))
    client.force_login(shop["org"]["admin"])
    page = client.get(reverse("approval-request", args=[request.pk])).content.decode()
    assert reverse("sales-contract-change-detail", args=[change.pk]) in page


def test_the_api_asks_for_a_change_of_lines(shop, api, contract):
    response = api(shop["org"]["rep1"]).post(
        f"/api/v1/contracts/{contract.pk}/changes/",
        {"reason": "涨价", "lines": [{"product": shop["p1"].pk, "quantity": "100", "unit_price": "10.50"}]},
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert body["new_total"] == "1050.00" and body["proposed_lines"][0]["unit_price"] == "10.50"
    assert body["previous_lines"][0]["unit_price"] == "10.00" and "lines" not in body
