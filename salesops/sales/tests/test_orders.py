from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from salesops.core.exceptions import InvalidTransition, ValidationFailed
from salesops.credit.exceptions import CreditFileMissing
from salesops.credit.models import Allocation, Receipt
from salesops.credit.receipts import receipt_confirm
from salesops.credit.services import exposure_for
from salesops.inventory.exceptions import InsufficientStock
from salesops.inventory.models import StockBalance, StockMove, StockReservation
from salesops.sales import services
from salesops.sales.flows import ORDER_FLOW
from salesops.sales.models import Invoice, OrderLine, SalesOrder
from salesops.sales.tests.factories import make_products
from salesops.sales.tests.helpers import decide_all

D = Decimal


def exposure(customer) -> Decimal:
    """Credit exposure to the cent (SQLite sums decimals as floats)."""
    return exposure_for(customer_id=customer.pk).quantize(D("0.01"))


def balance(shop, product):
    return StockBalance.objects.get(warehouse=shop["warehouse"], product=product)


def snapshot(shop):
    return {
        "orders": list(SalesOrder.objects.values_list("pk", "status", "total", "expected_prepayment")),
        "receipts": list(Receipt.objects.values_list("pk", "status", "amount", "allocated_amount")),
        "lines": OrderLine.objects.count(),
        "reservations": list(StockReservation.objects.values_list("product_id", "quantity")),
        "balances": list(StockBalance.objects.order_by("pk").values_list("on_hand", "reserved")),
        "moves": StockMove.objects.count(),
        "invoices": Invoice.objects.count(),
    }


def new_order(shop, lines=None, payment="credit", customer=None, actor=None):
    return services.order_create(
        actor=actor or shop["org"]["rep1"],
        customer=customer or shop["customer"],
        payment=payment,
        lines=lines or [{"product": shop["p1"].pk, "quantity": "5"}],
        warehouse=shop["warehouse"],
    )


def test_order_flow_table():
    assert ORDER_FLOW.can("draft", "confirmed")
    assert ORDER_FLOW.can("pending_approval", "confirmed")
    assert not ORDER_FLOW.can("confirmed", "draft")
    assert not ORDER_FLOW.can("delivered", "confirmed")
    assert not ORDER_FLOW.can("cancelled", "confirmed")
    with pytest.raises(InvalidTransition):
        ORDER_FLOW.check("closed", "confirmed")


def test_credit_order_within_limit_is_confirmed_and_stock_reserved(shop):
    order = new_order(shop)
    assert order.status == "draft" and order.total == D("50.00") and order.number.startswith("SO-")
    services.order_submit(order=order, actor=shop["org"]["rep1"])
    order.refresh_from_db()
    assert order.status == "confirmed" and order.confirmed_at and order.delivery_due_at
    assert balance(shop, shop["p1"]).reserved == D("5")
    assert exposure(shop["customer"]) == D("50.00")


def test_submitting_twice_is_refused_and_changes_nothing(shop):
    order = new_order(shop)
    services.order_submit(order=order, actor=shop["org"]["rep1"])
    before = snapshot(shop)
    with pytest.raises(InvalidTransition) as error:
        services.order_submit(order=order, actor=shop["org"]["rep1"])
    assert error.value.code == "invalid_transition"
    assert snapshot(shop) == before


@pytest.mark.parametrize(
    "line, field",
    [
        ({"quantity": "0"}, "quantity"),
        ({"quantity": "-2"}, "quantity"),
        ({"quantity": "abc"}, "quantity"),
        ({"quantity": "1", "unit_price": "9.999"}, "unit_price"),
        ({"quantity": "1", "unit_price": "-1"}, "unit_price"),
    ],
)
def test_bad_lines_give_validation_error_and_create_nothing(shop, line, field):
    before = snapshot(shop)
    with pytest.raises(ValidationFailed) as error:
        new_order(shop, lines=[{"product": shop["p1"].pk, **line}])
    assert error.value.code == "validation_error" and field in error.value.fields
    assert snapshot(shop) == before


