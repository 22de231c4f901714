"""Unit sales in the browser: a unit from the board to sold (hold → deposit receipt by finance
→ contract, review, down payment, signing → instalment and the mortgage's funds → sold), a
lapsed hold that hands the unit to the first on its waitlist, and a refund that gives the
deposit back through the money flow."""

import datetime
import importlib
from decimal import Decimal

import pytest
from django.utils import timezone

from salesops.credit.models import Receipt
from salesops.sales.models import Invoice
from salesops.sales.tests.helpers import decide_all
from salesops.units import jobs
from salesops.units.models import Mortgage, PurchaseContract, Reservation, Unit, UnitChange, WaitlistEntry
from salesops.units.tests.factories import make_buyer, make_project, reserve, today, unit_of
from tests.browser.conftest import login, screenshot

pytestmark = pytest.mark.django_db(transaction=True)
UNIT_SEED = "salesops.units.migrations.0002_seed_approval_rules_sop_rule_required_documents"


@pytest.fixture(autouse=True)
def units_seeded(seeded):
    """The approval rules of refunds and changes, the payment deadline rule and the purchase
    file's documents, restored after the live server's flush like the other areas' seeds."""
    from django.apps import apps

    importlib.import_module(UNIT_SEED).seed(apps, None)


def accept_dialogs(page):
    page.on("dialog", lambda dialog: dialog.accept())
    return page


def submit(page, selector="[data-testid=submit]"):
    with page.expect_navigation():
        page.click(selector)


def no_error_page(page):
    body = page.locator("body").inner_text()
    assert "Server Error" not in body and "Traceback" not in body, body[:600]


def record_payment(finance, url, kind, amount: str):
    """Finance opens the purchase and records the money received for one line of the schedule."""
    finance.goto(url)
    with finance.expect_navigation():
        finance.click(f"[data-testid=pay-{kind}]")
    assert finance.input_value("#id_amount").replace(",", "") in (amount, f"{Decimal(amount):.2f}")
    finance.fill("#id_amount", amount)
    finance.fill("#id_bank_reference", f"BANK-{kind}")
    submit(finance)
    no_error_page(finance)
    assert finance.locator(f"[data-testid=open-{kind}]").inner_text() == "0.00", finance.locator("main").inner_text()


