"""Writes of the sales documents: quotes, contracts and their changes, orders, deliveries,
invoices, returns and cancellations.

Every function is one transaction. Lines are written with bulk operations and the stock
services work on all lines at once, so the number of queries of a service does not grow
with the number of lines.

Order submit (`order_submit`) locks the order row, then (credit sales) the customer's credit
file through `credit_check_for_order`, then the stock balances: parallel submits for one
customer are decided one after the other and never together exceed the limit.

Money to the cent: each order line keeps the value delivered, invoiced, returned and
cancelled; the last part of a line takes what is left of the line's amount, so the parts
always add up to the whole.

VAT: a line's tax is rounded to the cent on the line (`line_tax`); amounts and totals are
tax-inclusive. Tax-inclusive prices carry the tax inside (tax = amount × r / (100 + r));
tax-exclusive prices get it on top (tax = amount × r / 100, amount + tax). An invoice or credit
note line taking a whole order line takes that line's tax; a part is taxed on its own value.
"""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from salesops.catalog.models import Product
from salesops.catalog.selectors import prices_for
from salesops.core import bounds, formatting
from salesops.core.audit import audit_record, field_values, model_create, model_update
from salesops.core.exceptions import InvalidTransition, NotFound, ValidationFailed
from salesops.core.models import AuditEvent
from salesops.core.numbering import next_number
from salesops.core.roles import Role
from salesops.core.selectors import company_date
from salesops.crm.models import Customer
from salesops.inventory.exceptions import InsufficientStock
from salesops.inventory.models import Lot, StockMove, Warehouse
from salesops.inventory.services import Reference, StockLine, stock_issue, stock_receive, stock_release, stock_reserve
from salesops.sales.defaults import default_warehouse_for
from salesops.sales.exceptions import CreditLimitExceeded, DocumentLocked
from salesops.sales.flows import (
    CONTRACT_CHANGE_FLOW,
    CONTRACT_FLOW,
    DELIVERY_FLOW,
    ORDER_FLOW,
    QUOTE_FLOW,
    RETURN_FLOW,
)
from salesops.sales.models import (
    Contract,
    ContractChange,
    ContractChangeLine,
    ContractLine,
    Delivery,
    DeliveryLine,
    DiscountPolicy,
    Invoice,
    InvoiceLine,
    OrderLine,
    Quote,
    QuoteLine,
    QuoteRevision,
    SalesOrder,
    SalesReturn,
    SalesReturnLine,
)
from salesops.sales.selectors import order_list_for_user
from salesops.sop import hooks as sop

ZERO = Decimal("0")
CENT = Decimal("0.01")
ORDER_REFERENCE = "sales_order"
# invoices (and the receivables of unit sales, also invoices) are numbered INV-…; no other
# kind of document uses this prefix (see test_vat: every prefix in the code is checked)
INVOICE_PREFIX = "INV"
DOC_DISCOUNT_QUOTE = "special_discount"
DOC_DISCOUNT_ORDER = "special_discount_order"
DOC_OVERLIMIT = "overlimit_shipment"
DOC_CONTRACT = "contract"
DOC_CONTRACT_CHANGE = "contract_change"
DOC_RETURN = "refund"
# the pipeline stage (crm Stage.code) an opportunity reaches when a quote is made for it
QUOTE_STAGE = "proposal"

S = SalesOrder.Status
# the objects an order refers to, loaded and checked by `order_create` itself
ORDER_REFERENCES = ["customer", "rep", "team", "warehouse", "quote", "contract", "created_by"]


def money(value) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def _decimal(value, field: str, problems: dict, index: int) -> Decimal | None:
    """The line's number within what its column stores (places are checked by the caller, with
    a message of their own)."""
    column = OrderLine._meta.get_field(field)
    try:
        return bounds.parse_decimal(value, max_digits=column.max_digits - column.decimal_places)
    except DjangoValidationError as error:
        message = error.messages[0]
        problems.setdefault(field, []).append(_("Line %(n)s: %(problem)s") % {"n": index, "problem": message})
        return None


def _line_quantity(raw, line, problems: list) -> Decimal | None:
    """A quantity given for one line of a document (delivery, invoice, return), as its column
    stores it; None with the problem noted when it is not such a number."""
    try:
        return bounds.clean_field_value(type(line), "quantity", raw)
    except DjangoValidationError as error:
        problems.append(_("Line %(n)s: %(problem)s") % {"n": line.position, "problem": error.messages[0]})
        return None


def order_reference(order: SalesOrder) -> Reference:
    return Reference(type=ORDER_REFERENCE, id=order.pk, number=order.number)


# --- prices, VAT and discounts ----------------------------------------------------------------------
def prices_include_tax_for(*, customer: Customer | None, on_date: datetime.date) -> bool:
    """How the customer's prices are entered: as the price list that applies to them says (the
    list of their channel, else the default list); the products' own list prices, with no
    list, are tax-inclusive."""
    from django.db.models import Case, IntegerField, Q, Value, When

    from salesops.catalog.selectors import price_lists_on

    channel = getattr(customer, "channel", "") if customer is not None else ""
    lists = price_lists_on(on_date).filter(Q(channel=channel) | Q(is_default=True) if channel else Q(is_default=True))
    rank = Case(When(channel=channel, then=Value(0)), default=Value(1), output_field=IntegerField())
    flag = (
        lists.annotate(rank=rank if channel else Value(1, output_field=IntegerField()))
        .order_by("rank", "-valid_from", "pk")
        .values_list("prices_include_tax", flat=True)
        .first()
    )
    return True if flag is None else flag


def line_tax(amount: Decimal, rate: Decimal, *, prices_include_tax: bool) -> tuple[Decimal, Decimal]:
    """(tax-inclusive amount, tax) of a line whose amount at its entered prices is `amount`."""
    rate = Decimal(rate)
    if prices_include_tax:
        return amount, money(amount * rate / (100 + rate))
    tax = money(amount * rate / 100)
    return amount + tax, tax


def part_tax(value: Decimal, line) -> Decimal:
    """The tax of `value` of a tax-inclusive line: the whole line's tax, or its own."""
    if value == line.amount:
        return line.tax_amount
    rate = Decimal(line.tax_rate)
    return money(value * rate / (100 + rate))


def gross_unit_price(line, prices_include_tax: bool) -> Decimal:
    """The tax-inclusive price of one unit of a line, for the value of a part of it."""
    return line.unit_price if prices_include_tax else line.amount / line.quantity


def discount_allowance(user) -> Decimal:
    """The largest discount (%) the person may give without approval: the best of their roles."""
    roles = list(user.roles) if user is not None else []
    values = DiscountPolicy.objects.filter(role__in=roles).values_list("max_discount_percent", flat=True)
    return max(values, default=ZERO)


def _discount(list_price: Decimal, unit_price: Decimal) -> Decimal:
    if list_price <= 0 or unit_price >= list_price:
        return ZERO
    return ((list_price - unit_price) * 100 / list_price).quantize(CENT, rounding=ROUND_HALF_UP)


LOT_ERROR = "invalid_lot"


def _line_lots(lines, problems: dict, *, allow_lots: bool) -> dict[int, Lot]:
    """{line index: Lot} of the lines that name a lot (`lot`: an id or a Lot), loaded in one
    query; unknown or malformed lots, or a lot where none may be named, are problems."""
    wanted: dict[int, int] = {}
    for index, line in enumerate(lines, start=1):
        raw = line.get("lot")
        if raw in (None, ""):
            continue
        if not allow_lots:
            problems.setdefault("lot", []).append(_("Line %(n)s: only an order line can name a lot.") % {"n": index})
            continue
        try:
            wanted[index] = raw.pk if isinstance(raw, Lot) else bounds.parse_int(raw, min_value=1)
        except DjangoValidationError:
            problems.setdefault("lot", []).append(_("Line %(n)s: choose a lot from the list.") % {"n": index})
    found = Lot.objects.in_bulk(set(wanted.values())) if wanted else {}
    lots = {}
    for index, lot_id in wanted.items():
        if lot_id in found:
            lots[index] = found[lot_id]
        else:
            problems.setdefault("lot", []).append(_("Line %(n)s: unknown lot.") % {"n": index})
    return lots


def _lot_problem(index: int, lot: Lot, product: Product, today: datetime.date) -> str | None:
    """Why a line of `product` cannot be sold from `lot` (None when it can): another product's
    lot, or an expired one (expired goods are only written off or returned to the supplier;
    a lot near its expiry date may be sold, at its clearance price)."""
    if lot.product_id != product.pk:
        return _("Line %(n)s: lot %(lot)s is not a lot of %(product)s.") % {
            "n": index,
            "lot": lot.code,
            "product": product,
        }
    if lot.expiry_date is not None and lot.expiry_date < today:
        return _("Line %(n)s: lot %(lot)s expired on %(date)s; expired goods are not sold.") % {
            "n": index,
            "lot": lot.code,
            "date": lot.expiry_date.isoformat(),
        }
    return None


