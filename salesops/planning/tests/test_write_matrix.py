"""Who may write what in planning: every write of the API (forecast and plan writes) and the main
form posts, for every role of the test company (with the sales admin, who owns the consensus,
and purchasing, who converts planned purchases).

A role allowed gets a 2xx (a page: its redirect) and the record changes. A role refused gets 403
`permission_denied` through the API, or 404 `not_found` where it does not see planning at all;
a page answers 404 to who does not see planning and sends back, with the refusal as a message,
who sees it without the right to act. Nothing changes, not even the audit trail. A rep enters
only their own forecast; only those who set the consensus enter one for someone else.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from django.utils import timezone

from salesops.core.models import AuditEvent
from salesops.core.tests import write_matrix
from salesops.core.tests.write_matrix import Refused, count, refusal, value
from salesops.planning.models import (
    AggregatePlanScenario,
    ForecastInput,
    ForecastLine,
    ForecastOverride,
    ForecastRun,
    ForecastVersion,
    MasterSchedule,
    MpsChange,
    MpsLine,
    PlanAcknowledgement,
    PlannedOrder,
    PlanningPolicy,
    ProductionReport,
    SopDecision,
    SopPack,
)
from salesops.planning.tests.test_api import data  # noqa: F401  (the planning data, made once per test)

pytestmark = pytest.mark.django_db

ROLES = [
    "rep1",
    "rep3",
    "supervisor1",
    "manager",
    "finance",
    "warehouse",
    "planner",
    "admin",
    "salesadmin",
    "purchasing",
]
SEES = {"planner", "admin", "salesadmin", "purchasing"}  # planning figures (the warehouse sees plans only)
CONSENSUS = {"planner", "admin", "salesadmin"}
PLANNERS = {"planner", "admin"}
REVIEW = {"planner", "admin", "salesadmin"}
INPUT = {"rep1", "rep3", "supervisor1", "manager"} | SEES


@dataclass(frozen=True)
class Write(write_matrix.Write):
    may_act: set = field(default_factory=set)  # who passes the door (others: `door`), refused later: 403
    door: int = 403
    answers: dict = field(default_factory=dict)  # role → status where it differs from the rule


def line(w):
    return ForecastLine.objects.filter(run=w["run"], level="product").order_by("pk").first()


def input_body(w, **extra):
    return {"run": w["run"].pk, "product": w["product"].pk, "period": str(w["first"]), "quantity": "6", **extra}


P = "/api/v1/planning"
MATRIX = {
    # --- REST API: forecast -------------------------------------------------------------------------------
    "forecast run": Write(
        "post", f"{P}/forecast-runs/", lambda w: {"product_ids": [w["product"].pk]}, count(ForecastRun), CONSENSUS
    ),
    "forecast override": Write(
        "post",
        f"{P}/forecast-overrides/",
        lambda w: {"line": line(w).pk, "new_value": "7", "reason": "新店"},
        count(ForecastOverride),
        CONSENSUS,
    ),
    "forecast compile": Write(
        "post", f"{P}/forecast-runs/{{run}}/compile/", lambda w: {}, count(ForecastOverride), CONSENSUS
    ),
    "forecast submit": Write(
        "post", f"{P}/forecast-runs/{{run}}/submit/", lambda w: {}, count(ForecastVersion), CONSENSUS
    ),
    "forecast input": Write(
        "post",
        f"{P}/forecast-inputs/",
        input_body,
        lambda w: tuple(ForecastInput.objects.order_by("pk").values_list("rep", "quantity")),
        INPUT,
    ),
    "forecast input for another rep": Write(
        "post",
        f"{P}/forecast-inputs/",
        lambda w: input_body(w, rep=w["org"]["rep3"].pk),
        lambda w: tuple(ForecastInput.objects.order_by("pk").values_list("rep", "quantity")),
        CONSENSUS | {"rep3"},  # for rep3 it is their own
        INPUT,
    ),
    # --- REST API: review and plans ---------------------------------------------------------------------
    "S&OP decision": Write(
        "post",
        f"{P}/sop-packs/{{pack}}/decisions/",
        lambda w: {"text": "加班", "owner": w["org"]["planner"].pk},
        count(SopDecision),
        REVIEW,
    ),
    "S&OP close": Write(
        "post", f"{P}/sop-packs/{{pack}}/close/", lambda w: {}, value(SopPack, "pack", "status"), REVIEW
    ),
    "aggregate scenario": Write(
        "post",
        f"{P}/aggregate-scenarios/",
        lambda w: {"name": "S2", "inputs": {"demand": [10, 20]}},
        count(AggregatePlanScenario),
        PLANNERS,
    ),
    "master schedule": Write("post", f"{P}/mps/", lambda w: {"weeks": 4}, count(MasterSchedule), PLANNERS),
    "MPS change": Write(
        "post",
        f"{P}/mps-changes/",
        lambda w: {"line": w["schedule"].lines.order_by("pk").last().pk, "new_quantity": "9", "reason": "缺料"},
        lambda w: (MpsChange.objects.count(), tuple(MpsLine.objects.order_by("pk").values_list("quantity"))),
        PLANNERS,
    ),
    "plan acknowledge (warehouse)": Write(
        "post",
        f"{P}/production-plans/{{plan}}/acknowledge/",
        lambda w: {"department": "warehouse"},
        count(PlanAcknowledgement),
        {"warehouse", "admin"},
        {"planner", "purchasing", "warehouse", "admin"},
    ),
    "production report": Write(
        "post",
        f"{P}/production-reports/",
        lambda w: {"date": str(timezone.localdate()), "product": w["product"].pk, "quantity": "3"},
        count(ProductionReport),
        PLANNERS,
    ),
    "planned order convert": Write(
        "post",
        f"{P}/planned-orders/{{planned}}/convert/",
        lambda w: {},
        value(PlannedOrder, "planned", "status"),
        {"planner", "admin", "purchasing"},
    ),
    "planning policy": Write(
        "patch",
        f"{P}/policy/",
        lambda w: {"mps_weeks": 9},
        lambda w: PlanningPolicy.current().mps_weeks,
        PLANNERS,
        SEES,  # who does not plan does not find the rules; who plans and does not write plans: 403
        door=404,
    ),
    # --- form posts -------------------------------------------------------------------------------------
    "page: override": Write(
        "post",
        "/planning/forecasts/{run}/override/",
        lambda w: {"line": line(w).pk, "new_value": "7", "reason": "新店"},
        count(ForecastOverride),
        CONSENSUS,
    ),
    "page: compile": Write(
        "post", "/planning/forecasts/{run}/compile/", lambda w: {}, count(ForecastOverride), CONSENSUS
    ),
    "page: submit": Write("post", "/planning/forecasts/{run}/submit/", lambda w: {}, count(ForecastVersion), CONSENSUS),
    "page: my forecast": Write(
        "post",
        "/planning/my-forecast/",
        lambda w: {"product": w["product"].pk, "period": str(w["first"]), "quantity": "6"},
        lambda w: tuple(ForecastInput.objects.order_by("pk").values_list("rep", "quantity")),
        INPUT,
    ),
    "page: acknowledge": Write(
        "post",
        "/planning/production-plans/{plan}/acknowledge/",
        lambda w: {"department": "warehouse"},
        count(PlanAcknowledgement),
        {"warehouse", "admin"},
    ),
    "page: convert": Write(
        "post",
        "/planning/planned-orders/{planned}/convert/",
        lambda w: {},
        value(PlannedOrder, "planned", "status"),
        {"planner", "admin", "purchasing"},
        answers={"salesadmin": 404},  # the page refuses who may not convert before reading it
    ),
}


def trail():
    """Everything a refused write must leave as it was."""
    return (
        AuditEvent.objects.count(),
        *(
            model.objects.count()
            for model in (ForecastRun, ForecastOverride, ForecastInput, ForecastVersion, SopDecision, MpsChange)
        ),
        tuple(ForecastInput.objects.order_by("pk").values_list("quantity", flat=True)),
        tuple(SopPack.objects.values_list("status", flat=True)),
        tuple(PlannedOrder.objects.values_list("status", flat=True)),
    )


def refused_status(write, role) -> int:
    if role in write.answers:
        return write.answers[role]
    if write.page:
        # a page does not exist for who does not see planning; who sees it is sent back
        sees = SEES | ({"warehouse"} if "production-plans" in write.url else set())
        return 302 if role in sees else 404
    return write.door if write.may_act and role not in write.may_act else 403


def expected(write, role) -> Refused | None:
    """None if `role` may make `write`, else how it is refused."""
    if role in write.allowed:
        return None
    return refusal(write, refused_status(write, role))


@write_matrix.parametrize(MATRIX, ROLES)
def test_write_matrix(org, data, api, client, action, role):  # noqa: F811
    write_matrix.check(
        MATRIX[action], role, {**data, "org": org}, expected=expected, trail=trail, api=api, client=client
    )
