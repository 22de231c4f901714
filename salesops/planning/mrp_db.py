"""MRP from the database and back.

Reading: items (active products: lead time in days → weeks, lot rule, lot size, safety stock,
and their real units: the order multiple, else the smallest quantity of the unit — 1 for
counted items —, the minimum order quantity and the yield; bought items take the lead time,
minimum and multiple of their preferred supplier where it gives them), BOM lines valid on the
first day (quantity plus scrap), on hand (sum over warehouses), independent demand (the MPS
quantities of the schedule, by week), and scheduled receipts (purchase order lines still to
come, drafts included, at their expected week, open production orders at their due week;
anything already late lands in week 1). Every read is one `values_list` query fetched into
numpy arrays; nothing builds a model instance per row.

Writing: planned orders (purchase for bought items, production for made ones), exceptions
and the rough-cut capacity load are written with `bulk_create` in batches. Pegging (which
demand each planned order serves) is computed by the engine and stored on the planned order
when asked for (the default, and what runs started from the page do; the benchmark runs
the same), from the engine's vectorised peg arrays.

Planned purchases become purchase orders through inventory's `purchase_order_create`
(`planned_order_convert`); planned production becomes a ProductionOrder.
"""

from __future__ import annotations

import datetime
import json
import math
import time
from decimal import Decimal

import numpy as np
from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from salesops.core.audit import audit_record, model_create
from salesops.core.exceptions import ValidationFailed
from salesops.core.models import AuditEvent
from salesops.core.numbering import next_number
from salesops.planning.engine.mrp import (
    SOURCES,
    MrpInputError,
    MrpProblem,
    peg_table,
    rough_cut_capacity,
    run_mrp,
)
from salesops.planning.engine.mrp import (
    RoutingStep as EngineRoutingStep,
)
from salesops.planning.exceptions import AlreadyConverted, PlanningInputError
from salesops.planning.models import (
    CapacityLoadRow,
    JobStatus,
    MasterSchedule,
    MpsLine,
    MrpExceptionRow,
    MrpRun,
    PlannedOrder,
    PlanningPolicy,
    ProductionOrder,
    RoutingStep,
    WorkCentre,
)
from salesops.planning.periods import week_start

BATCH = 5000
Q3 = Decimal("0.001")


def _rows(queryset) -> list[tuple]:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _week_numbers(dates, first_week: datetime.date, weeks: int) -> np.ndarray:
    """1-based weeks of ISO date texts or dates; earlier dates → 1, beyond the horizon → 0."""
    if len(dates) == 0:
        return np.zeros(0, dtype=np.int64)
    days = np.array([str(d)[:10] for d in dates], dtype="datetime64[D]")
    offset = (days - np.datetime64(first_week, "D")).astype(np.int64) // 7 + 1
    offset = np.maximum(offset, 1)
    offset[offset > weeks] = 0
    return offset