def test_a_unit_from_the_board_to_sold(org, page_for):
    project = make_project(org, floors=2, units_per_floor=2)  # 100 m² at 20,000: 2,000,000.00
    buyer = make_buyer(org["rep1"], name="张三")

    # the rep finds the unit on the board and holds it for the customer
    rep = accept_dialogs(page_for())
    login(rep, "rep1")
    rep.goto(f"/units/projects/{project.pk}/")
    assert rep.locator("[data-testid=count-available]").inner_text().endswith("4")
    with rep.expect_navigation():
        rep.click('a[data-unit="1-201"]')
    rep.select_option("#id_customer", str(buyer.pk))
    submit(rep, "[data-testid=hold-submit]")
    no_error_page(rep)
    assert rep.locator("[data-testid=reservation-status]").inner_text() == str(Reservation.Status.HELD.label)
    reservation_url = rep.url
    reservation = Reservation.objects.get(customer=buyer)
    assert reservation.unit.code == "1-201" and reservation.unit.status == Unit.Status.HELD

    # finance records the deposit: a receipt allocated to the deposit's receivable
    finance = accept_dialogs(page_for())
    login(finance, "finance")
    record_payment(finance, reservation_url, "deposit", "20000.00")
    assert finance.locator("[data-testid=reservation-status]").inner_text() == str(Reservation.Status.RESERVED.label)
    assert finance.locator("[data-testid=receipts]").is_visible()
    assert Receipt.objects.filter(customer=buyer).count() == 1

    # the rep drafts the contract: 600,000 down (with the deposit), a 1,200,000 loan, one instalment
    rep.goto(reservation_url)
    with rep.expect_navigation():
        rep.click("[data-testid=contract-new]")
    rep.select_option("#id_method", "mortgage")
    rep.fill("#id_down_payment", "600000.00")
    rep.fill("#id_loan_amount", "1200000.00")
    rep.fill("#id_bank", "中国建设银行")
    rep.fill("#id_loan_years", "30")
    rep.fill("#id_loan_expected_on", (today() + datetime.timedelta(days=60)).isoformat())
    rep.fill("#id_instalment_1_due", (today() + datetime.timedelta(days=30)).isoformat())
    rep.fill("#id_instalment_1_amount", "200000.00")
    submit(rep)
    no_error_page(rep)
    assert rep.locator("[data-testid=contract-status]").inner_text() == str(PurchaseContract.Status.DRAFT.label)
    contract_url = rep.url
    contract = PurchaseContract.objects.get(reservation=reservation)

    # the supervisor reviews it point by point
    supervisor = accept_dialogs(page_for())
    login(supervisor, "supervisor1")
    supervisor.goto(contract_url)
    for box in supervisor.locator("[data-testid=review-form] input[type=checkbox]").all():
        box.check()
    submit(supervisor, "[data-testid=review-submit]")
    no_error_page(supervisor)
    assert supervisor.locator("[data-testid=contract-status]").inner_text() == str(
        PurchaseContract.Status.REVIEWED.label
    )

    # finance takes the down payment; the rep signs
    record_payment(finance, contract_url, "down_payment", "580000.00")
    rep.goto(contract_url)
    submit(rep, "[data-testid=contract-sign]")
    no_error_page(rep)
    assert rep.locator("[data-testid=contract-status]").inner_text() == str(PurchaseContract.Status.SIGNED.label)
    assert Unit.objects.get(pk=reservation.unit_id).status == Unit.Status.SIGNED

    # the bank: applied, then approved
    for stage in ("applied", "approved"):
        rep.select_option("#id_stage", stage)
        rep.fill("#id_on", today().isoformat())
        submit(rep, "[data-testid=mortgage-submit]")
        no_error_page(rep)
    assert str(Mortgage.Stage.APPROVED.label) in rep.locator("[data-testid=mortgage-stage]").inner_text()

    # the instalment and the loan arrive: the mortgage's funds, the unit sold
    record_payment(finance, contract_url, "instalment", "200000.00")
    record_payment(finance, contract_url, "loan", "1200000.00")
    finance.goto(contract_url)  # a payment is recorded from the purchase's page and returns to it
    assert finance.locator("[data-testid=contract-status]").inner_text() == str(PurchaseContract.Status.COMPLETED.label)
    assert str(Mortgage.Stage.FUNDS_ARRIVED.label) in finance.locator("[data-testid=mortgage-stage]").inner_text()
    screenshot(finance, "units-contract-completed")

    rep.goto(f"/units/projects/{project.pk}/")
    assert rep.locator('a[data-unit="1-201"]').get_attribute("data-status") == Unit.Status.SOLD
    assert rep.locator("[data-testid=count-sold]").inner_text().endswith("1")
    contract.refresh_from_db()
    assert contract.status == PurchaseContract.Status.COMPLETED
    assert contract.mortgage.stage == Mortgage.Stage.FUNDS_ARRIVED
    assert Unit.objects.get(pk=reservation.unit_id).status == Unit.Status.SOLD
    invoices = Invoice.objects.filter(customer=buyer)
    assert sum(invoice.total for invoice in invoices) == Decimal("2000000.00")
    assert all(invoice.paid_amount == invoice.total for invoice in invoices)


