"""Reads of the sales documents, scoped by core.visibility: a rep sees their own, a supervisor
or manager their unit's, company-wide roles everything. The warehouse sees orders and
deliveries (to ship them) but not quotes and contracts."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils import timezone

from salesops.core.roles import COMPANY_WIDE_SALES_ROLES, Role
from salesops.core.visibility import visible_to
from salesops.credit.selectors import CreditSummary
from salesops.sales.models import Contract, ContractChange, Delivery, Invoice, Quote, SalesOrder, SalesReturn

SHIPPING_ROLES = frozenset(COMPANY_WIDE_SALES_ROLES | {Role.WAREHOUSE})


def order_list_for_user(*, user) -> QuerySet[SalesOrder]:
    return visible_to(
        SalesOrder.objects.select_related("customer", "rep", "team", "warehouse"),
        user,
        owner_field="rep",
        unit_field="team",
        company_wide_roles=SHIPPING_ROLES,
    )


def order_get_for_user(*, user, pk) -> SalesOrder:
    return order_list_for_user(user=user).get(pk=pk)


def orders_to_ship(*, user) -> QuerySet[SalesOrder]:
    return (
        order_list_for_user(user=user)
        .filter(status__in=[SalesOrder.Status.CONFIRMED, SalesOrder.Status.PARTIALLY_DELIVERED])
        .order_by("confirmed_at", "pk")
    )


def late_orders(*, user, now=None) -> QuerySet[SalesOrder]:
    """Confirmed more than 24 h ago and not fully delivered."""
    return orders_to_ship(user=user).filter(delivery_due_at__lt=now or timezone.now())


# --- the ship list and the pick list -------------------------------------------------------------
SHIP_LIST_LIMIT = 200


@dataclass
class PickLot:
    """What first-expiry-first-out picking would take of one lot for a line (or a product)."""

    lot: object  # inventory.Lot
    quantity: Decimal


@dataclass
class ShipLine:
    """An order line still to ship: its open quantity and, for a lot-tracked product, the lots
    an issue would take now (`short`: what the lots that may be picked do not cover)."""

    order: SalesOrder
    line: object  # OrderLine, with its product
    quantity: Decimal
    lots: list[PickLot]
    short: Decimal = Decimal("0")

    @property
    def product(self):
        return self.line.product


@dataclass
class PickProduct:
    product: object
    quantity: Decimal
    lots: list[PickLot]
    short: Decimal
    lines: list[ShipLine]


@dataclass
class PickWarehouse:
    warehouse: object
    orders: list[SalesOrder]
    products: list[PickProduct]


def ship_list(*, user, warehouse_id: int | None = None, order_ids=None, limit: int | None = SHIP_LIST_LIMIT):
    """The orders to ship (scoped like `orders_to_ship`), oldest confirmed first, each with
    `ship_lines`: its open lines and the lots first-expiry-first-out picking would take. The
    lots are shared out in the list's order, so two orders of one product in one warehouse do
    not both count on the same lot, and around what the lots reserved. The same few queries
    whatever the number of orders."""
    from django.db.models import Prefetch

    from salesops.sales.models import OrderLine

    orders = orders_to_ship(user=user)
    if warehouse_id is not None:
        orders = orders.filter(warehouse_id=warehouse_id)
    if order_ids is not None:
        orders = orders.filter(pk__in=list(order_ids))
    orders = orders.prefetch_related(
        Prefetch("lines", queryset=OrderLine.objects.select_related("product").order_by("position", "pk"))
    )
    orders = list(orders[:limit] if limit else orders)
    for order in orders:
        order.ship_lines = [
            ShipLine(order=order, line=line, quantity=line.open_quantity, lots=[])
            for line in order.lines.all()
            if line.open_quantity > 0
        ]
    _plan_lots([ship for order in orders for ship in order.ship_lines])
    return orders


def _plan_lots(lines: list[ShipLine]) -> None:
    """Fill in the lots an issue of these lines would take, in the inventory's own order
    (`inventory.lots`: first expiry first, lots without expiry last, then by production date;
    expired lots are never picked unless the line names its lot; a line without a lot leaves
    what lots promised to orders' lines that name them). Reads, locks nothing."""
    from salesops.core.selectors import company_date
    from salesops.inventory.lots import Promised, fefo_key, pickable, share_out
    from salesops.inventory.models import LotBalance
    from salesops.sales.services import order_reference

    tracked = [ship for ship in lines if ship.product.lot_tracked]
    if not tracked:
        return
    balances = LotBalance.objects.filter(
        warehouse_id__in={ship.order.warehouse_id for ship in tracked},
        product_id__in={ship.line.product_id for ship in tracked},
        on_hand__gt=0,
    ).select_related("lot")
    left: dict[int, Decimal] = {}  # what is still free of each balance as the list is shared out
    by_place: dict[tuple[int, int], list] = defaultdict(list)
    for balance in sorted(balances, key=fefo_key):
        left[balance.pk] = balance.on_hand
        by_place[(balance.warehouse_id, balance.product_id)].append(balance)
    today = company_date()
    promises = Promised(balances)
    for ship in tracked:
        lot_id = getattr(ship.line, "lot_id", None)  # a line sold from one lot takes that lot
        candidates = pickable(by_place[(ship.order.warehouse_id, ship.line.product_id)], lot_id=lot_id, today=today)
        if lot_id is None:
            shares, need = share_out(candidates, ship.quantity, left, promises.kept)
        else:
            shares, need = share_out(candidates, ship.quantity, left)
            promises.use(shares, order_reference(ship.order))
        ship.lots.extend(PickLot(lot=balance.lot, quantity=use) for balance, use in shares)
        ship.short = max(need, Decimal("0"))


def pick_list(orders) -> list[PickWarehouse]:
    """The orders of `ship_list` as a pick list: per warehouse, per product (by SKU) the total
    to pick with the lots to take, then each order's part."""
    places: dict[int, PickWarehouse] = {}
    products: dict[tuple[int, int], PickProduct] = {}
    for order in orders:
        place = places.get(order.warehouse_id)
        if place is None:
            place = places[order.warehouse_id] = PickWarehouse(warehouse=order.warehouse, orders=[], products=[])
        if order.ship_lines:
            place.orders.append(order)
        for ship in order.ship_lines:
            key = (order.warehouse_id, ship.line.product_id)
            item = products.get(key)
            if item is None:
                item = products[key] = PickProduct(
                    product=ship.product, quantity=Decimal("0"), lots=[], short=Decimal("0"), lines=[]
                )
                place.products.append(item)
            item.quantity += ship.quantity
            item.short += ship.short
            item.lines.append(ship)
            for taken in ship.lots:
                same = next((lot for lot in item.lots if lot.lot.pk == taken.lot.pk), None)
                if same is None:
                    item.lots.append(PickLot(lot=taken.lot, quantity=taken.quantity))
                else:
                    same.quantity += taken.quantity
    for place in places.values():
        place.products.sort(key=lambda item: item.product.sku)  # the lots stay in the order they are taken
    return sorted((place for place in places.values() if place.products), key=lambda place: place.warehouse.code)


def ship_warehouses(*, user):
    """The warehouses that have orders to ship (the chips of the ship list)."""
    from salesops.inventory.models import Warehouse

    return Warehouse.objects.filter(pk__in=orders_to_ship(user=user).values("warehouse_id")).order_by("code")


def quote_list_for_user(*, user) -> QuerySet[Quote]:
    return visible_to(Quote.objects.select_related("customer", "rep", "team"), user, owner_field="rep")


def quote_opportunity(*, user, quote: Quote):
    """The opportunity a quote answers, when the reader may see it (None otherwise)."""
    if not quote.opportunity_id:
        return None
    from salesops.crm.selectors import opportunity_list_for_user

    return opportunity_list_for_user(user=user).filter(pk=quote.opportunity_id).first()


def quotes_for_opportunity(*, user, opportunity) -> QuerySet[Quote]:
    """The quotes made for an opportunity that the reader may see, newest first."""
    return quote_list_for_user(user=user).filter(opportunity=opportunity).order_by("-quote_date", "-pk")


def contract_list_for_user(*, user) -> QuerySet[Contract]:
    return visible_to(Contract.objects.select_related("customer", "rep", "team"), user, owner_field="rep")


def contract_change_list_for_user(*, user) -> QuerySet[ContractChange]:
    return ContractChange.objects.filter(contract__in=contract_list_for_user(user=user)).select_related(
        "contract__customer", "requested_by"
    )


# orders that a change of their contract could still concern: not delivered, closed or stopped
OPEN_ORDER_STATES = (
    SalesOrder.Status.DRAFT,
    SalesOrder.Status.PENDING_APPROVAL,
    SalesOrder.Status.PENDING_PAYMENT,
    SalesOrder.Status.CONFIRMED,
    SalesOrder.Status.PARTIALLY_DELIVERED,
)


def contract_open_orders(*, contract) -> QuerySet[SalesOrder]:
    """The contract's orders still open. Read with the contract (whoever sees the contract
    sees which orders it has)."""
    return contract.orders.filter(status__in=OPEN_ORDER_STATES).order_by("order_date", "pk")


def delivery_list_for_user(*, user) -> QuerySet[Delivery]:
    return visible_to(
        Delivery.objects.select_related("order", "order__customer", "warehouse", "issued_by"),
        user,
        owner_field="order__rep",
        unit_field="order__team",
        company_wide_roles=SHIPPING_ROLES,
    )


def invoice_list_for_user(*, user) -> QuerySet[Invoice]:
    return visible_to(Invoice.objects.select_related("customer", "rep", "team", "order"), user, owner_field="rep")


def return_list_for_user(*, user) -> QuerySet[SalesReturn]:
    return visible_to(
        SalesReturn.objects.select_related("order", "order__customer"),
        user,
        owner_field="order__rep",
        unit_field="order__team",
    )


def rep_open_invoices(*, user) -> QuerySet[Invoice]:
    """终身负责制: the open invoices of what this rep sold on credit, oldest due first."""
    return (
        Invoice.objects.filter(rep=user, status=Invoice.Status.OPEN, kind=Invoice.Kind.INVOICE)
        .select_related("customer")
        .annotate(open_value=F("total") - F("paid_amount"))
        .order_by("due_date", "pk")
    )


def daily_sales_feed(*, date_from: datetime.date, date_to: datetime.date, rep_ids=None) -> list[dict]:
    """Per rep and day: orders taken (count, amount; submitted orders by order date) and
    invoices issued (count, amount). The daily report reads these instead of typing them."""
    taken = SalesOrder.objects.filter(order_date__range=(date_from, date_to)).exclude(
        status__in=[SalesOrder.Status.DRAFT, SalesOrder.Status.CANCELLED, SalesOrder.Status.REJECTED]
    )
    invoiced = Invoice.objects.filter(issue_date__range=(date_from, date_to), kind=Invoice.Kind.INVOICE)
    if rep_ids is not None:
        taken = taken.filter(rep_id__in=list(rep_ids))
        invoiced = invoiced.filter(rep_id__in=list(rep_ids))
    rows: dict[tuple, dict] = defaultdict(
        lambda: {
            "orders_count": 0,
            "orders_amount": Decimal("0"),
            "invoices_count": 0,
            "invoices_amount": Decimal("0"),
        }
    )
    for row in taken.values("rep_id", "order_date").annotate(n=Count("id"), amount=Sum("total")):
        entry = rows[(row["rep_id"], row["order_date"])]
        entry["orders_count"], entry["orders_amount"] = row["n"], row["amount"] or Decimal("0")
    for row in invoiced.values("rep_id", "issue_date").annotate(n=Count("id"), amount=Sum("total")):
        entry = rows[(row["rep_id"], row["issue_date"])]
        entry["invoices_count"], entry["invoices_amount"] = row["n"], row["amount"] or Decimal("0")
    return [{"rep_id": rep, "date": day, **values} for (rep, day), values in sorted(rows.items())]


def customer_orders(*, user, customer) -> QuerySet[SalesOrder]:
    return order_list_for_user(user=user).filter(customer=customer)


def customer_balance(*, customer) -> dict:
    open_invoices = Invoice.objects.filter(customer=customer, status=Invoice.Status.OPEN)
    today = timezone.localdate()
    totals = open_invoices.aggregate(
        open=Sum(F("total") - F("paid_amount")),
        overdue=Sum(F("total") - F("paid_amount"), filter=Q(due_date__lt=today)),
    )
    return {
        "open": totals["open"] or Decimal("0"),
        "overdue": totals["overdue"] or Decimal("0"),
        "invoices": open_invoices.order_by("due_date")[:10],
    }


# --- credit at the point of sale --------------------------------------------------------------------
@dataclass(frozen=True)
class CreditOutlook:
    """A customer's credit figures and what submitting an order of `amount` would meet.

    `outcome`: "within_limit", "over_limit", "overdue", "credit_blocked" (the credit decision's
    reasons), "no_file" (a credit order is refused), "cash" (no credit decision: the order
    waits for its money) or "" (no amount yet). `excess`: what the order takes above the
    limit."""

    summary: CreditSummary
    amount: Decimal
    payment: str
    outcome: str
    excess: Decimal

    @property
    def available_after(self) -> Decimal:
        return self.summary.available - self.amount

    @property
    def needs_decision(self) -> bool:
        return self.outcome in ("over_limit", "overdue", "credit_blocked", "no_file")


def order_credit_outlook(*, customer, amount: Decimal, payment: str, order_id: int | None = None) -> CreditOutlook:
    """What the credit decision would say of an order of `amount` for `customer` if it were
    submitted now. The caller has checked that the reader may see the customer.

    The outcome comes from the decision itself (`credit_check_for_order`, on an unsaved order
    carrying the amount), so the form says exactly what the submit will decide. The decision
    reads the credit file under its row lock (SELECT … FOR UPDATE), which PostgreSQL takes
    only inside a transaction: there it runs in a short one of its own that writes nothing.
    SQLite has no row locks (its writers queue on the IMMEDIATE transaction instead), so there
    the preview reads without opening a transaction, as any page does."""
    from contextlib import nullcontext

    from django.db import connection, transaction

    from salesops.credit.exceptions import CreditFileMissing
    from salesops.credit.selectors import credit_summary_for_customer
    from salesops.credit.services import credit_check_for_order

    summary = credit_summary_for_customer(customer=customer)
    amount = Decimal(amount)
    outcome, excess = "", Decimal("0.00")
    if payment == SalesOrder.Payment.CASH:
        outcome = "cash" if amount > 0 else ""
    elif amount > 0:
        probe = SalesOrder(pk=order_id, customer_id=customer.pk, total=amount, payment=payment)
        try:
            with transaction.atomic() if connection.features.has_select_for_update else nullcontext():
                decision = credit_check_for_order(order=probe)
        except CreditFileMissing:
            outcome = "no_file"
        else:
            outcome, excess = decision.reason, decision.excess
    return CreditOutlook(summary=summary, amount=amount, payment=payment, outcome=outcome, excess=excess)