def load_problem(
    *, first_week: datetime.date, weeks: int, schedule: MasterSchedule | None
) -> tuple[MrpProblem, np.ndarray, np.ndarray]:
    """The MRP problem from the database; also the product ids (item order) and make flags."""
    from salesops.catalog.models import BomLine, Product
    from salesops.inventory.models import StockBalance, SupplierItem
    from salesops.inventory.selectors import purchase_lines_to_come

    rows = _rows(
        Product.objects.filter(active=True)
        .order_by("pk")
        .values_list(
            "pk",
            "lead_time_days",
            "lot_rule",
            "lot_qty",
            "safety_stock",
            "source",
            "sku",
            "quantity_decimals",
            "order_multiple",
            "min_order_qty",
            "yield_pct",
        )
    )
    n = len(rows)
    if n == 0:
        raise PlanningInputError(_("There are no active products to plan."))
    ids, lead_days, rules, lots, safety, sources, skus, decimals, multiples, minimums, yields = (
        np.array(column) for column in zip(*rows, strict=True)
    )
    ids = ids.astype(np.int64)
    index = np.full(int(ids.max()) + 1, -1, dtype=np.int64)
    index[ids] = np.arange(n)
    lead_days = lead_days.astype(float)
    lot_rule = np.where(rules == "FOQ", "FOQ", "LFL")
    lot_qty = lots.astype(float)
    lot_rule = np.where((lot_rule == "FOQ") & (lot_qty <= 0), "LFL", lot_rule)
    # Real units: the product's multiple, else the smallest quantity of its unit (1 when counted).
    order_multiple = np.where(multiples.astype(float) > 0, multiples.astype(float), 10.0 ** -decimals.astype(float))
    min_order_qty = minimums.astype(float)
    yield_rate = yields.astype(float) / 100.0
    # Bought items: the preferred supplier's lead time, minimum and multiple where it has them.
    terms = _rows(
        SupplierItem.objects.filter(preferred=True, supplier__active=True, product__active=True)
        .order_by("product_id", "pk")
        .values_list("product_id", "lead_time_days", "supplier__lead_time_days", "min_order_qty", "order_multiple")
    )
    if terms:
        pids, item_lead, supplier_lead, supplier_min, supplier_multiple = (
            np.array(c) for c in zip(*terms, strict=True)
        )
        at = index[np.minimum(pids.astype(np.int64), len(index) - 1)]
        buy = (at >= 0) & (sources[np.maximum(at, 0)] == "buy")
        at, item_lead, supplier_lead = at[buy], item_lead[buy], supplier_lead[buy].astype(float)
        supplier_days = np.array([s if i is None else i for i, s in zip(item_lead, supplier_lead, strict=True)])
        lead_days[at] = np.where(supplier_days.astype(float) > 0, supplier_days.astype(float), lead_days[at])
        min_order_qty[at] = np.maximum(min_order_qty[at], supplier_min[buy].astype(float))
        multiple = supplier_multiple[buy].astype(float)
        order_multiple[at] = np.where(multiple > 0, multiple, order_multiple[at])
    lead = np.ceil(lead_days / 7.0).astype(np.int64)

    bom = _rows(
        BomLine.objects.filter(valid_from__lte=first_week)
        .exclude(valid_to__lt=first_week)
        .values_list("parent_id", "component_id", "quantity", "scrap_pct")
    )
    if bom:
        parents, components, quantities, scrap = (np.array(c) for c in zip(*bom, strict=True))
        parent = index[parents.astype(np.int64)]
        component = index[components.astype(np.int64)]
        keep = (parent >= 0) & (component >= 0)
        qty_per = quantities.astype(float) * (1 + scrap.astype(float) / 100.0)
        parent, component, qty_per = parent[keep], component[keep], qty_per[keep]
    else:
        parent = component = np.zeros(0, dtype=np.int64)
        qty_per = np.zeros(0)

    on_hand = np.zeros(n)
    stock = _rows(
        StockBalance.objects.values("product_id").annotate(total=Sum("on_hand")).values_list("product_id", "total")
    )
    if stock:
        pids, totals = (np.array(c) for c in zip(*stock, strict=True))
        positions = index[np.minimum(pids.astype(np.int64), len(index) - 1)]
        good = (pids.astype(np.int64) < len(index)) & (positions >= 0)
        on_hand[positions[good]] = totals.astype(float)[good]

    demand = np.zeros((n, weeks))
    if schedule is not None:
        cells = _rows(
            MpsLine.objects.filter(schedule=schedule, week__gte=first_week).values_list(
                "product_id", "week", "quantity"
            )
        )
        _add_cells(demand, cells, index, first_week, weeks)

    receipts = np.zeros((n, weeks))
    purchases = _rows(
        purchase_lines_to_come().values_list("product_id", "order__expected_date", "quantity", "received_quantity")
    )
    if purchases:
        pids, dates, quantities, received = zip(*purchases, strict=True)
        open_qty = np.array(quantities, dtype=float) - np.array(received, dtype=float)
        _add_cells(receipts, list(zip(pids, dates, np.maximum(open_qty, 0), strict=True)), index, first_week, weeks)
    production = _rows(
        ProductionOrder.objects.filter(status=ProductionOrder.Status.OPEN).values_list(
            "product_id", "due_date", "quantity"
        )
    )
    _add_cells(receipts, production, index, first_week, weeks)

    problem = MrpProblem(
        items=skus.tolist(),  # SKUs: the engine's messages and pegs name them
        lead_time=lead,
        lot_rule=lot_rule.astype(str),
        lot_qty=np.where(lot_rule == "FOQ", lot_qty, 0.0),
        on_hand=on_hand,
        safety_stock=safety.astype(float),
        bom_parent=parent.astype(np.int64),
        bom_component=component.astype(np.int64),
        bom_qty_per=qty_per,
        demand=demand,
        receipts=receipts,
        min_order_qty=min_order_qty,
        order_multiple=order_multiple,
        yield_rate=yield_rate,
    )
    return problem, ids, sources == "make"


