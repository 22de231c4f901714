"""Pages and endpoints per role: who sees what, who may write, bad input answers a field error."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from salesops.targets import commissions, services
from salesops.targets.models import ExpenseClaim, ExpenseType, TargetPlan
from salesops.targets.tests.conftest import sell

pytestmark = pytest.mark.django_db
ROLES = ["rep1", "supervisor1", "rep3", "finance", "norole"]


@pytest.fixture
def approved_plan(org):
    plan = services.target_plan_create(
        year=timezone.localdate().year,
        total=Decimal("120000.00"),
        month_method="even",
        org_method="even",
        actor=org["gm"],
    )
    services.target_plan_approved(plan=TargetPlan.objects.get(pk=plan.pk))
    return plan


def _client(client, user):
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    "username, expected",
    [("rep1", 200), ("supervisor1", 200), ("rep3", 200), ("finance", 200), ("norole", 403), ("warehouse", 403)],
)
def test_scorecard_page_per_role(client, org, shop, approved_plan, username, expected):
    sell(rep=org["rep1"], customer=shop["c1"], product=shop["product"], quantity="3", on=timezone.localdate())
    response = _client(client, org[username]).get(reverse("targets-scorecard"))
    assert response.status_code == expected
    if expected == 200:
        names = {row[1]["value"].split(" · ")[0] for row in response.context["tables"][0]["rows"][:-1]}
        visible = {
            "rep1": {"Rep1"},
            "supervisor1": {"Rep1", "Rep2"},
            "rep3": {"Rep3"},
            "finance": {"Rep1", "Rep2", "Rep3"},
        }
        assert names == visible[username]


@pytest.mark.parametrize(
    "username",
    ["rep1", "supervisor1", "manager", "director", "gm", "finance", "salesadmin", "warehouse", "planner", "purchasing"],
)
def test_every_role_home_page_shows_figures(client, org, shop, approved_plan, username):
    sell(rep=org["rep1"], customer=shop["c1"], product=shop["product"], quantity="3", on=timezone.localdate())
    response = _client(client, org[username]).get(reverse("home"))
    assert response.status_code == 200
    assert b'data-testid="home-figures"' in response.content


def test_rep_home_shows_own_month_to_date_and_commission(client, org, shop, approved_plan):
    sell(rep=org["rep1"], customer=shop["c1"], product=shop["product"], quantity="3", on=timezone.localdate())
    response = _client(client, org["rep1"]).get(reverse("home"))
    section = next(s for s in response.context["sections"] if s["key"] == "targets-figures")["context"]
    figures = {f["kpi"].code: f["value"] for f in section["figures"]}
    assert figures["sales"] == Decimal("300.00") and figures["target"] > 0
    assert section["commission"].total == commissions.commission_estimate(rep=org["rep1"]).total


@pytest.mark.parametrize("username, expected", [("rep1", 403), ("supervisor1", 200), ("finance", 200), ("norole", 403)])
def test_plan_pages_per_role(client, org, approved_plan, username, expected):
    c = _client(client, org[username])
    assert c.get(reverse("targets-plans")).status_code == expected
    assert c.get(reverse("targets-plan", args=[approved_plan.pk])).status_code == (404 if expected == 403 else 200)


def test_supervisor_sees_only_their_team_in_the_plan_tree(client, org, approved_plan):
    response = _client(client, org["supervisor1"]).get(
        reverse("targets-plan", args=[approved_plan.pk]) + "?export=xlsx"
    )
    assert response.status_code == 200
    from io import BytesIO

    from openpyxl import load_workbook

    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))[1:]
    assert {row[3] for row in rows if row[3]} == {"Rep1", "Rep2"}


def test_plan_create_through_the_page_and_a_bad_one_keeps_the_input(client, org):
    c = _client(client, org["director"])
    bad = c.post(
        reverse("targets-plans"), {"year": "2027", "total": "-5", "month_method": "even", "org_method": "even"}
    )
    assert bad.status_code == 200 and "total" in bad.context["form"].errors
    assert not TargetPlan.objects.exists()
    good = c.post(
        reverse("targets-plans"),
        {
            "year": "2027",
            "total": "1200",
            "month_method": "manual",
            "month_weights": "1,1,1,1,1,1,1,1,1,1,1,1",
            "org_method": "even",
        },
    )
    assert good.status_code == 302 and TargetPlan.objects.get().total == Decimal("1200.00")


def test_plan_api_create_submit_and_errors(api, org):
    response = api(org["salesadmin"]).post(
        "/api/v1/targets/plans/",
        {"year": 2027, "total": "1200.00", "month_method": "manual", "month_weights": ["1"]},
        format="json",
    )
    assert (
        response.status_code == 400
        and response.json()["code"] == "validation_error"
        and "month_weights" in response.json()["fields"]
    )
    response = api(org["rep1"]).post(
        "/api/v1/targets/plans/", {"year": 2027, "total": "1200.00", "month_method": "even"}, format="json"
    )
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"
    response = api(org["salesadmin"]).post(
        "/api/v1/targets/plans/", {"year": 2027, "total": "1200.00", "month_method": "even"}, format="json"
    )
    assert response.status_code == 201
    plan_id = response.json()["id"]
    months = api(org["salesadmin"]).get(f"/api/v1/targets/plans/{plan_id}/targets/?level=company").json()["results"]
    wrong = {str(m["id"]): "1.00" for m in months[:11]}
    response = api(org["salesadmin"]).post(
        f"/api/v1/targets/plans/{plan_id}/set-children/", {"amounts": wrong}, format="json"
    )
    assert response.status_code == 400
    response = api(org["salesadmin"]).post(f"/api/v1/targets/plans/{plan_id}/submit/")
    assert response.status_code == 200 and response.json()["status"] == "pending_approval"
    assert api(org["rep1"]).get(f"/api/v1/targets/plans/{plan_id}/").status_code == 404


@pytest.mark.parametrize("username", ROLES)
def test_scorecard_api_per_role(api, org, approved_plan, username):
    response = api(org[username]).get("/api/v1/targets/scorecard/?period=" + f"{timezone.localdate():%Y-%m}")
    assert response.status_code == 200
    names = {row["name"] for row in response.json()["results"]}
    expected = {
        "rep1": {"Rep1"},
        "supervisor1": {"Rep1", "Rep2"},
        "rep3": {"Rep3"},
        "finance": {"Rep1", "Rep2", "Rep3"},
        "norole": set(),
    }
    assert names == expected[username]


def test_scorecard_api_refuses_a_bad_period(api, org):
    response = api(org["finance"]).get("/api/v1/targets/scorecard/?period=2026-13")
    assert response.status_code == 400 and "period" in response.json()["fields"]


def test_claims_api_per_role(api, org):
    travel = ExpenseType.objects.get(code="travel")
    payload = {
        "expense_type": travel.pk,
        "spent_on": str(timezone.localdate()),
        "amount": "88.00",
        "description": "拜访",
    }
    assert api(org["finance"]).post("/api/v1/targets/claims/", payload, format="json").status_code == 403
    created = api(org["rep1"]).post("/api/v1/targets/claims/", payload, format="json")
    assert created.status_code == 201 and created.json()["over_budget"] is True
    claim_id = created.json()["id"]
    for username, status in [("rep1", 200), ("supervisor1", 200), ("rep3", 404), ("finance", 200), ("norole", 404)]:
        assert api(org[username]).get(f"/api/v1/targets/claims/{claim_id}/").status_code == status
    assert api(org["rep2"]).post(f"/api/v1/targets/claims/{claim_id}/cancel/").status_code == 404
    assert api(org["supervisor1"]).post(f"/api/v1/targets/claims/{claim_id}/cancel/").status_code == 403
    response = api(org["rep1"]).post(f"/api/v1/targets/claims/{claim_id}/cancel/")
    assert response.status_code == 200 and response.json()["status"] == ExpenseClaim.Status.CANCELLED
    bad = api(org["rep1"]).post("/api/v1/targets/claims/", {**payload, "amount": "abc"}, format="json")
    assert bad.status_code == 400 and "amount" in bad.json()["fields"]


@pytest.mark.parametrize(
    "name",
    [
        "targets-kpis",
        "targets-commissions",
        "targets-claims",
        "targets-budgets",
        "targets-profit-plans",
        "targets-reviews",
        "targets-dashboard",
    ],
)
@pytest.mark.parametrize("username", ["rep1", "supervisor1", "finance", "gm", "norole"])
def test_every_page_answers_without_error(client, org, approved_plan, name, username):
    status = _client(client, org[username]).get(reverse(name)).status_code
    assert status in (200, 403)
    if username == "norole":
        assert status == 403 or name in (
            "targets-kpis",
            "targets-commissions",
            "targets-claims",
            "targets-profit-plans",
        )


def test_kpi_drilldown_lists_the_documents_behind_the_figure(client, org, shop, approved_plan):
    sell(rep=org["rep1"], customer=shop["c1"], product=shop["product"], quantity="3", on=timezone.localdate())
    url = (
        reverse("targets-kpi-documents", args=["sales"]) + f"?period={timezone.localdate():%Y-%m}&rep={org['rep1'].pk}"
    )
    assert _client(client, org["supervisor1"]).get(url).context["count"] == 1
    client.logout()
    assert _client(client, org["rep3"]).get(url).context["count"] == 0


def test_profit_plan_page_submits_and_the_review_pack_downloads(client, org, shop):
    from salesops.planning.periods import add_months

    c = _client(client, org["rep1"])
    month = add_months(timezone.localdate().replace(day=1), 1)
    url = reverse("targets-profit-plan-edit") + f"?month={month:%Y-%m}"
    pk = shop["c1"].pk
    response = c.post(
        url, {f"use_{pk}": "1", f"volume_{pk}": "10", f"price_{pk}": "5", f"margin_percent_{pk}": "500", "submit": "1"}
    )
    assert response.status_code == 200 and "lines.1.margin_percent" in response.context["errors"]["fields"]
    response = c.post(
        url, {f"use_{pk}": "1", f"volume_{pk}": "10", f"price_{pk}": "5", f"margin_percent_{pk}": "20", "submit": "1"}
    )
    assert response.status_code == 302
    client.logout()
    m = _client(client, org["manager"])
    last = add_months(timezone.localdate().replace(day=1), -1)
    response = m.post(reverse("targets-reviews"), {"month": f"{last:%Y-%m}", "unit": org.units["EAST"].pk})
    assert response.status_code == 302
    detail = response["Location"]
    assert m.get(detail).status_code == 200
    assert m.get(detail + "pdf/")["Content-Type"] == "application/pdf"
    assert m.get(detail + "xlsx/").status_code == 200
