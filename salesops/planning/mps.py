"""Master production schedule, the monthly production plan and its weekly fulfilment.

MPS per made product and week: the consensus forecast of each month is spread over its days
(a week gets the share of its days in that month); firm orders are the open quantities of
confirmed orders in the week they are due (late ones in week 1). Forecast consumption is a
policy: `max` takes the larger of forecast and orders every week; `orders_in_fence` takes
orders only inside the demand time fence and the larger of the two beyond it. The MPS
quantity nets that demand against on hand and safety stock, lot-sized (lot for lot, or
multiples of the fixed quantity).

Time fences: weeks inside the frozen period (锁定周期, from this week) change only with the
sales VP's approval (document type "production_plan_change"); up to the planning time fence
the planner changes them freely; beyond it the schedule is recomputed each run.

The monthly production plan takes the month's MPS quantities, is split into buckets (weekly,
or 10-day when the policy says 3 per month), issued by the 29th (SOP rule "production plan
issued") to production, purchasing, warehouse and packaging, who each acknowledge it.
Production reports what it made each day; a bucket's fulfilment rate (兑现率) is made/planned
(each product capped at its plan), and a bucket is closed only when every product short of
its plan has a reason.
"""

from __future__ import annotations

import datetime
import math
from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salesops.catalog.models import Product
from salesops.core import bounds
from salesops.core.audit import audit_record, model_create, model_update
from salesops.core.exceptions import InvalidTransition, PermissionDenied, ValidationFailed
from salesops.core.models import AuditEvent, User
from salesops.core.numbering import next_number
from salesops.core.roles import Role
from salesops.core.services import lazy_message, notify
from salesops.planning.exceptions import PlanIssued, ReasonsMissing
from salesops.planning.forecasting import latest_consensus
from salesops.planning.models import (
    MasterSchedule,
    MpsChange,
    MpsLine,
    PlanAcknowledgement,
    PlanBucket,
    PlanBucketLine,
    PlanningPolicy,
    ProductionPlan,
    ProductionReport,
)
from salesops.planning.periods import add_months, days_in_month, month_start, week_start
from salesops.planning.selectors import PLANNER_WRITE
from salesops.sop import hooks as sop

Q3 = Decimal("0.001")
ZERO = Decimal("0")
PRODUCTION_PLAN_CHANGE = "production_plan_change"
OPEN_ORDER_STATUSES = ("confirmed", "partially_delivered")
ACK_ROLES = {
    PlanAcknowledgement.Department.PRODUCTION: frozenset({Role.PLANNER}),
    PlanAcknowledgement.Department.PACKAGING: frozenset({Role.PLANNER, Role.WAREHOUSE}),
    PlanAcknowledgement.Department.PURCHASING: frozenset({Role.PURCHASING}),
    PlanAcknowledgement.Department.WAREHOUSE: frozenset({Role.WAREHOUSE}),
}


def _require(actor, roles) -> None:
    if not (actor.is_superuser or actor.has_role(*roles)):
        raise PermissionDenied()


POLICY_FIELDS = [
    "history_source",
    "forecast_horizon",
    "forecast_model",
    "consumption",
    "demand_time_fence_weeks",
    "frozen_weeks",
    "planning_time_fence_weeks",
    "mps_weeks",
    "mrp_weeks",
    "plan_buckets",
    "mps_net_stock",
]


@transaction.atomic
def planning_policy_update(*, actor, **data) -> PlanningPolicy:
    """Change the planning rules (one row, created on first change)."""
    _require(actor, PLANNER_WRITE)
    policy = PlanningPolicy.objects.select_for_update().order_by("pk").first()
    if policy is None:
        policy = model_create(instance=PlanningPolicy(), actor=actor)
    policy, _changed = model_update(instance=policy, fields=POLICY_FIELDS, data=data, actor=actor)
    return policy


def weekly_forecast(*, consensus: dict[tuple[int, datetime.date], Decimal], weeks: list[datetime.date]) -> dict:
    """{(product, week): forecast}: each month's value spread over its days."""
    result: dict[tuple[int, datetime.date], Decimal] = defaultdict(Decimal)
    for (product_id, month), value in consensus.items():
        per_day = value / days_in_month(month)
        for week in weeks:
            days = sum(1 for k in range(7) if month_start(week + datetime.timedelta(days=k)) == month)
            if days:
                result[(product_id, week)] += per_day * days
    return {key: value.quantize(Q3) for key, value in result.items()}


