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
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection, transaction
from django.db.models import OuterRef, Subquery, Sum
from django.utils import timezone

from salesops.core.abc import abc_table
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


def _classify(
    values: Sequence[tuple[str, Decimal]], cutoffs: tuple[float, float], names: Sequence[str] | None = None
) -> list[dict]:
    """Rows {entity, value, share, cumulative_share, class}, shares in percent, in rank order,
    by the shared engine (salesops.core.abc); `names` break ties when entities are ids."""
    if not values:
        return []
    table = abc_table(
        entities=[entity for entity, _v in values],
        values=[float(value) for _e, value in values],
        a_cutoff=cutoffs[0],
        b_cutoff=cutoffs[1],
        names=names,
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
    """The ABC rule in plain Python with exact decimals (the reference the engine is checked
    against): sort descending (ties by name); A when the cumulative share of those ranked
    above is below the A cut-off, else B when below the B cut-off, else C."""
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


_INSERT_BATCH = 10_000


def _insert_grades(run_id: int, rows) -> None:
    """One multi-row INSERT per batch: at 100,000 customers the ORM's per-object work
    (model instances, per-field preparation) would dominate the whole run."""
    table = connection.ops.quote_name(CustomerGrade._meta.db_table)
    columns = ", ".join(
        connection.ops.quote_name(CustomerGrade._meta.get_field(name).column)
        for name in ("run", "customer", "value", "share", "cumulative_share", "grade")
    )
    sql = f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s, %s, %s)"
    batch = []
    with connection.cursor() as cursor:
        for row in rows:
            batch.append((run_id, *row))
            if len(batch) >= _INSERT_BATCH:
                cursor.executemany(sql, batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)


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
    (benchmarks and tests).

    The measure is one aggregate query (the provider's GROUP BY), the classification one
    vectorised pass (ties by customer name), the history one batched INSERT and the current
    grade one UPDATE of the customers whose grade changed: nothing runs per customer."""
    policy = CrmPolicy.current()
    now = now or timezone.now()
    end = timezone.localtime(now).date()
    start = end - datetime.timedelta(days=(period_days or policy.grade_period_days) - 1)
    cut_a, cut_b = cutoffs or (policy.grade_cutoff_a, policy.grade_cutoff_b)
    measure = measure or policy.grade_measure
    if values is None:
        values = _provider(measure)(start=start, end=end)
    customer_names = dict(Customer.objects.values_list("pk", "name").iterator(chunk_size=10_000))
    positive = [
        (pk, Decimal(amount)) for pk, amount in values.items() if amount and amount > 0 and pk in customer_names
    ]
    classified = _classify(
        [(str(pk), amount) for pk, amount in positive],
        (float(cut_a), float(cut_b)),
        names=[customer_names[pk] for pk, _amount in positive],
    )
    q2 = Decimal("0.01")
    amount_of = {pk: amount.quantize(q2, ROUND_HALF_UP) for pk, amount in positive}

    def grade_rows():
        zero, hundred = Decimal(0), Decimal(100)
        graded = set()
        for row in classified:
            pk = int(row["entity"])
            graded.add(pk)
            yield (
                pk,
                amount_of[pk],
                Decimal(f"{row['share']:.4f}"),
                Decimal(f"{row['cumulative_share']:.4f}"),
                row["class"],
            )
        for pk in customer_names:
            if pk not in graded:
                yield pk, zero, zero, hundred, "C"

    with transaction.atomic():
        run = GradingRun.objects.create(
            period_start=start,
            period_end=end,
            measure=measure,
            cutoff_a=cut_a,
            cutoff_b=cut_b,
            customers=len(customer_names),
            total=sum((v for _e, v in positive), Decimal(0)).quantize(q2, ROUND_HALF_UP),
            actor=actor if getattr(actor, "pk", None) else None,
        )
        _insert_grades(run.pk, grade_rows())
        new_grade = CustomerGrade.objects.filter(run=run, customer=OuterRef("pk")).values("grade")[:1]
        # Customers created meanwhile have no row in this run: the comparison is NULL, they keep theirs.
        Customer.objects.exclude(grade=Subquery(new_grade)).update(grade=Subquery(new_grade))
    return run


def grading_periodic(*, now=None) -> None:
    grading_run(now=now)