def lot_stock_problems(*, warehouse: Warehouse, wanted: list[tuple[int, Lot, Decimal]], reference=None) -> list[str]:
    """What is missing for lines sold from lots ([(line number, lot, quantity)]) in `warehouse`:
    a lot must hold what its lines ask for there, besides what it promised to other orders
    than `reference` (read, not locked: confirming the order decides on the locked lots)."""
    from salesops.inventory.lots import promised, promised_to_others
    from salesops.inventory.models import LotBalance

    lot_ids = {lot.pk for _n, lot, _q in wanted}
    held = dict(LotBalance.objects.filter(warehouse=warehouse, lot_id__in=lot_ids).values_list("lot_id", "on_hand"))
    claims = promised(warehouse_ids=[warehouse.pk], lot_ids=lot_ids)
    asked: dict[int, Decimal] = {}
    problems = []
    for index, lot, quantity in wanted:
        asked[lot.pk] = asked.get(lot.pk, ZERO) + quantity
        kept = promised_to_others(claims[(warehouse.pk, lot.pk)], reference)
        available = held.get(lot.pk, ZERO) - kept
        if asked[lot.pk] <= available:
            continue
        values = {
            "n": index,
            "lot": lot.code,
            "available": formatting.quantity(max(available, ZERO), lot.product),
            "warehouse": warehouse.name,
            "requested": formatting.quantity(asked[lot.pk], lot.product),
        }
        if kept:
            message = _(
                "Line %(n)s: lot %(lot)s has %(available)s free in %(warehouse)s, not %(requested)s: "
                "the rest of it is reserved for other orders."
            )
        else:
            message = _("Line %(n)s: lot %(lot)s holds %(available)s in %(warehouse)s, not %(requested)s.")
        problems.append(message % values)
    return problems


def prepare_lines(
    *,
    lines,
    customer: Customer | None,
    on_date: datetime.date,
    prices_include_tax: bool | None = None,
    allow_lots: bool = False,
    warehouse: Warehouse | None = None,
) -> list[dict]:
    """Validate and price input lines [{"product", "quantity", "unit_price"?, "lot"?}] with a
    fixed number of queries, each with its product's VAT rate and tax (prices as the customer's
    price list enters them unless `prices_include_tax` says). Raises ValidationFailed (code
    validation_error, or invalid_lot when a line's lot is refused) listing every problem.

    Order lines (`allow_lots`) may name a lot to be sold from (a clearance lot): a lot of the
    line's product, not expired, holding the lines' quantity in `warehouse` (when given). Its
    unit price, left empty, is the lot's clearance price (`lot_unit_price` of the list price);
    the line keeps the lot's clearance discount (`clearance_pct`), and `discount_percent` is
    the whole discount below the list price, as on every line."""
    from salesops.inventory.expiry import lot_unit_price

    problems: dict[str, list] = {}
    if prices_include_tax is None:
        prices_include_tax = prices_include_tax_for(customer=customer, on_date=on_date)
    if not lines:
        raise ValidationFailed(fields={"lines": [_("Add at least one line.")]})
    ids = []
    for line in lines:
        product = line.get("product")
        ids.append(product.pk if isinstance(product, Product) else product)
    try:
        products = Product.objects.in_bulk([bounds.parse_int(pid, min_value=1) for pid in ids])
    except DjangoValidationError:
        raise ValidationFailed(fields={"lines": [_("Choose a product on every line.")]})
    prices = prices_for(products=list(products.values()), customer=customer, on_date=on_date)
    lots = _line_lots(lines, problems, allow_lots=allow_lots)
    today = company_date() if lots else None
    from_lots = []
    prepared = []
    for index, (line, pid) in enumerate(zip(lines, ids, strict=True), start=1):
        product = products.get(int(pid))
        if product is None:
            problems.setdefault("product", []).append(_("Line %(n)s: unknown product.") % {"n": index})
            continue
        lot = lots.get(index)
        if lot is not None and (problem := _lot_problem(index, lot, product, today)):
            problems.setdefault("lot", []).append(problem)
        if not product.sellable:
            problems.setdefault("product", []).append(
                _("Line %(n)s: %(product)s is not active or not approved for sale.") % {"n": index, "product": product}
            )
        quantity = _decimal(line.get("quantity"), "quantity", problems, index)
        if quantity is not None:
            if quantity <= 0:
                problems.setdefault("quantity", []).append(
                    _("Line %(n)s: the quantity must be greater than zero.") % {"n": index}
                )
            elif quantity.as_tuple().exponent < -3:
                problems.setdefault("quantity", []).append(_("Line %(n)s: at most 3 decimal places.") % {"n": index})
        list_price = prices.get(product.pk, product.list_price)
        raw_price = line.get("unit_price")
        default_price = list_price if lot is None else lot_unit_price(lot=lot, price=money(list_price))
        unit_price = default_price if raw_price in (None, "") else _decimal(raw_price, "unit_price", problems, index)
        if unit_price is not None and raw_price not in (None, ""):
            if unit_price < 0:
                problems.setdefault("unit_price", []).append(
                    _("Line %(n)s: the price cannot be negative.") % {"n": index}
                )
            elif unit_price.as_tuple().exponent < -2:
                problems.setdefault("unit_price", []).append(
                    _("Line %(n)s: a price has at most 2 decimal places (cents).") % {"n": index}
                )
        if quantity is None or unit_price is None:
            continue
        amount, tax = line_tax(money(quantity * unit_price), product.tax_rate, prices_include_tax=prices_include_tax)
        values = {
            "product": product,
            "quantity": quantity,
            "unit_price": unit_price,
            "list_price": money(list_price),
            "discount_percent": _discount(list_price, unit_price),
            "amount": amount,
            "tax_rate": product.tax_rate,
            "tax_amount": tax,
        }
        if allow_lots:
            values["lot"] = lot
            values["clearance_pct"] = lot.discount_pct if lot is not None else ZERO
            if lot is not None and quantity > 0:
                from_lots.append((index, lot, quantity))
        prepared.append(values)
    checked = from_lots and warehouse is not None and "lot" not in problems
    if checked and (missing := lot_stock_problems(warehouse=warehouse, wanted=from_lots)):
        problems["lot"] = missing
    if problems:
        raise ValidationFailed(fields=problems, code=LOT_ERROR if "lot" in problems else None)
    return prepared


def _sellable(actor) -> Exists:
    """Whether `actor` may sell to the customer of the row (`customer_id`), as an expression."""
    from salesops.crm.selectors import customer_list_for_user

    return Exists(customer_list_for_user(user=actor).filter(pk=OuterRef("customer_id")))


def _refuse_customer() -> None:
    raise ValidationFailed(fields={"customer": [_("You cannot sell to this customer.")]})


def _check_customer(customer: Customer, actor) -> None:
    from salesops.crm.selectors import customer_list_for_user

    if not customer_list_for_user(user=actor).filter(pk=customer.pk).exists():
        _refuse_customer()


def _rep_and_team(customer: Customer, actor) -> tuple:
    """Who sells and for which team: a rep sells for their own team, anyone else for the
    customer's owner. The team as an id (the actor's unit is not read for it)."""
    if actor.has_role(Role.SALES_REP) and actor.org_unit_id:
        return actor, actor.org_unit_id
    return customer.owner, customer.team_id


def _transition(instance, flow, target: str, *, actor, note: str = "", extra: dict | None = None) -> None:
    before = instance.status
    flow.check(before, target)
    instance.status = target
    fields = ["status", *(extra or {})]
    for name, value in (extra or {}).items():
        setattr(instance, name, value)
    instance.save(update_fields=fields)
    audit_record(
        instance=instance,
        action=AuditEvent.Action.TRANSITION,
        actor=actor,
        changes={"status": [before, target], **{k: [None, v] for k, v in (extra or {}).items()}},
        note=note,
    )


def _approval(document, doc_type: str, actor):
    from salesops.approvals.services import approval_submit

    return approval_submit(document=document, doc_type=doc_type, actor=actor)


# --- quotes -----------------------------------------------------------------------------------------
@transaction.atomic
def quote_create(
    *, actor, customer: Customer, lines, valid_until=None, quote_date=None, note: str = "", opportunity=None
) -> Quote:
    """A draft quote. Made for an opportunity (of the same customer), it is linked to it and
    the opportunity moves on to the quote stage when it has not reached it yet."""
    _check_customer(customer, actor)
    _check_opportunity(opportunity, customer, actor)
    quote_date = quote_date or timezone.localdate()
    include_tax = prices_include_tax_for(customer=customer, on_date=quote_date)
    prepared = prepare_lines(lines=lines, customer=customer, on_date=quote_date, prices_include_tax=include_tax)
    rep, team_id = _rep_and_team(customer, actor)
    quote = Quote(
        prices_include_tax=include_tax,
        tax_total=sum((p["tax_amount"] for p in prepared), ZERO),
        number=next_number(prefix="QT", year=quote_date.year),
        customer=customer,
        rep=rep,
        team_id=team_id,
        quote_date=quote_date,
        valid_until=valid_until or quote_date + datetime.timedelta(days=30),
        total=sum((p["amount"] for p in prepared), ZERO),
        note=note,
        opportunity=opportunity,
    )
    model_create(instance=quote, actor=actor)
    QuoteLine.objects.bulk_create([QuoteLine(quote=quote, position=i, **p) for i, p in enumerate(prepared, start=1)])
    if opportunity is not None:
        _opportunity_to_quote_stage(opportunity, actor=actor, note=quote.number)
    return quote


