"""The monthly business review (生意回顾) of a unit, held within the first three working days of
the next month (SOP rule `business-review-3wd`, event `business_review_held`).

The pack: targets vs actual per team and rep (month and year to date), the KPIs, the
customer profit plans vs actual, the top and bottom customers and products, and the issues
and actions with owners and due dates — including the actions of earlier reviews still open,
so they are followed up until done. Its figures are computed while the review is being
prepared and frozen when it is held; PDF (with the CJK font embedded) and Excel.
"""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from salesops.core import pdf
from salesops.core.audit import audit_record, model_create, model_update
from salesops.core.exceptions import PermissionDenied, ValidationFailed
from salesops.core.models import AuditEvent, OrgUnit, User
from salesops.core.numbering import next_number
from salesops.core.roles import Role
from salesops.core.selectors import company_date
from salesops.credit.money import cents, money_sum
from salesops.planning.periods import add_months
from salesops.sop import hooks
from salesops.targets.exceptions import ReviewHeld
from salesops.targets.kpis import get_kpi
from salesops.targets.measures import invoices_in
from salesops.targets.models import BusinessReview, ProfitPlan, ReviewAction
from salesops.targets.periods import Period
from salesops.targets.periods import month as month_period
from salesops.targets.profit import plan_versus_actual
from salesops.targets.scorecards import scorecard

REVIEW_ROLES = frozenset({Role.SALES_MANAGER, Role.SALES_DIRECTOR, Role.GENERAL_MANAGER, Role.SYSADMIN})
PACK_KPIS = [
    "sales",
    "target",
    "achievement",
    "growth_yoy",
    "collections",
    "dso",
    "overdue_share",
    "satisfaction",
    "cost_of_sales",
]
TOP = 5


def _reps_in(unit: OrgUnit) -> list[User]:
    from salesops.targets.services import sales_reps

    return [rep for rep in sales_reps() if rep.org_unit.path.startswith(unit.path)]


def _number(value) -> str | None:
    return None if value is None else str(value)


def _card(reps, period: Period, group_by: str) -> list[dict]:
    card = scorecard(reps=reps, period=period, group_by=group_by, kpi_codes=PACK_KPIS)
    return [
        {"name": row.name, "score": str(row.score), **{code: _number(row.values.get(code)) for code in PACK_KPIS}}
        for row in card["rows"]
    ] + [{"name": _("Total"), "score": "", **{code: _number(card["totals"].values.get(code)) for code in PACK_KPIS}}]


def _ranked(queryset, key: str, label: str, limit: int = TOP) -> dict:
    rows = [
        {"name": row[label], "value": str(cents(row["value"]))}
        for row in queryset.order_by().values(key, label).annotate(value=money_sum("amount")).order_by("-value", key)
    ]
    return {"top": rows[:limit], "bottom": list(reversed(rows[-limit:])) if len(rows) > limit else []}


def pack_figures(*, review: BusinessReview) -> dict:
    from salesops.sales.models import InvoiceLine

    period = month_period(review.month)
    ytd = Period("year", datetime.date(review.month.year, 1, 1), period.end)
    reps = _reps_in(review.unit)
    rep_ids = [rep.pk for rep in reps]
    lines = InvoiceLine.objects.filter(invoice__in=invoices_in(period).filter(rep_id__in=rep_ids, kind="invoice"))
    plans = ProfitPlan.objects.filter(month=period.start, rep_id__in=rep_ids, status=ProfitPlan.Status.APPROVED)
    plan_rows = []
    for plan in plans.select_related("rep"):
        for row in plan_versus_actual(plan):
            plan_rows.append(
                {
                    "rep": plan.rep.display_name,
                    "customer": row["customer"].name,
                    "planned_revenue": str(row["planned_revenue"]),
                    "planned_profit": str(row["planned_profit"]),
                    "actual_revenue": str(row["actual_revenue"]),
                    "gap": str(row["gap"]),
                }
            )
    return {
        "month": period.key,
        "unit": review.unit.name,
        "computed_at": timezone.now().isoformat(),
        "kpis": [{"code": code, "label": str(get_kpi(code).label), "unit": get_kpi(code).unit} for code in PACK_KPIS],
        "teams": _card(reps, period, "team"),
        "reps": _card(reps, period, "rep"),
        "teams_ytd": _card(reps, ytd, "team"),
        "customers": _ranked(lines, "invoice__customer_id", "invoice__customer__name"),
        "products": _ranked(lines, "product_id", "product__name"),
        "profit_plans": plan_rows,
    }


