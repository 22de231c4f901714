"""Planning through the database layer: small hand-checked cases for every engine."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from salesops.core.exceptions import PermissionDenied, ValidationFailed
from salesops.planning import services
from salesops.planning.exceptions import AlreadyConverted, PackClosed, ReasonsMissing, VersionExists, VersionFrozen
from salesops.planning.models import (
    AggregatePlanScenario,
    FamilyTarget,
    ForecastLine,
    ForecastOverride,
    ForecastVersionRow,
    JobStatus,
    MasterSchedule,
    MpsChange,
    MpsLine,
    PlanBucketLine,
    PlannedOrder,
    ProductionPlan,
    SopPack,
)
from salesops.planning.periods import add_months, month_start, week_start
from salesops.planning.review import pack_figures
from salesops.planning.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(org):
    admin = org["admin"]
    family = f.make_family(admin)
    steady = f.make_product(admin, "STEADY", family=family)
    young = f.make_product(admin, "YOUNG", family=family)
    warehouse = f.make_warehouse(admin)
    customer = f.make_customer(org, org["rep1"])
    return {
        "admin": admin,
        "family": family,
        "steady": steady,
        "young": young,
        "warehouse": warehouse,
        "customer": customer,
        "org": org,
    }


def _history(world, *, first_period, steady_months=24, young=(4, 5, 6)):
    """STEADY sells 10 a month for two years before `first_period`; YOUNG 4, 5, 6 in its last 3."""
    for k in range(1, steady_months + 1):
        f.sell(
            customer=world["customer"],
            rep=world["org"]["rep1"],
            warehouse=world["warehouse"],
            product=world["steady"],
            day=add_months(first_period, -k) + datetime.timedelta(days=3),
            quantity=10,
        )
    for k, quantity in zip((3, 2, 1), young, strict=True):
        f.sell(
            customer=world["customer"],
            rep=world["org"]["rep1"],
            warehouse=world["warehouse"],
            product=world["young"],
            day=add_months(first_period, -k) + datetime.timedelta(days=5),
            quantity=quantity,
        )


def _run(world, first_period, actor=None):
    run = services.forecast_run_create(
        actor=actor or world["org"]["planner"],
        first_period=first_period,
        product_ids=[world["steady"].pk, world["young"].pk],
        enqueue=False,
    )
    return services.forecast_run_execute(run=run, n_jobs=1)


def test_forecast_run_reads_history_and_stores_product_and_family_lines(world):
    first = add_months(month_start(timezone.localdate()), 1)
    _history(world, first_period=first)
    run = _run(world, first)
    assert run.status == JobStatus.DONE, run.message
    lines = ForecastLine.objects.filter(run=run)
    assert lines.count() == 4 * 3  # two products, their family and the total, three months
    steady = lines.filter(product=world["steady"]).order_by("period")
    assert [line.period for line in steady] == [first, add_months(first, 1), add_months(first, 2)]
    assert all(abs(line.baseline - Decimal("10")) < Decimal("0.01") for line in steady)
    assert all(line.consensus == line.baseline for line in steady)
    young = lines.filter(product=world["young"])
    assert {line.model for line in young} == {"mean"}
    assert {line.baseline for line in young} == {Decimal("5.000")}
    family = lines.filter(level=ForecastLine.Level.FAMILY, family=world["family"])
    assert family.count() == 3
    for line in family:  # the family is the sum of its products (bottom-up), and so is the total
        products = lines.filter(level=ForecastLine.Level.PRODUCT, period=line.period)
        assert line.baseline == sum(p.baseline for p in products) == line.consensus
        assert lines.get(level=ForecastLine.Level.TOTAL, period=line.period).consensus == line.consensus


def test_long_job_runs_as_a_task_and_reports_progress(world, django_capture_on_commit_callbacks):
    first = add_months(month_start(timezone.localdate()), 1)
    _history(world, first_period=first)
    with django_capture_on_commit_callbacks(execute=True):
        run = services.forecast_run_create(actor=world["org"]["planner"], first_period=first)
    run.refresh_from_db()
    assert run.status == JobStatus.DONE
    assert run.progress_total > 0 and run.progress_done == run.progress_total
    assert run.percent == 100


def test_override_records_who_why_and_the_replaced_value(world):
    first = add_months(month_start(timezone.localdate()), 1)
    _history(world, first_period=first)
    run = _run(world, first)
    line = ForecastLine.objects.get(run=run, product=world["young"], period=first)
    admin = world["org"]["salesadmin"]
    override = services.forecast_override(line=line, new_value="8", reason="Promotion in March", actor=admin)
    line.refresh_from_db()
    assert (override.old_value, override.new_value, override.actor, override.reason) == (
        Decimal("5.000"),
        Decimal("8.000"),
        admin,
        "Promotion in March",
    )
    assert line.consensus == Decimal("8.000") and line.baseline == Decimal("5.000")
    # no reason: refused, nothing changed
    with pytest.raises(ValidationFailed) as error:
        services.forecast_override(line=line, new_value="9", reason=" ", actor=admin)
    assert "reason" in error.value.fields
    line.refresh_from_db()
    assert line.consensus == Decimal("8.000") and ForecastOverride.objects.count() == 1
    # a rep does not change the consensus
    with pytest.raises(PermissionDenied):
        services.forecast_override(line=line, new_value="1", reason="x", actor=world["org"]["rep1"])


def test_reps_inputs_compiled_by_sales_admin(world):
    first = add_months(month_start(timezone.localdate()), 1)
    _history(world, first_period=first)
    run = _run(world, first)
    org = world["org"]
    services.forecast_input_save(
        run=run,
        rep=org["rep1"],
        product=world["young"],
        period=first,
        quantity=3,
        customer=world["customer"],
        actor=org["rep1"],
    )
    services.forecast_input_save(
        run=run, rep=org["rep2"], product=world["young"], period=first, quantity=4, actor=org["rep2"]
    )
    with pytest.raises(PermissionDenied):  # a rep enters only their own
        services.forecast_input_save(
            run=run, rep=org["rep2"], product=world["young"], period=first, quantity=1, actor=org["rep1"]
        )
    changed = services.forecast_inputs_compile(run=run, actor=org["salesadmin"])
    assert changed == 1
    line = ForecastLine.objects.get(run=run, product=world["young"], period=first)
    assert line.consensus == Decimal("7.000")
    assert line.overrides.get().reason == "Compiled from 2 inputs of the reps"


def test_submitted_version_is_frozen(world):
    first = add_months(month_start(timezone.localdate()), 1)
    _history(world, first_period=first)
    run = _run(world, first)
    version = services.forecast_submit(run=run, actor=world["org"]["salesadmin"])
    assert version.month == month_start(timezone.localdate())
    assert ForecastVersionRow.objects.filter(version=version).count() == 12
    with pytest.raises(VersionExists):
        services.forecast_submit(run=run, actor=world["org"]["salesadmin"])
    line = ForecastLine.objects.get(run=run, product=world["young"], period=first)
    with pytest.raises(VersionExists):
        services.forecast_override(line=line, new_value="1", reason="late", actor=world["org"]["salesadmin"])
    with pytest.raises(VersionFrozen):
        version.save()
    row = version.rows.first()
    row.consensus = Decimal("999")
    with pytest.raises(VersionFrozen):
        row.save()
    assert not ForecastVersionRow.objects.filter(consensus=Decimal("999")).exists()


def test_accuracy_on_a_hand_made_case(world):
    from salesops.planning.accuracy_report import accuracy_report

    today = timezone.localdate()
    target = add_months(month_start(today), -1)  # the month measured: last month
    _history(world, first_period=target)
    run = _run(world, target)
    admin = world["org"]["salesadmin"]
    for product, value in ((world["steady"], "12"), (world["young"], "8")):
        line = ForecastLine.objects.get(run=run, product=product, period=target)
        services.forecast_override(line=line, new_value=value, reason="hand", actor=admin)
    services.forecast_submit(run=run, actor=admin)
    # actuals of the target month: STEADY 10, YOUNG 10
    for product in (world["steady"], world["young"]):
        f.sell(
            customer=world["customer"],
            rep=world["org"]["rep1"],
            warehouse=world["warehouse"],
            product=product,
            day=target + datetime.timedelta(days=9),
            quantity=10,
        )
    report = accuracy_report(months=1, today=today)
    (month,) = report["by_month"]
    assert month["actual"] == 20 and month["forecast"] == 20
    assert month["wape"] == pytest.approx(0.2)  # |12-10| + |8-10| = 4 over 20
    assert month["mape"] == pytest.approx(0.2)
    assert month["bias"] == pytest.approx(0.0)
    (lag1,) = [row for row in report["lags"] if row["lag"] == 1]
    assert lag1["wape"] == pytest.approx(0.2)
    (fva,) = report["fva"]
    # baseline: STEADY 10 (exact), YOUNG 5 → |5-10| = 5 over 20
    assert fva["wape_baseline"] == pytest.approx(0.25, abs=0.01)
    assert fva["fva"] == pytest.approx(0.05, abs=0.01)


def _schedule(world, product, cells):
    schedule = MasterSchedule.objects.create(
        number=f"MPS-T-{MasterSchedule.objects.count() + 1}",
        first_week=week_start(timezone.localdate()),
        weeks=6,
        consumption="max",
        frozen_weeks=2,
        demand_time_fence_weeks=2,
        planning_time_fence_weeks=4,
        created_by=world["admin"],
    )
    for week, quantity in cells.items():
        MpsLine.objects.create(
            schedule=schedule,
            product=product,
            week=schedule.first_week + datetime.timedelta(weeks=week - 1),
            forecast=0,
            orders=0,
            demand=0,
            projected=0,
            quantity=Decimal(quantity),
        )
    return schedule


def test_mrp_from_the_database_nets_a_component_at_two_levels_with_stock(world):
    """A (LT 1 week) = B + 2 C; B (LT 1) = C; C bought (LT 1) with 5 on hand. MPS: 10 A in week 3.
    A: receipt w3, release w2. B: gross 10 in w2 → receipt w2, release w1. C: gross 10 (w1, from B)
    + 20 (w2, from A); on hand 5 → 5 in w1 (release w0: past due, released w1) and 20 in w2."""
    from salesops.catalog.services import bom_line_add

    admin = world["admin"]
    a = f.make_product(admin, "A")
    b = f.make_product(admin, "B")
    c = f.make_product(admin, "C", source="buy")
    start = week_start(timezone.localdate()) - datetime.timedelta(days=30)
    bom_line_add(parent=a, component=b, quantity=1, valid_from=start, actor=admin)
    bom_line_add(parent=a, component=c, quantity=2, valid_from=start, actor=admin)
    bom_line_add(parent=b, component=c, quantity=1, valid_from=start, actor=admin)
    f.receive(admin, world["warehouse"], c, 5)
    schedule = _schedule(world, a, {3: "10"})
    run = services.mrp_run_create(actor=world["org"]["planner"], schedule=schedule, weeks=6, enqueue=False)
    run = services.mrp_run_execute(run=run)
    assert run.status == JobStatus.DONE, run.message
    assert {"read", "engine", "write"} <= set(run.timings) and all(s >= 0 for s in run.timings.values())
    first = schedule.first_week
    week = lambda n: first + datetime.timedelta(weeks=n - 1)  # noqa: E731
    orders = {
        (p.product.sku, p.release_date, p.receipt_date, p.quantity, p.past_due, p.kind)
        for p in PlannedOrder.objects.filter(run=run).select_related("product")
    }
    assert orders == {
        ("A", week(2), week(3), Decimal("10.000"), False, "production"),
        ("B", week(1), week(2), Decimal("10.000"), False, "production"),
        ("C", week(1), week(1), Decimal("5.000"), True, "purchase"),
        ("C", week(1), week(2), Decimal("20.000"), False, "purchase"),
    }
    assert run.exceptions.filter(kind="past_due", product=c).count() == 1
    pegs = PlannedOrder.objects.get(run=run, product=c, receipt_date=week(2)).pegs
    assert pegs == [["parent", "A", 2, 20.0]]
    assert run.progress_done == run.progress_total == run.n_items


def test_planned_purchase_converts_once_into_a_purchase_order(world):
    from salesops.inventory.models import PurchaseOrder

    admin = world["admin"]
    c = f.make_product(admin, "C", source="buy", cost="3")
    f.make_supplier(admin)
    schedule = _schedule(world, c, {2: "7"})
    run = services.mrp_run_execute(
        run=services.mrp_run_create(actor=world["org"]["planner"], schedule=schedule, weeks=6, enqueue=False)
    )
    planned = PlannedOrder.objects.get(run=run)
    converted = services.planned_order_convert(planned=planned, actor=world["org"]["purchasing"])
    order = converted.purchase_order
    assert converted.status == PlannedOrder.Status.CONVERTED
    (line,) = order.lines.all()
    assert (line.product_id, line.quantity, line.unit_cost) == (c.pk, Decimal("7.000"), Decimal("3.0000"))
    with pytest.raises(AlreadyConverted):
        services.planned_order_convert(planned=planned, actor=world["org"]["purchasing"])
    assert PurchaseOrder.objects.count() == 1


def test_a_new_mrp_run_replaces_the_open_planned_orders_of_earlier_runs(world):
    admin = world["admin"]
    c = f.make_product(admin, "C", source="buy", cost="3")
    f.make_supplier(admin)
    schedule = _schedule(world, c, {2: "7", 4: "3"})
    planner = world["org"]["planner"]
    first = services.mrp_run_execute(
        run=services.mrp_run_create(actor=planner, schedule=schedule, weeks=6, enqueue=False)
    )
    assert first.n_planned == PlannedOrder.objects.filter(run=first).count() == 2
    kept = PlannedOrder.objects.get(run=first, receipt_date=schedule.first_week + datetime.timedelta(weeks=1))
    services.planned_order_convert(planned=kept, actor=world["org"]["purchasing"])
    second = services.mrp_run_execute(
        run=services.mrp_run_create(actor=planner, schedule=schedule, weeks=6, enqueue=False)
    )
    assert second.status == JobStatus.DONE
    # the converted order stays with its purchase order; the open one was replaced
    assert list(PlannedOrder.objects.filter(run=first).values_list("pk", "status")) == [(kept.pk, "converted")]
    # the open purchase order now covers week 2: only week 4 is planned again
    assert [(p.product_id, p.quantity) for p in PlannedOrder.objects.filter(run=second)] == [(c.pk, Decimal("3.000"))]


def test_mps_change_in_the_frozen_period_needs_the_sales_vp(world):
    from salesops.approvals.models import ApprovalRequest, ApprovalTask
    from salesops.approvals.services import approval_decide

    planner = world["org"]["planner"]
    schedule = services.mps_generate(actor=planner, weeks=6, product_ids=[world["steady"].pk])
    frozen_line = schedule.lines.get(week=schedule.first_week)
    open_line = schedule.lines.get(week=schedule.first_week + datetime.timedelta(weeks=4))
    change = services.mps_change_request(line=frozen_line, new_quantity="50", reason="Rush order", actor=planner)
    frozen_line.refresh_from_db()
    assert change.status == MpsChange.Status.PENDING and change.in_frozen_period
    assert frozen_line.quantity == Decimal("0")
    request = ApprovalRequest.objects.get(doc_type="production_plan_change", object_id=str(change.pk))
    task = ApprovalTask.objects.get(request=request, status="open")
    assert task.assignee == world["org"]["director"]
    approval_decide(task=task, actor=world["org"]["director"], decision="approve")
    change.refresh_from_db()
    frozen_line.refresh_from_db()
    assert change.status == MpsChange.Status.APPLIED and frozen_line.quantity == Decimal("50.000")
    # outside the frozen period the planner changes it at once
    later = services.mps_change_request(line=open_line, new_quantity="30", reason="Level the load", actor=planner)
    open_line.refresh_from_db()
    assert later.status == MpsChange.Status.APPLIED and open_line.quantity == Decimal("30.000")


def test_weekly_fulfilment_needs_a_reason_for_every_miss(world):
    planner = world["org"]["planner"]
    month = month_start(timezone.localdate())
    schedule = services.mps_generate(actor=planner, weeks=6, product_ids=[world["steady"].pk])
    plan = services.production_plan_create(month=month, actor=planner, schedule=schedule)
    assert plan.buckets.count() >= 3
    bucket = plan.buckets.order_by("position").first()
    PlanBucketLine.objects.create(bucket=bucket, product=world["steady"], planned=Decimal("100"))
    PlanBucketLine.objects.create(bucket=bucket, product=world["young"], planned=Decimal("50"))
    services.production_plan_issue(plan=plan, actor=planner)
    services.production_report_create(date=bucket.start, product=world["steady"], quantity=80, actor=planner)
    services.production_report_create(date=bucket.start, product=world["young"], quantity=60, actor=planner)
    from salesops.planning.mps import bucket_fulfilment

    summary = bucket_fulfilment(bucket)
    assert summary["planned"] == Decimal("150") and summary["made"] == Decimal("130")  # young capped at 50
    with pytest.raises(ReasonsMissing):
        services.plan_bucket_close(bucket=bucket, reasons={}, actor=planner)
    bucket.refresh_from_db()
    assert bucket.closed_at is None
    steady_line = bucket.lines.get(product=world["steady"])
    services.plan_bucket_close(bucket=bucket, reasons={steady_line.pk: "Mill stopped for repair"}, actor=planner)
    bucket.refresh_from_db()
    steady_line.refresh_from_db()
    assert bucket.closed_at is not None and steady_line.miss_reason == "Mill stopped for repair"
    assert bucket.lines.get(product=world["young"]).miss_reason == ""


def test_plan_issue_and_acknowledgements(world):
    planner = world["org"]["planner"]
    schedule = services.mps_generate(actor=planner, weeks=6)
    plan = services.production_plan_create(month=month_start(timezone.localdate()), actor=planner, schedule=schedule)
    plan = services.production_plan_issue(plan=plan, actor=planner)
    assert plan.status == ProductionPlan.Status.ISSUED
    services.production_plan_acknowledge(plan=plan, department="warehouse", actor=world["org"]["warehouse"])
    services.production_plan_acknowledge(plan=plan, department="purchasing", actor=world["org"]["purchasing"])
    with pytest.raises(PermissionDenied):
        services.production_plan_acknowledge(plan=plan, department="production", actor=world["org"]["warehouse"])
    assert sorted(plan.acknowledgements.values_list("department", flat=True)) == ["purchasing", "warehouse"]


def test_sop_pack_freezes_when_the_meeting_closes(world):
    director = world["org"]["director"]
    FamilyTarget.objects.create(family=world["family"], target_days_of_cover=Decimal("20"))
    pack = services.sop_pack_prepare(month=timezone.localdate(), actor=director)
    services.sop_decision_add(
        pack=pack, text="Build flour stock before the festival", owner=world["org"]["planner"], actor=director
    )
    pack = services.sop_pack_close(pack=pack, actor=director)
    assert pack.status == SopPack.Status.CLOSED and pack.closed_by == director
    frozen = SopPack.objects.get(pk=pack.pk).data
    assert [family["code"] for family in frozen["families"]] == ["FL"]
    with pytest.raises(PackClosed):
        services.sop_decision_add(pack=pack, text="late", owner=director, actor=director)
    with pytest.raises(PackClosed):
        services.sop_pack_prepare(month=pack.month, actor=director)
    assert SopPack.objects.get(pk=pack.pk).data == frozen and pack.decisions.count() == 1


def test_the_pack_and_the_monthly_plan_give_a_month_the_same_production(world):
    """A week of the MPS that spans two months is split by its days, in the pack as in the plan."""
    planner = world["org"]["planner"]
    FamilyTarget.objects.create(family=world["family"], target_days_of_cover=Decimal("20"))
    today = timezone.localdate()
    first = add_months(month_start(today), 1)
    second = add_months(first, 1)
    straddling = week_start(second - datetime.timedelta(days=1))  # holds the first month's last day
    schedule = services.mps_generate(actor=planner, first_week=week_start(first), weeks=10)
    schedule.lines.update(quantity=0)
    schedule.lines.filter(product=world["steady"], week=straddling).update(quantity=Decimal("70"))
    in_first = (second - straddling).days * 10
    production = {row["month"]: row["production"] for row in pack_figures(month=today)["families"][0]["future"]}
    assert (production[f"{first:%Y-%m}"], production[f"{second:%Y-%m}"]) == (in_first, 70 - in_first)
    for month, expected in ((first, in_first), (second, 70 - in_first)):
        plan = services.production_plan_create(month=month, actor=planner, schedule=schedule)
        assert sum(PlanBucketLine.objects.filter(bucket__plan=plan).values_list("planned", flat=True)) == expected


def test_the_pack_shows_families_with_demand_or_a_target_not_those_of_components(world):
    """Raw materials and packaging are planned by MRP: their family, with stock but no demand
    and no cover target, is not a line of the meeting."""
    admin = world["admin"]
    _history(world, first_period=month_start(timezone.localdate()), steady_months=3)
    raw = f.make_family(admin, code="RAW", name="Raw materials")
    wheat = f.make_product(admin, "WHEAT", family=raw, source="buy")
    f.receive(admin, world["warehouse"], wheat, 500)
    kept = f.make_family(admin, code="KEPT", name="Kept")
    f.make_product(admin, "KEPT-1", family=kept)
    FamilyTarget.objects.create(family=kept, target_days_of_cover=Decimal("30"))
    codes = [family["code"] for family in pack_figures(month=timezone.localdate())["families"]]
    assert "FL" in codes and "KEPT" in codes and "RAW" not in codes


def test_aggregate_scenario_solved_and_infeasible_with_the_engines_message(world):
    planner = world["org"]["planner"]
    solved = services.aggregate_scenario_create(
        name="Base",
        actor=planner,
        inputs={"demand": [100, 200, 150], "initial_workforce": 1, "labour_hours_per_unit": 1.0},
    )
    assert solved.status == AggregatePlanScenario.Status.SOLVED and solved.total_cost > 0
    assert [p["demand"] for p in solved.result["periods"]] == [100, 200, 150]
    assert {"level", "chase"} <= set(solved.result)
    infeasible = services.aggregate_scenario_create(
        name="Too small",
        actor=planner,
        inputs={
            "demand": [1000],
            "initial_workforce": 1,
            "workforce_max": 1,
            "hire_max": 0,
            "subcontract_max": 0,
            "overtime_hours_max_per_worker": 0,
        },
    )
    assert infeasible.status == AggregatePlanScenario.Status.INFEASIBLE
    assert infeasible.message and infeasible.result == {}


def test_stored_pegging_text_lists_every_share_of_every_order_in_fifo_order():
    import json

    from salesops.planning.engine.mrp import MrpItem, build_problem, run_mrp
    from salesops.planning.engine.mrp_reference import peg_planned_orders_reference
    from salesops.planning.mrp_db import _pegging_texts

    # X (FOQ 50, safety stock 3) serves its own demand and two parents, with lot surplus;
    # Z's stock covers P's needs, so Z has no planned order.
    problem = build_problem(
        items=[
            MrpItem("P", lead_time=1),
            MrpItem("Q", lead_time=0),
            MrpItem("X", lead_time=0, lot_rule="FOQ", lot_qty=50, on_hand=5, safety_stock=3),
            MrpItem("Z", lead_time=0, on_hand=100),
        ],
        bom=[("P", "X", 2), ("Q", "X", 1), ("P", "Z", 1)],
        demand={("P", 3): 10, ("Q", 2): 7, ("X", 1): 4, ("X", 3): 6},
        periods=3,
    )
    result = run_mrp(problem=problem)
    texts = _pegging_texts(problem=problem, result=result)
    by_order = {}
    for peg in peg_planned_orders_reference(problem=problem, result=result):
        by_order.setdefault((peg.item, peg.receipt_period), []).append(
            [peg.source, peg.source_item, peg.source_period, round(peg.quantity, 3)]
        )
    orders = result.planned_orders.as_tuples(problem.items)
    assert [json.loads(text) if text else [] for text in texts] == [by_order.get((o[0], o[2]), []) for o in orders]
    x_orders = {o[2]: json.loads(text) for o, text in zip(orders, texts, strict=True) if o[0] == "X"}
    # on hand 5 holds the safety stock 3 and 2 of the period-1 demand of 4; the one lot of 50
    # covers the other 2, then in period 2 the parents by code (P's 20, Q's 7), then the
    # period-3 demand of 6; 15 are lot surplus
    assert x_orders[1] == [
        ["demand", "X", 1, 2.0],
        ["parent", "P", 2, 20.0],
        ["parent", "Q", 2, 7.0],
        ["demand", "X", 3, 6.0],
        ["stock", None, None, 15.0],
    ]
    assert "Z" not in {o[0] for o in orders}


def test_mrp_plans_real_units_with_the_supplier_terms_and_drafts_purchase_orders_per_supplier(world):
    from salesops.catalog.services import product_update
    from salesops.inventory import documents
    from salesops.inventory.models import PurchaseOrder

    admin, planner = world["admin"], world["org"]["planner"]
    box = f.make_product(admin, "GIFT-BOX", source="make", lead_time_days=0)
    product_update(product=box, data={"yield_pct": Decimal("95")}, actor=admin)
    pouch = f.make_product(admin, "POUCH", source="buy", lead_time_days=7, cost="0.3")
    flour = f.make_product(admin, "FLOUR-KG", source="buy", lead_time_days=0, cost="4")
    product_update(product=flour, data={"quantity_decimals": 3}, actor=admin)
    from salesops.catalog.services import bom_line_add

    start = week_start(timezone.localdate())
    bom_line_add(parent=box, component=pouch, quantity=Decimal("3"), valid_from=start, actor=admin)
    bom_line_add(parent=box, component=flour, quantity=Decimal("0.4567"), valid_from=start, actor=admin)
    packer = documents.supplier_create(code="PK", name="Packer", lead_time_days=14, actor=admin)
    mill = documents.supplier_create(code="ML", name="Mill", actor=admin)
    documents.supplier_item_save(
        supplier=packer, product=pouch, min_order_qty=Decimal("500"), order_multiple=Decimal("250"), actor=admin
    )
    documents.supplier_item_save(supplier=mill, product=flour, unit_cost=Decimal("3.8"), actor=admin)
    schedule = _schedule(world, box, {4: "189.678"})
    run = services.mrp_run_execute(
        run=services.mrp_run_create(actor=planner, schedule=schedule, weeks=6, enqueue=False)
    )
    assert run.status == JobStatus.DONE, run.message
    planned = {p.product.sku: p for p in PlannedOrder.objects.filter(run=run).select_related("product")}
    # 189.678 boxes at 95 % yield → 199.66 → 200 whole boxes; 600 pouches → multiple of 250 → 750;
    # flour in grams: 200 × 0.4567 = 91.34 kg
    assert planned["GIFT-BOX"].quantity == Decimal("200.000")
    assert planned["POUCH"].quantity == Decimal("750.000")
    assert planned["FLOUR-KG"].quantity == Decimal("91.340")
    # the supplier's 14 days put the pouch release two weeks before the box is made
    assert planned["POUCH"].release_date == planned["POUCH"].receipt_date - datetime.timedelta(weeks=2)

    orders = services.planned_purchases_to_drafts(actor=world["org"]["purchasing"])
    assert sorted((o.supplier.code, o.status) for o in orders) == [("ML", "draft"), ("PK", "draft")]
    flour_line = PurchaseOrder.objects.get(supplier=mill).lines.get()
    assert (flour_line.quantity, flour_line.unit_cost) == (Decimal("91.340"), Decimal("3.8000"))
    assert not PlannedOrder.objects.filter(run=run, kind="purchase", status="planned").exists()
    with pytest.raises(ValidationFailed):
        services.planned_purchases_to_drafts(actor=world["org"]["purchasing"])


def test_family_override_spreads_over_its_products_and_everything_adds_up(world):
    from salesops.planning.hierarchy import spread

    first = add_months(month_start(timezone.localdate()), 1)
    _history(world, first_period=first)
    run = _run(world, first)
    admin = world["org"]["salesadmin"]
    lines = ForecastLine.objects.filter(run=run, period=first)
    family = lines.get(level=ForecastLine.Level.FAMILY)
    assert family.consensus == Decimal("15.000")  # 10 + 5
    services.forecast_override(line=family, new_value="30", reason="Spring promotion", actor=admin)
    steady, young = lines.get(product=world["steady"]), lines.get(product=world["young"])
    assert (steady.consensus, young.consensus) == (Decimal("20.000"), Decimal("10.000"))  # in proportion 2 : 1
    assert lines.get(level=ForecastLine.Level.FAMILY).consensus == Decimal("30.000")
    assert lines.get(level=ForecastLine.Level.TOTAL).consensus == Decimal("30.000")
    assert ForecastOverride.objects.filter(line=steady, reason__startswith="Spring promotion").exists()
    # a product change goes up again (bottom-up)
    services.forecast_override(line=young, new_value="4", reason="Customer lost", actor=admin)
    assert lines.get(level=ForecastLine.Level.FAMILY).consensus == Decimal("24.000")
    total = lines.get(level=ForecastLine.Level.TOTAL)
    services.forecast_override(line=total, new_value="10", reason="Budget", actor=admin)
    assert sum(p.consensus for p in lines.filter(level=ForecastLine.Level.PRODUCT)) == Decimal("10.000")
    # bad values change nothing
    for bad in ["1e30", "NaN", "-1", "abc"]:
        with pytest.raises(ValidationFailed):
            services.forecast_override(line=total, new_value=bad, reason="x", actor=admin)
    assert lines.get(level=ForecastLine.Level.TOTAL).consensus == Decimal("10.000")
    assert spread(Decimal("10"), [Decimal("1")] * 3) == [Decimal("3.334"), Decimal("3.333"), Decimal("3.333")]
    assert spread(Decimal("6"), [Decimal("0"), Decimal("0")]) == [Decimal("3.000"), Decimal("3.000")]