def _check_opportunity(opportunity, customer: Customer, actor) -> None:
    if opportunity is None:
        return
    from salesops.crm.selectors import opportunity_list_for_user

    if not opportunity_list_for_user(user=actor).filter(pk=opportunity.pk).exists():
        raise ValidationFailed(fields={"opportunity": [_("Unknown opportunity.")]})
    if opportunity.customer_id != customer.pk:
        raise ValidationFailed(fields={"opportunity": [_("The opportunity is for another customer.")]})


def _opportunity_to_quote_stage(opportunity, *, actor, note: str) -> None:
    """An open opportunity that has not reached the quote stage (code QUOTE_STAGE) moves there;
    one already further on (negotiation, contract) stays where it is."""
    from salesops.crm.models import Opportunity, Stage
    from salesops.crm.services import opportunity_move

    opportunity = Opportunity.objects.select_related("stage").get(pk=opportunity.pk)
    stage = Stage.objects.filter(code=QUOTE_STAGE, active=True).first()
    if stage is None or opportunity.stage.is_closed or opportunity.stage.order >= stage.order:
        return
    opportunity_move(opportunity=opportunity, stage=stage, actor=actor, note=note)


def _opportunity_won(opportunity_id: int, *, actor, note: str) -> None:
    """The customer accepted the quote: its open opportunity is won (the first active stage
    whose outcome is won)."""
    from salesops.crm.models import Opportunity, Stage
    from salesops.crm.services import opportunity_move

    opportunity = Opportunity.objects.select_related("stage").get(pk=opportunity_id)
    stage = Stage.objects.filter(outcome=Stage.Outcome.WON, active=True).order_by("order", "pk").first()
    if stage is None or opportunity.stage.is_closed:
        return
    opportunity_move(opportunity=opportunity, stage=stage, actor=actor, note=note)


def _revision_lines(lines) -> list[dict]:
    return [
        {
            "position": line.position,
            "product": line.product_id,
            "sku": line.product.sku,
            "name": line.product.name,
            "quantity": f"{line.quantity.normalize():f}",
            "unit_price": str(line.unit_price),
            "list_price": str(line.list_price),
            "discount_percent": str(line.discount_percent),
            "tax_rate": str(line.tax_rate),
            "tax_amount": str(line.tax_amount),
            "amount": str(line.amount),
        }
        for line in lines
    ]


@transaction.atomic
def quote_update(*, quote: Quote, actor, lines=None, valid_until=None, note: str | None = None) -> Quote:
    """Change a draft or returned quote: its lines (all of them, priced as when it was made),
    validity and note; what is not given stays. A returned quote's change starts its next
    revision: the lines and totals it had are kept as a QuoteRevision and it is a draft
    again, to be submitted anew. An earlier special-discount approval does not carry over."""
    quote = Quote.objects.select_for_update().select_related("customer").get(pk=quote.pk)
    if quote.status not in Quote.EDITABLE:
        raise DocumentLocked(
            _("Quote %(number)s is “%(status)s”: only a draft or returned quote can be changed.")
            % {"number": quote.number, "status": quote.get_status_display()}
        )
    current = list(quote.lines.select_related("product").order_by("position"))
    if lines is None:
        lines = [
            {"product": line.product_id, "quantity": line.quantity, "unit_price": line.unit_price} for line in current
        ]
    prepared = prepare_lines(
        lines=lines, customer=quote.customer, on_date=quote.quote_date, prices_include_tax=quote.prices_include_tax
    )
    valid_until = quote.valid_until if valid_until is None else valid_until
    if valid_until < quote.quote_date:
        raise ValidationFailed(fields={"valid_until": [_("The quote cannot expire before its date.")]})
    data = {
        "valid_until": valid_until,
        "note": quote.note if note is None else note,
        "total": sum((p["amount"] for p in prepared), ZERO),
        "tax_total": sum((p["tax_amount"] for p in prepared), ZERO),
        "discount_approved": False,
    }
    if quote.status == Quote.Status.RETURNED:
        model_create(
            instance=QuoteRevision(
                quote=quote,
                revision=quote.revision,
                valid_until=quote.valid_until,
                total=quote.total,
                tax_total=quote.tax_total,
                note=quote.note,
                lines=_revision_lines(current),
                replaced_by=actor,
            ),
            actor=actor,
        )
        data["revision"] = quote.revision + 1
        _transition(quote, QUOTE_FLOW, Quote.Status.DRAFT, actor=actor, note=f"Rev {data['revision']}")
    quote.lines.all().delete()
    QuoteLine.objects.bulk_create([QuoteLine(quote=quote, position=i, **p) for i, p in enumerate(prepared, start=1)])
    model_update(instance=quote, fields=list(data), data=data, actor=actor)
    audit_record(
        instance=quote, action=AuditEvent.Action.UPDATE, actor=actor, changes={"lines": [len(current), len(prepared)]}
    )
    return quote


@transaction.atomic
def quote_submit(*, quote: Quote, actor) -> Quote:
    """A discount beyond the rep's allowance goes to the special-discount approval; otherwise
    the quote is approved at once."""
    quote = Quote.objects.select_for_update().get(pk=quote.pk)
    QUOTE_FLOW.check(quote.status, Quote.Status.APPROVED)
    needs_approval = quote.max_discount > discount_allowance(quote.rep)
    if needs_approval and _approval(quote, DOC_DISCOUNT_QUOTE, actor) is not None:
        _transition(quote, QUOTE_FLOW, Quote.Status.PENDING_APPROVAL, actor=actor)
        return quote
    _transition(quote, QUOTE_FLOW, Quote.Status.APPROVED, actor=actor)
    return quote


def quote_approved(*, quote: Quote, actor=None) -> None:
    quote = Quote.objects.select_for_update().get(pk=quote.pk)
    _transition(quote, QUOTE_FLOW, Quote.Status.APPROVED, actor=actor, extra={"discount_approved": True})


def quote_decided(*, quote: Quote, target: str, actor=None) -> None:
    quote = Quote.objects.select_for_update().get(pk=quote.pk)
    if quote.status == Quote.Status.PENDING_APPROVAL:
        _transition(quote, QUOTE_FLOW, target, actor=actor)


@transaction.atomic
def quote_to_order(*, quote: Quote, actor, payment: str = SalesOrder.Payment.CREDIT, warehouse=None) -> SalesOrder:
    """The customer accepted the quote: an order with its lines and prices (an approved
    special discount carries over)."""
    quote = Quote.objects.select_for_update().get(pk=quote.pk)
    _transition(quote, QUOTE_FLOW, Quote.Status.ACCEPTED, actor=actor)
    lines = [{"product": ql.product, "quantity": ql.quantity, "unit_price": ql.unit_price} for ql in quote.lines.all()]
    order = order_create(
        actor=actor,
        customer=quote.customer,
        payment=payment,
        lines=lines,
        warehouse=warehouse,
        quote=quote,
        discount_approved=quote.discount_approved,
    )
    if quote.opportunity_id:
        _opportunity_won(quote.opportunity_id, actor=actor, note=order.number)
    return order


# --- contracts --------------------------------------------------------------------------------------
@transaction.atomic
def contract_create(
    *,
    actor,
    customer: Customer,
    title: str,
    start_date,
    end_date,
    lines,
    terms: str = "",
    quote=None,
    payment_terms_days: int = 30,
) -> Contract:
    _check_customer(customer, actor)
    if quote is not None and quote.customer_id != customer.pk:
        raise ValidationFailed(fields={"quote": [_("The quote is for another customer.")]})
    if end_date < start_date:
        raise ValidationFailed(fields={"end_date": [_("The end date is before the start date.")]})
    prepared = prepare_lines(lines=lines, customer=customer, on_date=start_date)
    rep, team_id = _rep_and_team(customer, actor)
    contract = Contract(
        number=next_number(prefix="CT", year=start_date.year),
        customer=customer,
        rep=rep,
        team_id=team_id,
        quote=quote,
        title=title,
        start_date=start_date,
        end_date=end_date,
        terms=terms,
        payment_terms_days=payment_terms_days,
        total=sum((p["amount"] for p in prepared), ZERO),
    )
    model_create(instance=contract, actor=actor)
    _contract_lines(ContractLine, prepared, contract=contract)
    return contract


CONTRACT_LINE_VALUES = ("product", "quantity", "unit_price", "amount")


def _contract_lines(model, values, **parent) -> None:
    """Store a contract's lines or a change's proposed lines: the same four values, numbered."""
    model.objects.bulk_create(
        [
            model(position=i, **parent, **{name: line[name] for name in CONTRACT_LINE_VALUES})
            for i, line in enumerate(values, start=1)
        ]
    )