def test_inactive_product_is_refused(shop):
    shop["p1"].active = False
    shop["p1"].save()
    before = snapshot(shop)
    with pytest.raises(ValidationFailed) as error:
        new_order(shop)
    assert "product" in error.value.fields
    assert snapshot(shop) == before


def test_product_deactivated_before_submit_is_refused_at_submit(shop):
    order = new_order(shop)
    shop["p1"].active = False
    shop["p1"].save()
    before = snapshot(shop)
    with pytest.raises(ValidationFailed):
        services.order_submit(order=order, actor=shop["org"]["rep1"])
    assert snapshot(shop) == before


def test_customer_of_another_team_is_refused(shop):
    with pytest.raises(ValidationFailed) as error:
        new_order(shop, customer=shop["other_team_customer"])
    assert "customer" in error.value.fields


def test_credit_order_without_credit_file_changes_nothing(shop):
    order = new_order(shop, customer=shop["no_credit"])
    before = snapshot(shop)
    with pytest.raises(CreditFileMissing) as error:
        services.order_submit(order=order, actor=shop["org"]["rep1"])
    assert error.value.code == "credit_file_missing"
    assert snapshot(shop) == before


def test_insufficient_stock_aborts_everything(shop):
    order = new_order(
        shop, lines=[{"product": shop["p1"].pk, "quantity": "5"}, {"product": shop["p2"].pk, "quantity": "101"}]
    )
    before = snapshot(shop)
    with pytest.raises(InsufficientStock) as error:
        services.order_submit(order=order, actor=shop["org"]["rep1"])
    assert error.value.code == "insufficient_stock"
    assert snapshot(shop) == before


def test_cash_sale_waits_for_finance_then_its_receipt_pays_the_invoice(shop):
    order = new_order(shop, customer=shop["no_credit"], payment="cash")
    services.order_submit(order=order, actor=shop["org"]["rep1"], payment={"method": "cash"})
    order.refresh_from_db()
    receipt = Receipt.objects.get(order=order)
    assert order.status == "pending_payment" and not StockReservation.objects.exists()
    assert (receipt.status, receipt.amount, receipt.handed_by) == ("handed_over", D("50.00"), shop["org"]["rep1"])
    receipt_confirm(receipt=receipt, actor=shop["org"]["finance"])
    order.refresh_from_db()
    assert order.status == "confirmed" and balance(shop, shop["p1"]).reserved == D("5")
    delivery = services.delivery_issue(order=order, actor=shop["org"]["warehouse"], picked_up_by="张三")
    invoice = services.invoice_create(deliveries=[delivery], actor=shop["org"]["finance"])
    assert invoice.total == D("50.00") and invoice.paid_amount == D("50.00") and invoice.status == "paid"
    allocation = Allocation.objects.get(invoice=invoice)
    assert (allocation.receipt, allocation.amount, allocation.allocated_on) == (receipt, D("50.00"), invoice.issue_date)
    order.refresh_from_db()
    assert order.status == "closed"


def test_cash_sale_submitted_by_finance_is_paid_and_confirmed_at_once(shop):
    order = new_order(shop, customer=shop["no_credit"], payment="cash")
    finance = shop["org"]["finance"]  # the cashier takes the money at the counter
    services.order_submit(order=order, actor=finance, payment={"method": "bank_transfer", "bank_reference": "T-1"})
    order.refresh_from_db()
    receipt = Receipt.objects.get(order=order)
    assert order.status == "confirmed"
    assert (receipt.status, receipt.confirmed_by, receipt.bank_reference) == ("confirmed", finance, "T-1")


def test_cash_sale_without_payment_waits_and_can_be_cancelled(shop):
    order = new_order(shop, customer=shop["no_credit"], payment="cash")
    services.order_submit(order=order, actor=shop["org"]["rep1"])
    order.refresh_from_db()
    assert order.status == "pending_payment" and not Receipt.objects.exists()
    services.order_cancel(order=order, actor=shop["org"]["rep1"])
    order.refresh_from_db()
    assert order.status == "cancelled"


