"""One document of every registered type, submitted for approval through its area's services.

`submitted(doc_type, org)` makes the document and submits it as its usual requester, under a
single-step rule naming `org["gm"]` (the general manager, whom every chain may end with — the
credit limit's must), and returns the pending ApprovalRequest."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal

from salesops.approvals import visits
from salesops.approvals.models import ApprovalRequest, ApprovalRule, ApprovalStep, ApproverKind
from salesops.catalog import services as catalog
from salesops.credit import services as credit
from salesops.credit.models import CreditFile
from salesops.crm.services import customer_create
from salesops.inventory import stocktake
from salesops.inventory.tests.factories import make_product, make_warehouse, receive
from salesops.planning import mps
from salesops.sales import services as sales

_seq = itertools.count(1)
D = Decimal


def single_step_rule(doc_type: str, approver) -> None:
    ApprovalRule.objects.filter(doc_type=doc_type).update(active=False)
    rule = ApprovalRule.objects.create(doc_type=doc_type, name=f"{doc_type} test rule", position=1)
    ApprovalStep.objects.create(rule=rule, position=1, approver=ApproverKind.USER, user=approver)


def _shop(org, *, limit="100000.00"):
    n = next(_seq)
    warehouse = make_warehouse(f"LW{n}")
    product = make_product(f"LP{n}", list_price=D("10.00"), cost=D("6.00"))
    receive(warehouse, product, 100, cost="6")
    customer = customer_create(actor=org["rep1"], name=f"Kunde {n}", owner=org["rep1"])
    CreditFile.objects.create(customer=customer, limit=D(limit), payment_terms_days=30)
    return warehouse, product, customer


def _order(org, *, unit_price="10.00", quantity="5", limit="100000.00", payment="credit"):
    warehouse, product, customer = _shop(org, limit=limit)
    order = sales.order_create(
        actor=org["rep1"],
        customer=customer,
        payment=payment,
        warehouse=warehouse,
        lines=[{"product": product.pk, "quantity": quantity, "unit_price": unit_price}],
    )
    return sales.order_submit(order=order, actor=org["rep1"])


def _contract(org):
    _warehouse, product, customer = _shop(org)
    today = datetime.date.today()
    return sales.contract_create(
        actor=org["rep1"],
        customer=customer,
        title="Annual supply",
        start_date=today,
        end_date=today + datetime.timedelta(days=365),
        lines=[{"product": product.pk, "quantity": "100", "unit_price": "9.50"}],
        terms="Delivery within 24 hours.",
    )


def make_visit_request(org):
    visit = visits.visit_request_create(
        actor=org["rep1"],
        customer=customer_create(actor=org["rep1"], name=f"Besuch {next(_seq)}", owner=org["rep1"]),
        planned_date=datetime.date.today() + datetime.timedelta(days=5),
        purpose="Shelf review",
        key_account=True,
    )
    visits.visit_request_submit(visit=visit, actor=org["rep1"])
    return visit


def make_quote(org):
    _warehouse, product, customer = _shop(org)
    quote = sales.quote_create(
        actor=org["rep1"], customer=customer, lines=[{"product": product.pk, "quantity": "5", "unit_price": "8.00"}]
    )
    return sales.quote_submit(quote=quote, actor=org["rep1"])


def make_discounted_order(org):
    return _order(org, unit_price="8.00")


def make_overlimit_order(org):
    return _order(org, limit="10.00")


def make_contract(org):
    return sales.contract_submit(contract=_contract(org), actor=org["rep1"])


def make_contract_change(org):
    contract = _contract(org)
    ApprovalRule.objects.filter(doc_type="contract").update(active=False)
    sales.contract_submit(contract=contract, actor=org["rep1"])  # no rule: in force at once
    return sales.contract_change_request(
        contract=contract, actor=org["rep1"], reason="Longer term", new_end_date=contract.end_date.replace(day=1)
    )


def make_refund(org):
    order = _order(org)
    return sales.return_request(order=order, kind="cancellation", actor=org["rep1"], reason="Customer closed")


def make_new_product(org):
    product = catalog.product_create(
        sku=f"NP{next(_seq)}", name="新面粉", list_price=D("12.00"), cost=D("7.00"), actor=org["purchasing"]
    )
    return catalog.product_submit(product=product, actor=org["purchasing"])


def make_price_change(org):
    product = make_product(f"PC{next(_seq)}", list_price=D("10.00"), cost=D("6.00"))
    change = catalog.price_change_create(
        effective_date=datetime.date.today() + datetime.timedelta(days=7),
        reason="Wheat price",
        lines=[(product, D("11.50"))],
        actor=org["purchasing"],
    )
    return catalog.price_change_submit(change=change, actor=org["purchasing"])


def make_credit_limit(org):
    customer = customer_create(actor=org["rep1"], name=f"Kredit {next(_seq)}", owner=org["rep1"])
    credit_file = CreditFile.objects.create(customer=customer, limit=D("5000.00"), payment_terms_days=30)
    return credit.limit_request_create(
        credit_file=credit_file,
        actor=org["finance"],
        requested_limit=D("20000.00"),
        requested_terms_days=45,
        reason="Growing orders",
    )


def make_stocktake(org):
    warehouse = make_warehouse(f"SW{next(_seq)}")
    product = make_product(f"ST{next(_seq)}", list_price=D("10.00"), cost=D("6.00"))
    receive(warehouse, product, 100, cost="6")
    count = stocktake.stocktake_freeze(warehouse=warehouse, actor=org["warehouse"], approval_threshold=D("1"))
    stocktake.stocktake_record_counts(stocktake=count, counts={product.pk: "97"}, actor=org["warehouse"])
    return stocktake.stocktake_submit(stocktake=count, actor=org["warehouse"])


def make_production_plan_change(org):
    product = make_product(f"MP{next(_seq)}", list_price=D("10.00"), cost=D("6.00"), source="make")
    schedule = mps.mps_generate(actor=org["planner"], weeks=6, product_ids=[product.pk])
    line = schedule.lines.get(week=schedule.first_week)
    return mps.mps_change_request(line=line, new_quantity="50", reason="Rush order", actor=org["planner"])


MAKERS = {
    "visit_request": (make_visit_request, "rep1"),
    "special_discount": (make_quote, "rep1"),
    "special_discount_order": (make_discounted_order, "rep1"),
    "overlimit_shipment": (make_overlimit_order, "rep1"),
    "contract": (make_contract, "rep1"),
    "contract_change": (make_contract_change, "rep1"),
    "refund": (make_refund, "rep1"),
    "new_product": (make_new_product, "purchasing"),
    "price_change": (make_price_change, "purchasing"),
    "credit_limit": (make_credit_limit, "finance"),
    "stocktake_variance": (make_stocktake, "warehouse"),
    "production_plan_change": (make_production_plan_change, "planner"),
}


def submitted(doc_type: str, org, *, approver=None) -> ApprovalRequest:
    single_step_rule(doc_type, approver or org["gm"])
    maker, _requester = MAKERS[doc_type]
    document = maker(org)
    return ApprovalRequest.objects.get(doc_type=doc_type, object_id=str(document.pk), status="pending")


def make_new_outlet(org):
    from salesops.field.outlets import outlet_application_create

    return outlet_application_create(
        actor=org["rep1"],
        data={
            "name": f"便利店 {next(_seq)}",
            "channel": "convenience",
            "grade": "B",
            "address": "南京路 1 号",
            "latitude": D("31.230000"),
            "longitude": D("121.470000"),
            "reason": "Busy corner",
        },
    )


def make_purchase_order(org):
    from salesops.inventory.documents import purchase_order_create, purchase_order_submit, supplier_create

    n = next(_seq)
    supplier = supplier_create(code=f"SUP{n}", name=f"供应商 {n}", actor=org["purchasing"])
    product = make_product(f"PO{n}", list_price=D("10.00"), cost=D("6.00"))
    order = purchase_order_create(
        supplier=supplier,
        lines=[(product, D("100"), D("6.00"))],
        expected_date=datetime.date.today() + datetime.timedelta(days=7),
        actor=org["purchasing"],
        warehouse=make_warehouse(f"PW{n}"),
    )
    return purchase_order_submit(order=order, actor=org["purchasing"])


def make_unit_change(org):
    from salesops.units.changes import change_request
    from salesops.units.tests.factories import make_project, reserve

    reservation = reserve(org, make_project(org))
    return change_request(
        reservation=reservation, kind="cancel_reservation", reason="buyer_withdraws", actor=org["rep1"]
    )


def make_unit_price_change(org):
    from salesops.units.changes import price_change_request
    from salesops.units.tests.factories import make_project, unit_of

    project = make_project(org)
    return price_change_request(
        project=project, lines=[(unit_of(project), D("2100000.00"))], reason="Market", actor=org["manager"]
    )


def make_expense_claim(org):
    from salesops.targets.expenses import expense_claim_submit
    from salesops.targets.models import ExpenseType

    expense_type, _created = ExpenseType.objects.get_or_create(
        code="travel", defaults={"name_en": "Travel", "name_zh": "差旅"}
    )
    return expense_claim_submit(
        actor=org["rep1"],
        expense_type=expense_type,
        spent_on_day=datetime.date.today(),
        amount="320.00",
        description="Train to the customer",
    )


MAKERS.update(
    {
        "new_outlet": (make_new_outlet, "rep1"),
        "purchase_order": (make_purchase_order, "purchasing"),
        "unit_change": (make_unit_change, "rep1"),
        "unit_price_change": (make_unit_price_change, "manager"),
        "expense_claim": (make_expense_claim, "rep1"),
    }
)


def make_lot_write_off(org):
    from salesops.core.selectors import company_date
    from salesops.inventory import expiry
    from salesops.inventory.lots import LotSpec
    from salesops.inventory.models import LotBalance
    from salesops.inventory.services import Reference, StockLine, stock_receive

    n = next(_seq)
    today = company_date()
    warehouse = make_warehouse(f"XW{n}")
    product = make_product(f"XP{n}", lot_tracked=True, shelf_life_days=180, expiry_warning_days=30)
    spec = LotSpec(f"L-X{n}", today - datetime.timedelta(days=200), today - datetime.timedelta(days=3))
    stock_receive(
        warehouse=warehouse,
        lines=[StockLine(product.pk, D("20"), D("3"), lot=spec)],
        reference=Reference("test", None, spec.code),
        actor=None,
    )
    balance = LotBalance.objects.get(lot__code=spec.code, warehouse=warehouse)
    return expiry.lot_disposal_create(
        balance=balance, kind="write_off", quantity=D("20"), reason="expired", actor=org["warehouse"]
    )


def make_sales_plan(org):
    from salesops.targets import services as targets

    plan = targets.target_plan_create(
        year=datetime.date.today().year + 1 + next(_seq) % 50,
        total=D("1200.00"),
        month_method="even",
        actor=org["director"],
    )
    return targets.target_plan_submit(plan=plan, actor=org["director"])


def make_commission_run(org):
    from salesops.targets import commissions
    from salesops.targets.models import CommissionRun

    month = datetime.date.today().replace(day=1) - datetime.timedelta(days=1 + 31 * next(_seq))
    CommissionRun.objects.filter(month=month.replace(day=1)).delete()
    run = commissions.commission_run_create(month=month, actor=org["finance"])
    return commissions.commission_run_submit(run=run, actor=org["finance"])


def make_customer_profit_plan(org):
    from salesops.targets import profit

    customer = customer_create(actor=org["rep1"], name=f"Gewinn {next(_seq)}", owner=org["rep1"])
    today = datetime.date.today().replace(day=1)
    plan = profit.profit_plan_save(
        rep=org["rep1"],
        month=(today + datetime.timedelta(days=40)).replace(day=1),
        actor=org["rep1"],
        lines=[{"customer": customer.pk, "volume": "100", "price": "50.00", "margin_percent": "20"}],
    )
    return profit.profit_plan_submit(plan=plan, actor=org["rep1"])


MAKERS.update(
    {
        "lot_write_off": (make_lot_write_off, "warehouse"),
        "sales_plan": (make_sales_plan, "director"),
        "commission_run": (make_commission_run, "finance"),
        "customer_profit_plan": (make_customer_profit_plan, "rep1"),
    }
)