@transaction.atomic
def contract_submit(*, contract: Contract, actor) -> Contract:
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    CONTRACT_FLOW.check(contract.status, Contract.Status.PENDING_APPROVAL)
    if _approval(contract, DOC_CONTRACT, actor) is not None:
        _transition(contract, CONTRACT_FLOW, Contract.Status.PENDING_APPROVAL, actor=actor)
    else:
        _transition(contract, CONTRACT_FLOW, Contract.Status.ACTIVE, actor=actor)
    return contract


def contract_decided(*, contract: Contract, target: str, actor=None) -> None:
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    if contract.status == Contract.Status.PENDING_APPROVAL:
        _transition(contract, CONTRACT_FLOW, target, actor=actor)


@transaction.atomic
def contract_update(*, contract: Contract, data: dict, actor) -> Contract:
    """Only drafts (or rejected contracts) are edited; an approved contract changes through a
    contract change."""
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    if contract.status not in (Contract.Status.DRAFT, Contract.Status.REJECTED):
        raise DocumentLocked()
    contract, _changed = model_update(
        instance=contract,
        fields=["title", "start_date", "end_date", "terms", "payment_terms_days"],
        data=data,
        actor=actor,
    )
    return contract


def _contract_line_values(lines) -> list[dict]:
    return [
        {
            "position": line.position,
            "product": line.product_id,
            "sku": line.product.sku,
            "name": line.product.name,
            "quantity": f"{line.quantity.normalize():f}",
            "unit_price": str(line.unit_price),
            "amount": str(line.amount),
        }
        for line in lines
    ]


def _same_lines(prepared: list[dict], current) -> bool:
    key = [(p["product"].pk, p["quantity"], p["unit_price"]) for p in prepared]
    return key == [(line.product_id, line.quantity, line.unit_price) for line in current]


@transaction.atomic
def contract_change_request(
    *,
    contract: Contract,
    actor,
    reason: str,
    new_end_date=None,
    new_total=None,
    additional_terms: str = "",
    lines=None,
) -> ContractChange:
    """合同变更: ask for a change of a contract in force — its end, value, terms and, with
    `lines`, its lines (products, quantities, prices; all of them, priced as the contract
    was). New lines set the new value (their sum). The change goes to approval and is applied
    only when approved. Orders already made under the contract keep their lines and prices:
    the change applies to what is ordered after it (an open order is re-priced only by
    changing that order)."""
    contract = Contract.objects.select_for_update().select_related("customer").get(pk=contract.pk)
    if contract.status != Contract.Status.ACTIVE:
        raise InvalidTransition(_("Only a contract in force can be changed."))
    if not (reason or "").strip():
        raise ValidationFailed(fields={"reason": [_("Say what changes and why.")]})
    if new_total is not None and Decimal(new_total).as_tuple().exponent < -2:
        raise ValidationFailed(fields={"new_total": [_("A price has at most 2 decimal places (cents).")]})
    if new_total is not None and Decimal(new_total) < 0:
        raise ValidationFailed(fields={"new_total": [_("The value cannot be negative.")]})
    current = list(contract.lines.select_related("product").order_by("position"))
    prepared = []
    if lines:
        prepared = prepare_lines(lines=lines, customer=contract.customer, on_date=contract.start_date)
        if _same_lines(prepared, current):
            prepared = []  # the lines as they are: no change of lines
    if prepared:
        lines_total = sum((p["amount"] for p in prepared), ZERO)
        if new_total is not None and Decimal(new_total) != lines_total:
            raise ValidationFailed(
                fields={
                    "new_total": [
                        _("With new lines the contract value is their sum, %(total)s.") % {"total": lines_total}
                    ]
                }
            )
        new_total = lines_total
    if not (prepared or new_end_date or new_total is not None or (additional_terms or "").strip()):
        raise ValidationFailed(fields={"reason": [_("Say what changes: the lines, the end date, the value or terms.")]})
    count = contract.changes.count() + 1
    change = ContractChange(
        contract=contract,
        number=f"{contract.number}-C{count}",
        reason=reason.strip(),
        new_end_date=new_end_date,
        new_total=new_total,
        additional_terms=additional_terms,
        previous_lines=_contract_line_values(current) if prepared else [],
        requested_by=actor,
    )
    model_create(instance=change, actor=actor)
    _contract_lines(ContractChangeLine, prepared, change=change)
    if _approval(change, DOC_CONTRACT_CHANGE, actor) is None:
        contract_change_apply(change=change, actor=actor)
    return change


def contract_change_apply(*, change: ContractChange, actor=None) -> None:
    """The approved change takes effect on the contract: a new version with the new end,
    value, terms and lines. The contract's open orders are not touched (they keep their
    prices); the change's page lists them."""
    change = ContractChange.objects.select_for_update().get(pk=change.pk)
    _transition(change, CONTRACT_CHANGE_FLOW, ContractChange.Status.APPROVED, actor=actor)
    contract = Contract.objects.select_for_update().get(pk=change.contract_id)
    data = {"version": contract.version + 1}
    if change.new_end_date:
        data["end_date"] = change.new_end_date
    if change.new_total is not None:
        data["total"] = change.new_total
    if change.additional_terms:
        data["terms"] = (contract.terms + "\n\n" if contract.terms else "") + (
            f"[{change.number}] {change.additional_terms}"
        )
    new_lines = list(change.lines.select_related("product").order_by("position"))
    if new_lines:
        before = contract.lines.count()
        contract.lines.all().delete()
        values = [{name: getattr(line, name) for name in CONTRACT_LINE_VALUES} for line in new_lines]
        _contract_lines(ContractLine, values, contract=contract)
        audit_record(
            instance=contract,
            action=AuditEvent.Action.UPDATE,
            actor=actor,
            changes={"lines": [before, len(new_lines)]},
            note=change.number,
        )
    model_update(instance=contract, fields=list(data), data=data, actor=actor, note=change.number)


def contract_change_decided(*, change: ContractChange, target: str, actor=None) -> None:
    change = ContractChange.objects.select_for_update().get(pk=change.pk)
    if change.status == ContractChange.Status.PENDING_APPROVAL:
        _transition(change, CONTRACT_CHANGE_FLOW, target, actor=actor)


# --- orders -----------------------------------------------------------------------------------------
def default_warehouse() -> Warehouse | None:
    """The last resort when neither the order nor the rules of `sales.defaults` name one."""
    return Warehouse.objects.filter(active=True).order_by("code").first()


@transaction.atomic
def order_create(
    *,
    actor,
    customer: Customer,
    payment: str,
    lines,
    warehouse: Warehouse | None = None,
    order_date=None,
    note: str = "",
    quote: Quote | None = None,
    contract: Contract | None = None,
    discount_approved: bool = False,
) -> SalesOrder:
    """A draft order. Prices default to the price list; lines are written in one statement.

    The service has loaded and checked every object the order refers to, so validation skips
    the per-foreign-key existence queries; the number is taken last, just before the rows are
    written, because its counter row stays locked until this transaction commits (every order
    being created waits on it). One audit event records the new order with its line count."""
    if payment not in SalesOrder.Payment.values:
        raise ValidationFailed(fields={"payment": [_("Choose credit or cash.")]})
    _check_customer(customer, actor)
    order_date = order_date or timezone.localdate()
    include_tax = prices_include_tax_for(customer=customer, on_date=order_date)
    warehouse = warehouse or default_warehouse_for(user=actor, customer=customer) or default_warehouse()
    if warehouse is None or not warehouse.active:
        raise ValidationFailed(fields={"warehouse": [_("Choose an active warehouse.")]})
    prepared = prepare_lines(
        lines=lines,
        customer=customer,
        on_date=order_date,
        prices_include_tax=include_tax,
        allow_lots=True,
        warehouse=warehouse,
    )
    rep, team_id = _rep_and_team(customer, actor)
    order = SalesOrder(
        customer=customer,
        rep=rep,
        team_id=team_id,
        warehouse=warehouse,
        payment=payment,
        order_date=order_date,
        total=sum((p["amount"] for p in prepared), ZERO),
        tax_total=sum((p["tax_amount"] for p in prepared), ZERO),
        prices_include_tax=include_tax,
        note=note,
        quote=quote,
        contract=contract,
        discount_approved=discount_approved,
        created_by=actor,
    )
    # total ≥ 0 and expected prepayment 0 hold by construction (prepare_lines: quantity > 0, price ≥ 0);
    # the database checks them and the number's uniqueness once more on insert
    order.full_clean(exclude=[*ORDER_REFERENCES, "number"], validate_unique=False, validate_constraints=False)
    order.number = next_number(prefix="SO", year=order_date.year)
    order.save(force_insert=True)
    OrderLine.objects.bulk_create([OrderLine(order=order, position=i, **p) for i, p in enumerate(prepared, start=1)])
    concrete = [f.name for f in SalesOrder._meta.concrete_fields if not f.primary_key]
    changes = {name: [None, value] for name, value in field_values(order, concrete).items()}
    changes["lines"] = [0, len(prepared)]
    audit_record(instance=order, action=AuditEvent.Action.CREATE, actor=actor, changes=changes)
    return order


