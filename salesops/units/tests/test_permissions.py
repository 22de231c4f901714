"""Role × action: who may do what in unit sales, walked over every person of the test company."""

import pytest

from salesops.core.tests.factories import ORG_PEOPLE
from salesops.units.permissions import ACTIONS, can, check_contract_fields

SELL = {"rep1", "rep2", "rep3", "supervisor1", "supervisor2", "manager", "director", "salesadmin"}
EXPECTED = {
    "project.manage": {"manager", "director", "salesadmin", "admin"},
    "unit.block": {"manager", "director", "salesadmin", "admin"},
    "price_change.request": {"manager", "director", "salesadmin", "admin"},
    "venue.manage": {"manager", "director", "salesadmin", "admin"},
    "reservation.hold": SELL,
    "waitlist.join": SELL,
    "waitlist.leave": SELL,
    "contract.draft": SELL,
    "contract.sign": SELL,
    "change.request": SELL,
    "booking.create": SELL,
    "block.manage": SELL,
    "file.record": SELL,
    "contract.review": {"supervisor1", "supervisor2", "manager", "director"},
    "reservation.pay": {"finance"},
    "contract.pay": {"finance"},
    "change.pay_refund": {"finance"},
    "booking.pay": {"finance"},
    "mortgage.update": SELL | {"finance"},
    "booking.front_desk": SELL | {"finance"},
    "file.lend": {"salesadmin"},
}


def test_every_action_is_declared():
    assert set(EXPECTED) == set(ACTIONS)


@pytest.mark.django_db
@pytest.mark.parametrize("action", sorted(EXPECTED))
def test_who_may_do_each_action(org, action):
    allowed = {username for username, *_rest in ORG_PEOPLE if can(org[username], action)}
    assert allowed == EXPECTED[action]


@pytest.mark.django_db
def test_a_consultant_may_not_set_the_price_or_a_discount(org):
    from salesops.core.exceptions import PermissionDenied

    current = {"price": 100, "special_discount": ""}
    check_contract_fields(org["rep1"], {"price": 100, "method": "full"}, current)  # the same price is no change
    with pytest.raises(PermissionDenied) as refused:
        check_contract_fields(org["rep1"], {"price": 90, "special_discount": "9折"}, current)
    assert set(refused.value.fields) == {"price", "special_discount"}
    check_contract_fields(org["manager"], {"price": 90, "special_discount": "9折"}, current)
