"""Refunds and changes by approval (退认购, 退房, 换房) and price changes (调价): amounts by
rule, money reversed through the money flow, the unit released to the waitlist."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from salesops.credit.ledger import balance_at
from salesops.credit.models import Allocation
from salesops.sales.models import Invoice
from salesops.sales.tests.helpers import decide_all
from salesops.units import changes, contracts, services
from salesops.units.exceptions import ChangeNotAllowed, ChangePending, UnitNotAvailable
from salesops.units.models import PriceChange, PurchaseContract, Reservation, Unit, UnitChange
from salesops.units.tests.factories import make_buyer, make_project, mortgage_contract, pay, reserve, unit_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(org):
    return make_project(org)


def test_a_buyer_withdrawing_forfeits_the_deposit_by_the_projects_rule(org, project):
    services.project_update(project=project, data={"forfeit_percent": Decimal("50.00")}, actor=org["manager"])
    reservation = reserve(org, project)
    change = changes.change_request(
        reservation=reservation, kind="cancel_reservation", reason="buyer_withdraws", actor=org["rep1"]
    )
    assert (change.paid_amount, change.kept_amount, change.refund_amount) == (
        Decimal("20000.00"),
        Decimal("10000.00"),
        Decimal("10000.00"),
    )
    assert unit_of(project).status == Unit.Status.RESERVED  # nothing happens before the approval
    decide_all(change, "unit_change")
    change.refresh_from_db()
    reservation.refresh_from_db()
    assert change.status == UnitChange.Status.DONE
    assert reservation.status == Reservation.Status.CANCELLED
    assert unit_of(project).status == Unit.Status.AVAILABLE
    assert change.credit_note.total == Decimal("-10000.00")
    customer_id = reservation.customer_id
    today = timezone.localdate()
    assert balance_at(customer_id=customer_id, day=today) == Decimal("-10000.00")  # owed to the buyer

    changes.refund_pay(change=change, paid_on=today, actor=org["finance"], method="bank_transfer", reference="T1")
    change.refresh_from_db()
    assert change.refund_document.total == Decimal("10000.00")
    assert change.refund_document.status == Invoice.Status.PAID
    assert Invoice.objects.get(pk=change.credit_note_id).status == Invoice.Status.PAID
    assert balance_at(customer_id=customer_id, day=today) == Decimal("0.00")
    assert Allocation.objects.filter(credit_note=change.credit_note, invoice=change.refund_document).exists()


def test_a_refused_loan_refunds_everything_and_closes_what_is_owed(org, project):
    reservation = reserve(org, project)
    contract = mortgage_contract(org, reservation)
    pay(reservation.payment_items.get(kind="down_payment"), org)
    contract = contracts.contract_sign(contract=contract, actor=org["rep1"])
    entry = services.waitlist_join(unit=unit_of(project), customer=make_buyer(org["rep2"]), actor=org["rep2"])
    change = changes.change_request(
        reservation=reservation, kind="cancel_contract", reason="loan_refused", actor=org["rep1"], note="银行拒贷"
    )
    assert change.refund_amount == Decimal("600000.00") and change.kept_amount == 0
    decide_all(change, "unit_change")
    contract.refresh_from_db()
    assert contract.status == PurchaseContract.Status.CANCELLED
    loan = reservation.payment_items.get(kind="loan")
    assert loan.cancelled and loan.invoice.status == Invoice.Status.PAID  # closed by a credit note
    promoted = Reservation.objects.get(unit=reservation.unit, status="held")
    assert promoted.customer == entry.customer
    changes.refund_pay(change=change, paid_on=timezone.localdate(), actor=org["finance"], method="bank_transfer")
    assert balance_at(customer_id=reservation.customer_id, day=timezone.localdate()) == Decimal("0.00")
    assert not Invoice.objects.filter(customer=reservation.customer, status=Invoice.Status.OPEN).exists()


def test_a_rejected_refund_changes_nothing(org, project):
    reservation = reserve(org, project)
    change = changes.change_request(
        reservation=reservation, kind="cancel_reservation", reason="seller", actor=org["rep1"]
    )
    with pytest.raises(ChangePending):
        changes.change_request(reservation=reservation, kind="cancel_reservation", reason="seller", actor=org["rep1"])
    decide_all(change, "unit_change", decision="reject", comment="不符合退定条件")
    change.refresh_from_db()
    reservation.refresh_from_db()
    assert change.status == UnitChange.Status.REJECTED and change.credit_note is None
    assert reservation.status == Reservation.Status.RESERVED
    assert unit_of(project).status == Unit.Status.RESERVED


def test_payments_wait_while_a_change_is_pending(org, project):
    reservation = reserve(org, project)
    contracts.contract_create(reservation=reservation, actor=org["rep1"], method="full", down_payment=reservation.price)
    contract = reservation.contract
    contracts.contract_review(contract=contract, actor=org["manager"], checks=dict.fromkeys(contract.CHECKS, True))
    changes.change_request(reservation=reservation, kind="cancel_reservation", reason="seller", actor=org["rep1"])
    with pytest.raises(ChangePending):
        pay(reservation.payment_items.get(kind="down_payment"), org)


def test_changing_to_another_unit_keeps_the_target_held_until_approved(org, project):
    reservation = reserve(org, project)
    target = unit_of(project, "1-202")
    change = changes.change_request(
        reservation=reservation, kind="transfer", reason="buyer_withdraws", actor=org["rep1"], target_unit=target
    )
    target.refresh_from_db()
    assert target.status == Unit.Status.HELD and change.refund_amount == 0
    with pytest.raises(UnitNotAvailable):
        services.reservation_hold(unit=target, customer=make_buyer(org["rep2"]), actor=org["rep2"])
    decide_all(change, "unit_change")
    reservation.refresh_from_db()
    target.refresh_from_db()
    assert reservation.unit == target and reservation.price == target.list_price
    assert target.status == Unit.Status.RESERVED
    assert unit_of(project, "1-101").status == Unit.Status.AVAILABLE
    assert reservation.status == Reservation.Status.RESERVED


def test_a_withdrawn_transfer_frees_the_target(org, project):
    reservation = reserve(org, project)
    target = unit_of(project, "1-202")
    change = changes.change_request(
        reservation=reservation, kind="transfer", reason="buyer_withdraws", actor=org["rep1"], target_unit=target
    )
    changes.change_withdraw(change=change, actor=org["rep1"])
    change.refresh_from_db()
    target.refresh_from_db()
    assert change.status == UnitChange.Status.WITHDRAWN and target.status == Unit.Status.AVAILABLE


def test_refunds_are_asked_at_the_right_stage(org, project):
    reservation = reserve(org, project)
    with pytest.raises(ChangeNotAllowed):
        changes.change_request(reservation=reservation, kind="cancel_contract", reason="seller", actor=org["rep1"])
    assert not UnitChange.objects.exists()


def test_list_prices_change_only_when_approved(org, project):
    unit = unit_of(project)
    change = changes.price_change_request(
        project=project, lines=[(unit, "2100000.00")], reason="二期开盘调价", actor=org["manager"]
    )
    unit.refresh_from_db()
    assert unit.list_price == Decimal("2000000.00") and change.status == PriceChange.Status.PENDING
    decide_all(change, "unit_price_change")
    unit.refresh_from_db()
    change.refresh_from_db()
    assert unit.list_price == Decimal("2100000.00") and change.status == PriceChange.Status.APPLIED
    line = change.lines.get()
    assert (line.old_price, line.new_price) == (Decimal("2000000.00"), Decimal("2100000.00"))


def test_a_unit_is_edited_without_touching_its_price(org, project):
    unit = services.unit_update(
        unit=unit_of(project), data={"layout": "3室2厅", "list_price": Decimal("1.00")}, actor=org["manager"]
    )
    unit.refresh_from_db()
    assert unit.layout == "3室2厅" and unit.list_price == Decimal("2000000.00")


def test_the_sign_by_date_is_kept(org, project):
    reservation = reserve(org, project)
    assert reservation.sign_by == timezone.localdate() + datetime.timedelta(days=project.sign_within_days)
