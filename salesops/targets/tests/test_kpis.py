"""KPIs from the documents: each measure, collections from dated allocations, ratios added up
before dividing, and scorecards whose query count does not grow with the number of reps."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from salesops.core.tests.factories import make_user
from salesops.credit.receipts import receipt_record
from salesops.sales.models import Invoice
from salesops.targets import services
from salesops.targets.kpis import Kpi, Parts, Unit, all_kpis, compute_parts, get_kpi, register_kpi
from salesops.targets.measures import sales_by_rep
from salesops.targets.models import Measure, PerformancePolicy
from salesops.targets.periods import month, parse_period
from salesops.targets.scorecards import scorecard
from salesops.targets.tests.conftest import sell

pytestmark = pytest.mark.django_db
NOV = month(datetime.date(2026, 11, 1))


def test_three_measures_and_the_company_choice(org, shop):
    sell(rep=org["rep1"], customer=shop["c1"], product=shop["product"], quantity="3", on=datetime.date(2026, 11, 5))
    sell(
        rep=org["rep1"],
        customer=shop["c1"],
        product=shop["product"],
        quantity="2",
        on=datetime.date(2026, 11, 6),
        invoice=False,
    )
    assert sales_by_rep(NOV, None, measure=Measure.ORDERS) == {org["rep1"].pk: Decimal("500.00")}
    assert sales_by_rep(NOV, None, measure=Measure.DELIVERIES) == {org["rep1"].pk: Decimal("500.00")}
    assert sales_by_rep(NOV, None, measure=Measure.INVOICES) == {org["rep1"].pk: Decimal("300.00")}
    assert sales_by_rep(NOV, None) == {org["rep1"].pk: Decimal("300.00")}  # default: invoices
    services.performance_policy_update(data={"measure": "orders"}, actor=org["gm"])
    assert sales_by_rep(NOV, None) == {org["rep1"].pk: Decimal("500.00")}


def test_a_policy_that_is_not_valid_is_refused_and_changes_nothing(org):
    from salesops.core.exceptions import ValidationFailed

    with pytest.raises(ValidationFailed) as error:
        services.performance_policy_update(data={"measure": "labels", "bad_debt_days": 5}, actor=org["gm"])
    assert set(error.value.fields) == {"measure", "bad_debt_days"}
    assert PerformancePolicy.objects.get().measure == "invoices"


def test_collections_come_from_allocations_dated_in_the_period(org, shop):
    sell(rep=org["rep1"], customer=shop["c1"], product=shop["product"], quantity="10", on=datetime.date(2026, 10, 5))
    invoice = Invoice.objects.get()
    receipt_record(
        actor=org["finance"],
        customer=shop["c1"],
        amount=Decimal("400.00"),
        received_on=datetime.date(2026, 11, 3),
        invoices=[invoice],
    )
    receipt_record(
        actor=org["finance"],
        customer=shop["c1"],
        amount=Decimal("100.00"),
        received_on=datetime.date(2026, 12, 1),
        invoices=[invoice],
    )
    parts = compute_parts(["collections"], NOV, None)["collections"]
    assert parts == {org["rep1"].pk: Parts(Decimal("400.00"))}


def test_ratios_add_parts_before_dividing(org, shop):
    services.target_plan_create(
        year=2026, total=Decimal("12000.00"), month_method="even", org_method="even", actor=org["gm"]
    )
    from salesops.targets.models import TargetPlan

    plan = TargetPlan.objects.get()
    services.target_plan_approved(plan=plan)
    sell(rep=org["rep1"], customer=shop["c1"], product=shop["product"], quantity="5", on=datetime.date(2026, 11, 5))
    card = scorecard(
        reps=[org["rep1"], org["rep2"], org["rep3"]],
        period=NOV,
        group_by="team",
        kpi_codes=["sales", "target", "achievement"],
    )
    rows = {row.name: row for row in card["rows"]}
    east1 = rows["East-1"]
    # team target is rep1's + rep2's share; achievement is sales ÷ that sum, not an average
    assert east1.values["target"] == Decimal("666.67")
    assert east1.values["achievement"] == (Decimal("500") * 100 / Decimal("666.67")).quantize(Decimal("0.01"))
    assert card["totals"].values["target"] == Decimal("1000.00")


def test_scorecard_queries_do_not_grow_with_the_reps(org, shop):
    def count(reps):
        with CaptureQueriesContext(connection) as queries:
            scorecard(reps=reps, period=NOV, group_by="rep", kpi_codes=[k.code for k in all_kpis()])
        return len(queries)

    few = [org["rep1"], org["rep2"]]
    sell(rep=org["rep1"], customer=shop["c1"], product=shop["product"], quantity="1", on=datetime.date(2026, 11, 5))
    count(few)  # warm the process-wide caches (content types, calendar)
    baseline = count(few)
    many = few + [make_user(roles=["sales_rep"], unit=org.units["EAST-2"]) for _ in range(25)]
    assert count(many) == baseline


def test_another_area_registers_its_kpi_and_scorecards_use_it(org):
    def visits_parts(period, rep_ids, *, cache=None):
        return {org["rep1"].pk: Parts(Decimal(17), Decimal(20))}

    register_kpi(Kpi("test_visit_success", "Visit success", "field", Unit.PERCENT, "orders / visits", visits_parts))
    try:
        card = scorecard(reps=[org["rep1"]], period=NOV, kpi_codes=["test_visit_success"])
        assert card["rows"][0].values["test_visit_success"] == Decimal("85.00")
    finally:
        from salesops.targets import kpis

        kpis._registry.pop("test_visit_success")


def test_gross_margin_is_only_for_those_who_see_costs(org):
    kpi = get_kpi("gross_margin")
    assert not kpi.visible_to(org["rep1"])
    assert kpi.visible_to(org["finance"])


@pytest.mark.parametrize("text", ["2026-13", "2026-Q5", "1999-01", "abc", "", "2026-W60"])
def test_a_period_that_is_not_one_is_a_field_error(text):
    from salesops.core.exceptions import ValidationFailed

    with pytest.raises(ValidationFailed) as error:
        parse_period(text)
    assert "period" in error.value.fields


def test_periods_shift_and_compare():
    assert parse_period("2026-Q4").previous().key == "2026-Q3"
    assert parse_period("2026-11").last_year().key == "2025-11"
    assert parse_period("2026-W01").start == datetime.date(2025, 12, 29)
    assert parse_period("2026").days == 365
