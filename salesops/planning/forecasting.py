"""Forecast runs from the database, the consensus (reps' inputs and overrides) and the frozen
monthly versions.

A run reads the monthly history of every product, calls `engine.forecast.forecast_panel` once
for all series, and stores one ForecastLine per product and month with the baseline, seasonal
naive and the model used; the family and total lines are their sums (`planning.hierarchy`).
The consensus starts equal to the baseline; every change goes through `forecast_override`,
which records who, why and the value replaced (a family or total figure is spread over its
products, top-down), and the sums are written again. `forecast_submit` freezes the consensus as the
month's version (rows written once, never updated), reports `forecast_submitted` to the SOP
clock, and is the source of the accuracy report's lag figures.

Where a run's models run is configuration, not a choice per run: the settings
``SALESOPS_FORECAST_ENGINE`` (``local`` or ``dask``), ``SALESOPS_DASK_SCHEDULER`` and
``SALESOPS_DASK_WORKERS`` (checked when the settings are read) select this machine or a Dask
cluster (`engine.distributed`); the run records the engine it used. A cluster that cannot be
reached fails the run with the reason, like any other failure.
"""

from __future__ import annotations

import datetime
import time
from collections import defaultdict
from decimal import Decimal

import numpy as np
import pandas as pd
from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from salesops.catalog.models import Product
from salesops.core import bounds
from salesops.core.audit import audit_record, full_clean, model_create
from salesops.core.exceptions import PermissionDenied, ValidationFailed
from salesops.core.models import AuditEvent
from salesops.core.numbering import next_number
from salesops.core.roles import Role
from salesops.planning.engine.distributed import forecast_engine
from salesops.planning.engine.forecast import Panel, forecast_panel
from salesops.planning.exceptions import RunNotFinished, VersionExists
from salesops.planning.hierarchy import reconcile, top_down
from salesops.planning.history import read_history
from salesops.planning.models import (
    ForecastInput,
    ForecastLine,
    ForecastOverride,
    ForecastRun,
    ForecastVersion,
    ForecastVersionRow,
    JobStatus,
    PlanningPolicy,
)
from salesops.planning.periods import add_months, month_ordinal, month_start, ordinal_month
from salesops.sop import hooks as sop

BATCH = 2000
Q3 = Decimal("0.001")
CONSENSUS_ROLES = frozenset({Role.SALES_ADMIN, Role.PLANNER, Role.SALES_DIRECTOR, Role.GENERAL_MANAGER, Role.SYSADMIN})


def qty(value: float) -> Decimal:
    return Decimal(repr(round(float(value), 3))).quantize(Q3)


# --- runs ----------------------------------------------------------------------------------------------
@transaction.atomic
def forecast_run_create(
    *,
    actor,
    first_period: datetime.date | None = None,
    horizon: int | None = None,
    product_ids=None,
    model: str | None = None,
    source: str | None = None,
    enqueue: bool = True,
) -> ForecastRun:
    """Queue a forecast run; the background task `forecast_run_task` fills it."""
    policy = PlanningPolicy.current()
    first_period = month_start(first_period or add_months(month_start(timezone.localdate()), 1))
    run = ForecastRun(
        number=next_number(prefix="FC"),
        first_period=first_period,
        horizon=horizon or policy.forecast_horizon,
        history_source=source or policy.history_source,
        model=model or policy.forecast_model,
        product_ids=sorted(int(pk) for pk in product_ids) if product_ids else [],
        created_by=actor,
    )
    model_create(instance=run, actor=actor)
    if enqueue:
        from salesops.planning.tasks import forecast_run_task

        transaction.on_commit(lambda: forecast_run_task.enqueue(run_id=run.pk))
    return run


def _set_progress(run_id: int, done: int, total: int) -> None:
    ForecastRun.objects.filter(pk=run_id).update(progress_done=done, progress_total=total)