def _add_cells(matrix: np.ndarray, cells, index: np.ndarray, first_week: datetime.date, weeks: int) -> None:
    if not len(cells):
        return
    pids, dates, quantities = zip(*cells, strict=True)
    pids = np.array(pids, dtype=np.int64)
    rows = index[np.minimum(pids, len(index) - 1)]
    cols = _week_numbers(dates, first_week, weeks)
    good = (pids < len(index)) & (rows >= 0) & (cols > 0)
    np.add.at(matrix, (rows[good], cols[good] - 1), np.array(quantities, dtype=float)[good])


# --- runs --------------------------------------------------------------------------------------------------
@transaction.atomic
def mrp_run_create(
    *, actor, schedule: MasterSchedule | None = None, weeks: int | None = None, enqueue: bool = True
) -> MrpRun:
    policy = PlanningPolicy.current()
    schedule = schedule or MasterSchedule.objects.order_by("-created_at", "-pk").first()
    this_week = week_start(timezone.localdate())
    first_week = max(schedule.first_week, this_week) if schedule else this_week
    run = MrpRun(
        number=next_number(prefix="MRP"),
        first_week=first_week,
        weeks=weeks or (schedule.weeks if schedule else policy.mrp_weeks),
        schedule=schedule,
        created_by=actor,
    )
    model_create(instance=run, actor=actor)
    if enqueue:
        from salesops.planning.tasks import mrp_run_task

        transaction.on_commit(lambda: mrp_run_task.enqueue(run_id=run.pk))
    return run


def _progress(run_id: int, done: int, total: int) -> None:
    MrpRun.objects.filter(pk=run_id).update(progress_done=done, progress_total=total)


def _decimal(value: float) -> Decimal:
    return Decimal(repr(round(float(value), 3))).quantize(Q3)


def mrp_run_execute(*, run: MrpRun, pegging: bool = True) -> MrpRun:
    """Read, plan, write. Returns the run with status done or failed (and the reason)."""
    started = time.perf_counter()
    MrpRun.objects.filter(pk=run.pk).update(status=JobStatus.RUNNING)
    try:
        timings = mrp_compute_and_store(run=run, pegging=pegging)
    except (MrpInputError, PlanningInputError) as error:
        MrpRun.objects.filter(pk=run.pk).update(
            status=JobStatus.FAILED, message=str(getattr(error, "message", error)), finished_at=timezone.now()
        )
        run.refresh_from_db()
        return run
    MrpRun.objects.filter(pk=run.pk).update(
        status=JobStatus.DONE,
        seconds=round(time.perf_counter() - started, 3),
        finished_at=timezone.now(),
        message="; ".join(f"{k} {v:.2f} s" for k, v in timings.items()),
        timings={step: round(seconds, 3) for step, seconds in timings.items()},
    )
    run.refresh_from_db()
    return run


