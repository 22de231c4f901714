"""The field demo: weeks of visits recorded through the phone's service, so the supervisor's
success rate and coverage pages show real figures and charts."""

import json

import pytest
from django.urls import reverse

from salesops.core.models import User
from salesops.core.roles import Role
from salesops.demo.loader import load_demo
from salesops.field.models import Visit

AREAS = {"core", "crm", "approvals", "catalog", "inventory", "credit", "sales", "field"}


@pytest.mark.django_db
def test_the_demo_gives_the_supervisor_weeks_of_success_rate_and_coverage(client):
    load_demo(progress=lambda _text: None, only=AREAS)
    done = Visit.objects.filter(status=Visit.Status.DONE)
    assert done.filter(order__isnull=False).exists()
    assert Visit.objects.filter(status=Visit.Status.SKIPPED).exists()
    assert Visit.objects.filter(planned=True, status=Visit.Status.PLANNED).exists()
    assert len(set(done.values_list("date", flat=True))) >= 10

    supervisor = (
        User.objects.filter(role_assignments__role=Role.SALES_SUPERVISOR, org_unit__isnull=False)
        .order_by("username")
        .first()
    )
    client.force_login(supervisor)
    response = client.get(reverse("field-performance"))
    assert response.status_code == 200
    rows = response.context["rows"]
    assert rows
    assert len({row.period for row in rows}) >= 2, "the default four weeks show more than one week"
    rates = [row.success_rate for row in rows if row.success_rate is not None]
    assert rates and all(0 <= rate <= 100 for rate in rates)
    assert len(set(rates)) > 1
    on_time = [row.on_time_rate for row in rows if row.on_time_rate is not None]
    assert on_time and all(0 <= rate <= 100 for rate in on_time) and len(set(on_time)) > 1
    assert all(row.done_rate is None or 0 <= row.done_rate <= 100 for row in rows)
    totals = response.context["totals"]
    assert sum(row.done for row in totals) > 0 and sum(row.planned for row in totals) > 0

    chart = json.loads(response.context["chart_json"])
    planned, visited, success = (series["data"] for series in chart["series"])
    assert sum(planned) > 0 and sum(visited) > 0
    assert any(value is not None and 0 < value <= 100 for value in success)

    coverage = response.context["coverage"]
    assert coverage.targets > 0
    assert 0 < coverage.covered <= coverage.targets
    assert any(row.done for row in coverage.rows)