def build_panels(
    *,
    product: np.ndarray,
    month: np.ndarray,
    quantity: np.ndarray,
    family_of: dict[int, int],
    end: int,
    products: list[int],
) -> Panel:
    """One panel of product series (labels "P<id>") from arrays; families are their sums."""
    from salesops.planning.engine.forecast import build_panel

    keep = month <= end
    product, month, quantity = product[keep], month[keep], quantity[keep]
    series = np.concatenate(
        [
            np.char.add("P", product.astype(str)),
            # every product appears, even without history: an empty series forecasts zero
            np.char.add("P", np.array(products, dtype=np.int64).astype(str)),
        ]
    )
    months = np.concatenate([month, np.full(len(products), end)])
    values = np.concatenate([quantity, np.zeros(len(products))])
    frame = pd.DataFrame({"series": series, "period": (months.astype("datetime64[M]")), "quantity": values})
    end_label = str(np.datetime64(int(end), "M"))
    return build_panel(history=frame, freq="M", end_period=end_label)


def forecast_run_execute(*, run: ForecastRun, n_jobs: int | None = None, engine: str | None = None) -> ForecastRun:
    """Read history, forecast, store the lines. Progress is written to the run as it goes.

    The models run on the engine of the settings (see the module's docstring), or on
    ``engine`` ("local" or "dask") when given.
    """
    started = time.perf_counter()
    engine = settings.SALESOPS_FORECAST_ENGINE if engine is None else engine
    ForecastRun.objects.filter(pk=run.pk).update(status=JobStatus.RUNNING, message="", engine=engine[:20])
    try:
        products = Product.objects.filter(active=True)
        if run.product_ids:
            products = products.filter(pk__in=run.product_ids)
        catalogue = list(products.values_list("pk", "family_id"))
        product_list = [pk for pk, _family in catalogue]
        family_of = {pk: family for pk, family in catalogue if family}
        end = month_ordinal(run.first_period) - 1
        start = ordinal_month(end - 47)  # four years are plenty for a yearly season
        history = read_history(source=run.history_source, start=start, end=ordinal_month(end), product_ids=product_list)
        panel = build_panels(
            product=history.product,
            month=history.month,
            quantity=history.quantity,
            family_of=family_of,
            end=end,
            products=product_list,
        )
        with forecast_engine(
            name=engine, address=settings.SALESOPS_DASK_SCHEDULER, workers=settings.SALESOPS_DASK_WORKERS
        ) as client:
            result = forecast_panel(
                panel=panel,
                horizon=run.horizon,
                model=run.model,
                n_jobs=n_jobs,
                progress=lambda done, total: _set_progress(run.pk, done, total),
                engine=client,
            )
        _store_lines(run=run, result=result)
    except Exception as error:  # the run records why it failed; the page shows it
        ForecastRun.objects.filter(pk=run.pk).update(
            status=JobStatus.FAILED, message=str(error)[:2000], finished_at=timezone.now()
        )
        run.refresh_from_db()
        return run
    ForecastRun.objects.filter(pk=run.pk).update(
        status=JobStatus.DONE,
        n_series=len(panel),
        seconds=round(time.perf_counter() - started, 3),
        finished_at=timezone.now(),
    )
    run.refresh_from_db()
    return run


def _store_lines(*, run: ForecastRun, result: pd.DataFrame) -> None:
    labels = result["series"].astype(str).to_numpy()
    kinds = np.char.array(labels.astype("U1"))
    ids = np.array([int(label[1:]) for label in labels], dtype=np.int64)
    periods = [datetime.date(int(p[:4]), int(p[5:7]), 1) for p in result["period"].astype(str).tolist()]
    lines = []
    ForecastLine.objects.filter(run=run).delete()
    for kind, pk, period, forecast, naive, model in zip(
        kinds.tolist(),
        ids.tolist(),
        periods,
        result["forecast"].tolist(),
        result["seasonal_naive"].tolist(),
        result["model"].tolist(),
        strict=True,
    ):
        value = qty(forecast)
        lines.append(
            ForecastLine(
                run_id=run.pk,
                level=ForecastLine.Level.PRODUCT if kind == "P" else ForecastLine.Level.FAMILY,
                product_id=pk if kind == "P" else None,
                family_id=pk if kind == "F" else None,
                period=period,
                baseline=value,
                seasonal_naive=qty(naive),
                model=str(model)[:20],
                consensus=value,
            )
        )
        if len(lines) >= BATCH:
            ForecastLine.objects.bulk_create(lines)
            lines = []
    if lines:
        ForecastLine.objects.bulk_create(lines)
    reconcile(run_id=run.pk)


