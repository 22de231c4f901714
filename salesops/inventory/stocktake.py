"""Stocktake (盘点): freeze, count, variance, approval, posting.

How counting while goods keep moving stays correct
--------------------------------------------------
The warehouse is not closed. Freezing takes a *snapshot* of the book quantity and the average
cost of every product in scope (the warehouse, or one product family within it) at the freeze
moment. Counters then count shelf by shelf while receipts and issues continue; each count is
stored with the moment it was entered (`counted_at`).

For each product the book quantity *at the moment it was counted* is

    expected = snapshot + Σ ledger moves of that product in that warehouse with
               frozen_at < move.at ≤ counted_at       (stocktake moves excluded)

and the variance is `counted − expected`. Posting adds exactly that variance to the balance as
a STOCKTAKE move, so every movement after the count (or after the freeze for products counted
later) stays booked once: nothing is lost and nothing is counted twice. A product counted at the
freeze moment simply has expected = snapshot.

Variances are valued at the snapshot's average cost. When the total absolute variance value
reaches the stocktake's approval threshold, posting waits for approval through the approval
engine (document type "stocktake_variance", rule field `variance_amount`); below it, it posts
at once.

Query count: freezing, recording counts and posting each take a fixed number of queries
whatever the number of lines (bulk reads, `executemany` writes), which is what lets a
10,000-line stocktake post in well under five seconds on SQLite.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salesops.catalog.models import Product, ProductFamily
from salesops.core import bounds
from salesops.core.audit import audit_record, model_create
from salesops.core.exceptions import ValidationFailed
from salesops.core.models import AuditEvent
from salesops.core.numbering import next_number
from salesops.core.state import StateMachine
from salesops.inventory.bulk import insert_many, update_many
from salesops.inventory.models import StockBalance, StockMove, Stocktake, StocktakeLine, Warehouse
from salesops.inventory.services import Reference, stock_adjust

DOC_TYPE = "stocktake_variance"
S = Stocktake.Status
STATES = StateMachine(
    {
        S.COUNTING: {S.PENDING, S.POSTED, S.CANCELLED},
        S.PENDING: {S.APPROVED, S.REJECTED, S.COUNTING},
        S.APPROVED: {S.POSTED},
        S.REJECTED: {S.COUNTING, S.CANCELLED},
    }
)


def _set_status(stocktake: Stocktake, status: str, actor=None, note: str = "", fields=()) -> None:
    STATES.check(stocktake.status, status)
    before = stocktake.status
    stocktake.status = status
    stocktake.save(update_fields=["status", *fields])
    audit_record(
        instance=stocktake,
        action=AuditEvent.Action.TRANSITION,
        actor=actor,
        changes={"status": [before, status]},
        note=note,
    )


@transaction.atomic
def stocktake_freeze(
    *,
    warehouse: Warehouse,
    actor,
    family: ProductFamily | None = None,
    approval_threshold: Decimal | None = None,
    at=None,
) -> Stocktake:
    """Snapshot the book quantities of the warehouse (or a family within it)."""
    moment = at or timezone.now()
    stocktake = Stocktake(
        number=next_number(prefix="ST"), warehouse=warehouse, family=family, frozen_at=moment, created_by=actor
    )
    if approval_threshold is not None:
        stocktake.approval_threshold = Decimal(approval_threshold)
    model_create(instance=stocktake, actor=actor)
    balances = StockBalance.objects.filter(warehouse=warehouse)
    if family is not None:
        balances = balances.filter(product__family__path__startswith=family.path)
    # Lock the balances while reading them so the snapshot matches one instant of the ledger.
    rows = list(balances.select_for_update().order_by("pk").values_list("product_id", "on_hand", "avg_cost"))
    insert_many(
        StocktakeLine,
        [
            StocktakeLine(stocktake=stocktake, product_id=pid, snapshot_quantity=qty, unit_cost=cost)
            for pid, qty, cost in rows
            if qty != 0
        ],
        [
            "stocktake",
            "product",
            "snapshot_quantity",
            "unit_cost",
            "counted_quantity",
            "counted_at",
            "moved_quantity",
            "variance",
        ],
    )
    return stocktake


@transaction.atomic
def stocktake_record_counts(*, stocktake: Stocktake, counts: dict, actor, counted_at=None) -> int:
    """Enter counts: {product id or SKU: counted quantity}. A product not on the sheet (found
    goods) gets a line with the book quantity it had at the freeze. Returns lines recorded."""
    stocktake = Stocktake.objects.select_for_update().get(pk=stocktake.pk)
    if stocktake.status != S.COUNTING:
        raise ValidationFailed(_("Counts can only be entered while counting."))
    moment = counted_at or timezone.now()
    by_sku = {str(k) for k in counts if not isinstance(k, int) and not str(k).isdigit()}
    skus = dict(Product.objects.filter(sku__in=by_sku).values_list("sku", "pk")) if by_sku else {}
    clean: dict[int, Decimal] = {}
    unknown = []
    for key, value in counts.items():
        pid = skus.get(str(key)) if str(key) in by_sku else int(key)
        if pid is None:
            unknown.append(str(key))
            continue
        quantity = bounds.clean_input(StocktakeLine, "counted_quantity", value, field="counts")
        clean[pid] = quantity
    if unknown:
        raise ValidationFailed(fields={"counts": [_("Unknown SKU: %(skus)s") % {"skus": ", ".join(unknown[:10])}]})
    lines = {line.product_id: line for line in stocktake.lines.filter(product_id__in=list(clean))}
    missing = [pid for pid in clean if pid not in lines]
    if missing:
        _add_found_lines(stocktake, missing)
        lines = {line.product_id: line for line in stocktake.lines.filter(product_id__in=list(clean))}
    for pid, quantity in clean.items():
        lines[pid].counted_quantity = quantity
        lines[pid].counted_at = moment
    update_many(StocktakeLine, list(lines.values()), ["counted_quantity", "counted_at"])
    audit_record(
        instance=stocktake, action=AuditEvent.Action.UPDATE, actor=actor, changes={"counted_lines": [None, len(clean)]}
    )
    return len(clean)


def _add_found_lines(stocktake: Stocktake, product_ids: list[int]) -> None:
    """Book quantity at the freeze from the ledger (the balance may have moved since)."""
    if stocktake.family_id:
        outside = Product.objects.filter(pk__in=product_ids).exclude(family__path__startswith=stocktake.family.path)
        if outside.exists():
            raise ValidationFailed(
                fields={"counts": [_("%(sku)s is not in the family being counted.") % {"sku": outside.first().sku}]}
            )
    totals: dict[int, Decimal] = defaultdict(Decimal)
    for pid, quantity in StockMove.objects.filter(
        warehouse=stocktake.warehouse, product_id__in=product_ids, at__lte=stocktake.frozen_at
    ).values_list("product_id", "quantity"):
        totals[pid] += quantity
    costs = dict(
        StockBalance.objects.filter(warehouse=stocktake.warehouse, product_id__in=product_ids).values_list(
            "product_id", "avg_cost"
        )
    )
    insert_many(
        StocktakeLine,
        [
            StocktakeLine(
                stocktake=stocktake,
                product_id=pid,
                snapshot_quantity=totals[pid],
                unit_cost=costs.get(pid, Decimal("0")),
            )
            for pid in product_ids
        ],
        [
            "stocktake",
            "product",
            "snapshot_quantity",
            "unit_cost",
            "counted_quantity",
            "counted_at",
            "moved_quantity",
            "variance",
        ],
    )


def compute_variances(stocktake: Stocktake, lines: list[StocktakeLine]) -> list[StocktakeLine]:
    """Fill moved_quantity and variance of the counted lines (see the module docstring)."""
    moves = (
        StockMove.objects.filter(warehouse_id=stocktake.warehouse_id, at__gt=stocktake.frozen_at)
        .exclude(kind=StockMove.Kind.STOCKTAKE)
        .values_list("product_id", "quantity", "at")
    )
    by_product: dict[int, list] = defaultdict(list)
    for pid, quantity, at in moves.iterator(chunk_size=5000):
        by_product[pid].append((at, quantity))
    for line in lines:
        if line.counted_quantity is None:
            line.moved_quantity = Decimal("0")
            line.variance = Decimal("0")
            continue
        line.moved_quantity = sum(
            (q for at, q in by_product.get(line.product_id, ()) if at <= line.counted_at), Decimal("0")
        )
        line.variance = line.counted_quantity - line.snapshot_quantity - line.moved_quantity
    return lines


def variance_value(lines) -> Decimal:
    return sum((abs(line.variance * line.unit_cost) for line in lines), Decimal("0")).quantize(Decimal("0.01"))


def stocktake_variance_type():
    from salesops.approvals.registry import DocumentType
    from salesops.inventory.approval_facts import StocktakeFacts

    return DocumentType(
        key=DOC_TYPE,
        label=gettext_lazy("Stocktake variance"),
        model=Stocktake,
        fields={
            "variance_amount": gettext_lazy("Variance value (absolute)"),
            "lines_with_variance": gettext_lazy("Lines with a variance"),
        },
        values=lambda st: {
            "variance_amount": variance_value(st.lines.all()),
            "lines_with_variance": st.lines.exclude(variance=0).count(),
        },
        summary=lambda st: {
            "number": st.number,
            "warehouse": st.warehouse.name,
            "family": st.family.name if st.family_id else "",
            "variance_amount": str(variance_value(st.lines.all())),
            "lines": [
                f"{line.product.sku}: {line.variance.normalize():f}"
                for line in st.lines.exclude(variance=0).select_related("product")[:50]
            ],
        },
        requester=lambda st: st.created_by,
        title=lambda st: (
            _("Stocktake %(number)s · %(warehouse)s") % {"number": st.number, "warehouse": st.warehouse.name}
        ),
        on_approved=lambda st, request: _approved(st),
        on_rejected=lambda st, request: _set_status(st, S.REJECTED),
        on_returned=lambda st, request: _set_status(st, S.COUNTING),
        on_cancelled=lambda st, request: _set_status(st, S.COUNTING) if st.status == S.PENDING else None,
        url=lambda st: reverse("stocktake-detail", args=[st.pk]),
        facts=StocktakeFacts,
    )


def _approved(stocktake: Stocktake) -> None:
    _set_status(stocktake, S.APPROVED)
    _post(stocktake, actor=None)


@transaction.atomic
def stocktake_submit(*, stocktake: Stocktake, actor, allow_uncounted: bool = False) -> Stocktake:
    """Compute the variances; post at once below the approval threshold, otherwise send them
    for approval (posting follows the approval)."""
    from salesops.approvals.services import approval_submit

    stocktake = Stocktake.objects.select_for_update().select_related("warehouse").get(pk=stocktake.pk)
    if stocktake.status != S.COUNTING:
        raise ValidationFailed(_("Only a stocktake being counted can be submitted."))
    lines = list(stocktake.lines.all())
    uncounted = sum(1 for line in lines if line.counted_quantity is None)
    if uncounted and not allow_uncounted:
        raise ValidationFailed(
            _("%(n)d lines are not counted yet. Count them, or submit explicitly leaving them unchanged.")
            % {"n": uncounted},
            code="stocktake_uncounted",
        )
    compute_variances(stocktake, lines)
    update_many(StocktakeLine, lines, ["moved_quantity", "variance"])
    if variance_value(lines) >= stocktake.approval_threshold:
        request = approval_submit(document=stocktake, doc_type=DOC_TYPE, actor=actor)
        if request is not None:
            _set_status(stocktake, S.PENDING, actor)
            return stocktake
    _post(stocktake, actor=actor, lines=lines)
    return stocktake


def _post(stocktake: Stocktake, *, actor, lines: list[StocktakeLine] | None = None) -> None:
    lines = lines if lines is not None else list(stocktake.lines.all())
    deltas = {line.product_id: line.variance for line in lines if line.variance}
    stock_adjust(
        warehouse=stocktake.warehouse,
        deltas=deltas,
        reference=Reference("stocktake", stocktake.pk, stocktake.number),
        actor=actor,
        kind=StockMove.Kind.STOCKTAKE,
    )
    stocktake.posted_at = timezone.now()
    _set_status(stocktake, S.POSTED, actor, fields=["posted_at"])


@transaction.atomic
def stocktake_cancel(*, stocktake: Stocktake, actor) -> Stocktake:
    stocktake = Stocktake.objects.select_for_update().get(pk=stocktake.pk)
    _set_status(stocktake, S.CANCELLED, actor)
    return stocktake


@transaction.atomic
def stocktake_reopen(*, stocktake: Stocktake, actor) -> Stocktake:
    """After a rejection: count again."""
    stocktake = Stocktake.objects.select_for_update().get(pk=stocktake.pk)
    _set_status(stocktake, S.COUNTING, actor)
    return stocktake
