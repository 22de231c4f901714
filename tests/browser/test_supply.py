"""Lot-tracked goods end to end in the browser, each step as the person who does it.

The warehouse keeper books a purchase order's receipt on a 390 px phone in Chinese, naming the
new lot with its production and expiry dates; the rep takes two orders; the warehouse issues
the first without choosing (first-expiry-first-out takes the older lot, never the expired one)
and the second from the newer lot, saying why; the delivery note shows the lot on its page and
in its PDF; the expired lot's write-off waits for the approver (a rule asks for it), who
approves it on a phone in Chinese, and the lot's stock is 0 — in its balance and in the ledger."""

import datetime
from decimal import Decimal

import pytest
from django.db.models import Sum

from salesops.approvals.models import ApprovalRule, ApprovalStep, ApprovalTask, ApproverKind
from salesops.core.selectors import company_date
from salesops.inventory import documents
from salesops.inventory.lots import LotSpec
from salesops.inventory.models import LotBalance, LotDisposal, PurchaseOrder, StockBalance, StockMove
from salesops.inventory.services import Reference, StockLine, stock_receive
from salesops.inventory.tests.factories import make_product, make_warehouse
from salesops.sales.models import Delivery, SalesOrder
from salesops.sales.pdf import document_html
from salesops.sales.tests.factories import make_customer
from tests.browser.conftest import DESKTOP, PHONE, login, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def no_horizontal_scroll(page, viewport):
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]


@pytest.fixture
def supply(org):
    today = company_date()
    warehouse = make_warehouse("MAIN", name="总仓 Main")
    milk = make_product(
        "MK-1L",
        name="纯牛奶 1L",
        name_en="Whole milk 1 L",
        list_price=Decimal("12.00"),
        cost=Decimal("6.00"),
        lot_tracked=True,
        shelf_life_days=180,
        expiry_warning_days=30,
    )
    # stock already on the shelf: one lot expired two days ago, one expiring in 40 days
    for code, produced, expires, quantity in [("L-EXP", -182, -2, 10), ("L-OLD", -140, 40, 30)]:
        stock_receive(
            warehouse=warehouse,
            lines=[
                StockLine(
                    milk.pk,
                    Decimal(quantity),
                    Decimal("6"),
                    lot=LotSpec(
                        code, today + datetime.timedelta(days=produced), today + datetime.timedelta(days=expires)
                    ),
                )
            ],
            reference=Reference("test", None, code),
            actor=None,
        )
    supplier = documents.supplier_create(code="S-DAIRY", name="光明乳业", actor=None)
    order = documents.purchase_order_create(
        supplier=supplier,
        warehouse=warehouse,
        expected_date=today + datetime.timedelta(days=1),
        lines=[(milk, Decimal("50"), Decimal("6.00"))],
        actor=org["purchasing"],
    )
    order = documents.purchase_order_submit(order=order, actor=org["purchasing"])
    assert order.status == PurchaseOrder.Status.OPEN
    customer = make_customer(owner=org["rep1"], limit="100000.00")
    # writing off stock waits for the general manager's approval
    rule = ApprovalRule.objects.create(
        doc_type="lot_write_off",
        name="Write-offs above zero",
        conditions=[{"field": "value", "operator": ">", "value": "0"}],
        position=1,
    )
    ApprovalStep.objects.create(rule=rule, position=1, approver=ApproverKind.USER, user=org["gm"])
    return {"today": today, "warehouse": warehouse, "milk": milk, "po": order, "customer": customer}


def shows_date(text: str, day: datetime.date) -> bool:
    """The date in any of the forms pages use: 2026-12-03, 3 Dec 2026, 2026年12月3日."""
    return any(
        form in text for form in (day.isoformat(), f"{day.day} {day:%b %Y}", f"{day.year}年{day.month}月{day.day}日")
    )


def lot_on_hand(code: str) -> Decimal:
    return LotBalance.objects.get(lot__code=code).on_hand