def open_orders(*, product_ids, weeks: list[datetime.date]) -> dict[tuple[int, datetime.date], Decimal]:
    """Open (confirmed, not yet delivered) order quantities by the week they are due."""
    from salesops.sales.models import OrderLine

    first, last = weeks[0], weeks[-1]
    result: dict[tuple[int, datetime.date], Decimal] = defaultdict(Decimal)
    rows = OrderLine.objects.filter(
        order__status__in=OPEN_ORDER_STATUSES, product_id__in=list(product_ids)
    ).values_list(
        "product_id",
        "order__delivery_due_at",
        "order__order_date",
        "quantity",
        "delivered_quantity",
        "cancelled_quantity",
    )
    for product_id, due_at, order_date, quantity, delivered, cancelled in rows:
        open_quantity = quantity - delivered - cancelled
        if open_quantity <= 0:
            continue
        day = timezone.localtime(due_at).date() if due_at else order_date
        week = max(week_start(day), first)
        if week > last:
            continue
        result[(product_id, week)] += open_quantity
    return result


def _lot(shortage: Decimal, rule: str, lot_qty: Decimal) -> Decimal:
    if shortage <= 0:
        return ZERO
    if rule == "FOQ" and lot_qty > 0:
        return Decimal(math.ceil(shortage / lot_qty)) * lot_qty
    return shortage


@transaction.atomic
def mps_generate(
    *, actor, first_week: datetime.date | None = None, weeks: int | None = None, product_ids=None
) -> MasterSchedule:
    """A new MPS from the consensus forecast, firm orders and stock (see the module docstring)."""
    from salesops.inventory.selectors import on_hand_by_product

    _require(actor, PLANNER_WRITE)
    policy = PlanningPolicy.current()
    first_week = week_start(first_week or timezone.localdate())
    weeks = weeks or policy.mps_weeks
    week_list = [first_week + datetime.timedelta(weeks=k) for k in range(weeks)]
    products = Product.objects.filter(active=True, source=Product.Source.MAKE).order_by("sku")
    if product_ids:
        products = products.filter(pk__in=list(product_ids))
    products = list(products)
    ids = [p.pk for p in products]
    months = sorted({month_start(w + datetime.timedelta(days=k)) for w in week_list for k in range(7)})
    forecast = weekly_forecast(consensus=latest_consensus(product_ids=ids, months=months), weeks=week_list)
    orders = open_orders(product_ids=ids, weeks=week_list)
    stock = on_hand_by_product(ids)
    schedule = MasterSchedule(
        number=next_number(prefix="MPS"),
        first_week=first_week,
        weeks=weeks,
        consumption=policy.consumption,
        frozen_weeks=policy.frozen_weeks,
        demand_time_fence_weeks=policy.demand_time_fence_weeks,
        planning_time_fence_weeks=policy.planning_time_fence_weeks,
        created_by=actor,
    )
    model_create(instance=schedule, actor=actor)
    lines = []
    for product in products:
        on_hand = stock.get(product.pk, ZERO) if policy.mps_net_stock else ZERO
        for position, week in enumerate(week_list):
            f = forecast.get((product.pk, week), ZERO)
            o = orders.get((product.pk, week), ZERO)
            if (
                policy.consumption == PlanningPolicy.Consumption.ORDERS_IN_FENCE
                and position < schedule.demand_time_fence_weeks
            ):
                demand = o
            else:
                demand = max(f, o)
            floor = product.safety_stock if policy.mps_net_stock else ZERO
            shortage = floor - (on_hand - demand)
            quantity = _lot(shortage, product.lot_rule, product.lot_qty).quantize(Q3)
            on_hand = on_hand - demand + quantity
            lines.append(
                MpsLine(
                    schedule=schedule,
                    product=product,
                    week=week,
                    forecast=f,
                    orders=o,
                    demand=demand.quantize(Q3),
                    projected=on_hand.quantize(Q3),
                    quantity=quantity,
                )
            )
    MpsLine.objects.bulk_create(lines, batch_size=2000)
    return schedule


def in_frozen_period(line: MpsLine, today: datetime.date | None = None) -> bool:
    this_week = week_start(today or timezone.localdate())
    return line.week < this_week + datetime.timedelta(weeks=line.schedule.frozen_weeks)