def test_over_limit_goes_to_approval_then_confirms_when_approved(shop):
    order = new_order(
        shop, lines=[{"product": shop["p1"].pk, "quantity": "60"}, {"product": shop["p2"].pk, "quantity": "30"}]
    )
    assert order.total == D("699.90")
    services.order_submit(order=order, actor=shop["org"]["rep1"])
    big = new_order(shop, lines=[{"product": shop["p1"].pk, "quantity": "35"}])  # 350 > 1000 − 699.90
    before = snapshot(shop)
    services.order_submit(order=big, actor=shop["org"]["rep1"])
    big.refresh_from_db()
    assert big.status == "pending_approval" and big.approval_reason == "over_limit"
    assert balance(shop, shop["p1"]).reserved == D("60")  # nothing reserved for the waiting order
    assert before["balances"] == snapshot(shop)["balances"]
    request = decide_all(big, "overlimit_shipment")
    assert request.status == "approved"
    assert request.tasks.get().assignee == shop["org"]["director"]
    big.refresh_from_db()
    assert big.status == "confirmed"
    assert balance(shop, shop["p1"]).reserved == D("95")


def test_over_limit_rejected(shop):
    order = new_order(
        shop, lines=[{"product": shop["p1"].pk, "quantity": "100"}, {"product": shop["p2"].pk, "quantity": "1"}]
    )
    services.order_submit(order=order, actor=shop["org"]["rep1"])
    order.refresh_from_db()
    assert order.status == "pending_approval"
    decide_all(order, "overlimit_shipment", decision="reject", comment="no")
    order.refresh_from_db()
    assert order.status == "rejected" and not StockReservation.objects.exists()


def test_expected_prepayment_is_information_the_order_waits_for_the_money(shop):
    order = new_order(
        shop, lines=[{"product": shop["p1"].pk, "quantity": "100"}, {"product": shop["p2"].pk, "quantity": "30"}]
    )
    assert order.total == D("1099.90")
    services.order_submit(order=order, actor=shop["org"]["rep1"], expected_prepayment="99.90")
    order.refresh_from_db()
    assert order.status == "pending_payment" and order.expected_prepayment == D("99.90")
    assert not StockReservation.objects.exists() and exposure(shop["customer"]) == D("0.00")


def test_overdue_invoices_send_the_order_to_approval(shop):
    import datetime

    order = new_order(shop)
    services.order_submit(order=order, actor=shop["org"]["rep1"])
    delivery = services.delivery_issue(order=order, actor=shop["org"]["warehouse"])
    services.invoice_create(
        deliveries=[delivery],
        actor=shop["org"]["finance"],
        issue_date=datetime.date.today() - datetime.timedelta(days=60),
    )
    second = new_order(shop)
    services.order_submit(order=second, actor=shop["org"]["rep1"])
    second.refresh_from_db()
    assert second.status == "pending_approval" and second.approval_reason == "overdue"


def test_special_discount_needs_approval_then_credit_and_stock(shop):
    order = new_order(shop, lines=[{"product": shop["p1"].pk, "quantity": "5", "unit_price": "8.00"}])
    assert order.lines.get().discount_percent == D("20.00")
    services.order_submit(order=order, actor=shop["org"]["rep1"])
    order.refresh_from_db()
    assert order.status == "pending_approval" and order.approval_reason == "special_discount"
    request = decide_all(order, "special_discount_order")
    assert request.status == "approved"
    assert [t.assignee.username for t in request.tasks.order_by("position")] == ["supervisor1", "manager", "director"]
    order.refresh_from_db()
    assert order.status == "confirmed" and order.discount_approved
    assert balance(shop, shop["p1"]).reserved == D("5")


def test_small_discount_within_allowance_needs_no_approval(shop):
    order = new_order(shop, lines=[{"product": shop["p1"].pk, "quantity": "5", "unit_price": "9.60"}])
    services.order_submit(order=order, actor=shop["org"]["rep1"])
    order.refresh_from_db()
    assert order.status == "confirmed"


def test_editing_a_discount_approved_order_is_refused(shop):
    order = new_order(shop, lines=[{"product": shop["p1"].pk, "quantity": "5", "unit_price": "8.00"}])
    services.order_submit(order=order, actor=shop["org"]["rep1"])
    decide_all(order, "special_discount_order")
    from salesops.sales.exceptions import DocumentLocked

    with pytest.raises(DocumentLocked):
        services.order_update_lines(
            order=order, lines=[{"product": shop["p1"].pk, "quantity": "1"}], actor=shop["org"]["rep1"]
        )