def _require(actor, unit: OrgUnit) -> None:
    if not (actor.is_superuser or actor.roles & REVIEW_ROLES):
        raise PermissionDenied()
    company_wide = actor.is_superuser or actor.roles & {Role.SALES_DIRECTOR, Role.GENERAL_MANAGER, Role.SYSADMIN}
    if not company_wide and not (actor.org_unit_id and unit.path.startswith(actor.org_unit.path)):
        raise PermissionDenied()


@transaction.atomic
def review_prepare(*, month: datetime.date, unit: OrgUnit, actor) -> BusinessReview:
    """Create the unit's review of `month`, or refresh its figures while it is being prepared."""
    _require(actor, unit)
    month = month.replace(day=1)
    if month >= company_date().replace(day=1):
        raise ValidationFailed(fields={"month": [_("A month is reviewed once it is over.")]})
    review = BusinessReview.objects.select_for_update().filter(month=month, unit=unit).first()
    if review is None:
        review = BusinessReview(
            number=next_number(prefix="BR", year=month.year), month=month, unit=unit, created_by=actor
        )
        review.data = pack_figures(review=review)
        return model_create(instance=review, actor=actor)
    if review.status == BusinessReview.Status.HELD:
        raise ReviewHeld()
    review.data = pack_figures(review=review)
    review.save(update_fields=["data"])
    audit_record(instance=review, action=AuditEvent.Action.UPDATE, actor=actor, note="figures refreshed")
    return review


@transaction.atomic
def review_action_add(
    *, review: BusinessReview, issue: str, action: str, owner: User, due_date: datetime.date, actor
) -> ReviewAction:
    _require(actor, review.unit)
    review = BusinessReview.objects.select_for_update().get(pk=review.pk)
    if review.status == BusinessReview.Status.HELD:
        raise ReviewHeld()
    problems = {}
    if not (issue or "").strip():
        problems["issue"] = [_("Describe the issue.")]
    if not (action or "").strip():
        problems["action"] = [_("Say what will be done.")]
    if due_date < review.month or due_date > add_months(review.month, 13):
        problems["due_date"] = [_("Choose a due date within the year after the month reviewed.")]
    if not owner.is_active:
        problems["owner"] = [_("Choose an active person.")]
    if problems:
        raise ValidationFailed(fields=problems)
    item = ReviewAction(
        review=review,
        issue=issue.strip()[:300],
        action=action.strip()[:500],
        owner=owner,
        due_date=due_date,
        created_by=actor,
    )
    return model_create(instance=item, actor=actor)


@transaction.atomic
def review_action_done(*, item: ReviewAction, outcome: str, actor) -> ReviewAction:
    item = ReviewAction.objects.select_for_update(of=("self",)).select_related("review__unit").get(pk=item.pk)
    if actor.pk != item.owner_id:
        _require(actor, item.review.unit)
    if item.status == ReviewAction.Status.DONE:
        raise ValidationFailed(_("This action is already done."))
    if not (outcome or "").strip():
        raise ValidationFailed(fields={"outcome": [_("Say what was done.")]})
    item, _changed = model_update(
        instance=item,
        fields=["status", "done_at", "outcome"],
        data={"status": ReviewAction.Status.DONE, "done_at": timezone.now(), "outcome": outcome.strip()[:500]},
        actor=actor,
    )
    return item


@transaction.atomic
def review_hold(
    *, review: BusinessReview, actor, summary: str = "", at: datetime.datetime | None = None
) -> BusinessReview:
    """The meeting was held: figures computed one last time and frozen; the SOP deadline of the
    first three working days of the next month is met by this record."""
    _require(actor, review.unit)
    review = BusinessReview.objects.select_for_update().get(pk=review.pk)
    if review.status == BusinessReview.Status.HELD:
        raise ReviewHeld()
    at = at or timezone.now()
    review.data = pack_figures(review=review)
    review.save(update_fields=["data"])
    model_update(
        instance=review,
        fields=["status", "held_by", "held_at", "summary"],
        data={
            "status": BusinessReview.Status.HELD,
            "held_by": actor,
            "held_at": at,
            "summary": (summary or review.summary)[:5000],
        },
        actor=actor,
    )
    hooks.done(
        event="business_review_held",
        person=actor,
        occurred_at=at,
        reference=f"business-review:{review.number}",
        period=add_months(review.month, 1),
        actor=actor,
    )
    return review