def production_plan_change_document_type():
    from django.urls import reverse

    from salesops.approvals.registry import DocumentType
    from salesops.planning.approval_facts import MpsChangeFacts

    return DocumentType(
        key=PRODUCTION_PLAN_CHANGE,
        label=gettext_lazy("Production plan change"),
        model=MpsChange,
        fields={"change": gettext_lazy("Change in quantity"), "new_quantity": gettext_lazy("New quantity")},
        values=lambda c: {"change": c.new_quantity - c.old_quantity, "new_quantity": c.new_quantity},
        summary=lambda c: {
            "number": c.number,
            "product": str(c.line.product),
            "week": str(c.line.week),
            "old_quantity": str(c.old_quantity),
            "new_quantity": str(c.new_quantity),
            "reason": c.reason,
        },
        summary_labels={
            "number": gettext_lazy("Number"),
            "product": gettext_lazy("Product"),
            "week": gettext_lazy("Week"),
            "old_quantity": gettext_lazy("Old quantity"),
            "new_quantity": gettext_lazy("New quantity"),
            "reason": gettext_lazy("Reason"),
        },
        requester=lambda c: c.requested_by,
        title=lambda c: _("Production plan change %(number)s") % {"number": c.number},
        on_approved=lambda c, request: mps_change_decided(change=c, approved=True),
        on_rejected=lambda c, request: mps_change_decided(change=c, approved=False),
        on_returned=lambda c, request: mps_change_decided(change=c, approved=False),
        on_cancelled=lambda c, request: mps_change_decided(change=c, approved=False, cancelled=True),
        url=lambda c: reverse("planning-mps-detail", args=[c.line.schedule_id]),
        facts=MpsChangeFacts,
    )


def _apply(change: MpsChange, actor=None) -> None:
    line = MpsLine.objects.select_for_update().get(pk=change.line_id)
    model_update(
        instance=line, fields=["quantity"], data={"quantity": change.new_quantity}, actor=actor, note=change.reason
    )
    before = change.status
    change.status = MpsChange.Status.APPLIED
    change.save(update_fields=["status"])
    audit_record(
        instance=change, action=AuditEvent.Action.TRANSITION, actor=actor, changes={"status": [before, change.status]}
    )


@transaction.atomic
def mps_change_request(*, line: MpsLine, new_quantity, reason: str, actor) -> MpsChange:
    """Change an MPS quantity; inside the frozen period it needs the sales VP's approval."""
    from salesops.approvals.services import approval_submit

    _require(actor, PLANNER_WRITE)
    reason = (reason or "").strip()
    value = bounds.clean_input(MpsLine, "quantity", new_quantity, field="new_quantity").quantize(Q3)
    problems = {}
    if value < 0:
        problems["new_quantity"] = [_("The quantity cannot be negative.")]
    if not reason:
        problems["reason"] = [_("Say why the plan changes.")]
    if problems:
        raise ValidationFailed(fields=problems)
    if MpsChange.objects.filter(line=line, status=MpsChange.Status.PENDING).exists():
        raise InvalidTransition(_("A change of this week is already waiting for approval."))
    frozen = in_frozen_period(line)
    change = MpsChange(
        number=next_number(prefix="PPC"),
        line=line,
        old_quantity=line.quantity,
        new_quantity=value,
        reason=reason,
        in_frozen_period=frozen,
        requested_by=actor,
    )
    model_create(instance=change, actor=actor)
    if not frozen or approval_submit(document=change, doc_type=PRODUCTION_PLAN_CHANGE, actor=actor) is None:
        _apply(change, actor)
    return change


def mps_change_decided(*, change: MpsChange, approved: bool, cancelled: bool = False) -> None:
    change = MpsChange.objects.select_for_update().get(pk=change.pk)
    if change.status != MpsChange.Status.PENDING:
        return
    if approved:
        _apply(change)
        return
    before = change.status
    change.status = MpsChange.Status.CANCELLED if cancelled else MpsChange.Status.REJECTED
    change.save(update_fields=["status"])
    audit_record(instance=change, action=AuditEvent.Action.TRANSITION, changes={"status": [before, change.status]})


