"""The monthly customer profit plan (客户利润计划): each rep plans next month per key customer —
volume, price, promotion and expenses, expected profit — and submits it by the 20th. The
submission of the real plan reports `customer_plan_submitted` to the SOP clock, which keeps
the deadline (rule `customer-plan-20th`); the supervisor approves it through the approval
engine (document type `customer_profit_plan`)."""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from salesops.approvals.services import approval_submit
from salesops.core import bounds
from salesops.core.audit import model_create, model_update
from salesops.core.exceptions import PermissionDenied, ValidationFailed
from salesops.core.numbering import next_number
from salesops.core.roles import Role
from salesops.core.selectors import company_date
from salesops.credit.money import cents, money_sum
from salesops.crm.models import Customer
from salesops.planning.periods import add_months
from salesops.sop import hooks
from salesops.targets.exceptions import DocumentLocked
from salesops.targets.models import PROFIT_PLAN_FLOW, ProfitPlan, ProfitPlanLine
from salesops.targets.services import _validated

LINE_FIELDS = ("volume", "price", "margin_percent", "promotion", "expenses")
# PFP-2026-000001; plans numbered before this prefix keep their PP-… numbers (the production
# plans of planning.mps use PP)
PROFIT_PLAN_PREFIX = "PFP"
MAX_LINES = 200


def deadline_period(plan_month: datetime.date) -> datetime.date:
    """A day of the SOP period whose deadline the plan meets: the month before the plan's month."""
    return add_months(plan_month.replace(day=1), -1)