def mrp_compute_and_store(*, run: MrpRun, pegging: bool = True) -> dict[str, float]:
    timings: dict[str, float] = {}
    clock = time.perf_counter()
    problem, ids, make = load_problem(first_week=run.first_week, weeks=run.weeks, schedule=run.schedule)
    timings["read"] = time.perf_counter() - clock
    n = problem.n_items
    _progress(run.pk, 0, n)
    done = [0]

    def step(count: int) -> None:
        done[0] += count
        _progress(run.pk, done[0], n)

    clock = time.perf_counter()
    result = run_mrp(problem=problem, progress=step)
    timings["engine"] = time.perf_counter() - clock

    clock = time.perf_counter()
    pegs_by_order = None
    if pegging:
        pegs_by_order = _pegging_texts(problem=problem, result=result)
        timings["pegging"] = time.perf_counter() - clock

    clock = time.perf_counter()
    with transaction.atomic():
        # Regenerative: this run's plan replaces the earlier ones. Their open planned orders go
        # (one set-wise DELETE over the run index); converted ones stay with their documents.
        PlannedOrder.objects.filter(
            run_id__in=MrpRun.objects.filter(pk__lte=run.pk).values("pk"), status=PlannedOrder.Status.PLANNED
        ).delete()
        MrpExceptionRow.objects.filter(run=run).delete()
        CapacityLoadRow.objects.filter(run=run).delete()
        planned = result.planned_orders
        count = _insert_planned_orders(
            run=run, planned=planned, ids=ids, make=make, items=problem.items, pegs=pegs_by_order
        )
        id_of = dict(zip(problem.items, ids.tolist(), strict=True))
        exceptions = result.exceptions
        _bulk_insert(
            MrpExceptionRow._meta.db_table,
            ["run_id", "product_id", "kind", "period", "to_period", "quantity", "message"],
            [
                [run.pk] * len(exceptions),
                [id_of[e.item] for e in exceptions],
                [e.kind for e in exceptions],
                [e.period for e in exceptions],
                [e.to_period if e.to_period is None or e.to_period > 0 else 0 for e in exceptions],
                [round(float(e.quantity), 3) for e in exceptions],
                [e.message[:300] for e in exceptions],
            ],
        )
        capacity_rows = _capacity(run=run, result=result, ids=ids)
        CapacityLoadRow.objects.bulk_create(capacity_rows, batch_size=BATCH)
        MrpRun.objects.filter(pk=run.pk).update(n_items=n, n_planned=count, n_exceptions=len(exceptions))
    timings["write"] = time.perf_counter() - clock
    return timings