def take_order(page, supply, quantity: str) -> SalesOrder:
    page.goto("/sales/orders/new/")
    page.select_option("#id_customer", str(supply["customer"].pk))
    page.select_option("#id_payment", "credit")
    page.select_option("#id_lines-0-product", str(supply["milk"].pk))
    page.fill("#id_lines-0-quantity", quantity)
    with page.expect_navigation():
        page.click("[data-testid=document-save]")
    page.wait_for_selector("[data-testid=order-submit]")
    with page.expect_navigation():
        page.click("[data-testid=order-submit]")
    assert page.locator("[data-testid=order-status]").inner_text() == str(SalesOrder.Status.CONFIRMED.label), (
        page.locator("main").inner_text()[:600]
    )
    return SalesOrder.objects.get(pk=int(page.url.rstrip("/").split("/")[-1]))


def test_lot_received_issued_first_expiry_first_shown_on_the_delivery_note_and_expired_lot_written_off(
    org, supply, page_for
):
    today, milk = supply["today"], supply["milk"]

    # 1. goods receipt against the purchase order, on a phone, in Chinese
    org["warehouse"].language = "zh-hans"
    org["warehouse"].save(update_fields=["language"])
    keeper = page_for(viewport=PHONE, locale="zh-CN")
    login(keeper, "warehouse")
    keeper.goto("/stock/purchase-orders/")
    with keeper.expect_navigation():
        keeper.click(f"text={supply['po'].number}")
    assert keeper.locator("[data-testid=receive]").inner_text() == "确认收货"  # the page is in Chinese
    produced, expires = today - datetime.timedelta(days=3), today + datetime.timedelta(days=177)
    keeper.fill(f"input[name=q_{milk.pk}]", "50")
    keeper.fill(f"input[name=lot_{milk.pk}]", "L-NEW")
    keeper.fill(f"input[name=pd_{milk.pk}]", produced.isoformat())
    keeper.fill(f"input[name=exp_{milk.pk}]", expires.isoformat())
    no_horizontal_scroll(keeper, PHONE)
    with keeper.expect_navigation():
        keeper.click("[data-testid=receive]")
    assert keeper.locator("[data-testid=po-status]").inner_text() == "已收货", keeper.locator("main").inner_text()[:400]
    screenshot(keeper, "supply-po-received-zh-phone")
    new_lot = LotBalance.objects.select_related("lot").get(lot__code="L-NEW")
    assert (new_lot.on_hand, new_lot.lot.production_date, new_lot.lot.expiry_date) == (Decimal("50"), produced, expires)
    keeper.goto("/stock/lots/?q=MK-1L")
    lots = keeper.locator("table tbody").inner_text()
    assert "L-NEW" in lots and shows_date(lots, expires)

    # 2. the rep takes two orders
    rep = page_for()
    login(rep, "rep1")
    first = take_order(rep, supply, "20")
    second = take_order(rep, supply, "5")

    # 3. the warehouse issues the first without choosing: FEFO takes the older lot, not the expired one
    org["warehouse"].language = "en"
    org["warehouse"].save(update_fields=["language"])
    desk = page_for(viewport=DESKTOP)
    login(desk, "warehouse")
    desk.goto(f"/sales/orders/{first.pk}/")
    choices = desk.locator("[data-testid=lot-override] select option").all_inner_texts()
    assert any("L-OLD" in c for c in choices) and any("L-NEW" in c for c in choices)
    desk.fill("input[name=picked_up_by]", "王师傅")
    with desk.expect_navigation():
        desk.click("[data-testid=order-ship]")
    assert desk.locator("[data-testid=order-status]").inner_text() == str(SalesOrder.Status.DELIVERED.label)
    assert (lot_on_hand("L-EXP"), lot_on_hand("L-OLD"), lot_on_hand("L-NEW")) == (10, 10, 50)

    # 4. the delivery note shows the lot, on its page and in the PDF
    delivery = Delivery.objects.get(order=first)
    with desk.expect_navigation():
        desk.click(f"a[href='/sales/deliveries/{delivery.pk}/']")  # from the order's page
    issued = desk.locator("[data-testid=issued-lots]").inner_text()
    assert "L-OLD" in issued and "L-NEW" not in issued and "L-EXP" not in issued
    assert shows_date(issued, today + datetime.timedelta(days=40)) and "20" in issued
    screenshot(desk, "supply-delivery-note-lots")
    pdf = desk.request.get(f"/sales/delivery/{delivery.pk}/pdf/")
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf" and pdf.body().startswith(b"%PDF")
    assert "L-OLD" in document_html(delivery)  # what the PDF is printed from

    # 5. the second order from the newer lot, on the warehouse's choice with a reason
    desk.goto(f"/sales/orders/{second.pk}/")
    new_lot_id = str(new_lot.lot_id)
    desk.select_option(f"select[name=lot-{second.lines.get().pk}]", new_lot_id)
    with desk.expect_navigation():
        desk.click("[data-testid=order-ship]")
    # without a reason nothing is issued, and the page says why
    assert "Say why another lot" in desk.locator("main").inner_text()
    assert SalesOrder.objects.get(pk=second.pk).status == SalesOrder.Status.CONFIRMED
    desk.goto(f"/sales/orders/{second.pk}/")
    desk.select_option(f"select[name=lot-{second.lines.get().pk}]", new_lot_id)
    desk.fill("input[name=lot_reason]", "客户要求最新批次")
    with desk.expect_navigation():
        desk.click("[data-testid=order-ship]")
    assert desk.locator("[data-testid=order-status]").inner_text() == str(SalesOrder.Status.DELIVERED.label)
    assert (lot_on_hand("L-OLD"), lot_on_hand("L-NEW")) == (10, 45)
    override = StockMove.objects.get(lot__code="L-NEW", quantity__lt=0)
    assert "客户要求最新批次" in override.reason

    # 6. the expired lot's write-off waits for approval
    desk.goto("/stock/lots/?clear=1")
    table = desk.locator("table tbody").inner_text()
    assert "L-EXP" in table and "L-NEW" not in table
    clear = desk.locator("[data-testid=lot-clear-L-EXP]")
    clear.locator("select[name=kind]").select_option("write_off")
    clear.locator("input[name=reason]").fill("过期报损")
    desk.once("dialog", lambda dialog: dialog.accept())
    with desk.expect_navigation():
        clear.locator("button[type=submit]").click()
    disposal = LotDisposal.objects.get()
    assert disposal.status == LotDisposal.Status.PENDING and disposal.quantity == Decimal("10")
    assert "sent for approval" in desk.locator("main").inner_text()
    assert lot_on_hand("L-EXP") == 10  # nothing leaves before the approval

    # 7. the general manager approves it on a phone, in Chinese
    org["gm"].language = "zh-hans"
    org["gm"].save(update_fields=["language"])
    approver = page_for(viewport=PHONE, locale="zh-CN")
    login(approver, "gm")
    task = ApprovalTask.objects.get(status=ApprovalTask.Status.OPEN, request__doc_type="lot_write_off")
    approver.goto(f"/approvals/tasks/{task.pk}/")
    facts = approver.locator("[data-testid=facts]").inner_text()
    assert "L-EXP" in facts and "过期天数" in facts
    no_horizontal_scroll(approver, PHONE)
    screenshot(approver, "supply-write-off-approval-zh-phone")
    approver.get_by_label("批准", exact=True).check()
    approver.click("[data-testid=decide]")
    approver.wait_for_url("**/approvals/")
    disposal.refresh_from_db()
    assert disposal.status == LotDisposal.Status.POSTED

    # the lot's stock is 0, and the ledger agrees: per lot, and lots add up to the product
    assert lot_on_hand("L-EXP") == 0
    moves = StockMove.objects.filter(product=milk, warehouse=supply["warehouse"])
    assert moves.filter(lot__code="L-EXP").aggregate(n=Sum("quantity"))["n"] == 0
    for code in ("L-OLD", "L-NEW"):
        assert moves.filter(lot__code=code).aggregate(n=Sum("quantity"))["n"] == lot_on_hand(code)
    balance = StockBalance.objects.get(product=milk, warehouse=supply["warehouse"])
    assert balance.on_hand == moves.aggregate(n=Sum("quantity"))["n"] == Decimal("55")  # 10 + 45
    desk.goto("/stock/lot-disposals/")
    row = desk.locator("table tbody tr", has_text=disposal.number).inner_text()
    assert "Posted" in row
    desk.goto("/stock/lots/?q=MK-1L")
    assert "L-EXP" not in desk.locator("table tbody").inner_text()