def _line_values(line: ProfitPlanLine) -> None:
    line.revenue = cents(line.volume * line.price)
    margin = (line.revenue * line.margin_percent / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    line.profit = margin - line.promotion - line.expenses


def _clean_lines(rep, lines: list[dict]) -> list[ProfitPlanLine]:
    if not lines:
        raise ValidationFailed(fields={"lines": [_("Plan at least one customer.")]})
    if len(lines) > MAX_LINES:
        raise ValidationFailed(fields={"lines": [_("At most %(n)d customers in one plan.") % {"n": MAX_LINES}]})
    seen, result, problems = set(), [], {}
    owned = {
        c.pk: c
        for c in Customer.objects.filter(
            owner=rep, pk__in=[line.get("customer") for line in lines if str(line.get("customer", "")).isdigit()]
        )
    }
    for index, data in enumerate(lines, start=1):
        customer = owned.get(int(data["customer"])) if str(data.get("customer", "")).isdigit() else None
        if customer is None:
            problems[f"lines.{index}.customer"] = [_("Choose one of your customers.")]
            continue
        if customer.pk in seen:
            problems[f"lines.{index}.customer"] = [_("This customer is planned twice.")]
            continue
        seen.add(customer.pk)
        line = ProfitPlanLine(customer=customer)
        for name in LINE_FIELDS:
            raw = data.get(name)
            try:
                setattr(line, name, bounds.parse_decimal("0" if raw in (None, "") else raw))
            except ValidationError:
                problems[f"lines.{index}.{name}"] = [_("Enter a number.")]
        result.append(line)
    for index, line in enumerate(result, start=1):
        try:
            line.clean_fields(exclude=["plan", "customer", "revenue", "profit"])
        except Exception as error:  # noqa: BLE001 - ValidationError with the field messages
            for name, messages in getattr(error, "message_dict", {}).items():
                problems.setdefault(f"lines.{index}.{name}", messages)
        else:
            _line_values(line)
    if problems:
        raise ValidationFailed(fields=problems)
    return result


def _store_lines(plan: ProfitPlan, lines: list[ProfitPlanLine], actor) -> ProfitPlan:
    plan.lines.all().delete()
    for line in lines:
        line.plan = plan
    ProfitPlanLine.objects.bulk_create(lines)
    totals = {
        "revenue": sum((line.revenue for line in lines), Decimal("0.00")),
        "profit": sum((line.profit for line in lines), Decimal("0.00")),
    }
    plan, _changed = model_update(instance=plan, fields=["revenue", "profit"], data=totals, actor=actor)
    return plan


@transaction.atomic
def profit_plan_save(*, rep, month: datetime.date, lines: list[dict], actor, note: str = "") -> ProfitPlan:
    """Create or change (while draft or rejected) a rep's plan for `month`."""
    if actor.pk != rep.pk or not rep.has_role(Role.SALES_REP):
        raise PermissionDenied(_("Reps write their own profit plans."))
    month = month.replace(day=1)
    this_month = company_date().replace(day=1)
    if not (add_months(this_month, -1) <= month <= add_months(this_month, 3)):
        raise ValidationFailed(fields={"month": [_("Plan a month from last month to three months ahead.")]})
    clean = _clean_lines(rep, lines)
    plan = ProfitPlan.objects.select_for_update().filter(rep=rep, month=month).first()
    if plan is None:
        plan = ProfitPlan(
            number=next_number(prefix=PROFIT_PLAN_PREFIX, year=month.year),
            rep=rep,
            team=rep.org_unit,
            month=month,
            note=note[:500],
        )
        _validated(plan)
        model_create(instance=plan, actor=actor)
    elif not plan.is_editable:
        raise DocumentLocked()
    elif plan.note != note[:500]:
        model_update(instance=plan, fields=["note"], data={"note": note[:500]}, actor=actor)
    return _store_lines(plan, clean, actor)


@transaction.atomic
def profit_plan_submit(*, plan: ProfitPlan, actor, at: datetime.datetime | None = None) -> ProfitPlan:
    """Submit for approval; the first submission meets (or meets late) the 20th deadline."""
    plan = ProfitPlan.objects.select_for_update().get(pk=plan.pk)
    if actor.pk != plan.rep_id:
        raise PermissionDenied(_("Reps submit their own profit plans."))
    if not plan.is_editable:
        raise DocumentLocked()
    if not plan.lines.exists():
        raise ValidationFailed(fields={"lines": [_("Plan at least one customer.")]})
    at = at or timezone.now()
    first = plan.submitted_at is None
    if first:
        model_update(instance=plan, fields=["submitted_at"], data={"submitted_at": at}, actor=actor)
    request = approval_submit(document=plan, doc_type="customer_profit_plan", actor=actor)
    target = ProfitPlan.Status.APPROVED if request is None else ProfitPlan.Status.PENDING_APPROVAL
    profit_plan_decided(plan=plan, target=target, actor=actor)
    if first:
        hooks.done(
            event="customer_plan_submitted",
            person=plan.rep,
            occurred_at=at,
            reference=f"profit-plan:{plan.number}",
            period=deadline_period(plan.month),
            actor=actor,
        )
    return plan


def profit_plan_decided(*, plan: ProfitPlan, target: str, actor=None) -> None:
    PROFIT_PLAN_FLOW.check(plan.status, target)
    model_update(instance=plan, fields=["status"], data={"status": target}, actor=actor)


def plan_versus_actual(plan: ProfitPlan) -> list[dict]:
    """Each planned customer: planned revenue and profit against what was invoiced."""
    from salesops.targets.measures import invoices_in
    from salesops.targets.periods import month as month_period

    lines = list(plan.lines.select_related("customer"))
    actual = dict(
        invoices_in(month_period(plan.month))
        .filter(customer__in=[line.customer_id for line in lines])
        .order_by()
        .values("customer_id")
        .annotate(value=money_sum("total"))
        .values_list("customer_id", "value")
    )
    return [
        {
            "customer": line.customer,
            "planned_revenue": line.revenue,
            "planned_profit": line.profit,
            "actual_revenue": cents(actual.get(line.customer_id)),
            "gap": cents(actual.get(line.customer_id)) - line.revenue,
        }
        for line in lines
    ]


def plan_summary(plan: ProfitPlan) -> dict:
    return {
        "number": plan.number,
        "rep": plan.rep.display_name,
        "month": f"{plan.month:%Y-%m}",
        "customers": plan.lines.count(),
        "revenue": str(plan.revenue),
        "profit": str(plan.profit),
    }


def plan_version(plan: ProfitPlan) -> str:
    import hashlib

    digest = hashlib.sha256(f"{plan.month}|{plan.revenue}|{plan.profit}".encode())
    for row in plan.lines.order_by("customer_id").values_list("customer_id", *LINE_FIELDS):
        digest.update("|".join(str(v) for v in row).encode())
    return digest.hexdigest()