@transaction.atomic
def order_update(
    *, order: SalesOrder, actor, lines, payment: str | None = None, warehouse=None, note: str | None = None
) -> SalesOrder:
    """Change a draft (or rejected) order: its lines and, when given, payment, warehouse and
    note. A changed order loses an earlier special-discount approval and is a draft again:
    approved documents are not edited without a new approval."""
    order = SalesOrder.objects.select_for_update().get(pk=order.pk)
    if order.status not in (S.DRAFT, S.REJECTED):
        raise DocumentLocked()
    payment = order.payment if payment is None else payment
    if payment not in SalesOrder.Payment.values:
        raise ValidationFailed(fields={"payment": [_("Choose credit or cash.")]})
    warehouse = warehouse or order.warehouse
    if warehouse is None or not warehouse.active:
        raise ValidationFailed(fields={"warehouse": [_("Choose an active warehouse.")]})
    prepared = prepare_lines(
        lines=lines,
        customer=order.customer,
        on_date=order.order_date,
        prices_include_tax=order.prices_include_tax,
        allow_lots=True,
        warehouse=warehouse,
    )
    before = order.lines.count()
    order.lines.all().delete()
    OrderLine.objects.bulk_create([OrderLine(order=order, position=i, **p) for i, p in enumerate(prepared, start=1)])
    data = {
        "payment": payment,
        "warehouse": warehouse,
        "note": order.note if note is None else note,
        "total": sum((p["amount"] for p in prepared), ZERO),
        "tax_total": sum((p["tax_amount"] for p in prepared), ZERO),
        "discount_approved": False,
        "status": S.DRAFT,
    }
    model_update(instance=order, fields=list(data), data=data, actor=actor)
    audit_record(
        instance=order, action=AuditEvent.Action.UPDATE, actor=actor, changes={"lines": [before, len(prepared)]}
    )
    return order


def order_update_lines(*, order: SalesOrder, lines, actor) -> SalesOrder:
    """Replace the lines of a draft (or rejected) order, keeping its header."""
    return order_update(order=order, lines=lines, actor=actor)


def _check_order_lines(order: SalesOrder, lines: list[OrderLine]) -> None:
    problems: dict[str, list] = {}
    if not lines:
        problems["lines"] = [_("Add at least one line.")]
    for line in lines:
        if line.quantity <= 0:
            problems.setdefault("quantity", []).append(
                _("Line %(n)s: the quantity must be greater than zero.") % {"n": line.position}
            )
        if line.unit_price.as_tuple().exponent < -2:
            problems.setdefault("unit_price", []).append(
                _("Line %(n)s: at most 2 decimal places.") % {"n": line.position}
            )
        if not line.product.sellable:
            problems.setdefault("product", []).append(
                _("Line %(n)s: %(product)s is not active or not approved for sale.")
                % {"n": line.position, "product": line.product}
            )
    from_lots = [(line.position, line.lot, line.quantity) for line in lines if line.lot_id]
    if from_lots:
        today = company_date()
        for line in lines:
            if line.lot_id and (problem := _lot_problem(line.position, line.lot, line.product, today)):
                problems.setdefault("lot", []).append(problem)
        missing = "lot" not in problems and lot_stock_problems(
            warehouse=order.warehouse, wanted=from_lots, reference=order_reference(order)
        )
        if missing:
            problems["lot"] = missing
    if problems:
        raise ValidationFailed(fields=problems, code=LOT_ERROR if "lot" in problems else None)


PAYMENT_INPUT = ("method", "received_on", "bank_reference")


@transaction.atomic
def order_submit(
    *, order: SalesOrder, actor, expected_prepayment=None, payment: dict | None = None, at=None
) -> SalesOrder:
    """Submit a draft: validate; a special discount goes to approval; then the payment route
    (`_credit_then_confirm`): a cash order is confirmed only when finance has confirmed its
    money, otherwise it waits for payment; a credit order passes the credit decision (locked)
    or goes to the over-limit approval, or waits for payment when the rep expects the
    customer to pay in advance (`expected_prepayment`, information for finance: only money
    finance confirms counts). `payment` ({method, received_on, bank_reference}) is the money
    taken with a cash order: recorded as its receipt in the same transaction (confirmed at
    once when finance submits, else handed to the cashier). Stock is reserved on
    confirmation. Anything that fails leaves everything as it was. `at`: when the order was
    taken (an order keyed in later); the 24-hour delivery deadline counts from it. An order
    the actor may not see is NotFound."""
    order = (
        order_list_for_user(user=actor)  # one submits only an order one may see
        .select_for_update(of=("self",))
        .select_related("rep__org_unit")  # the rep's unit: for an approval request
        .annotate(sellable=_sellable(actor))
        .filter(pk=order.pk)
        .first()
    )
    if order is None:
        raise NotFound()
    if order.status != S.DRAFT:
        raise InvalidTransition(
            _("Order %(number)s was already submitted (it is “%(status)s”).")
            % {"number": order.number, "status": order.get_status_display()},
            current=order.status,
            target=S.CONFIRMED,
        )
    lines = list(order.lines.select_related("product", "lot").order_by("position"))
    _check_order_lines(order, lines)
    if not order.sellable:
        _refuse_customer()
    _keep(order, "lines", lines)
    if expected_prepayment not in (None, ""):
        from salesops.credit.money import parse_amount

        expected = parse_amount(expected_prepayment, field="expected_prepayment", maximum=order.total)
        if expected != order.expected_prepayment:
            audit_record(
                instance=order,
                action=AuditEvent.Action.UPDATE,
                actor=actor,
                changes={"expected_prepayment": [str(order.expected_prepayment), str(expected)]},
            )
            order.expected_prepayment = expected
            order.save(update_fields=["expected_prepayment"])
    if payment and order.payment != SalesOrder.Payment.CASH:
        raise ValidationFailed(
            fields={"payment": [_("Money paid with a credit order is recorded by finance as a receipt.")]}
        )
    if payment and set(payment) - set(PAYMENT_INPUT):
        raise ValidationFailed(fields={"payment": [_("Give the method, the date and the reference only.")]})
    # a line sold from a clearance lot counts only what it gives below the lot's clearance price
    max_discount = max((line.approval_discount for line in lines), default=ZERO)
    # no discount needs no allowance (an allowance is never below zero): no query for it
    needs_approval = not order.discount_approved and max_discount > 0 and max_discount > discount_allowance(order.rep)
    if needs_approval and _approval(order, DOC_DISCOUNT_ORDER, actor) is not None:
        _transition(order, ORDER_FLOW, S.PENDING_APPROVAL, actor=actor, extra={"approval_reason": "special_discount"})
    else:
        order = _credit_then_confirm(order, actor, lines, at)
    if not payment:
        _keep(order, "receipts", [])  # a draft holds no money: it is paid with the order or later
        return order
    _take_payment(order, actor, payment, at)
    order.refresh_from_db()  # confirmed if finance took the money
    return order


def _take_payment(order: SalesOrder, actor, payment: dict, at=None) -> None:
    """The money taken with a cash order, recorded as its receipt once the order waits for it
    (confirmed by finance, it releases the order at once)."""
    from salesops.credit.receipts import receipt_record

    receipt_record(
        actor=actor,
        customer=order.customer,
        amount=order.total,
        order=order,
        received_on=payment.get("received_on") or timezone.localdate(),
        method=payment.get("method") or "cash",
        bank_reference=payment.get("bank_reference") or "",
        released_at=at,
    )


# reasons of a failed credit decision that the customer's money can settle
PAYABLE_REASONS = ("over_limit", "overdue")


def _paid(order: SalesOrder, decision=None) -> bool:
    """Whether the money finance confirmed lets the order through: a cash order's own
    receipts cover its total; a credit order passes the credit decision (locked)."""
    if order.payment == SalesOrder.Payment.CASH:
        from salesops.credit.receipts import paid_for_order

        return paid_for_order(order) >= order.total
    return decision.ok


def _credit_then_confirm(order: SalesOrder, actor, lines: list[OrderLine], at=None) -> SalesOrder:
    if order.payment == SalesOrder.Payment.CASH:
        if not _paid(order):
            return _wait_for_payment(order, actor)
        return _reserve_and_confirm(order, actor, lines, at)
    from salesops.credit.services import credit_check_for_order

    decision = credit_check_for_order(order=order)
    if decision.ok:
        return _reserve_and_confirm(order, actor, lines, at)
    note = _("Exposure %(exposure)s + order %(amount)s, limit %(limit)s, overdue %(overdue)s") % {
        "exposure": decision.exposure,
        "amount": decision.order_amount,
        "limit": decision.limit,
        "overdue": decision.overdue,
    }
    if order.expected_prepayment > 0 and decision.reason in PAYABLE_REASONS:
        return _wait_for_payment(order, actor, note=note)
    if _approval(order, DOC_OVERLIMIT, actor) is None:
        raise CreditLimitExceeded()
    _transition(
        order, ORDER_FLOW, S.PENDING_APPROVAL, actor=actor, extra={"approval_reason": decision.reason}, note=note
    )
    return order