def test_partial_deliveries_and_invoices_add_up_to_the_cent(shop):
    # 3.33 × 1.5 = 4.995 → amounts must still add up exactly to the line's 33.30 (10 units)
    order = new_order(shop, lines=[{"product": shop["p2"].pk, "quantity": "10"}])
    services.order_submit(order=order, actor=shop["org"]["rep1"])
    line = order.lines.get()
    wh = shop["org"]["warehouse"]
    d1 = services.delivery_issue(order=order, actor=wh, quantities={line.pk: "1.5"}, picked_up_by="李四")
    order.refresh_from_db()
    assert order.status == "partially_delivered" and d1.total == D("5.00")
    d2 = services.delivery_issue(order=order, actor=wh, quantities={line.pk: "1.5"})
    d3 = services.delivery_issue(order=order, actor=wh)  # the rest: 7
    order.refresh_from_db()
    assert order.status == "delivered"
    assert d1.total + d2.total + d3.total == order.total == order.delivered_amount == D("33.30")
    assert balance(shop, shop["p2"]).on_hand == D("90") and balance(shop, shop["p2"]).reserved == 0
    before_exposure = exposure(shop["customer"])
    fin = shop["org"]["finance"]
    dl1 = d1.lines.get()
    i1 = services.invoice_create(deliveries=[d1], actor=fin, quantities={dl1.pk: "0.5"})
    i2 = services.invoice_create(deliveries=[d1, d2], actor=fin)
    assert exposure(shop["customer"]) == before_exposure
    i3 = services.invoice_create(deliveries=[d3], actor=fin)
    order.refresh_from_db()
    assert i1.total + i2.total + i3.total == D("33.30") == order.invoiced_amount
    assert order.status == "closed"
    assert exposure(shop["customer"]) == before_exposure == D("33.30")
    assert i3.due_date == i3.issue_date + __import__("datetime").timedelta(days=30)


def test_money_paid_for_an_order_pays_its_invoices_as_they_are_issued(shop):
    from salesops.credit.receipts import receipt_record

    order = new_order(
        shop, lines=[{"product": shop["p1"].pk, "quantity": "100"}, {"product": shop["p2"].pk, "quantity": "30"}]
    )
    services.order_submit(order=order, actor=shop["org"]["rep1"], expected_prepayment="99.90")
    wh, fin = shop["org"]["warehouse"], shop["org"]["finance"]
    receipt = receipt_record(
        actor=fin, customer=shop["customer"], amount="99.90", received_on=order.order_date, order=order
    )
    order.refresh_from_db()
    assert order.status == "confirmed" and [o.number for o in receipt.released_orders] == [order.number]
    assert exposure(shop["customer"]) == D("1000.00")
    line = order.lines.get(position=1)
    d1 = services.delivery_issue(order=order, actor=wh, quantities={line.pk: "95"})
    i1 = services.invoice_create(deliveries=[d1], actor=fin)
    assert (i1.total, i1.paid_amount) == (D("950.00"), D("99.90"))
    assert exposure(shop["customer"]) == D("1000.00")
    d2 = services.delivery_issue(order=order, actor=wh)
    i2 = services.invoice_create(deliveries=[d2], actor=fin)
    assert i2.total == D("149.90") and i2.paid_amount == D("0.00")
    assert exposure(shop["customer"]) == D("1000.00")


