"""ABC grading of customers by a measure over a period.

The measure is pluggable: a *grading measure provider* is a function
`provider(*, start: date, end: date) -> {customer_id: amount}`. The sales area registers the
real one (invoiced sales) under "sales_amount"; until then "sales_amount" falls back to won
opportunities, which the demo uses. The classification itself is the shared pure function
`salesops.core.abc.abc_classify` (the same one behind `salesops abc`).

Each run is kept (`GradingRun` + one `CustomerGrade` per customer), and the customer's
current grade is copied onto `Customer.grade` for filters and pool rules.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from salesops.crm.models import CrmPolicy, Customer, CustomerGrade, GradingRun, Opportunity, Stage

MeasureProvider = Callable[..., dict[int, Decimal]]
_providers: dict[str, MeasureProvider] = {}


def register_grading_measure(name: str, provider: MeasureProvider) -> None:
    """Register (or replace) a grading measure provider."""
    _providers[name] = provider


def grading_measures() -> dict[str, MeasureProvider]:
    return dict(_providers)


def won_opportunities_measure(*, start: datetime.date, end: datetime.date) -> dict[int, Decimal]:
    rows = (
        Opportunity.objects.filter(
            stage__outcome=Stage.Outcome.WON, closed_at__date__gte=start, closed_at__date__lte=end
        )
        .values("customer_id")
        .annotate(total=Sum("amount"))
    )
    return {row["customer_id"]: row["total"] for row in rows}


register_grading_measure("opportunities_won", won_opportunities_measure)


def _provider(name: str) -> MeasureProvider:
    if name in _providers:
        return _providers[name]
    return _providers["opportunities_won"]


def _classify(values: Sequence[tuple[str, Decimal]], cutoffs: tuple[float, float]) -> list[dict]:
    """Rows {entity, value, share, cumulative_share, class}, shares in percent, in rank order.
    Uses the shared engine (salesops.core.abc, vectorised) when present."""
    try:
        from salesops.core.abc import abc_table
    except ImportError:
        return fallback_abc(values, cutoffs=cutoffs)
    if not values:
        return []
    table = abc_table(
        entities=[entity for entity, _v in values],
        values=[float(value) for _e, value in values],
        a_cutoff=cutoffs[0],
        b_cutoff=cutoffs[1],
    )
    return [
        {"entity": e, "value": v, "share": s, "cumulative_share": c, "class": k}
        for e, v, s, c, k in zip(
            table["entity"].tolist(),
            table["value"].tolist(),
            table["share"].tolist(),
            table["cumulative_share"].tolist(),
            table["class"].tolist(),
            strict=True,
        )
    ]


def fallback_abc(values: Sequence[tuple[str, Decimal]], *, cutoffs=(40, 80)) -> list[dict]:
    """The ABC rule: sort descending (ties by name); A when the cumulative share of those
    ranked above is below the A cut-off, else B when below the B cut-off, else C."""
    ordered = sorted(values, key=lambda item: (-Decimal(item[1]), str(item[0])))
    total = sum((Decimal(v) for _e, v in ordered), Decimal(0))
    rows, above = [], Decimal(0)
    for entity, value in ordered:
        value = Decimal(value)
        share = value * 100 / total if total else Decimal(0)
        klass = "A" if above < Decimal(cutoffs[0]) else "B" if above < Decimal(cutoffs[1]) else "C"
        above += share
        rows.append({"entity": entity, "value": value, "share": share, "cumulative_share": above, "class": klass})
    return rows


def grading_run(
    *,
    actor=None,
    now: datetime.datetime | None = None,
    period_days: int | None = None,
    cutoffs: tuple[Decimal, Decimal] | None = None,
    measure: str | None = None,
    values: dict[int, Decimal] | None = None,
) -> GradingRun:
    """Grade every customer; those without any amount are C. `values` bypasses the provider
    (benchmarks and tests)."""
    policy = CrmPolicy.current()
    now = now or timezone.now()
    end = timezone.localtime(now).date()
    start = end - datetime.timedelta(days=(period_days or policy.grade_period_days) - 1)
    cut_a, cut_b = cutoffs or (policy.grade_cutoff_a, policy.grade_cutoff_b)
    measure = measure or policy.grade_measure
    if values is None:
        values = _provider(measure)(start=start, end=end)
    positive = [(str(pk), Decimal(amount)) for pk, amount in values.items() if amount and Decimal(amount) > 0]
    classified = _classify(positive, (float(cut_a), float(cut_b)))
    q4, q2 = Decimal("0.0001"), Decimal("0.01")
    with transaction.atomic():
        run = GradingRun.objects.create(
            period_start=start,
            period_end=end,
            measure=measure,
            cutoff_a=cut_a,
            cutoff_b=cut_b,
            total=sum((v for _e, v in positive), Decimal(0)).quantize(q2),
            actor=actor if getattr(actor, "pk", None) else None,
        )
        graded = set()
        rows = []
        for row in classified:
            pk = int(row["entity"])
            graded.add(pk)
            rows.append(
                CustomerGrade(
                    run=run,
                    customer_id=pk,
                    value=Decimal(str(row["value"])).quantize(q2),
                    share=Decimal(str(row["share"])).quantize(q4),
                    cumulative_share=Decimal(str(row["cumulative_share"])).quantize(q4),
                    grade=row["class"],
                )
            )
        zero = Decimal(0)
        rows.extend(
            CustomerGrade(run=run, customer_id=pk, value=zero, share=zero, cumulative_share=Decimal(100), grade="C")
            for pk in Customer.objects.values_list("pk", flat=True).iterator(chunk_size=5000)
            if pk not in graded
        )
        CustomerGrade.objects.bulk_create(rows, batch_size=5000)
        run.customers = len(rows)
        run.save(update_fields=["customers"])
        for grade in ("A", "B", "C"):
            Customer.objects.filter(
                pk__in=CustomerGrade.objects.filter(run=run, grade=grade).values("customer_id")
            ).exclude(grade=grade).update(grade=grade)
    return run


def grading_periodic(*, now=None) -> None:
    grading_run(now=now)