def _wait_for_payment(order: SalesOrder, actor, note: str = "") -> SalesOrder:
    _transition(order, ORDER_FLOW, S.PENDING_PAYMENT, actor=actor, extra={"approval_reason": "payment"}, note=note)
    return order


def orders_waiting_for_money(customer_id: int):
    """A customer's orders that confirmed money can release: those waiting for payment and
    those at the over-limit approval for a reason money settles."""
    from django.db.models import Q

    return SalesOrder.objects.filter(customer_id=customer_id).filter(
        Q(status=S.PENDING_PAYMENT) | Q(status=S.PENDING_APPROVAL, approval_reason__in=PAYABLE_REASONS)
    )


def orders_release_for_customer(*, customer_id: int, actor, at=None) -> list[SalesOrder]:
    """Called when finance confirms money of a customer (inside that transaction): each order
    waiting for money is decided again, oldest first, under the credit file's lock; those the
    money now covers are confirmed (their stock reserved; a pending over-limit approval is no
    longer needed and is cancelled). An order whose stock is short keeps waiting."""
    from salesops.approvals.services import approval_cancel
    from salesops.credit.models import CreditFile
    from salesops.credit.services import credit_check_for_order

    list(CreditFile.objects.select_for_update().filter(customer_id=customer_id))  # decisions one at a time
    released = []
    for order in orders_waiting_for_money(customer_id).select_for_update().order_by("pk"):
        decision = None if order.payment == SalesOrder.Payment.CASH else credit_check_for_order(order=order)
        if not _paid(order, decision):
            continue
        waited_for_approval = order.status == S.PENDING_APPROVAL
        try:
            with transaction.atomic():
                _reserve_and_confirm(order, actor, at=at)
        except InsufficientStock:  # not enough stock now: the order keeps waiting
            order.refresh_from_db()
            continue
        if waited_for_approval:
            approval_cancel(
                document=order,
                doc_type=DOC_OVERLIMIT,
                actor=actor,
                note=_("The customer's payment covers the order; no approval is needed."),
            )
        released.append(order)
    return released


def _reserve_and_confirm(order: SalesOrder, actor, lines: list[OrderLine] | None = None, at=None) -> SalesOrder:
    """Confirm and reserve the stock. The stock balances are shared by every order of the
    products, so they are locked last, just before the transaction commits: the order's own
    writes (status, audit, SOP clock) come first. Not enough stock raises and the caller's
    transaction rolls all of it back."""
    lines = lines if lines is not None else list(order.lines.all())
    now = at or timezone.now()
    deliver_by = sop.start(
        rule="delivery-24h",
        person=order.rep,
        started_at=now,
        reference=_sop_reference(order),
        url=reverse("sales-order", args=[order.pk]),
    )
    _transition(
        order,
        ORDER_FLOW,
        S.CONFIRMED,
        actor=actor,
        extra={"confirmed_at": now, "delivery_due_at": deliver_by, "approval_reason": ""},
    )
    stock_reserve(
        warehouse=order.warehouse,
        lines=[StockLine(line.product_id, line.quantity, lot=line.lot_id) for line in lines],
        reference=order_reference(order),
        actor=actor,
    )
    return order


def _keep(order: SalesOrder, related: str, rows: list) -> None:
    """Keep rows already known (the lines just read, with their products, by position; the
    order's receipts) as the order's `related`, so the answer that shows the order does not
    read them again."""
    queryset = getattr(order, related).all()
    queryset._result_cache = rows
    queryset._prefetch_done = True
    order._prefetched_objects_cache = {**getattr(order, "_prefetched_objects_cache", {}), related: queryset}


def _sop_reference(order: SalesOrder) -> str:
    """The order on the SOP clock: "received by the customer within 24 hours" of confirmation."""
    return f"order:{order.number}"


# approval callbacks (run inside the approver's transaction)
def order_discount_approved(*, order: SalesOrder, actor=None) -> None:
    order = SalesOrder.objects.select_for_update().get(pk=order.pk)
    if order.status != S.PENDING_APPROVAL:
        return
    order.discount_approved = True
    order.save(update_fields=["discount_approved"])
    audit_record(instance=order, action=AuditEvent.Action.UPDATE, actor=actor, changes={"discount_approved": [0, 1]})
    _credit_then_confirm(order, actor, list(order.lines.all()))


def order_overlimit_approved(*, order: SalesOrder, actor=None) -> None:
    """Approved over the limit: confirm (stock is checked again; not enough aborts the decision)."""
    order = SalesOrder.objects.select_for_update().get(pk=order.pk)
    if order.status == S.PENDING_APPROVAL:
        _reserve_and_confirm(order, actor)


def order_approval_closed(*, order: SalesOrder, target: str, actor=None) -> None:
    order = SalesOrder.objects.select_for_update().get(pk=order.pk)
    if order.status == S.PENDING_APPROVAL:
        _transition(order, ORDER_FLOW, target, actor=actor, extra={"approval_reason": ""})


@transaction.atomic
def order_cancel(*, order: SalesOrder, actor, reason: str = "") -> SalesOrder:
    """Cancel an order that holds nothing yet (draft, rejected, or waiting for payment; money
    already paid for it is then free on the customer's account). A confirmed order is
    cancelled through a cancellation (撤单) with approval, see `return_request`."""
    order = SalesOrder.objects.select_for_update().get(pk=order.pk)
    if order.status not in (S.DRAFT, S.REJECTED, S.PENDING_PAYMENT):
        raise InvalidTransition(_("A confirmed order is cancelled through a cancellation request with approval."))
    _transition(order, ORDER_FLOW, S.CANCELLED, actor=actor, note=reason)
    return order


# --- deliveries -------------------------------------------------------------------------------------
def _part_value(line_amount: Decimal, done_value: Decimal, quantity: Decimal, unit_price: Decimal, last: bool):
    """The value of `quantity` of a line; the last part takes exactly what is left."""
    return line_amount - done_value if last else money(quantity * unit_price)


@transaction.atomic
def delivery_issue(
    *,
    order: SalesOrder,
    actor,
    quantities: dict | None = None,
    picked_up_by: str = "",
    at=None,
    note: str = "",
    lots: dict | None = None,
    lot_reason: str = "",
) -> Delivery:
    """货已出库: issue the order's goods from its reservation. `quantities` maps order line id →
    quantity; without it everything still open is issued. Lot-tracked goods leave first-expiry
    first, unless `lots` maps an order line id to the lot to take (with `lot_reason`).

    A line sold from a lot (`OrderLine.lot`, a clearance lot) leaves from that lot and no other:
    the FEFO override of the stock service with the reason "sold from lot <code> at clearance
    price". Its lot must not have expired since, and must still hold the quantity in the
    order's warehouse: otherwise the whole delivery is refused (InsufficientStock, code
    insufficient_stock, naming the lot) and nothing changes."""
    try:
        lots = {int(k): int(v) for k, v in (lots or {}).items() if v not in (None, "")}
    except (TypeError, ValueError):
        raise ValidationFailed(fields={"lots": [_("Choose a lot from the list.")]})
    order = SalesOrder.objects.select_for_update().get(pk=order.pk)
    if order.status not in (S.CONFIRMED, S.PARTIALLY_DELIVERED):
        raise InvalidTransition(_("Only confirmed orders can be shipped."))
    lines = list(order.lines.select_for_update(of=("self",)).select_related("lot").order_by("pk"))
    parts = []
    problems = []
    for line in lines:
        open_qty = line.open_quantity
        if quantities is None:
            quantity = open_qty
        else:
            raw = quantities.get(line.pk, quantities.get(str(line.pk)))
            if raw in (None, ""):
                continue
            quantity = _line_quantity(raw, line, problems)
            if quantity is None:
                continue
        if quantity == 0 and quantities is None:
            continue
        if quantity <= 0 or quantity > open_qty:
            problems.append(
                _("Line %(n)s: give a quantity above 0 and at most %(open)s.")
                % {"n": line.position, "open": f"{open_qty.normalize():f}"}
            )
            continue
        parts.append((line, quantity))
    if problems:
        raise ValidationFailed(fields={"quantities": problems})
    if not parts:
        raise ValidationFailed(fields={"quantities": [_("Nothing to ship.")]})
    _check_lot_parts(parts, lots)
    moment = at or timezone.now()
    delivery = Delivery(
        number=next_number(prefix="DN", year=timezone.localdate(moment).year),
        order=order,
        warehouse=order.warehouse,
        issued_at=moment,
        issued_by=actor,
        picked_up_by=picked_up_by.strip()[:100],
        note=note,
    )
    _issue_lot_lines(order, [(line, q) for line, q in parts if line.lot_id], actor=actor, at=moment)
    if rest := [(line, q) for line, q in parts if not line.lot_id]:
        stock_issue(
            warehouse=order.warehouse,
            lines=[StockLine(line.product_id, quantity, lot=lots.get(line.pk)) for line, quantity in rest],
            reference=order_reference(order),
            actor=actor,
            at=moment,
            reason=lot_reason,
        )
    delivery_lines = []
    for line, quantity in parts:
        last = quantity == line.open_quantity and line.cancelled_quantity == 0
        unit = gross_unit_price(line, order.prices_include_tax)
        value = _part_value(line.amount, line.delivered_value, quantity, unit, last)
        line.delivered_quantity += quantity
        line.delivered_value += value
        delivery_lines.append(
            DeliveryLine(
                order_line=line, product_id=line.product_id, quantity=quantity, unit_price=line.unit_price, amount=value
            )
        )
    delivery.total = sum((dl.amount for dl in delivery_lines), ZERO)
    model_create(instance=delivery, actor=actor)
    for dl in delivery_lines:
        dl.delivery = delivery
    DeliveryLine.objects.bulk_create(delivery_lines)
    OrderLine.objects.bulk_update([line for line, _q in parts], ["delivered_quantity", "delivered_value"])
    order.delivered_amount += delivery.total
    complete = all(line.open_quantity == 0 for line in lines)
    target = S.DELIVERED if complete else S.PARTIALLY_DELIVERED
    extra = {"delivered_amount": order.delivered_amount}
    if complete:
        extra["delivered_at"] = moment
    if target != order.status:
        _transition(order, ORDER_FLOW, target, actor=actor, extra=extra, note=delivery.number)
    else:
        order.save(update_fields=list(extra))
    return delivery