def test_return_with_credit_note_reverses_stock_and_money_exactly(shop):
    order = new_order(shop, lines=[{"product": shop["p2"].pk, "quantity": "3"}])
    services.order_submit(order=order, actor=shop["org"]["rep1"])
    delivery = services.delivery_issue(order=order, actor=shop["org"]["warehouse"])
    invoice = services.invoice_create(deliveries=[delivery], actor=shop["org"]["finance"])
    before_exposure = exposure(shop["customer"])
    on_hand = balance(shop, shop["p2"]).on_hand
    line = order.lines.get()
    rt = services.return_request(
        order=order, kind="return", actor=shop["org"]["rep1"], reason="破损", quantities={line.pk: "1"}
    )
    assert rt.status == "pending_approval"
    assert balance(shop, shop["p2"]).on_hand == on_hand  # nothing happens before approval
    decide_all(rt, "refund")
    rt.refresh_from_db()
    assert rt.status == "completed"
    credit_note = Invoice.objects.get(kind="credit_note")
    assert credit_note.total == D("-3.33") and credit_note.original == invoice
    assert credit_note.number.startswith("CN-")
    assert balance(shop, shop["p2"]).on_hand == on_hand + 1
    assert exposure(shop["customer"]) == before_exposure - D("3.33")
    invoice.refresh_from_db()
    credit_note.refresh_from_db()
    assert invoice.total == D("9.99")  # the original is never edited
    assert (invoice.open_amount, invoice.status) == (D("6.66"), "open")  # the credit note settles against it
    assert (credit_note.open_amount, credit_note.status) == (D("0.00"), "paid")
    rest = services.return_request(order=order, kind="return", actor=shop["org"]["rep1"], reason="全部退回")
    decide_all(rest, "refund")
    assert sum(Invoice.objects.filter(order=order).values_list("total", flat=True)) == D("0")
    invoice.refresh_from_db()
    assert (invoice.open_amount, invoice.status) == (D("0.00"), "paid")
    assert not Invoice.objects.filter(order=order, status="open").exists()
    assert exposure(shop["customer"]) == before_exposure - D("9.99")


def test_cancellation_of_the_undelivered_rest_releases_the_reservation(shop):
    order = new_order(
        shop, lines=[{"product": shop["p1"].pk, "quantity": "10"}, {"product": shop["p2"].pk, "quantity": "10"}]
    )
    services.order_submit(order=order, actor=shop["org"]["rep1"])
    l1 = order.lines.get(position=1)
    services.delivery_issue(order=order, actor=shop["org"]["warehouse"], quantities={l1.pk: "4"})
    rt = services.return_request(order=order, kind="cancellation", actor=shop["org"]["rep1"], reason="客户撤单")
    decide_all(rt, "refund")
    order.refresh_from_db()
    assert order.status == "delivered" and order.total == D("40.00") == order.delivered_amount
    assert balance(shop, shop["p1"]).reserved == 0 and balance(shop, shop["p2"]).reserved == 0
    assert exposure(shop["customer"]) == D("40.00")


def test_whole_cancellation_of_a_confirmed_order(shop):
    order = new_order(shop)
    services.order_submit(order=order, actor=shop["org"]["rep1"])
    rt = services.return_request(order=order, kind="cancellation", actor=shop["org"]["rep1"], reason="撤单")
    decide_all(rt, "refund")
    order.refresh_from_db()
    assert order.status == "cancelled" and not StockReservation.objects.exists()
    assert exposure(shop["customer"]) == 0


def test_delivery_confirmation_and_history(shop):
    from salesops.core.audit import history_for

    order = new_order(shop)
    services.order_submit(order=order, actor=shop["org"]["rep1"])
    delivery = services.delivery_issue(order=order, actor=shop["org"]["warehouse"], picked_up_by="王五")
    services.delivery_confirm(delivery=delivery, actor=shop["org"]["rep1"], received_by="客户签收")
    delivery.refresh_from_db()
    assert delivery.status == "confirmed" and delivery.received_by == "客户签收"
    with pytest.raises(InvalidTransition):
        services.delivery_confirm(delivery=delivery, actor=shop["org"]["rep1"])
    assert history_for(order).count() >= 3


def _submit_queries(shop, n):
    products = make_products(n, warehouse=shop["warehouse"], price="2.50", stock="10")
    order = new_order(shop, lines=[{"product": p.pk, "quantity": "1"} for p in products])
    with CaptureQueriesContext(connection) as ctx:
        services.order_submit(order=order, actor=shop["org"]["rep1"])
    order.refresh_from_db()
    assert order.status == "confirmed"
    return len(ctx.captured_queries)


def test_submit_query_count_does_not_grow_with_lines(shop):
    from salesops.credit.models import CreditFile

    CreditFile.objects.filter(customer=shop["customer"]).update(limit=D("100000"))
    assert _submit_queries(shop, 10) == _submit_queries(shop, 300)


