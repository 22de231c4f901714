"""The KPIs computed from the documents already in the system, each as one grouped query
per rep (or two), registered in `kpis` by `registration`.

Sales are counted by one measure, the company's choice (`PerformancePolicy.measure`):
- orders: order lines of confirmed (or further) orders dated in the period, less what was
  cancelled or returned;
- deliveries: lines of the deliveries issued in the period (not cancelled);
- invoices (the default): invoices issued in the period less credit notes issued in it.
Collections are the receipts' allocations dated in the period, credited to the rep who sold
the invoice (终身负责制). Open and overdue amounts at a date come from credit's ageing, which
rebuilds them from the allocations dated up to that day.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, DecimalField, ExpressionWrapper, F, Q, Sum
from django.db.models.functions import TruncMonth

from salesops.core.calendar import WorkCalendar
from salesops.core.selectors import company_date
from salesops.credit.ageing import open_at
from salesops.credit.models import Allocation
from salesops.credit.money import cents, money_sum
from salesops.targets.kpis import Parts
from salesops.targets.models import ExpenseClaim, Measure, PerformancePolicy, Target, TargetPlan
from salesops.targets.periods import Period

ZERO = Decimal("0.00")
COUNTED_ORDER_STATUSES = ("confirmed", "partially_delivered", "delivered", "closed")
COST_FIELD = DecimalField(max_digits=24, decimal_places=6)


def current_measure(*, cache: dict | None = None) -> str:
    if cache is not None and "measure" in cache:
        return cache["measure"]
    measure = PerformancePolicy.objects.order_by("pk").values_list("measure", flat=True).first() or Measure.INVOICES
    if cache is not None:
        cache["measure"] = measure
    return measure


def _for_reps(queryset, rep_ids, field: str):
    return queryset if rep_ids is None else queryset.filter(**{f"{field}__in": rep_ids})


def _grouped(queryset, field: str, rep_ids, **sums) -> dict[int, dict]:
    rows = _for_reps(queryset, rep_ids, field).order_by().values(field).annotate(**sums)
    return {row[field]: row for row in rows if row[field] is not None}


def _moments(period: Period, *, cache: dict | None = None) -> tuple[datetime.datetime, datetime.datetime]:
    if cache is not None and "tz" in cache:
        tz = cache["tz"]
    else:
        tz = WorkCalendar.load().tz
        if cache is not None:
            cache["tz"] = tz
    start = datetime.datetime.combine(period.start, datetime.time(0), tz)
    return start, datetime.datetime.combine(period.end + datetime.timedelta(days=1), datetime.time(0), tz)


# --- the three sales measures ------------------------------------------------------------------
def order_lines_in(period: Period):
    from salesops.sales.models import OrderLine

    return OrderLine.objects.filter(
        order__order_date__gte=period.start,
        order__order_date__lte=period.end,
        order__status__in=COUNTED_ORDER_STATUSES,
    )


def delivery_lines_in(period: Period):
    from salesops.sales.models import Delivery, DeliveryLine

    start, end = _moments(period)
    return DeliveryLine.objects.filter(delivery__issued_at__gte=start, delivery__issued_at__lt=end).exclude(
        delivery__status=Delivery.Status.CANCELLED
    )


def invoices_in(period: Period):
    from salesops.sales.models import Invoice

    return Invoice.objects.filter(issue_date__gte=period.start, issue_date__lte=period.end).exclude(
        status=Invoice.Status.CANCELLED
    )


MEASURE_SOURCES = {
    Measure.ORDERS: (order_lines_in, "order__rep_id", F("amount") - F("cancelled_value") - F("returned_value")),
    Measure.DELIVERIES: (delivery_lines_in, "delivery__order__rep_id", F("amount")),
    Measure.INVOICES: (invoices_in, "rep_id", F("total")),
}


def sales_by_rep(
    period: Period, rep_ids, *, measure: str | None = None, cache: dict | None = None
) -> dict[int, Decimal]:
    measure = measure or current_measure(cache=cache)
    key = ("sales", measure, period)
    if cache is not None and key in cache:
        return cache[key]
    source, field, value = MEASURE_SOURCES[measure]
    rows = _grouped(source(period), field, rep_ids, value=money_sum(value))
    result = {rep: cents(row["value"]) for rep, row in rows.items()}
    if cache is not None:
        cache[key] = result
    return result


def _money_parts(values: dict[int, Decimal]) -> dict[int, Parts]:
    return {rep: Parts(value) for rep, value in values.items()}


def sales_parts(period, rep_ids, *, cache=None):
    return _money_parts(sales_by_rep(period, rep_ids, cache=cache))


def measure_parts(measure: str):
    def compute(period, rep_ids, *, cache=None):
        return _money_parts(sales_by_rep(period, rep_ids, measure=measure, cache=cache))

    return compute


# --- targets ----------------------------------------------------------------------------------------
def targets_by_rep(period: Period, rep_ids, *, cache: dict | None = None) -> dict[int, Decimal]:
    """The reps' targets of the approved plans over the period; a week gets the share of its
    months' targets by days (to the cent).

    The months wholly inside the period are summed by the database, one row per rep; only the
    months the period cuts (a week's, at most two) are read target by target."""
    key = ("targets", period)
    if cache is not None and key in cache:
        return cache[key]
    targets = _for_reps(
        Target.objects.filter(
            plan__status=TargetPlan.Status.APPROVED,
            level=Target.Level.REP,
            month__gte=period.months[0],
            month__lte=period.months[-1],
        ),
        rep_ids,
        "rep_id",
    )
    cut = [month for month in period.months if period.month_share(month)[0] != period.month_share(month)[1]]
    result: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for rep, row in _grouped(targets.exclude(month__in=cut), "rep_id", None, value=money_sum("amount")).items():
        result[rep] += cents(row["value"])
    if cut:
        for rep, month, amount in targets.filter(month__in=cut).values_list("rep_id", "month", "amount"):
            inside, days = period.month_share(month)
            result[rep] += cents(amount * inside / days)
    result = dict(result)
    if cache is not None:
        cache[key] = result
    return result


def target_parts(period, rep_ids, *, cache=None):
    return _money_parts(targets_by_rep(period, rep_ids, cache=cache))


def achievement_parts(period, rep_ids, *, cache=None):
    sales = sales_by_rep(period, rep_ids, cache=cache)
    targets = targets_by_rep(period, rep_ids, cache=cache)
    return {rep: Parts(sales.get(rep, ZERO), targets.get(rep, ZERO)) for rep in set(sales) | set(targets)}


def _growth(period: Period, earlier: Period, rep_ids, cache) -> dict[int, Parts]:
    now = sales_by_rep(period, rep_ids, cache=cache)
    before = sales_by_rep(earlier, rep_ids, cache=cache)
    return {
        rep: Parts(now.get(rep, ZERO) - before.get(rep, ZERO), before.get(rep, ZERO)) for rep in set(now) | set(before)
    }


def growth_yoy_parts(period, rep_ids, *, cache=None):
    return _growth(period, period.last_year(), rep_ids, cache)


def growth_previous_parts(period, rep_ids, *, cache=None):
    return _growth(period, period.previous(), rep_ids, cache)


# --- money --------------------------------------------------------------------------------------------
def collections_by_rep(period: Period, rep_ids, *, cache=None) -> dict[int, Decimal]:
    rows = _grouped(
        Allocation.objects.filter(receipt__isnull=False, allocated_on__gte=period.start, allocated_on__lte=period.end),
        "invoice__rep_id",
        rep_ids,
        value=money_sum("amount"),
    )
    return {rep: cents(row["value"]) for rep, row in rows.items()}


def collections_parts(period, rep_ids, *, cache=None):
    return _money_parts(collections_by_rep(period, rep_ids))


def gross_margin_parts(period, rep_ids, *, cache=None):
    """Gross margin % of what was invoiced: (invoiced − quantity × standard cost) / invoiced."""
    from salesops.sales.models import InvoiceLine

    lines = InvoiceLine.objects.filter(
        invoice__issue_date__gte=period.start, invoice__issue_date__lte=period.end
    ).exclude(invoice__status="cancelled")
    cost = ExpressionWrapper(F("quantity") * F("product__cost"), output_field=COST_FIELD)
    rows = _grouped(
        lines, "invoice__rep_id", rep_ids, revenue=money_sum("amount"), cost=Sum(cost, output_field=COST_FIELD)
    )
    return {rep: Parts(cents(row["revenue"]) - cents(row["cost"]), cents(row["revenue"])) for rep, row in rows.items()}


def _as_of(period: Period) -> datetime.date:
    return min(period.end, company_date())


def _receivables(period: Period, rep_ids, cache) -> dict[int, dict]:
    key = ("receivables", period)
    if cache is not None and key in cache:
        return cache[key]
    from salesops.sales.models import Invoice

    as_of = _as_of(period)
    rows = _grouped(
        open_at(Invoice.objects.all(), as_of),
        "rep_id",
        rep_ids,
        open=money_sum("amount_open"),
        overdue=money_sum("amount_open", filter=Q(due_date__lt=as_of)),
    )
    if cache is not None:
        cache[key] = rows
    return rows


def overdue_share_parts(period, rep_ids, *, cache=None):
    rows = _receivables(period, rep_ids, cache)
    return {rep: Parts(cents(row["overdue"]), cents(row["open"])) for rep, row in rows.items()}


def dso_parts(period, rep_ids, *, cache=None):
    """Days sales outstanding: receivables open at the period's end ÷ invoiced in the period ×
    its days."""
    rows = _receivables(period, rep_ids, cache)
    invoiced = sales_by_rep(period, rep_ids, measure=Measure.INVOICES, cache=cache)
    days = (_as_of(period) - period.start).days + 1
    return {
        rep: Parts(cents(rows[rep]["open"]) * days if rep in rows else ZERO, invoiced.get(rep, ZERO))
        for rep in set(rows) | set(invoiced)
    }


# --- service, expenses, forecasts, visits ------------------------------------------------------------------
def satisfaction_parts(period, rep_ids, *, cache=None):
    """Average satisfaction (1–5) given at the follow-up calls of complaints in the period."""
    from salesops.crm.models import Complaint

    start, end = _moments(period, cache=cache)
    rows = _grouped(
        Complaint.objects.filter(follow_up_at__gte=start, follow_up_at__lt=end, satisfaction__isnull=False),
        "owner_id",
        rep_ids,
        points=Sum("satisfaction"),
        answers=Count("pk"),
    )
    return {rep: Parts(Decimal(row["points"]), Decimal(row["answers"])) for rep, row in rows.items()}


def expenses_by_rep(period: Period, rep_ids) -> dict[int, Decimal]:
    rows = _grouped(
        ExpenseClaim.objects.filter(
            status=ExpenseClaim.Status.APPROVED, spent_on__gte=period.start, spent_on__lte=period.end
        ),
        "claimant_id",
        rep_ids,
        value=money_sum("amount"),
    )
    return {rep: cents(row["value"]) for rep, row in rows.items()}


def cost_of_sales_parts(period, rep_ids, *, cache=None):
    """Sales expenses approved in the period as a share of the period's sales."""
    expenses = expenses_by_rep(period, rep_ids)
    sales = sales_by_rep(period, rep_ids, cache=cache)
    return {rep: Parts(expenses.get(rep, ZERO), sales.get(rep, ZERO)) for rep in set(expenses) | set(sales)}


def forecast_accuracy_parts(period, rep_ids, *, cache=None):
    """1 − Σ|forecast − actual| / Σ actual over the reps' own forecast inputs (latest run per
    product and month) against the quantities they ordered."""
    from salesops.planning.models import ForecastInput

    inputs = _for_reps(
        ForecastInput.objects.filter(period__gte=period.months[0], period__lte=period.months[-1]), rep_ids, "rep_id"
    ).order_by("run_id")
    forecast: dict[tuple, Decimal] = {}
    for rep, product, month, quantity in inputs.values_list("rep_id", "product_id", "period", "quantity"):
        forecast[(rep, product, month)] = quantity  # a later run's input replaces an earlier one
    if not forecast:
        return {}
    lines = (
        _for_reps(order_lines_in(Period("month", period.months[0], period.end)), rep_ids, "order__rep_id")
        .filter(product_id__in={key[1] for key in forecast})
        .annotate(month=TruncMonth("order__order_date"))
        .order_by()
        .values_list("order__rep_id", "product_id", "month")
        .annotate(quantity=Sum("quantity"))
    )
    actual = {(rep, product, month): quantity for rep, product, month, quantity in lines}
    totals: dict[int, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for key, planned in forecast.items():
        sold = actual.get(key, Decimal(0))
        totals[key[0]][0] += abs(planned - sold)
        totals[key[0]][1] += sold
    return {rep: Parts(sold - error, sold) for rep, (error, sold) in totals.items()}


def visits_parts(period, rep_ids, *, cache=None):
    from salesops.crm.models import Activity

    start, end = _moments(period, cache=cache)
    rows = _grouped(
        Activity.objects.filter(kind=Activity.Kind.VISIT, done=True, occurred_at__gte=start, occurred_at__lt=end),
        "owner_id",
        rep_ids,
        visits=Count("pk"),
    )
    return {rep: Parts(Decimal(row["visits"])) for rep, row in rows.items()}
