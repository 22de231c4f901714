"""Every number of targets has a range: out-of-range, malformed or non-ASCII numbers sent to the
API (or a service) are refused with a field error, never stored and never a server error."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from salesops.core.exceptions import ValidationFailed
from salesops.core.selectors import company_date
from salesops.targets import services
from salesops.targets.models import (
    CommissionRule,
    ExpenseBudget,
    ExpenseClaim,
    PerformancePolicy,
    ProfitPlan,
    ScorecardWeight,
    Target,
    TargetPlan,
)

pytestmark = pytest.mark.django_db


def _refused(response, field: str) -> None:
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "validation_error"
    assert field in body["fields"], body


@pytest.mark.parametrize(
    "change, field",
    [
        ({"weight": "100.01"}, "weight"),
        ({"weight": "-1"}, "weight"),
        ({"weight": "NaN"}, "weight"),
        ({"weight": "１０"}, "weight"),  # full-width digits
        ({"target_value": "0"}, "target_value"),
        ({"target_value": "1e20"}, "target_value"),
        ({"cap_percent": "99"}, "cap_percent"),
        ({"cap_percent": "201"}, "cap_percent"),
        ({"position": 10**12}, "position"),
    ],
)
def test_a_scorecard_weight_out_of_range_is_a_field_error(api, org, change, field):
    before = list(ScorecardWeight.objects.order_by("pk").values())
    payload = {"kpi": "visits", "weight": "10", "target_value": "20", "cap_percent": "120", "position": 60, **change}
    _refused(api(org["gm"]).post("/api/v1/targets/weights/", payload, format="json"), field)
    assert list(ScorecardWeight.objects.order_by("pk").values()) == before


def test_a_scorecard_weight_in_range_is_saved(api, org):
    payload = {"kpi": "visits", "weight": "10", "target_value": "20", "cap_percent": "200", "position": 1000}
    response = api(org["gm"]).post("/api/v1/targets/weights/", payload, format="json")
    assert response.status_code == 201
    line = ScorecardWeight.objects.get(kpi="visits")
    assert (line.weight, line.target_value, line.cap_percent, line.position) == (
        Decimal("10.00"),
        Decimal("20.00"),
        Decimal("200.00"),
        1000,
    )


def test_the_service_refuses_what_the_api_would(org):
    with pytest.raises(ValidationFailed) as error:
        services.scorecard_weight_save(kpi="visits", weight="1_000", target_value="20", actor=org["gm"])
    assert set(error.value.fields) == {"weight"}
    with pytest.raises(ValidationFailed) as error:
        services.scorecard_weight_save(kpi="visits", weight="10", target_value="20", position=1001, actor=org["gm"])
    assert set(error.value.fields) == {"position"}
    assert not ScorecardWeight.objects.filter(kpi="visits").exists()


@pytest.mark.parametrize("days", [29, 1001, 10**12, "abc"])
def test_bad_debt_days_out_of_range(api, org, days):
    response = api(org["gm"]).patch("/api/v1/targets/policy/", {"bad_debt_days": days}, format="json")
    _refused(response, "bad_debt_days")
    assert PerformancePolicy.objects.get().bad_debt_days == 180


@pytest.mark.parametrize(
    "change, field",
    [
        ({"rate": "50.01"}, "rate"),
        ({"rate": "-0.5"}, "rate"),
        ({"rate": "Infinity"}, "rate"),
        ({"min_achievement": "1000.01"}, "min_achievement"),
        ({"max_achievement": "-1"}, "max_achievement"),
    ],
)
def test_commission_rule_out_of_range(api, org, change, field):
    count = CommissionRule.objects.count()
    payload = {"name": "Bounds", "base": "sales", "rate": "1.5", "min_achievement": "0", **change}
    _refused(api(org["gm"]).post("/api/v1/targets/commission-rules/", payload, format="json"), field)
    assert CommissionRule.objects.count() == count


@pytest.mark.parametrize("total", ["0", "-5", "1000000000000", "1e13", "١٢٠٠"])
def test_a_plan_total_out_of_range(api, org, total):
    response = api(org["salesadmin"]).post(
        "/api/v1/targets/plans/", {"year": 2027, "total": total, "month_method": "even"}, format="json"
    )
    _refused(response, "total")
    assert not TargetPlan.objects.exists()


@pytest.mark.parametrize("amount", ["1_000.00", "-1.00", "12.345", "1e15"])
def test_a_target_split_by_hand_refuses_out_of_range_amounts(api, org, amount):
    client = api(org["salesadmin"])
    created = client.post("/api/v1/targets/plans/", {"year": 2027, "total": "1200.00", "month_method": "even"})
    plan_id = created.json()["id"]
    months = client.get(f"/api/v1/targets/plans/{plan_id}/targets/?level=company").json()["results"]
    amounts = {str(m["id"]): "100.00" for m in months}
    amounts[str(months[0]["id"])] = amount
    before = list(Target.objects.order_by("pk").values_list("pk", "amount"))
    response = client.post(f"/api/v1/targets/plans/{plan_id}/set-children/", {"amounts": amounts}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "validation_error"
    assert list(Target.objects.order_by("pk").values_list("pk", "amount")) == before


def test_a_target_amount_is_bounded_on_the_model():
    with pytest.raises(ValidationError) as error:
        Target(amount=Decimal("-0.01")).clean_fields(exclude=["plan", "level", "month"])
    assert set(error.value.message_dict) == {"amount"}


@pytest.mark.parametrize("amount", ["0", "10000000.00", "8_8", "٨٨", "NaN"])
def test_an_expense_claim_out_of_range(api, org, amount):
    from salesops.targets.models import ExpenseType

    payload = {
        "expense_type": ExpenseType.objects.get(code="travel").pk,
        "spent_on": str(company_date()),
        "amount": amount,
        "description": "拜访",
    }
    _refused(api(org["rep1"]).post("/api/v1/targets/claims/", payload, format="json"), "amount")
    assert not ExpenseClaim.objects.exists()


@pytest.mark.parametrize("amount", ["-1", "1e13", "1_000"])
def test_a_budget_out_of_range(api, org, amount):
    from salesops.targets.models import ExpenseType

    payload = {
        "team": org.units["EAST-1"].pk,
        "month": str(company_date().replace(day=1)),
        "expense_type": ExpenseType.objects.get(code="travel").pk,
        "amount": amount,
    }
    _refused(api(org["supervisor1"]).post("/api/v1/targets/budgets/", payload, format="json"), "amount")
    assert not ExpenseBudget.objects.exists()


@pytest.mark.parametrize(
    "change, field",
    [
        ({"margin_percent": "100.01"}, "margin_percent"),
        ({"margin_percent": "-101"}, "margin_percent"),
        ({"volume": "-1"}, "volume"),
        ({"volume": "1e9"}, "volume"),
        ({"price": "10000000"}, "price"),
        ({"promotion": "-0.01"}, "promotion"),
        ({"expenses": "abc"}, "expenses"),
        ({"price": "１"}, "price"),
    ],
)
def test_a_profit_plan_line_out_of_range(api, org, change, field):
    from salesops.sales.tests.factories import make_customer

    customer = make_customer(owner=org["rep1"])
    line = {"customer": customer.pk, "volume": "10", "price": "5.00", "margin_percent": "20", **change}
    month = company_date().replace(day=1)
    response = api(org["rep1"]).post(
        "/api/v1/targets/profit-plans/", {"month": str(month), "lines": [line]}, format="json"
    )
    _refused(response, f"lines.1.{field}")
    assert not ProfitPlan.objects.exists()