# --- monthly production plan -----------------------------------------------------------------------------
def bucket_bounds(month: datetime.date, count: int) -> list[tuple[datetime.date, datetime.date]]:
    """10-day buckets for 3 per month (1-10, 11-20, 21-end); otherwise calendar weeks in the month."""
    last = add_months(month, 1) - datetime.timedelta(days=1)
    if count == 3:
        return [
            (month, month.replace(day=10)),
            (month.replace(day=11), month.replace(day=20)),
            (month.replace(day=21), last),
        ]
    bounds = []
    start = month
    while start <= last:
        end = min(start + datetime.timedelta(days=6 - start.weekday()), last)
        bounds.append((start, end))
        start = end + datetime.timedelta(days=1)
    if len(bounds) > 1 and (bounds[0][1] - bounds[0][0]).days < 2:  # a stub of 1-2 days joins the next week
        bounds[1] = (bounds[0][0], bounds[1][1])
        bounds.pop(0)
    if len(bounds) > 1 and (bounds[-1][1] - bounds[-1][0]).days < 2:
        bounds[-2] = (bounds[-2][0], bounds[-1][1])
        bounds.pop()
    return bounds


def scheduled_per_day(schedule: MasterSchedule) -> dict[int, dict[datetime.date, Decimal]]:
    """{product id: {day: quantity}}: each week of the MPS spread evenly over its seven days.
    The monthly plan and the S&OP pack both split a week across two months this way, so they
    give a month the same production."""
    daily: dict[int, dict[datetime.date, Decimal]] = defaultdict(dict)
    for product_id, week, quantity in schedule.lines.values_list("product_id", "week", "quantity"):
        for k in range(7):
            daily[product_id][week + datetime.timedelta(days=k)] = quantity / 7
    return daily


@transaction.atomic
def production_plan_create(*, month: datetime.date, actor, schedule: MasterSchedule | None = None) -> ProductionPlan:
    """The month's plan from the MPS: each product's quantity of the weeks (by days in the month),
    split over the buckets by their days."""
    _require(actor, PLANNER_WRITE)
    month = month_start(month)
    if ProductionPlan.objects.filter(month=month).exists():
        raise ValidationFailed(fields={"month": [_("There is already a production plan for this month.")]})
    schedule = schedule or MasterSchedule.objects.order_by("-created_at", "-pk").first()
    if schedule is None:
        raise ValidationFailed(fields={"month": [_("Generate the master production schedule first.")]})
    plan = ProductionPlan(number=next_number(prefix="PP"), month=month, schedule=schedule, created_by=actor)
    model_create(instance=plan, actor=actor)
    daily = scheduled_per_day(schedule)
    policy = PlanningPolicy.current()
    buckets = []
    for position, (start, end) in enumerate(bucket_bounds(month, policy.plan_buckets), start=1):
        buckets.append(PlanBucket.objects.create(plan=plan, position=position, start=start, end=end))
    lines = []
    for product_id, days in daily.items():
        for bucket in buckets:
            total = sum(
                (
                    days.get(bucket.start + datetime.timedelta(days=k), ZERO)
                    for k in range((bucket.end - bucket.start).days + 1)
                ),
                ZERO,
            )
            planned = total.quantize(Decimal("1"))
            if planned > 0:
                lines.append(PlanBucketLine(bucket=bucket, product_id=product_id, planned=planned))
    PlanBucketLine.objects.bulk_create(lines)
    return plan


@transaction.atomic
def production_plan_issue(*, plan: ProductionPlan, actor, at: datetime.datetime | None = None) -> ProductionPlan:
    _require(actor, PLANNER_WRITE)
    plan = ProductionPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.status != ProductionPlan.Status.DRAFT:
        raise PlanIssued()
    at = at or timezone.now()
    model_update(
        instance=plan,
        fields=["status", "issued_by", "issued_at"],
        data={"status": ProductionPlan.Status.ISSUED, "issued_by": actor, "issued_at": at},
        actor=actor,
    )
    from django.urls import reverse

    url = reverse("planning-plan-detail", args=[plan.pk])
    roles = {Role.PLANNER, Role.PURCHASING, Role.WAREHOUSE}
    for user in User.objects.filter(is_active=True, role_assignments__role__in=roles).distinct():
        notify(
            user=user,
            title=lazy_message(gettext_lazy("Production plan %(number)s issued"), number=plan.number),
            body=gettext_lazy("Please acknowledge it."),
            url=url,
            kind="production_plan",
        )
    sop.done(
        event="production_plan_issued",
        person=actor,
        occurred_at=at,
        reference=f"production-plan:{plan.month:%Y-%m}",
        period=add_months(plan.month, -1),  # next month's plan is due by the 29th of this one
        url=url,
        actor=actor,
    )
    return plan