# --- consensus -------------------------------------------------------------------------------------------
def _require_open(run: ForecastRun) -> None:
    if run.status != JobStatus.DONE:
        raise RunNotFinished()
    if ForecastVersion.objects.filter(run=run).exists():
        raise VersionExists(_("This forecast has been submitted; start a new run to change it."))


@transaction.atomic
def forecast_override(*, line: ForecastLine, new_value, reason: str, actor, customer=None) -> ForecastOverride:
    """Change a consensus value; the override keeps who, why and the value it replaced."""
    if not actor.has_role(*CONSENSUS_ROLES) and not actor.is_superuser:
        raise PermissionDenied()
    line = ForecastLine.objects.select_for_update().select_related("run").get(pk=line.pk)
    _require_open(line.run)
    reason = (reason or "").strip()
    problems = {}
    try:
        value = bounds.clean_field_value(ForecastLine, "consensus", new_value).quantize(Q3)
    except DjangoValidationError as error:
        value = None
        problems["new_value"] = error.messages
    if value is not None and value < 0:
        problems["new_value"] = [_("The quantity cannot be negative.")]
    if not reason:
        problems["reason"] = [_("Say why the baseline is changed.")]
    if problems:
        raise ValidationFailed(fields=problems)
    if line.level == ForecastLine.Level.PRODUCT:
        changes = [(line, value)]
    else:
        changes = top_down(line, value) + [(line, value)]
        if len(changes) == 1:
            raise ValidationFailed(fields={"new_value": [_("This figure has no products to spread over.")]})
    override = None
    for target, new in changes:
        if target.consensus == new and target.pk != line.pk:
            continue
        record = ForecastOverride(
            line=target,
            old_value=target.consensus,
            new_value=new,
            reason=reason[:300] if target.pk == line.pk else f"{reason} ({_label(line)})"[:300],
            customer=customer,
            actor=actor,
        )
        full_clean(record)
        record.save()
        override = record if target.pk == line.pk else override
        target.consensus = new
    ForecastLine.objects.bulk_update([target for target, _new in changes], ["consensus"])
    reconcile(run_id=line.run_id, periods=[line.period])
    audit_record(
        instance=line.run,
        action=AuditEvent.Action.UPDATE,
        actor=actor,
        changes={f"consensus {_label(line)} {line.period:%Y-%m}": [override.old_value, value]},
        note=reason,
    )
    return override


def _label(line: ForecastLine) -> str:
    if line.level == ForecastLine.Level.PRODUCT:
        return f"P{line.product_id}"
    return f"F{line.family_id}" if line.level == ForecastLine.Level.FAMILY else "total"


@transaction.atomic
def forecast_input_save(
    *, run: ForecastRun, rep, product: Product, period: datetime.date, quantity, actor, customer=None, note: str = ""
) -> ForecastInput:
    """A rep's own expectation (a rep enters only their own; sales admin for anyone)."""
    if actor.pk != rep.pk and not actor.has_role(*CONSENSUS_ROLES):
        raise PermissionDenied()
    _require_open(run)
    period = month_start(period)
    if not run.first_period <= period < add_months(run.first_period, run.horizon):
        raise ValidationFailed(fields={"period": [_("The month is outside the forecast horizon.")]})
    value = bounds.clean_input(ForecastInput, "quantity", quantity).quantize(Q3)
    if value < 0:
        raise ValidationFailed(fields={"quantity": [_("The quantity cannot be negative.")]})
    existing = ForecastInput.objects.filter(run=run, rep=rep, product=product, period=period, customer=customer).first()
    if existing is not None:
        from salesops.core.audit import model_update

        existing, _changed = model_update(
            instance=existing, fields=["quantity", "note"], data={"quantity": value, "note": note}, actor=actor
        )
        return existing
    entry = ForecastInput(
        run=run,
        rep=rep,
        team=rep.org_unit,
        customer=customer,
        product=product,
        period=period,
        quantity=value,
        note=note,
    )
    return model_create(instance=entry, actor=actor)


