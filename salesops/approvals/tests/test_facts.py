"""The facts an approver reads, per document type, in the API and on the page: lines, totals,
credit figures, variance values; cost and margin only for readers who may see costs."""

from __future__ import annotations

import pytest
from django.urls import reverse

from salesops.approvals.models import ApprovalTask
from salesops.approvals.tests.documents import single_step_rule, submitted

pytestmark = pytest.mark.django_db


def _facts(api, user, request):
    task = request.tasks.get(status=ApprovalTask.Status.OPEN)
    response = api(user).get(f"/api/v1/approvals/tasks/{task.pk}/")
    assert response.status_code == 200
    return response.json()["facts"]


def test_over_limit_order_shows_the_credit_figures_and_the_amount_over(org, api):
    request = submitted("overlimit_shipment", org, approver=org["director"])
    facts = _facts(api, org["director"], request)
    assert facts["doc_type"] == "overlimit_shipment"
    assert (facts["payment"], facts["approval_reason"], facts["total"]) == ("credit", "over_limit", "50.00")
    credit = facts["credit"]
    assert (credit["limit"], credit["exposure"], credit["available"], credit["overdue"]) == (
        "10.00",
        "0.00",
        "10.00",
        "0.00",
    )
    assert credit["amount_over"] == "40.00"
    assert set(credit["payment_behaviour"]) == {
        "since",
        "until",
        "invoiced_amount",
        "paid_amount",
        "average_days_to_pay",
        "overdue_incidents",
        "max_exposure",
    }
    [line] = facts["lines"]
    assert (line["quantity"], line["list_price"], line["unit_price"], line["amount"]) == (
        "5.000",
        "10.00",
        "10.00",
        "50.00",
    )


@pytest.mark.parametrize(
    ("username", "sees_cost"), [("supervisor1", False), ("manager", True), ("rep1", False), ("finance", True)]
)
def test_discount_lines_show_margin_on_cost_only_to_those_who_may_see_costs(org, api, username, sees_cost):
    request = submitted("special_discount_order", org, approver=org["supervisor1"])
    facts = _facts(api, org[username], request) if username != "finance" else None
    if facts is None:  # finance takes no part in this request: it is not theirs to read
        task = request.tasks.get()
        assert api(org["finance"]).get(f"/api/v1/approvals/tasks/{task.pk}/").status_code == 404
        return
    [line] = facts["lines"]
    assert (line["list_price"], line["unit_price"], line["discount_percent"]) == ("10.00", "8.00", "20.00")
    if sees_cost:
        assert (line["unit_cost"], line["margin_percent"]) == ("6.00", "25.00")
    else:
        assert "unit_cost" not in line and "margin_percent" not in line


def test_stocktake_facts_list_the_variance_lines_with_their_value(org, api):
    request = submitted("stocktake_variance", org, approver=org["finance"])
    facts = _facts(api, org["finance"], request)
    [line] = facts["lines"]
    assert (line["snapshot_quantity"], line["counted_quantity"], line["variance"], line["value"]) == (
        "100.000",
        "97.000",
        "-3.000",
        "-18.00",
    )
    assert line["unit_cost"] == "6.0000"
    assert facts["variance_value"] == "18.00"


def test_credit_limit_facts_show_the_request_and_the_credit_now(org, api):
    request = submitted("credit_limit", org)
    facts = _facts(api, org["gm"], request)
    assert (facts["current_limit"], facts["requested_limit"], facts["increase"]) == ("5000.00", "20000.00", "15000.00")
    assert facts["credit"]["limit"] == "5000.00" and facts["latest_review"] is None


def test_the_page_shows_the_facts_in_the_readers_language_and_no_cost_to_a_supervisor(org, client):
    request = submitted("special_discount_order", org, approver=org["supervisor1"])
    task = request.tasks.get()
    client.force_login(org["supervisor1"])
    client.cookies["salesops_language"] = "zh-hans"
    page = client.get(reverse("approval-task", args=[task.pk])).content.decode()
    content = page.split('<main class="content">', 1)[1].split("</main>", 1)[0]  # not the menu's links
    assert "信用额度" in content and "折扣" in content and "赊销" in content
    assert "payment" not in content and "discount_pct" not in content
    assert "25.00" not in content  # the margin


def test_a_type_without_the_document_any_more_shows_no_facts(org, api):
    single_step_rule("visit_request", org["supervisor1"])
    request = submitted("visit_request", org, approver=org["supervisor1"])
    from salesops.approvals.models import VisitRequest

    VisitRequest.objects.filter(pk=request.object_id).delete()
    assert _facts(api, org["supervisor1"], request) is None


def test_purchase_order_facts_list_the_lines_and_the_totals(org, api):
    request = submitted("purchase_order", org)
    facts = _facts(api, org["gm"], request)
    [line] = facts["lines"]
    assert (line["quantity"], line["unit_cost"], line["amount"]) == ("100.000", "6.0000", "600.00")
    assert facts["total_net"] == "600.00" and facts["supplier"].startswith("供应商")


def test_unit_price_change_facts_show_old_and_new_prices(org, api):
    request = submitted("unit_price_change", org)
    facts = _facts(api, org["gm"], request)
    [line] = facts["lines"]
    assert line["new_price"] == "2100000.00" and facts["new_total"] == "2100000.00"
    assert facts["old_total"] == line["old_price"]


def test_unit_change_facts_show_what_is_kept_and_refunded(org, api):
    request = submitted("unit_change", org)
    facts = _facts(api, org["gm"], request)
    assert (facts["kind"], facts["reason"]) == ("cancel_reservation", "buyer_withdraws")
    assert {"paid_amount", "kept_amount", "refund_amount", "price", "deposit"} <= set(facts)


def test_expense_claim_facts_show_the_budget_it_draws_on(org, api):
    request = submitted("expense_claim", org)
    facts = _facts(api, org["gm"], request)
    assert (facts["amount"], facts["expense_type_code"]) == ("320.00", "travel")
    assert facts["over_budget"] is True and facts["over_amount"] == "320.00"


@pytest.mark.parametrize(("username", "sees_cost"), [("gm", True), ("supervisor1", False)])
def test_write_off_facts_show_the_value_and_the_unit_cost_only_to_those_who_may_see_costs(
    org, api, username, sees_cost
):
    request = submitted("lot_write_off", org, approver=org[username])
    facts = _facts(api, org[username], request)
    assert (facts["quantity"], facts["value"], facts["days_past_expiry"]) == ("20.000", "60.00", 3)
    assert ("unit_cost" in facts) is sees_cost


def test_profit_plan_facts_hide_the_margin_from_a_supervisor(org, api):
    request = submitted("customer_profit_plan", org, approver=org["supervisor1"])
    [line] = _facts(api, org["supervisor1"], request)["lines"]
    assert (line["revenue"], line["profit"]) == ("5000.00", "1000.00") and "margin_percent" not in line


def test_new_outlet_facts_count_customers_of_the_same_name(org, api):
    request = submitted("new_outlet", org, approver=org["supervisor1"])
    facts = _facts(api, org["supervisor1"], request)
    assert (facts["channel"], facts["grade"], facts["same_name_customers"]) == ("convenience", "B", 0)
