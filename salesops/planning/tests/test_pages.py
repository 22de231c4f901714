"""Pages of planning: every page renders for the planner, is hidden from people without a
planning role, and the main actions work through the forms."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from salesops.planning.models import PlannedOrder
from salesops.planning.tests.test_api import data  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def _client(user):
    client = Client()
    client.force_login(user)
    return client


PAGES = [
    ("planning-forecasts", None),
    ("planning-accuracy", None),
    ("planning-sop", None),
    ("planning-aggregate", None),
    ("planning-mps", None),
    ("planning-plans", None),
    ("planning-fulfilment", None),
    ("planning-mrp", None),
    ("planning-planned-purchases", None),
    ("planning-production-report", None),
    ("planning-forecast-detail", "run"),
    ("planning-sop-detail", "pack"),
    ("planning-aggregate-detail", "scenario"),
    ("planning-mps-detail", "schedule"),
    ("planning-plan-detail", "plan"),
    ("planning-mrp-detail", "mrp"),
]


@pytest.fixture(autouse=True)
def _an_override(org, data):  # noqa: F811
    from salesops.planning import services
    from salesops.planning.models import ForecastLine

    for line in ForecastLine.objects.filter(run=data["run"]).order_by("level")[:2]:
        services.forecast_override(line=line, new_value=line.consensus + 1, reason="Check", actor=org["salesadmin"])


@pytest.mark.parametrize("name, key", PAGES)
def test_pages_render_for_the_planner_and_not_for_others(org, data, name, key):  # noqa: F811
    url = reverse(name, args=[data[key].pk]) if key else reverse(name)
    assert _client(org["planner"]).get(url).status_code == 200
    for role in ("rep1", "finance", "norole"):
        assert _client(org[role]).get(url).status_code == 404, (role, url)


def test_exports(org, data):  # noqa: F811
    client = _client(org["planner"])
    xlsx = client.get(reverse("planning-accuracy") + "?export=xlsx")
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    pack = reverse("planning-sop-detail", args=[data["pack"].pk])
    assert client.get(pack + "?export=xlsx").status_code == 200
    pdf = client.get(pack + "?export=pdf")
    assert pdf.status_code == 200 and pdf.content[:4] == b"%PDF"


def test_progress_fragment_for_htmx(org, data):  # noqa: F811
    url = reverse("planning-mrp-detail", args=[data["mrp"].pk]) + "?progress=1"
    response = _client(org["planner"]).get(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and b"job-progress" in response.content


def test_convert_button_creates_a_purchase_order(org, data):  # noqa: F811
    planned = data["planned"]
    response = _client(org["purchasing"]).post(reverse("planning-planned-convert", args=[planned.pk]))
    assert response.status_code == 302
    planned.refresh_from_db()
    assert planned.status == PlannedOrder.Status.CONVERTED and planned.purchase_order is not None


def test_rep_page_my_forecast(org, data):  # noqa: F811
    response = _client(org["rep1"]).get(reverse("planning-my-inputs"))
    assert response.status_code == 200 and b"my-inputs" in response.content
    assert _client(org["finance"]).get(reverse("planning-my-inputs")).status_code == 404


def test_home_sections(org, data):  # noqa: F811
    assert _client(org["planner"]).get(reverse("home")).status_code == 200
    assert _client(org["salesadmin"]).get(reverse("home")).status_code == 200


def test_forecast_drill_down_to_the_products_of_a_family(org, data):  # noqa: F811
    family = data["product"].family_id
    url = reverse("planning-forecast-detail", args=[data["run"].pk]) + f"?family={family}"
    response = _client(org["salesadmin"]).get(url)
    assert response.status_code == 200 and b"product-grid" in response.content and b"P1" in response.content
    accuracy = _client(org["planner"]).get(reverse("planning-accuracy") + f"?family={family}")
    assert accuracy.status_code == 200