def _max_rows_per_statement(n_params: int) -> int:
    """Rows per multi-row INSERT: as many as the database's bound-parameter limit allows, at most 1,000."""
    limit = connection.features.max_query_params or 65535
    if connection.vendor == "sqlite":
        import sqlite3

        # the compiled limit (32,766 since SQLite 3.32), not Django's conservative 999
        connection.ensure_connection()
        limit = connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    return max(1, min(1000, limit // max(n_params, 1)))


def _bulk_insert(table: str, columns: list[str], values: list[list], constants: dict[str, str] | None = None) -> int:
    """Insert rows given column-wise (`values[k]` is the list of column k) with multi-row
    INSERT statements, or COPY on PostgreSQL. Returns the number of rows.

    One statement per batch instead of one per row: on SQLite an AUTOINCREMENT table updates
    sqlite_sequence at the end of every statement, which made row-by-row `executemany` cost
    three times the insert itself. The parameters are interleaved into one flat list with
    slice assignments (no tuple per row) and passed to the driver with its own placeholders,
    skipping the wrapper's per-statement placeholder rewrite. `constants` are SQL literals
    (column → literal) written on every row without binding them."""
    constants = constants or {}
    n_rows = len(values[0]) if values else 0
    if n_rows == 0:
        return 0
    quote = connection.ops.quote_name
    names = [quote(c) for c in columns] + [quote(c) for c in constants]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            return _copy_rows(cursor, table, names, values, constants)
    width = len(columns)
    flat: list = [None] * (n_rows * width)
    for k, column in enumerate(values):
        flat[k::width] = column
    mark = "?" if connection.vendor == "sqlite" else "%s"
    per_row = "(" + ", ".join([mark] * width + list(constants.values())) + ")"
    head = f"INSERT INTO {quote(table)} ({', '.join(names)}) VALUES "
    size = _max_rows_per_statement(width)
    full_sql = head + ", ".join([per_row] * size)
    connection.ensure_connection()
    # the driver's own cursor on the same connection (and so in the same transaction)
    cursor = connection.connection.cursor()
    try:
        for start in range(0, n_rows, size):
            count = min(size, n_rows - start)
            sql = full_sql if count == size else head + ", ".join([per_row] * count)
            cursor.execute(sql, flat[start * width : (start + count) * width])
    finally:
        cursor.close()
    return n_rows


def _copy_rows(cursor, table: str, names: list[str], values: list[list], constants: dict[str, str]) -> int:
    """PostgreSQL: COPY into the table (constants are added to every row as their literal text)."""
    quote = connection.ops.quote_name
    extra = tuple(value.strip("'") for value in constants.values())
    with cursor.cursor.copy(f"COPY {quote(table)} ({', '.join(names)}) FROM STDIN") as copy:
        for row in zip(*values, strict=True):
            copy.write_row(row + extra if extra else row)
    return len(values[0])


def _pegging_texts(*, problem, result) -> list[str]:
    """The pegging text of every planned order (in `result.planned_orders` order): the JSON list
    of [source, source item, source week, quantity] that `PlannedOrder.pegs` reads, built from
    the engine's peg arrays with one string per share and one join per order."""
    table = peg_table(problem=problem, result=result)
    names = [json.dumps(code) for code in problem.items] + ["null"]  # index -1 → null
    sources = [json.dumps(source) for source in SOURCES]
    shares = [
        f"[{sources[s]}, {names[i]}, {p if p else 'null'}, {q!r}]"
        for s, i, p, q in zip(
            table.source.tolist(),
            table.source_item.tolist(),
            table.source_period.tolist(),
            np.round(table.quantity, 3).tolist(),
            strict=True,
        )
    ]
    bounds = np.searchsorted(table.order, np.arange(len(result.planned_orders) + 1)).tolist()
    return ["[" + ", ".join(shares[a:b]) + "]" if b > a else "" for a, b in zip(bounds[:-1], bounds[1:], strict=True)]


def _insert_planned_orders(*, run: MrpRun, planned, ids, make, items, pegs) -> int:
    """Planned orders as plain tuples in multi-row INSERTs (COPY on PostgreSQL): at 10^5-10^6
    orders per run, building a model instance and a Decimal per row would cost most of the
    run. The values are the ones the model would store (quantities rounded to its 3 places);
    run, status and (without pegging) the empty pegging text are literals of the statement."""
    weeks = [
        connection.ops.adapt_datefield_value(run.first_week + datetime.timedelta(weeks=k)) for k in range(run.weeks)
    ]
    kinds = np.where(make[planned.item], PlannedOrder.Kind.PRODUCTION.value, PlannedOrder.Kind.PURCHASE.value)
    releases = [weeks[k - 1] for k in planned.release_period.tolist()]
    receipt_periods = planned.receipt_period.tolist()
    receipts = [weeks[k - 1] for k in receipt_periods]
    columns = [
        (ids[planned.item]).tolist(),
        kinds.tolist(),
        releases,
        receipts,
        np.round(planned.quantity, 3).tolist(),
        planned.past_due.tolist(),
    ]
    names = ["product_id", "kind", "release_date", "receipt_date", "quantity", "past_due"]
    constants = {"run_id": str(int(run.pk)), "status": f"'{PlannedOrder.Status.PLANNED.value}'"}
    if pegs is not None:
        columns.append(pegs)
        names.append("pegging")
    else:
        constants["pegging"] = "''"
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA cache_size = -131072")  # 128 MB of page cache for the index pages
    return _bulk_insert(PlannedOrder._meta.db_table, names, columns, constants)


def _capacity(*, run: MrpRun, result, ids) -> list[CapacityLoadRow]:
    steps = list(RoutingStep.objects.values_list("product_id", "work_centre__code", "hours_per_unit"))
    centres = {wc.code: wc for wc in WorkCentre.objects.all()}
    if not centres:
        return []
    sku_of = dict(zip(ids.tolist(), result.items, strict=True))
    routing = [EngineRoutingStep(sku_of[pid], code, float(hours)) for pid, code, hours in steps if pid in sku_of]
    load = rough_cut_capacity(
        result=result, routing=routing, capacity={code: float(wc.hours_per_week) for code, wc in centres.items()}
    )
    rows = []
    for r, code in enumerate(load.work_centres):
        for t in range(result.n_periods):
            rows.append(
                CapacityLoadRow(
                    run_id=run.pk,
                    work_centre_id=centres[code].pk,
                    period=t + 1,
                    load_hours=Decimal(repr(round(float(load.load[r, t]), 2))),
                    capacity_hours=Decimal(repr(round(float(load.capacity[r, t]), 2))),
                )
            )
    return rows


# --- conversion -----------------------------------------------------------------------------------------
@transaction.atomic
def planned_order_convert(*, planned: PlannedOrder, actor, supplier=None) -> PlannedOrder:
    """Planned purchase → purchase order (inventory); planned production → production order."""
    from salesops.inventory.documents import purchase_order_create
    from salesops.inventory.models import Supplier

    planned = PlannedOrder.objects.select_for_update().select_related("product").get(pk=planned.pk)
    if planned.status != PlannedOrder.Status.PLANNED:
        raise AlreadyConverted()
    before = planned.status
    if planned.kind == PlannedOrder.Kind.PURCHASE:
        supplier = supplier or Supplier.objects.filter(active=True).order_by("pk").first()
        if supplier is None:
            raise ValidationFailed(fields={"supplier": [_("Choose a supplier.")]})
        order = purchase_order_create(
            supplier=supplier,
            lines=[(planned.product_id, planned.quantity, planned.product.cost)],
            expected_date=max(planned.receipt_date, timezone.localdate()),
            actor=actor,
        )
        planned.purchase_order = order
    else:
        order = ProductionOrder(
            number=next_number(prefix="MO"),
            product=planned.product,
            quantity=planned.quantity,
            due_date=max(planned.receipt_date, timezone.localdate()),
            created_by=actor,
        )
        model_create(instance=order, actor=actor)
        planned.production_order = order
    planned.status = PlannedOrder.Status.CONVERTED
    planned.save(update_fields=["status", "purchase_order", "production_order"])
    audit_record(
        instance=planned,
        action=AuditEvent.Action.TRANSITION,
        actor=actor,
        changes={"status": [before, planned.status]},
        note=str(order),
    )
    return planned


@transaction.atomic
def planned_purchases_to_drafts(*, actor, planned_ids=None) -> list:
    """Planned purchases (all still planned, or those of `planned_ids`) → draft purchase orders,
    one per preferred supplier and receipt date, in one action. Items without a preferred
    supplier stay planned and are named in the error when nothing could be converted."""
    from salesops.inventory.documents import purchase_order_create
    from salesops.inventory.models import SupplierItem

    planned = PlannedOrder.objects.select_for_update().filter(
        kind=PlannedOrder.Kind.PURCHASE, status=PlannedOrder.Status.PLANNED
    )
    if planned_ids is not None:
        planned = planned.filter(pk__in=list(planned_ids))
    planned = list(planned.select_related("product").order_by("receipt_date", "product__sku"))
    suppliers = {}
    for item in (
        SupplierItem.objects.filter(
            preferred=True, supplier__active=True, product_id__in={p.product_id for p in planned}
        )
        .select_related("supplier")
        .order_by("product_id", "pk")
    ):
        suppliers.setdefault(item.product_id, item)
    groups: dict[tuple, list[PlannedOrder]] = {}
    missing = []
    for order in planned:
        item = suppliers.get(order.product_id)
        if item is None:
            missing.append(order.product.sku)
            continue
        groups.setdefault((item.supplier_id, max(order.receipt_date, timezone.localdate())), []).append(order)
    if not groups:
        if missing:
            raise ValidationFailed(
                _("No preferred supplier for %(skus)s.") % {"skus": ", ".join(sorted(set(missing))[:20])},
                code="no_supplier",
            )
        raise ValidationFailed(_("There are no planned purchases to order."), code="nothing_planned")
    documents = []
    for (_supplier_id, expected), orders in groups.items():
        supplier = suppliers[orders[0].product_id].supplier
        quantities: dict[int, Decimal] = {}
        for order in orders:
            quantities[order.product_id] = quantities.get(order.product_id, Decimal("0")) + order.quantity
        document = purchase_order_create(
            supplier=supplier,
            lines=[(pid, quantity, None) for pid, quantity in quantities.items()],
            expected_date=expected,
            actor=actor,
            note=_("From planned purchases"),
        )
        PlannedOrder.objects.filter(pk__in=[o.pk for o in orders]).update(
            status=PlannedOrder.Status.CONVERTED, purchase_order=document
        )
        for order in orders:
            audit_record(
                instance=order,
                action=AuditEvent.Action.TRANSITION,
                actor=actor,
                changes={"status": [PlannedOrder.Status.PLANNED, PlannedOrder.Status.CONVERTED]},
                note=document.number,
            )
        documents.append(document)
    return documents


def lead_weeks(days: int) -> int:
    return math.ceil(days / 7)