@transaction.atomic
def forecast_inputs_compile(*, run: ForecastRun, actor, family=None) -> int:
    """Sales admin compiles the reps' inputs (optionally of one family) into the consensus:
    each product-month with inputs gets their sum, as an override naming how many inputs.
    Only those who set the consensus compile (also when nothing would change)."""
    if not actor.has_role(*CONSENSUS_ROLES) and not actor.is_superuser:
        raise PermissionDenied()
    _require_open(run)
    inputs = ForecastInput.objects.filter(run=run)
    if family is not None:
        inputs = inputs.filter(product__family=family)
    sums: dict[tuple[int, datetime.date], Decimal] = defaultdict(Decimal)
    counts: dict[tuple[int, datetime.date], int] = defaultdict(int)
    for product_id, period, quantity in inputs.values_list("product_id", "period", "quantity"):
        sums[(product_id, period)] += quantity
        counts[(product_id, period)] += 1
    changed = 0
    lines = ForecastLine.objects.filter(run=run, level=ForecastLine.Level.PRODUCT, product_id__in={k[0] for k in sums})
    for line in lines.order_by("pk"):
        key = (line.product_id, line.period)
        if key in sums and sums[key] != line.consensus:
            forecast_override(
                line=line,
                new_value=sums[key],
                actor=actor,
                reason=_("Compiled from %(n)s inputs of the reps") % {"n": counts[key]},
            )
            changed += 1
    return changed


# --- versions -----------------------------------------------------------------------------------------
@transaction.atomic
def forecast_submit(*, run: ForecastRun, actor, at: datetime.datetime | None = None) -> ForecastVersion:
    """Freeze the consensus as the version of the month before the run's first month."""
    if not actor.has_role(*CONSENSUS_ROLES) and not actor.is_superuser:
        raise PermissionDenied()
    if run.status != JobStatus.DONE:
        raise RunNotFinished()
    month = add_months(run.first_period, -1)
    if ForecastVersion.objects.filter(month=month).exists():
        raise VersionExists()
    version = ForecastVersion(month=month, run=run, submitted_by=actor, submitted_at=at or timezone.now())
    model_create(instance=version, actor=actor)
    rows = [
        ForecastVersionRow(
            version=version,
            level=level,
            product_id=product_id,
            family_id=family_id,
            period=period,
            baseline=baseline,
            consensus=consensus,
        )
        for level, product_id, family_id, period, baseline, consensus in run.lines.values_list(
            "level", "product_id", "family_id", "period", "baseline", "consensus"
        )
    ]
    ForecastVersionRow.objects.bulk_create(rows, batch_size=BATCH)
    sop.done(
        event="forecast_submitted",
        person=actor,
        occurred_at=version.submitted_at,
        reference=f"forecast:{month:%Y-%m}",
        period=month,
        url=reverse("planning-forecast-detail", args=[run.pk]),
        actor=actor,
    )
    return version


def latest_consensus(*, product_ids=None, months=None) -> dict[tuple[int, datetime.date], Decimal]:
    """{(product id, month): consensus}: for each month, from the latest finished run covering it."""
    runs = list(
        ForecastRun.objects.filter(status=JobStatus.DONE)
        .order_by("-created_at", "-pk")
        .values_list("pk", "first_period", "horizon")[:24]
    )
    if not runs:
        return {}
    wanted = sorted(set(months)) if months is not None else None
    chosen: dict[datetime.date, int] = {}
    for pk, first, horizon in runs:
        for k in range(horizon):
            month = add_months(first, k)
            if (wanted is None or month in wanted) and month not in chosen:
                chosen[month] = pk
    result: dict[tuple[int, datetime.date], Decimal] = {}
    for month, run_id in chosen.items():
        lines = ForecastLine.objects.filter(run_id=run_id, level=ForecastLine.Level.PRODUCT, period=month)
        if product_ids is not None:
            lines = lines.filter(product_id__in=list(product_ids))
        result.update({(p, m): c for p, m, c in lines.values_list("product_id", "period", "consensus")})
    return result