def _check_lot_parts(parts, lots: dict) -> None:
    """Lines sold from a lot leave from that lot (no other lot may be named for them), and an
    expired lot is not sold."""
    problems = []
    today = company_date()
    for line, _quantity in parts:
        if not line.lot_id:
            continue
        if line.pk in lots and lots[line.pk] != line.lot_id:
            problems.append(
                _("Line %(n)s was sold from lot %(lot)s: it leaves from that lot only.")
                % {"n": line.position, "lot": line.lot.code}
            )
        elif line.lot.expiry_date is not None and line.lot.expiry_date < today:
            problems.append(
                _("Line %(n)s: lot %(lot)s expired on %(date)s; expired goods are not sold (cancel the line instead).")
                % {"n": line.position, "lot": line.lot.code, "date": line.lot.expiry_date.isoformat()}
            )
    if problems:
        raise ValidationFailed(fields={"lots": problems}, code=LOT_ERROR)


def _issue_lot_lines(order: SalesOrder, parts, *, actor, at) -> None:
    """Issue the parts of lines sold from a lot, one stock issue per lot, each overriding FEFO
    with the reason that names the lot. A lot short of the quantity refuses the delivery."""
    from salesops.inventory.models import LotBalance

    by_lot: dict[int, list] = {}
    for line, quantity in parts:
        by_lot.setdefault(line.lot_id, []).append((line, quantity))
    for lot_id, lot_parts in by_lot.items():
        lot = lot_parts[0][0].lot
        try:
            stock_issue(
                warehouse=order.warehouse,
                lines=[StockLine(line.product_id, quantity, lot=lot_id) for line, quantity in lot_parts],
                reference=order_reference(order),
                actor=actor,
                at=at,
                reason=_("sold from lot %(code)s at clearance price") % {"code": lot.code},
            )
        except InsufficientStock as error:
            held = (
                LotBalance.objects.filter(lot_id=lot_id, warehouse=order.warehouse)
                .values_list("on_hand", flat=True)
                .first()
            ) or ZERO
            requested = sum((quantity for _line, quantity in lot_parts), ZERO)
            raise InsufficientStock(
                _(
                    "Lot %(lot)s holds %(available)s in %(warehouse)s, not the %(requested)s sold from it: "
                    "the lines sold from this lot leave from it only."
                )
                % {
                    "lot": lot.code,
                    "available": f"{max(held, ZERO).normalize():f}",
                    "warehouse": order.warehouse.name,
                    "requested": f"{requested.normalize():f}",
                },
                items=[{**item, "lot": lot.code} for item in error.extra.get("items", [])],
            ) from error


@transaction.atomic
def delivery_confirm(*, delivery: Delivery, actor, received_by: str = "", at=None) -> Delivery:
    """The customer's signed receipt came back."""
    delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
    _transition(
        delivery,
        DELIVERY_FLOW,
        Delivery.Status.CONFIRMED,
        actor=actor,
        extra={"confirmed_at": at or timezone.now(), "received_by": (received_by or "").strip()[:100]},
    )
    order = delivery.order
    if order.status == S.DELIVERED and not order.deliveries.filter(status=Delivery.Status.ISSUED).exists():
        sop.done(
            event="order_delivered",
            person=order.rep,
            occurred_at=delivery.confirmed_at,
            reference=_sop_reference(order),
            actor=actor,
        )
    return delivery


# --- invoices ---------------------------------------------------------------------------------------
def _payment_terms(order: SalesOrder) -> int:
    if order.payment == SalesOrder.Payment.CASH:
        return 0
    if order.contract_id:
        return order.contract.payment_terms_days
    from salesops.credit.models import CreditFile

    terms = CreditFile.objects.filter(customer_id=order.customer_id).values_list("payment_terms_days", flat=True)
    return next(iter(terms), 30)


@transaction.atomic
def invoice_create(*, deliveries, actor, issue_date=None, quantities: dict | None = None) -> Invoice:
    """Invoice delivered goods of one order: everything not yet invoiced on these deliveries, or
    `quantities` (delivery line id → quantity) for partial invoicing.

    Money paid for the order (its confirmed receipts: a cash sale, a prepayment) is allocated
    to the new invoice at once, dated the invoice date at the earliest: the invoice is paid
    only through those allocations, and the exposure stays what it was."""
    deliveries = list(deliveries)
    if not deliveries:
        raise ValidationFailed(fields={"deliveries": [_("Choose at least one delivery.")]})
    order_ids = {d.order_id for d in deliveries}
    if len(order_ids) != 1:
        raise ValidationFailed(fields={"deliveries": [_("Invoice the deliveries of one order at a time.")]})
    order = SalesOrder.objects.select_for_update(of=("self",)).select_related("contract").get(pk=order_ids.pop())
    delivery_lines = list(
        DeliveryLine.objects.select_for_update(of=("self",))
        .filter(delivery__in=[d.pk for d in deliveries])
        .select_related("order_line")
        .order_by("pk")
    )
    order_lines = {line.pk: line for line in order.lines.select_for_update().order_by("pk")}
    parts, problems = [], []
    for dl in delivery_lines:
        open_qty = dl.quantity - dl.invoiced_quantity
        if quantities is None:
            quantity = open_qty
            if quantity == 0:
                continue
        else:
            raw = quantities.get(dl.pk, quantities.get(str(dl.pk)))
            if raw in (None, ""):
                continue
            quantity = _line_quantity(raw, dl, problems)
            if quantity is None:
                continue
        if quantity <= 0 or quantity > open_qty:
            problems.append(_("Give a quantity above 0 and at most %(open)s.") % {"open": f"{open_qty.normalize():f}"})
            continue
        parts.append((dl, quantity))
    if problems:
        raise ValidationFailed(fields={"quantities": problems})
    if not parts:
        raise ValidationFailed(fields={"deliveries": [_("Everything on these deliveries is already invoiced.")]})
    issue_date = issue_date or timezone.localdate()
    invoice = Invoice(
        number=next_number(prefix=INVOICE_PREFIX, year=issue_date.year),
        kind=Invoice.Kind.INVOICE,
        customer_id=order.customer_id,
        order=order,
        rep_id=order.rep_id,
        team_id=order.team_id,
        issue_date=issue_date,
        due_date=issue_date + datetime.timedelta(days=_payment_terms(order)),
        total=ZERO,
        created_by=actor,
    )
    invoice_lines = []
    for position, (dl, quantity) in enumerate(parts, start=1):
        ol = order_lines[dl.order_line_id]
        value = _part_value(
            dl.amount,
            dl.invoiced_value,
            quantity,
            dl.unit_price if order.prices_include_tax else dl.amount / dl.quantity,
            quantity == dl.quantity - dl.invoiced_quantity,
        )
        dl.invoiced_quantity += quantity
        dl.invoiced_value += value
        ol.invoiced_quantity += quantity
        ol.invoiced_value += value
        invoice_lines.append(
            InvoiceLine(
                position=position,
                order_line=ol,
                delivery_line=dl,
                product_id=dl.product_id,
                quantity=quantity,
                unit_price=dl.unit_price,
                amount=value,
                tax_rate=ol.tax_rate,
                tax_amount=part_tax(value, ol),
            )
        )
    invoice.total = sum((il.amount for il in invoice_lines), ZERO)
    invoice.tax_total = sum((il.tax_amount for il in invoice_lines), ZERO)
    invoiced_after = order.invoiced_amount + invoice.total
    model_create(instance=invoice, actor=actor)
    if invoice.status == Invoice.Status.OPEN:
        from salesops.credit.escalations import collection_start

        collection_start(invoice=invoice)
    for il in invoice_lines:
        il.invoice = invoice
    InvoiceLine.objects.bulk_create(invoice_lines)
    DeliveryLine.objects.bulk_update([dl for dl, _q in parts], ["invoiced_quantity", "invoiced_value"])
    OrderLine.objects.bulk_update(list(order_lines.values()), ["invoiced_quantity", "invoiced_value"])
    extra = {"invoiced_amount": invoiced_after}
    if (
        order.status == S.DELIVERED
        and invoiced_after >= order.delivered_amount
        and all(ol.invoiced_quantity >= ol.delivered_quantity for ol in order_lines.values())
    ):
        _transition(order, ORDER_FLOW, S.CLOSED, actor=actor, extra=extra, note=invoice.number)
    else:
        for name, value in extra.items():
            setattr(order, name, value)
        order.save(update_fields=list(extra))
    from salesops.credit.receipts import order_payments_allocate

    if order_payments_allocate(order_id=order.pk, actor=actor):
        invoice.refresh_from_db(fields=["paid_amount", "status"])
    return invoice