@transaction.atomic
def production_plan_acknowledge(*, plan: ProductionPlan, department: str, actor, at=None) -> PlanAcknowledgement:
    if department not in ACK_ROLES:
        raise ValidationFailed(fields={"department": [_("Unknown department.")]})
    _require(actor, ACK_ROLES[department] | {Role.SYSADMIN})
    if plan.status != ProductionPlan.Status.ISSUED:
        raise InvalidTransition(_("Only an issued plan can be acknowledged."))
    if PlanAcknowledgement.objects.filter(plan=plan, department=department).exists():
        raise InvalidTransition(_("This department has already acknowledged the plan."))
    ack = PlanAcknowledgement(plan=plan, department=department, user=actor, at=at or timezone.now())
    return model_create(instance=ack, actor=actor)


@transaction.atomic
def production_report_create(*, date: datetime.date, product: Product, quantity, actor) -> ProductionReport:
    _require(actor, PLANNER_WRITE)
    value = bounds.clean_input(ProductionReport, "quantity", quantity).quantize(Q3)
    if value <= 0:
        raise ValidationFailed(fields={"quantity": [_("Enter the quantity made.")]})
    if date > timezone.localdate():
        raise ValidationFailed(fields={"date": [_("The date cannot be in the future.")]})
    report = ProductionReport(date=date, product=product, quantity=value, reported_by=actor)
    return model_create(instance=report, actor=actor)


def bucket_fulfilment(bucket: PlanBucket) -> dict:
    """{"lines": [...], "planned", "made", "rate"} for one bucket; made per product capped at plan."""
    made = dict(
        ProductionReport.objects.filter(date__range=(bucket.start, bucket.end))
        .values("product_id")
        .annotate(total=Sum("quantity"))
        .values_list("product_id", "total")
    )
    lines = []
    planned_total = counted_total = ZERO
    for line in bucket.lines.select_related("product"):
        done = made.get(line.product_id, ZERO)
        counted = min(done, line.planned)
        planned_total += line.planned
        counted_total += counted
        lines.append(
            {
                "line": line,
                "made": done,
                "rate": (counted / line.planned) if line.planned else None,
                "missed": done < line.planned,
            }
        )
    rate = (counted_total / planned_total) if planned_total else None
    return {"bucket": bucket, "lines": lines, "planned": planned_total, "made": counted_total, "rate": rate}


@transaction.atomic
def plan_bucket_close(*, bucket: PlanBucket, reasons: dict[int, str], actor) -> PlanBucket:
    """Close a week: every product short of its plan needs a reason (required)."""
    _require(actor, PLANNER_WRITE)
    bucket = PlanBucket.objects.select_for_update().get(pk=bucket.pk)
    if bucket.closed_at:
        raise InvalidTransition(_("The week is already closed."))
    summary = bucket_fulfilment(bucket)
    missing = {}
    for row in summary["lines"]:
        line = row["line"]
        reason = (reasons.get(line.pk) or reasons.get(str(line.pk)) or line.miss_reason or "").strip()
        if row["missed"] and not reason:
            missing[f"reason_{line.pk}"] = [_("Say why %(product)s fell short.") % {"product": line.product.sku}]
    if missing:
        raise ReasonsMissing(fields=missing)
    for row in summary["lines"]:
        line = row["line"]
        reason = (reasons.get(line.pk) or reasons.get(str(line.pk)) or "").strip()
        if reason and row["missed"]:
            model_update(instance=line, fields=["miss_reason"], data={"miss_reason": reason[:300]}, actor=actor)
    model_update(instance=bucket, fields=["closed_at"], data={"closed_at": timezone.now()}, actor=actor)
    return bucket


def fulfilment_trend(*, months: int = 6) -> list[dict]:
    """Rate per bucket of the last plans, oldest first (for the trend chart)."""
    plans = ProductionPlan.objects.filter(status=ProductionPlan.Status.ISSUED).order_by("-month")[:months]
    rows = []
    for plan in sorted(plans, key=lambda p: p.month):
        for bucket in plan.buckets.all():
            summary = bucket_fulfilment(bucket)
            rows.append(
                {
                    "label": f"{bucket.start:%m-%d}",
                    "plan": plan,
                    "bucket": bucket,
                    "planned": summary["planned"],
                    "made": summary["made"],
                    "rate": summary["rate"],
                }
            )
    return rows
