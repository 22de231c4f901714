"""The field KPIs in the registry: the supervisors' field-check scores and the visit success
rate reach the scorecard (per rep and per team), count in the total score once weighted, and
the field-check figure opens the checks behind it."""

import datetime
import uuid
from decimal import Decimal

import pytest
from django.utils import timezone

from salesops.core.exceptions import PermissionDenied, ValidationFailed
from salesops.core.selectors import company_date
from salesops.field import services
from salesops.field.models import FieldCheck, FieldCheckCriterion
from salesops.field.tests.factories import make_outlets, published_on_busiest_day, require
from salesops.sales.tests.factories import make_product, make_warehouse
from salesops.targets import periods
from salesops.targets import services as targets
from salesops.targets.kpis import get_kpi
from salesops.targets.scorecards import scorecard

pytestmark = pytest.mark.django_db
CODES = ["field_check_score", "visit_success"]


def check(checker, rep, score: int, *, date=None):
    criteria = FieldCheckCriterion.objects.filter(kind="coaching", active=True)
    return services.field_check_create(
        checker=checker,
        rep=rep,
        kind="coaching",
        date=date or company_date(),
        scores={criterion.code: score for criterion in criteria},
    )


@pytest.fixture
def day(org):
    """rep1's route published to start today: two visits done, one of them with an order."""
    product = make_product(price="5.00", stock="500", warehouse=make_warehouse())
    require(product)
    make_outlets(org["rep1"], 6)
    published_on_busiest_day(org["supervisor1"], org["rep1"])
    visits = services.visits_plan_day(rep=org["rep1"], date=company_date())
    assert len(visits) >= 2
    now = timezone.now()
    for visit, ordered in zip(visits[:2], (True, False), strict=True):
        services.visit_submit(
            actor=org["rep1"],
            client_key=uuid.uuid4(),
            visit=visit,
            check_in_at=now - datetime.timedelta(minutes=10),
            check_out_at=now - datetime.timedelta(minutes=1),
            record={"outcome": "" if ordered else "no_order"},
            lines=[{"product": product.pk, "stock_seen": "2", "suggested_quantity": "6" if ordered else "0"}],
            make_order=ordered,
        )
    return visits


def test_field_kpis_are_in_the_registry_with_owner_and_formula():
    for code in CODES:
        kpi = get_kpi(code)
        assert kpi is not None and kpi.owner == "field" and str(kpi.formula)


def test_field_checks_and_visit_success_reach_the_scorecard(org, day):
    check(org["supervisor1"], org["rep1"], 5)  # 100 on the 0–100 scale
    check(org["supervisor1"], org["rep1"], 3)  # 50
    check(org["supervisor1"], org["rep2"], 2)  # 25
    month = periods.month(company_date())
    card = scorecard(reps=[org["rep1"], org["rep2"], org["rep3"]], period=month, kpi_codes=CODES)
    rows = {row.name: row for row in card["rows"]}
    assert rows["Rep1"].values["field_check_score"] == Decimal("75.00")
    assert rows["Rep1"].values["visit_success"] == Decimal("50.00")
    assert rows["Rep2"].values["field_check_score"] == Decimal("25.00")
    assert rows["Rep3"].values["field_check_score"] is None
    # a team's figure is the mean of its checks, not a mean of its reps' means
    teams = scorecard(reps=[org["rep1"], org["rep2"]], period=month, kpi_codes=CODES, group_by="team")
    assert teams["rows"][0].values["field_check_score"] == Decimal("58.33")

    # once weighted, the checks count in the total score and in the ranking
    targets.scorecard_weight_save(kpi="field_check_score", weight="20", target_value="80", actor=org["gm"])
    card = scorecard(reps=[org["rep1"], org["rep2"]], period=month, kpi_codes=CODES)
    rows = {row.name: row for row in card["rows"]}
    assert rows["Rep1"].points["field_check_score"] == Decimal("18.75")  # 20 × 75 ÷ 80
    assert rows["Rep2"].points["field_check_score"] == Decimal("6.25")
    assert rows["Rep1"].rank < rows["Rep2"].rank


def test_a_check_is_made_only_by_the_reps_lead_and_scored_1_to_5(org):
    with pytest.raises(PermissionDenied):
        check(org["supervisor2"], org["rep1"], 4)  # not rep1's team
    with pytest.raises(PermissionDenied):
        check(org["rep2"], org["rep1"], 4)
    with pytest.raises(ValidationFailed):
        check(org["supervisor1"], org["rep1"], 6)
    with pytest.raises(ValidationFailed):
        check(org["supervisor1"], org["rep1"], 4, date=company_date() + datetime.timedelta(days=1))
    assert FieldCheck.objects.count() == 0