def test_a_lapsed_hold_goes_to_the_first_on_the_waitlist(org, page_for):
    project = make_project(org, floors=2, units_per_floor=2, hold_hours=2)
    first, waiting = make_buyer(org["rep1"], name="李四"), make_buyer(org["rep2"], name="王五")

    rep1 = accept_dialogs(page_for())
    login(rep1, "rep1")
    unit = unit_of(project, "1-102")
    rep1.goto(f"/units/units/{unit.pk}/")
    rep1.select_option("#id_customer", str(first.pk))
    submit(rep1, "[data-testid=hold-submit]")
    no_error_page(rep1)

    # another rep finds it taken and queues their customer
    rep2 = accept_dialogs(page_for())
    login(rep2, "rep2")
    rep2.goto(f"/units/units/{unit.pk}/")
    assert rep2.locator("[data-testid=unit-status]").inner_text() == str(Unit.Status.HELD.label)
    assert rep2.locator("[data-testid=hold-form]").count() == 0
    rep2.select_option("form:has([data-testid=waitlist-join]) select[name=customer]", str(waiting.pk))
    submit(rep2, "[data-testid=waitlist-join]")
    no_error_page(rep2)
    assert rep2.locator("[data-testid=waitlist]").inner_text().startswith("王五")

    # no deposit within the hold's hours: the periodic job lets it lapse, the queue moves
    assert jobs.holds_run(now=timezone.now() + datetime.timedelta(hours=3)) == {"lapsed": 1}
    rep2.reload()
    assert rep2.locator("[data-testid=unit-status]").inner_text() == str(Unit.Status.HELD.label)
    with rep2.expect_navigation():
        rep2.click("[data-testid=purchase-link]")
    assert "王五" in rep2.locator("main").inner_text()
    assert rep2.locator("[data-testid=reservation-status]").inner_text() == str(Reservation.Status.HELD.label)
    rep1.goto(f"/units/reservations/{Reservation.objects.get(customer=first).pk}/")
    assert rep1.locator("[data-testid=reservation-status]").inner_text() == str(Reservation.Status.LAPSED.label)
    assert WaitlistEntry.objects.get(customer=waiting).status == WaitlistEntry.Status.PROMOTED
    assert Reservation.objects.get(customer=waiting).waitlist_entry is not None


def test_a_refund_gives_the_deposit_back_through_the_money_flow(org, page_for):
    project = make_project(org, floors=2, units_per_floor=2)
    reservation = reserve(org, project, code="1-101")
    assert reservation.status == Reservation.Status.RESERVED

    rep = accept_dialogs(page_for())
    login(rep, "rep1")
    rep.goto(f"/units/reservations/{reservation.pk}/")
    with rep.expect_navigation():
        rep.click("[data-testid=change-new]")
    assert rep.locator("[data-testid=refund-terms]").is_visible()
    rep.select_option("#id_kind", UnitChange.Kind.CANCEL_RESERVATION)
    rep.select_option("#id_reason", UnitChange.Reason.SELLER)
    submit(rep)
    no_error_page(rep)
    assert rep.locator("[data-testid=change-status]").inner_text() == str(UnitChange.Status.PENDING.label)
    assert rep.locator("[data-testid=refund-amount]").inner_text() == "20,000.00"
    change = UnitChange.objects.get(reservation=reservation)

    decide_all(change, "unit_change")  # the approvers agree
    finance = accept_dialogs(page_for())
    login(finance, "finance")
    finance.goto(f"/units/changes/{change.pk}/")
    assert finance.locator("[data-testid=change-status]").inner_text() == str(UnitChange.Status.DONE.label)
    finance.fill("#id_reference", "BANK-REFUND-1")
    submit(finance, "[data-testid=refund-pay]")
    no_error_page(finance)
    assert "BANK-REFUND-1" in finance.locator("[data-testid=refund-paid]").inner_text()
    screenshot(finance, "units-refund-paid")

    change.refresh_from_db()
    assert change.refund_amount == Decimal("20000.00") and change.refund_document is not None
    assert Unit.objects.get(pk=reservation.unit_id).status == Unit.Status.AVAILABLE
    # the deposit's receipt, the credit note and the refund payment leave the customer owing nothing
    documents = Invoice.objects.filter(customer=reservation.customer)
    assert sum(document.total for document in documents) == sum(
        (receipt.amount for receipt in Receipt.objects.filter(customer=reservation.customer)), Decimal("0")
    )
    assert all(document.status == Invoice.Status.PAID for document in documents)
