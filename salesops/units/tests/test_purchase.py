"""The path of a sale, service by service: hold → deposit → reservation → contract → review →
down payment → signed → mortgage → loan funds → sold; every amount through the money flow."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from salesops.core.exceptions import InvalidTransition, NotFound, PermissionDenied
from salesops.credit.ledger import balance_at
from salesops.credit.models import Allocation, Receipt
from salesops.sales.models import Invoice
from salesops.sop.models import Obligation
from salesops.units import contracts, services
from salesops.units.exceptions import (
    DownPaymentNotPaid,
    OwnReview,
    ReviewIncomplete,
    ScheduleMismatch,
    UnitNotAvailable,
)
from salesops.units.models import Mortgage, PaymentItem, PurchaseContract, Reservation, Unit
from salesops.units.tests.factories import make_buyer, make_project, mortgage_contract, pay, reserve, unit_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(org):
    return make_project(org)


def test_a_hold_keeps_the_unit_for_the_customer_until_its_deposit_is_paid(org, project):
    buyer = make_buyer(org["rep1"])
    unit = unit_of(project)
    outcome = services.reservation_hold(unit=unit, customer=buyer, actor=org["rep1"])
    reservation = outcome.reservation
    unit.refresh_from_db()
    assert unit.status == Unit.Status.HELD
    assert reservation.status == Reservation.Status.HELD
    assert reservation.consultant == org["rep1"] and reservation.price == Decimal("2000000.00")
    assert reservation.hold_expires_at - reservation.held_at == datetime.timedelta(hours=24)
    deposit = reservation.payment_items.get()
    assert (deposit.kind, deposit.amount, deposit.invoice) == ("deposit", Decimal("20000.00"), None)

    receipt = pay(deposit, org)
    assert receipt.status == Receipt.Status.CONFIRMED and receipt.allocated_amount == Decimal("20000.00")
    reservation.refresh_from_db()
    unit.refresh_from_db()
    assert reservation.status == Reservation.Status.RESERVED and unit.status == Unit.Status.RESERVED
    assert reservation.sign_by == timezone.localdate() + datetime.timedelta(days=7)
    deposit.refresh_from_db()
    assert deposit.invoice.paid_amount == deposit.invoice.total == Decimal("20000.00")
    assert Allocation.objects.get(invoice=deposit.invoice).receipt == receipt


def test_a_taken_unit_is_refused_and_nothing_is_written(org, project):
    reserve(org, project)
    other = make_buyer(org["rep2"])
    before = Reservation.objects.count()
    with pytest.raises(UnitNotAvailable):
        services.reservation_hold(unit=unit_of(project), customer=other, actor=org["rep2"])
    assert Reservation.objects.count() == before


def test_a_rep_cannot_hold_for_another_reps_customer_and_finance_cannot_sell(org, project):
    buyer = make_buyer(org["rep3"])
    with pytest.raises(NotFound):
        services.reservation_hold(unit=unit_of(project), customer=buyer, actor=org["rep1"])
    with pytest.raises(PermissionDenied):
        services.reservation_hold(unit=unit_of(project), customer=buyer, actor=org["finance"])
    assert unit_of(project).status == Unit.Status.AVAILABLE


def test_only_finance_records_money(org, project):
    reservation = services.reservation_hold(
        unit=unit_of(project), customer=make_buyer(org["rep1"]), actor=org["rep1"]
    ).reservation
    with pytest.raises(PermissionDenied):
        contracts.payment_record(
            item=reservation.payment_items.get(), amount="20000.00", received_on=timezone.localdate(), actor=org["rep1"]
        )
    assert not Receipt.objects.exists()


def test_the_whole_sale_to_sold_with_a_mortgage(org, project):
    reservation = reserve(org, project)
    contract = mortgage_contract(org, reservation)
    assert contract.status == PurchaseContract.Status.REVIEWED and contract.reviewed_by == org["supervisor1"]
    items = {item.kind: item for item in reservation.payment_items.all()}
    assert items["down_payment"].amount == Decimal("580000.00")  # 600,000 less the 20,000 deposit
    assert items["loan"].amount == Decimal("1400000.00")

    with pytest.raises(DownPaymentNotPaid):
        contracts.contract_sign(contract=contract, actor=org["rep1"])
    pay(items["down_payment"], org, amount="300000.00")
    pay(items["down_payment"], org, amount="280000.00")
    contract = contracts.contract_sign(contract=contract, actor=org["rep1"])
    assert contract.status == PurchaseContract.Status.SIGNED
    assert unit_of(project).status == Unit.Status.SIGNED
    loan = PaymentItem.objects.get(pk=items["loan"].pk)
    assert loan.invoice.due_date == contract.loan_expected_on and loan.invoice.status == Invoice.Status.OPEN
    obligation = Obligation.objects.get(reference=f"unit-payment:{loan.pk}")
    assert obligation.person == org["rep1"] and obligation.status == Obligation.Status.OPEN

    mortgage = contract.mortgage
    with pytest.raises(InvalidTransition):
        pay(loan, org)  # the bank has not approved the loan yet
    mortgage = contracts.mortgage_update(mortgage=mortgage, stage="applied", actor=org["salesadmin"])
    mortgage = contracts.mortgage_update(mortgage=mortgage, stage="approved", actor=org["rep1"])
    pay(loan, org)
    mortgage.refresh_from_db()
    contract.refresh_from_db()
    assert mortgage.stage == Mortgage.Stage.FUNDS_ARRIVED and mortgage.funds_arrived_on == timezone.localdate()
    assert contract.status == PurchaseContract.Status.COMPLETED
    assert unit_of(project).status == Unit.Status.SOLD
    obligation.refresh_from_db()
    assert obligation.status == Obligation.Status.MET
    # the money flow: every receivable paid by receipts, nothing owed either way
    invoices = Invoice.objects.filter(customer=reservation.customer)
    assert sum(i.total for i in invoices) == Decimal("2000000.00")
    assert all(i.status == Invoice.Status.PAID for i in invoices)
    assert balance_at(customer_id=reservation.customer_id, day=timezone.localdate()) == Decimal("0.00")


def test_the_review_needs_every_check_and_not_the_seller(org, project):
    reservation = reserve(org, project)
    contract = contracts.contract_create(
        reservation=reservation, actor=org["rep1"], method="full", down_payment=reservation.price
    )
    with pytest.raises(PermissionDenied):
        contracts.contract_review(contract=contract, actor=org["rep2"], checks=dict.fromkeys(contract.CHECKS, True))
    own = reserve(org, project, rep="supervisor1", code="1-102")  # a supervisor selling to their own customer
    own_contract = contracts.contract_create(
        reservation=own, actor=org["supervisor1"], method="full", down_payment=own.price
    )
    with pytest.raises(OwnReview):
        contracts.contract_review(
            contract=own_contract, actor=org["supervisor1"], checks=dict.fromkeys(contract.CHECKS, True)
        )
    checks = dict.fromkeys(contract.CHECKS, True) | {"check_loan_date": False}
    with pytest.raises(ReviewIncomplete) as refused:
        contracts.contract_review(contract=contract, actor=org["supervisor1"], checks=checks)
    assert list(refused.value.fields) == ["check_loan_date"]
    contract.refresh_from_db()
    assert contract.status == PurchaseContract.Status.DRAFT and contract.reviewed_by is None


def test_a_schedule_that_does_not_add_up_is_refused(org, project):
    reservation = reserve(org, project)
    with pytest.raises(ScheduleMismatch):
        contracts.contract_create(
            reservation=reservation,
            actor=org["rep1"],
            method="instalments",
            down_payment=Decimal("600000.00"),
            instalments=[{"due_date": timezone.localdate() + datetime.timedelta(days=90), "amount": "1000000.00"}],
        )
    assert not PurchaseContract.objects.exists()
    assert reservation.payment_items.count() == 1


def test_a_consultant_cannot_change_the_price(org, project):
    reservation = reserve(org, project)
    with pytest.raises(PermissionDenied) as refused:
        contracts.contract_create(
            reservation=reservation,
            actor=org["rep1"],
            method="full",
            price=Decimal("1900000.00"),
            down_payment=Decimal("1900000.00"),
        )
    assert "price" in refused.value.fields
    contract = contracts.contract_create(
        reservation=reservation,
        actor=org["supervisor1"],
        method="full",
        price=Decimal("1900000.00"),
        down_payment=Decimal("1900000.00"),
        special_discount="老业主95折",
    )
    assert contract.price == Decimal("1900000.00")


def test_paid_in_full_at_signing_is_sold_at_once(org, project):
    reservation = reserve(org, project)
    contract = contracts.contract_create(
        reservation=reservation, actor=org["rep1"], method="full", down_payment=reservation.price
    )
    contract = contracts.contract_review(
        contract=contract, actor=org["manager"], checks=dict.fromkeys(contract.CHECKS, True)
    )
    pay(reservation.payment_items.get(kind="down_payment"), org)
    contract = contracts.contract_sign(contract=contract, actor=org["rep1"])
    assert contract.status == PurchaseContract.Status.COMPLETED
    assert unit_of(project).status == Unit.Status.SOLD