def open_actions_before(review: BusinessReview):
    """Actions of the unit's earlier reviews that are still open: followed up here."""
    return (
        ReviewAction.objects.filter(
            review__unit=review.unit, review__month__lt=review.month, status=ReviewAction.Status.OPEN
        )
        .select_related("owner", "review")
        .order_by("due_date", "pk")
    )


# --- the pack as files ---------------------------------------------------------------------------------
def _context(review: BusinessReview) -> dict:
    return {
        "review": review,
        "data": review.data,
        "actions": list(review.actions.select_related("owner")),
        "earlier_actions": list(open_actions_before(review)),
    }


def review_pdf(review: BusinessReview) -> bytes:
    return pdf.to_pdf(pdf.render("targets/review_pdf.html", _context(review)))


def review_xlsx(review: BusinessReview) -> bytes:
    from openpyxl import Workbook

    from salesops.core.export import _cell, text_only

    data = review.data
    codes = [kpi["code"] for kpi in data.get("kpis", [])]
    labels = [kpi["label"] for kpi in data.get("kpis", [])]
    workbook = Workbook()
    first = workbook.active
    first.title = str(_("Teams"))[:31]
    sheets = [
        (
            first,
            [_("Team"), _("Score"), *labels],
            [[r["name"], r["score"], *[r.get(c) for c in codes]] for r in data.get("teams", [])],
        ),
        (
            workbook.create_sheet(str(_("Reps"))[:31]),
            [_("Rep"), _("Score"), *labels],
            [[r["name"], r["score"], *[r.get(c) for c in codes]] for r in data.get("reps", [])],
        ),
        (
            workbook.create_sheet(str(_("Year to date"))[:31]),
            [_("Team"), _("Score"), *labels],
            [[r["name"], r["score"], *[r.get(c) for c in codes]] for r in data.get("teams_ytd", [])],
        ),
        (
            workbook.create_sheet(str(_("Customers"))[:31]),
            [_("Rank"), _("Customer"), _("Sales")],
            [[_("Top"), r["name"], r["value"]] for r in data.get("customers", {}).get("top", [])]
            + [[_("Bottom"), r["name"], r["value"]] for r in data.get("customers", {}).get("bottom", [])],
        ),
        (
            workbook.create_sheet(str(_("Products"))[:31]),
            [_("Rank"), _("Product"), _("Sales")],
            [[_("Top"), r["name"], r["value"]] for r in data.get("products", {}).get("top", [])]
            + [[_("Bottom"), r["name"], r["value"]] for r in data.get("products", {}).get("bottom", [])],
        ),
        (
            workbook.create_sheet(str(_("Profit plans"))[:31]),
            [
                _("Rep"),
                _("Customer"),
                _("Planned revenue"),
                _("Planned profit"),
                _("Actual revenue"),
                pgettext("difference", "Gap"),
            ],
            [
                [r["rep"], r["customer"], r["planned_revenue"], r["planned_profit"], r["actual_revenue"], r["gap"]]
                for r in data.get("profit_plans", [])
            ],
        ),
        (
            workbook.create_sheet(str(pgettext("corrective action", "Actions"))[:31]),
            [
                pgettext("problem", "Issue"),
                pgettext("corrective action", "Action"),
                _("Owner"),
                pgettext("deadline", "Due"),
                _("Status"),
                _("Outcome"),
            ],
            [
                [a.issue, a.action, a.owner.display_name, a.due_date, str(a.get_status_display()), a.outcome]
                for a in [*open_actions_before(review), *review.actions.select_related("owner")]
            ],
        ),
    ]
    for sheet, headers, rows in sheets:
        sheet.append([str(h) for h in headers])
        for row in rows:
            sheet.append([_cell(_as_number(value)) for value in row])
    text_only(workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _as_number(value):
    if isinstance(value, str):
        try:
            return Decimal(value)
        except ArithmeticError:
            return value
    return str(value) if value is not None and not isinstance(value, datetime.date | int | float | Decimal) else value


def review_summary(review: BusinessReview) -> dict:
    return {"number": review.number, "month": f"{review.month:%Y-%m}", "unit": review.unit.name}