def _close_if_done(order: SalesOrder, actor) -> None:
    lines = list(order.lines.all())
    if order.status == S.DELIVERED and all(ol.invoiced_quantity >= ol.delivered_quantity for ol in lines):
        _transition(order, ORDER_FLOW, S.CLOSED, actor=actor)


# --- returns and cancellations ----------------------------------------------------------------------
@transaction.atomic
def return_request(*, order: SalesOrder, kind: str, actor, reason: str, quantities: dict | None = None) -> SalesReturn:
    """退货 (kind return: invoiced goods come back; a credit note reverses the money) or 撤单
    (kind cancellation: the undelivered rest of a confirmed order is dropped and its
    reservation released). Takes effect when approved ("refund" approval rules)."""
    order = SalesOrder.objects.select_for_update().get(pk=order.pk)
    if kind not in SalesReturn.Kind.values:
        raise ValidationFailed(fields={"kind": [_("Choose return or cancellation.")]})
    if not (reason or "").strip():
        raise ValidationFailed(fields={"reason": [_("Say why.")]})
    if kind == SalesReturn.Kind.CANCELLATION and order.status not in (S.CONFIRMED, S.PARTIALLY_DELIVERED):
        raise InvalidTransition(_("Only the undelivered rest of a confirmed order can be cancelled."))
    if kind == SalesReturn.Kind.RETURN and order.invoiced_amount <= 0:
        raise InvalidTransition(_("Only invoiced goods can be returned; invoice the delivery first."))
    if order.returns.filter(status=SalesReturn.Status.PENDING_APPROVAL).exists():
        raise InvalidTransition(_("A return or cancellation of this order is already waiting for approval."))
    lines = list(order.lines.order_by("pk"))
    parts, problems = [], []
    for line in lines:
        available = (
            line.invoiced_quantity - line.returned_quantity if kind == SalesReturn.Kind.RETURN else line.open_quantity
        )
        if quantities is None:
            quantity = available
            if quantity <= 0:
                continue
        else:
            raw = quantities.get(line.pk, quantities.get(str(line.pk)))
            if raw in (None, ""):
                continue
            quantity = _line_quantity(raw, line, problems)
            if quantity is None:
                continue
        if quantity <= 0 or quantity > available:
            problems.append(
                _("Line %(n)s: give a quantity above 0 and at most %(open)s.")
                % {"n": line.position, "open": f"{available.normalize():f}"}
            )
            continue
        unit = gross_unit_price(line, order.prices_include_tax)
        if kind == SalesReturn.Kind.RETURN:
            last = quantity == available
            value = line.invoiced_value - line.returned_value if last else money(quantity * unit)
        else:
            last = quantity == available
            value = (line.amount - line.delivered_value - line.cancelled_value) if last else money(quantity * unit)
        parts.append(
            SalesReturnLine(
                order_line=line, product_id=line.product_id, quantity=quantity, unit_price=line.unit_price, amount=value
            )
        )
    if problems:
        raise ValidationFailed(fields={"quantities": problems})
    if not parts:
        raise ValidationFailed(fields={"quantities": [_("Nothing to return or cancel.")]})
    sales_return = SalesReturn(
        number=next_number(prefix="RT"),
        kind=kind,
        order=order,
        reason=reason.strip(),
        total=sum((p.amount for p in parts), ZERO),
        requested_by=actor,
    )
    model_create(instance=sales_return, actor=actor)
    for part in parts:
        part.sales_return = sales_return
    SalesReturnLine.objects.bulk_create(parts)
    if _approval(sales_return, DOC_RETURN, actor) is None:
        return_complete(sales_return=sales_return, actor=actor)
        sales_return.refresh_from_db()
    return sales_return


def return_complete(*, sales_return: SalesReturn, actor=None) -> SalesReturn:
    """Carry out an approved return or cancellation: stock back (or reservation released) and
    money reversed by a credit note (returns) or a lower order value (cancellations)."""
    sales_return = SalesReturn.objects.select_for_update().get(pk=sales_return.pk)
    RETURN_FLOW.check(sales_return.status, SalesReturn.Status.COMPLETED)
    order = SalesOrder.objects.select_for_update().get(pk=sales_return.order_id)
    parts = list(sales_return.lines.select_related("order_line"))
    lines = {line.pk: line for line in order.lines.select_for_update().order_by("pk")}
    now = timezone.now()
    extra = {"completed_at": now}
    if sales_return.kind == SalesReturn.Kind.RETURN:
        stock_receive(
            warehouse=order.warehouse,
            lines=[StockLine(p.product_id, p.quantity) for p in parts],
            reference=Reference(type="sales_return", id=sales_return.pk, number=sales_return.number),
            actor=actor,
            kind=StockMove.Kind.RETURN,
        )
        for p in parts:
            line = lines[p.order_line_id]
            line.returned_quantity += p.quantity
            line.returned_value += p.amount
        OrderLine.objects.bulk_update(list(lines.values()), ["returned_quantity", "returned_value"])
        original = order.invoices.filter(kind=Invoice.Kind.INVOICE).order_by("-issue_date", "-pk").first()
        today = timezone.localdate()
        credit_note = Invoice(
            number=next_number(prefix="CN", year=today.year),
            kind=Invoice.Kind.CREDIT_NOTE,
            customer_id=order.customer_id,
            order=order,
            rep_id=order.rep_id,
            team_id=order.team_id,
            issue_date=today,
            due_date=today,
            total=-sales_return.total,
            tax_total=-sum((part_tax(p.amount, p.order_line) for p in parts), ZERO),
            original=original,
            sales_return=sales_return,
            note=sales_return.reason,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        model_create(instance=credit_note, actor=actor, note=sales_return.number)
        InvoiceLine.objects.bulk_create(
            [
                InvoiceLine(
                    invoice=credit_note,
                    position=i,
                    order_line_id=p.order_line_id,
                    product_id=p.product_id,
                    quantity=-p.quantity,
                    unit_price=p.unit_price,
                    amount=-p.amount,
                    tax_rate=p.order_line.tax_rate,
                    tax_amount=-part_tax(p.amount, p.order_line),
                )
                for i, p in enumerate(parts, start=1)
            ]
        )
        from salesops.credit.receipts import credit_note_settle

        credit_note_settle(credit_note=credit_note, actor=actor)
    else:
        reference = order_reference(order)
        stock_release(reference=reference, warehouse=order.warehouse)
        for p in parts:
            line = lines[p.order_line_id]
            line.cancelled_quantity += p.quantity
            line.cancelled_value += p.amount
        remaining = [
            StockLine(line.product_id, line.open_quantity, lot=line.lot_id)
            for line in lines.values()
            if line.open_quantity > 0
        ]
        if remaining:
            stock_reserve(warehouse=order.warehouse, lines=remaining, reference=reference, actor=actor)
        OrderLine.objects.bulk_update(list(lines.values()), ["cancelled_quantity", "cancelled_value"])
        from salesops.credit.receipts import paid_for_order

        new_total = order.total - sales_return.total
        extra["refund_amount"] = max(paid_for_order(order) - new_total, ZERO)
        cancelled_tax = sum((part_tax(p.amount, lines[p.order_line_id]) for p in parts), ZERO)
        order_data = {"total": new_total, "tax_total": order.tax_total - cancelled_tax}
        nothing_delivered = all(line.delivered_quantity == 0 for line in lines.values())
        if nothing_delivered and not remaining:
            _transition(order, ORDER_FLOW, S.CANCELLED, actor=actor, extra=order_data, note=sales_return.number)
            sop.cancel(reference=_sop_reference(order), actor=actor)
        elif not remaining:
            _transition(order, ORDER_FLOW, S.DELIVERED, actor=actor, extra=order_data, note=sales_return.number)
            _close_if_done(order, actor)
        else:
            model_update(
                instance=order, fields=list(order_data), data=order_data, actor=actor, note=sales_return.number
            )
    _transition(sales_return, RETURN_FLOW, SalesReturn.Status.COMPLETED, actor=actor, extra=extra)
    return sales_return


def return_decided(*, sales_return: SalesReturn, target: str, actor=None) -> None:
    sales_return = SalesReturn.objects.select_for_update().get(pk=sales_return.pk)
    if sales_return.status == SalesReturn.Status.PENDING_APPROVAL:
        _transition(sales_return, RETURN_FLOW, target, actor=actor)
