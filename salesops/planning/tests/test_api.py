"""API of planning: flows and the permission matrix per endpoint."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from salesops.planning import services
from salesops.planning.models import ForecastLine, PlannedOrder
from salesops.planning.periods import add_months, month_start
from salesops.planning.tests import factories as f
from salesops.planning.tests.test_db_layer import _schedule

pytestmark = pytest.mark.django_db

ROLES = ["planner", "rep1", "rep3", "finance", "warehouse", "norole"]


@pytest.fixture
def data(org):
    admin = org["admin"]
    family = f.make_family(admin)
    product = f.make_product(admin, "P1", family=family, source="buy")
    warehouse = f.make_warehouse(admin)
    f.make_supplier(admin)
    customer = f.make_customer(org, org["rep1"])
    first = add_months(month_start(timezone.localdate()), 1)
    for k in range(1, 13):
        f.sell(
            customer=customer,
            rep=org["rep1"],
            warehouse=warehouse,
            product=product,
            day=add_months(first, -k) + datetime.timedelta(days=2),
            quantity=5,
        )
    run = services.forecast_run_execute(
        run=services.forecast_run_create(
            actor=org["planner"], first_period=first, product_ids=[product.pk], enqueue=False
        ),
        n_jobs=1,
    )
    entry = services.forecast_input_save(
        run=run, rep=org["rep1"], product=product, period=first, quantity=4, actor=org["rep1"]
    )
    pack = services.sop_pack_prepare(month=timezone.localdate(), actor=org["planner"])
    scenario = services.aggregate_scenario_create(name="S", actor=org["planner"], inputs={"demand": [10, 20]})
    schedule = _schedule({"admin": admin}, product, {2: "6"})
    plan = services.production_plan_create(
        month=month_start(timezone.localdate()), actor=org["planner"], schedule=schedule
    )
    services.production_plan_issue(plan=plan, actor=org["planner"])
    mrp = services.mrp_run_execute(
        run=services.mrp_run_create(actor=org["planner"], schedule=schedule, weeks=6, enqueue=False)
    )
    planned = PlannedOrder.objects.get(run=mrp)
    return {
        "run": run,
        "input": entry,
        "pack": pack,
        "scenario": scenario,
        "schedule": schedule,
        "plan": plan,
        "mrp": mrp,
        "planned": planned,
        "product": product,
        "first": first,
    }


PLANNING_ONLY = {"planner"}
PLANS = {"planner", "warehouse"}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    "endpoint, key, allowed",
    [
        ("forecast-runs", "run", PLANNING_ONLY),
        ("sop-packs", "pack", PLANNING_ONLY),
        ("aggregate-scenarios", "scenario", PLANNING_ONLY),
        ("mps", "schedule", PLANNING_ONLY),
        ("production-plans", "plan", PLANS),
        ("mrp-runs", "mrp", PLANNING_ONLY),
        ("planned-orders", "planned", PLANNING_ONLY),
        ("forecast-inputs", "input", {"planner", "rep1"}),
    ],
)
def test_read_matrix(org, api, data, role, endpoint, key, allowed):
    client = api(org[role])
    listing = client.get(f"/api/v1/planning/{endpoint}/")
    assert listing.status_code == 200
    detail = client.get(f"/api/v1/planning/{endpoint}/{data[key].pk}/")
    if role in allowed:
        assert listing.json()["count"] >= 1
        assert detail.status_code == 200
    else:
        assert listing.json()["count"] == 0
        assert detail.status_code == 404


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("path, allowed", [("accuracy", PLANNING_ONLY), ("fulfilment", PLANS)])
def test_report_matrix(org, api, data, role, path, allowed):
    response = api(org[role]).get(f"/api/v1/planning/{path}/")
    assert response.status_code == (200 if role in allowed else 404)


def test_anonymous_is_refused(api, data):
    assert api().get("/api/v1/planning/forecast-runs/").status_code in (401, 403)


@pytest.mark.parametrize("role", ROLES)
def test_write_matrix_convert(org, api, data, role):
    response = api(org[role]).post(f"/api/v1/planning/planned-orders/{data['planned'].pk}/convert/")
    if role == "planner":
        assert response.status_code == 200
        assert response.json()["status"] == "converted"
    else:
        assert response.status_code in (403, 404)
        data["planned"].refresh_from_db()
        assert data["planned"].status == "planned"


def test_purchasing_converts_a_planned_purchase_with_one_call(org, api, data):
    response = api(org["purchasing"]).post(f"/api/v1/planning/planned-orders/{data['planned'].pk}/convert/")
    assert response.status_code == 200
    assert response.json()["purchase_order"] is not None


@pytest.mark.parametrize("role", ["rep1", "rep3", "finance", "warehouse", "norole"])
def test_write_matrix_forecast(org, api, data, role):
    client = api(org[role])
    line = ForecastLine.objects.filter(run=data["run"]).first()
    assert client.post("/api/v1/planning/forecast-runs/", {}, format="json").status_code == 403
    response = client.post(
        "/api/v1/planning/forecast-overrides/", {"line": line.pk, "new_value": "1", "reason": "x"}, format="json"
    )
    assert response.status_code == 403
    assert client.post(f"/api/v1/planning/forecast-runs/{data['run'].pk}/submit/").status_code in (403, 404)
    line.refresh_from_db()
    assert line.consensus == line.baseline


def test_override_and_submit_through_the_api(org, api, data):
    client = api(org["salesadmin"])
    line = ForecastLine.objects.filter(run=data["run"], level="product").first()
    response = client.post(
        "/api/v1/planning/forecast-overrides/",
        {"line": line.pk, "new_value": "7.5", "reason": "New outlet"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["old_value"] == str(line.baseline)
    missing = client.post(
        "/api/v1/planning/forecast-overrides/", {"line": line.pk, "new_value": "8", "reason": ""}, format="json"
    )
    assert missing.status_code == 400 and "reason" in missing.json()["fields"]
    submitted = client.post(f"/api/v1/planning/forecast-runs/{data['run'].pk}/submit/")
    assert submitted.status_code == 201
    again = client.post(f"/api/v1/planning/forecast-runs/{data['run'].pk}/submit/")
    assert again.status_code == 409 and again.json()["code"] == "forecast_version_exists"


def test_rep_enters_own_input_and_sees_only_own(org, api, data):
    response = api(org["rep3"]).post(
        "/api/v1/planning/forecast-inputs/",
        {"run": data["run"].pk, "product": data["product"].pk, "period": str(data["first"]), "quantity": "2"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["rep"] == org["rep3"].pk
    mine = api(org["rep3"]).get("/api/v1/planning/forecast-inputs/").json()
    assert [row["rep"] for row in mine["results"]] == [org["rep3"].pk]
    team = api(org["supervisor1"]).get("/api/v1/planning/forecast-inputs/").json()
    assert [row["rep"] for row in team["results"]] == [org["rep1"].pk]
    refused = api(org["finance"]).post(
        "/api/v1/planning/forecast-inputs/",
        {"run": data["run"].pk, "product": data["product"].pk, "period": str(data["first"]), "quantity": "2"},
        format="json",
    )
    assert refused.status_code == 403


def test_acknowledge_matrix(org, api, data):
    url = f"/api/v1/planning/production-plans/{data['plan'].pk}/acknowledge/"
    assert api(org["warehouse"]).post(url, {"department": "warehouse"}, format="json").status_code == 201
    assert api(org["finance"]).post(url, {"department": "purchasing"}, format="json").status_code == 403
    assert api(org["warehouse"]).post(url, {"department": "purchasing"}, format="json").status_code == 403
    assert list(data["plan"].acknowledgements.values_list("department", flat=True)) == ["warehouse"]


def test_long_jobs_answer_202_and_expose_progress(org, api, data, django_capture_on_commit_callbacks):
    client = api(org["planner"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/planning/mrp-runs/")
    assert response.status_code == 202
    progress = client.get(f"/api/v1/planning/mrp-runs/{response.json()['id']}/progress/").json()
    assert progress["status"] == "done" and progress["percent"] == 100


def test_bucket_close_needs_reasons_through_the_api(org, api, data):
    bucket = data["plan"].buckets.first()
    line = bucket.lines.first()
    client = api(org["planner"])
    if line is None:
        from salesops.planning.models import PlanBucketLine

        line = PlanBucketLine.objects.create(bucket=bucket, product=data["product"], planned=Decimal("5"))
    refused = client.post(f"/api/v1/planning/plan-weeks/{bucket.pk}/close/", {}, format="json")
    assert refused.status_code == 400 and refused.json()["code"] == "fulfilment_reasons_missing"
    closed = client.post(
        f"/api/v1/planning/plan-weeks/{bucket.pk}/close/",
        {"reasons": {str(line.pk): "No flour delivered"}},
        format="json",
    )
    assert closed.status_code == 200 and closed.json()["closed_at"]