def test_quote_to_order_and_contract_with_change(shop):
    rep = shop["org"]["rep1"]
    quote = services.quote_create(
        actor=rep, customer=shop["customer"], lines=[{"product": shop["p1"].pk, "quantity": "2", "unit_price": "7.00"}]
    )
    assert quote.number.startswith("QT-")
    services.quote_submit(quote=quote, actor=rep)
    quote.refresh_from_db()
    assert quote.status == "pending_approval"
    decide_all(quote, "special_discount")
    quote.refresh_from_db()
    assert quote.status == "approved" and quote.discount_approved
    order = services.quote_to_order(quote=quote, actor=rep, warehouse=shop["warehouse"])
    assert order.quote == quote and order.discount_approved and order.total == D("14.00")
    services.order_submit(order=order, actor=rep)
    order.refresh_from_db()
    assert order.status == "confirmed"  # the quote's approval carries over

    import datetime

    today = datetime.date.today()
    contract = services.contract_create(
        actor=rep,
        customer=shop["customer"],
        title="年度供货合同",
        start_date=today,
        end_date=today + datetime.timedelta(days=365),
        lines=[{"product": shop["p1"].pk, "quantity": "1000"}],
        terms="月结30天",
    )
    services.contract_submit(contract=contract, actor=rep)
    contract.refresh_from_db()
    assert contract.status == "pending_approval"
    decide_all(contract, "contract")
    contract.refresh_from_db()
    assert contract.status == "active"
    change = services.contract_change_request(
        contract=contract,
        actor=rep,
        reason="延期",
        new_end_date=today + datetime.timedelta(days=400),
        additional_terms="运费由供方承担",
    )
    contract.refresh_from_db()
    assert contract.version == 1  # not before approval
    decide_all(change, "contract_change")
    contract.refresh_from_db()
    assert contract.version == 2 and "运费由供方承担" in contract.terms
    assert contract.end_date == today + datetime.timedelta(days=400)


def test_pdfs_render(shop):
    from salesops.sales.pdf import document_html, document_pdf

    order = new_order(shop)
    services.order_submit(order=order, actor=shop["org"]["rep1"])
    html = document_html(order)
    for copy in ("财务联", "仓库联", "业务联", "客户联"):
        assert copy in html
    pdf = document_pdf(order)
    assert pdf.startswith(b"%PDF")
    delivery = services.delivery_issue(order=order, actor=shop["org"]["warehouse"])
    invoice = services.invoice_create(deliveries=[delivery], actor=shop["org"]["finance"])
    for document in (delivery, invoice):
        assert document_pdf(document).startswith(b"%PDF")
        assert document.number in document_html(document)


def test_pdf_contains_the_number_and_embeds_the_cjk_font(shop):
    from salesops.sales.pdf import document_pdf

    order = new_order(shop)
    pdf = document_pdf(order, uncompressed=True)
    assert pdf.startswith(b"%PDF")
    assert b"NotoSansCJK" in pdf and b"/FontFile" in pdf  # embedded, not referenced
    assert order.number.encode() in pdf  # the document title


def test_daily_feed_and_rep_open_invoices(shop):
    import datetime

    from salesops.sales.selectors import daily_sales_feed, rep_open_invoices

    order = new_order(shop)
    services.order_submit(order=order, actor=shop["org"]["rep1"])
    delivery = services.delivery_issue(order=order, actor=shop["org"]["warehouse"])
    services.invoice_create(deliveries=[delivery], actor=shop["org"]["finance"])
    today = datetime.date.today()
    feed = daily_sales_feed(date_from=today, date_to=today)
    assert feed == [
        {
            "rep_id": shop["org"]["rep1"].pk,
            "date": today,
            "orders_count": 1,
            "orders_amount": D("50.00"),
            "invoices_count": 1,
            "invoices_amount": D("50.00"),
        }
    ]
    assert rep_open_invoices(user=shop["org"]["rep1"]).count() == 1
    assert rep_open_invoices(user=shop["org"]["rep2"]).count() == 0
