"""Two years of sales documents for the demo customers, made through the sales services.

Seasonality: a peak in the weeks before the Spring Festival, a dip in summer. Orders are
submitted first (credit decided against each customer's credit file, stock reserved), then
shipped and invoiced back-dated, so that the credit demo (ORDER 50) can record the payments
and leave some invoices overdue. Cash sales are taken by the cashier with their money: the
receipt is written with the order, and the invoice is paid by it when issued. Recent orders
stay open; some wait for over-limit approval; some are partly delivered. Customers without a credit file buy for cash.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from salesops.catalog.models import Product
from salesops.core.exceptions import ApplicationError
from salesops.crm.models import Customer
from salesops.inventory.models import Warehouse
from salesops.sales import services
from salesops.sales.models import SalesOrder

ORDER = 45
TARGET_ORDERS = 400  # each order runs the full services (~60 queries): keeps the step well under a minute
# relative order volume per month (Jan … Dec): Spring Festival peak in Jan/Feb, summer dip
SEASON = [1.6, 1.4, 0.9, 0.9, 0.9, 0.7, 0.6, 0.6, 0.9, 1.0, 1.1, 1.4]

FALLBACK_PRODUCTS = [
    ("FL-001", "特一粉 25kg", "110.00"),
    ("FL-002", "特二粉 25kg", "98.00"),
    ("FL-003", "高筋面粉 25kg", "125.00"),
    ("FL-004", "低筋面粉 25kg", "118.00"),
    ("FL-005", "全麦粉 10kg", "68.00"),
    ("FL-006", "饺子粉 5kg", "32.00"),
    ("FL-007", "面包粉 5kg", "36.00"),
    ("FL-008", "麸皮 40kg", "55.00"),
]


def _products(ctx, admin) -> list[Product]:
    products = list(Product.objects.filter(active=True, status=Product.Status.APPROVED, list_price__gt=0)[:40])
    if products:
        return products
    from salesops.catalog.services import product_create, product_set_status

    for sku, name, price in FALLBACK_PRODUCTS:
        product = product_create(sku=sku, name=name, list_price=Decimal(price), unit="袋", actor=admin)
        product_set_status(product=product, status=Product.Status.APPROVED, actor=admin)
    return list(Product.objects.filter(sku__in=[p[0] for p in FALLBACK_PRODUCTS]))


def _warehouse(admin) -> Warehouse:
    # the mill's main warehouse ships to the customers (the inventory demo's production lands there)
    warehouse = Warehouse.objects.filter(code="MAIN", active=True).first() or services.default_warehouse()
    if warehouse is None:
        from salesops.core.audit import model_create

        warehouse = model_create(instance=Warehouse(code="WH-MAIN", name="成品库"), actor=admin)
    return warehouse


def _order_days(ctx, rng, start: datetime.date, end: datetime.date) -> list[datetime.date]:
    days = []
    span = (end - start).days
    weights = [SEASON[(start + datetime.timedelta(days=i)).month - 1] for i in range(span)]
    total = sum(weights)
    for i, weight in enumerate(weights):
        expected = TARGET_ORDERS * weight / total
        count = int(expected) + (1 if rng.random() < expected - int(expected) else 0)
        days += [start + datetime.timedelta(days=i)] * count
    return days


# quantities a wholesale customer orders of one product, by its pack: bags of 25 kg by the tens, the
# small packs by the carton (24 bags of 1 kg or noodles, 12 bottles, 4 cans of 5 L), gift boxes by six
ORDER_QUANTITIES = [
    (("-25KG",), (), [30, 60, 90, 120, 180]),
    (("-5KG",), (), [40, 80, 120, 160, 240]),
    (("-1KG",), ("NO-", "NP-01"), [48, 96, 144, 240]),
    (("-5L",), (), [20, 40, 60, 80]),
    (("-500",), ("SE-",), [36, 72, 120, 180]),
    ((), ("GB-", "NP-03"), [6, 12, 24, 36]),
]
DEFAULT_QUANTITIES = [1, 2, 3, 5, 8, 10, 20]


def _quantities(sku: str) -> list[int]:
    for endings, prefixes, quantities in ORDER_QUANTITIES:
        if (endings and sku.endswith(endings)) or (prefixes and sku.startswith(prefixes)):
            return quantities
    return DEFAULT_QUANTITIES


def _order_quantity(rng, sku: str) -> Decimal:
    return Decimal(rng.choice(_quantities(sku)))


def plan_orders(ctx, rng, *, customers, products, start: datetime.date, end: datetime.date) -> list[dict]:
    """Every demo order decided up front (day, customer, lines), so that the goods can be made for it."""
    plan = []
    deck: list = []  # the range dealt out in turn: every product is ordered every few weeks
    for day in _order_days(ctx, rng, start, end):
        customer = rng.choice(customers)
        lines = []
        chosen: list = []
        for _k in range(min(len(products), rng.randint(1, 5))):
            if not deck:
                deck = rng.sample(products, k=len(products))
            product = deck.pop()
            if product in chosen:  # the deck ran out mid-order and the new one began with it
                deck.insert(0, product)
                continue
            chosen.append(product)
        for product in chosen:
            quantity = _order_quantity(rng, product.sku)
            price = product.list_price
            if rng.random() < 0.2:
                price = (price * Decimal(rng.choice(["0.97", "0.96", "0.95"]))).quantize(Decimal("0.01"))
            lines.append({"product": product, "quantity": quantity, "unit_price": price})
        plan.append({"day": day, "customer": customer, "lines": lines, "credit_draw": rng.random()})
    return plan


def build(ctx):
    rng = ctx.rng("sales-orders")
    admin = ctx.user("admin")
    warehouse_user = ctx.user("warehouse")
    finance = ctx.user("finance")
    products = _products(ctx, admin)
    warehouse = _warehouse(admin)
    customers = list(
        Customer.objects.filter(status__in=["active", "dormant"]).select_related("owner", "credit_file").order_by("pk")
    )
    if not customers or not products:
        ctx.say("sales: no customers or products, skipped")
        return
    today = ctx.today
    start = today - datetime.timedelta(days=730)
    plan = plan_orders(ctx, rng, customers=customers, products=products, start=start, end=today)
    # the goods for these orders are made (or bought) month by month, sized to them (inventory's demo)
    from salesops.inventory.demo import production_for_sales

    production_for_sales(
        ctx,
        warehouse=warehouse,
        demand=[(order["day"], line["product"], line["quantity"]) for order in plan for line in order["lines"]],
    )
    limits = {}
    for customer in customers:
        credit = getattr(customer, "credit_file", None) if hasattr(customer, "credit_file") else None
        limits[customer.pk] = credit.limit if credit is not None and credit.active else None
    budget = {pk: (limit * Decimal("0.85") if limit else None) for pk, limit in limits.items()}
    made = []
    for order in plan:
        day, customer, lines = order["day"], order["customer"], order["lines"]
        rep = customer.owner
        payment = "credit" if limits[customer.pk] and order["credit_draw"] < 0.85 else "cash"
        amount = sum(line["quantity"] * line["unit_price"] for line in lines)
        recent = (today - day).days < 20
        if payment == "credit" and not recent:
            # history stays within the limit; recent orders may go over it (and wait for approval)
            if budget[customer.pk] is None or amount > budget[customer.pk]:
                payment = "cash"
            else:
                budget[customer.pk] -= amount
        try:
            order = services.order_create(
                actor=rep, customer=customer, payment=payment, lines=lines, warehouse=warehouse, order_date=day
            )
            at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9 + rng.randint(0, 8))))
            if payment == "cash":
                # a cash sale: the cashier takes the money with the order, its receipt in the same transaction
                method = rng.choice(["cash", "bank_transfer"])
                services.order_submit(order=order, actor=finance, at=at, payment={"method": method, "received_on": day})
            else:
                services.order_submit(order=order, actor=rep, at=at)
        except ApplicationError as error:
            ctx.say(f"sales: order skipped ({error.code})")
            continue
        made.append((order, day))
    delivered = invoiced = 0
    for order, day in made:
        order.refresh_from_db(fields=["status"])
        if order.status != SalesOrder.Status.CONFIRMED:
            continue
        age = (today - day).days
        if age < 2 and rng.random() < 0.7:
            continue  # still to ship
        shipped_at = timezone.make_aware(
            datetime.datetime.combine(day + datetime.timedelta(days=rng.choice([0, 1])), datetime.time(15))
        )
        quantities = None
        if age < 25 and rng.random() < 0.3:
            line = order.lines.first()
            if line.quantity > 1:
                quantities = {line.pk: (line.quantity / 2).quantize(Decimal("1"))}
        try:
            delivery = services.delivery_issue(
                order=order,
                actor=warehouse_user,
                quantities=quantities,
                picked_up_by=rng.choice(["王师傅", "李师傅", "客户自提", "顺丰物流"]),
                at=shipped_at,
            )
        except ApplicationError as error:  # e.g. no lot that may be issued on that day: still to ship
            ctx.say(f"sales: delivery of {order.number} skipped ({error.code})")
            continue
        delivered += 1
        if age > 3:
            if rng.random() < 0.3:
                services.delivery_confirm(
                    delivery=delivery, actor=warehouse_user, received_by="客户签收", at=shipped_at
                )
            services.invoice_create(
                deliveries=[delivery],
                actor=finance,
                issue_date=min(today, shipped_at.date() + datetime.timedelta(days=1)),
            )
            invoiced += 1
    ctx.say(f"sales: {len(made)} orders, {delivered} deliveries, {invoiced} invoices")
    # Payments of these invoices (late payers, overdue accounts, statements, escalations): credit area.
    from salesops.credit.demo import credit_demo_payments

    credit_demo_payments(ctx)
