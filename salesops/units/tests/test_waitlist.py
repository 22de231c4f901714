"""Holds lapse by the periodic job and the unit goes to the first on its waitlist, with a notice."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from salesops.core.models import Notification
from salesops.core.periodic import run_due
from salesops.units import services
from salesops.units.exceptions import AlreadyOnWaitlist, UnitIsFree, UnitNotAvailable
from salesops.units.models import Reservation, Unit, WaitlistEntry
from salesops.units.tests.factories import make_buyer, make_project, pay, unit_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(org):
    return make_project(org, hold_hours=2)


def hold(org, project, rep="rep1", waitlist=False, buyer=None):
    return services.reservation_hold(
        unit=unit_of(project), customer=buyer or make_buyer(org[rep]), actor=org[rep], waitlist=waitlist
    )


def test_later_customers_queue_in_order_and_the_first_gets_the_lapsed_hold(org, project):
    first = hold(org, project).reservation
    second = hold(org, project, rep="rep2", waitlist=True).waitlist_entry
    third = hold(org, project, rep="rep3", waitlist=True)
    assert third.reservation is None and third.position == 2
    assert services.waitlist_position(second) == 1

    later = first.hold_expires_at + datetime.timedelta(minutes=1)
    assert services.holds_expire(now=later) == 1

    first.refresh_from_db()
    assert first.status == Reservation.Status.LAPSED
    promoted = Reservation.objects.get(unit=first.unit, status=Reservation.Status.HELD)
    assert promoted.customer == second.customer and promoted.consultant == org["rep2"]
    assert promoted.waitlist_entry == second and promoted.created_by is None
    assert promoted.hold_expires_at == later + datetime.timedelta(hours=2)
    second.refresh_from_db()
    assert second.status == WaitlistEntry.Status.PROMOTED
    assert services.waitlist_position(third.waitlist_entry) == 1
    assert unit_of(project).status == Unit.Status.HELD
    notice = Notification.objects.get(user=org["rep2"], kind="units_waitlist")
    assert unit_of(project).code in notice.title
    assert Notification.objects.filter(user=org["rep1"], kind="units_hold").count() == 1


def test_the_periodic_job_lapses_holds(org, project):
    reservation = hold(org, project).reservation
    later = reservation.hold_expires_at + datetime.timedelta(minutes=5)
    assert "units.holds" in run_due(now=later, force=True)
    reservation.refresh_from_db()
    assert reservation.status == Reservation.Status.LAPSED
    assert unit_of(project).status == Unit.Status.AVAILABLE


def test_a_paid_hold_does_not_lapse(org, project):
    reservation = hold(org, project).reservation
    pay(reservation.payment_items.get(), org)
    assert services.holds_expire(now=reservation.hold_expires_at + datetime.timedelta(hours=1)) == 0
    reservation.refresh_from_db()
    assert reservation.status == Reservation.Status.RESERVED


def test_a_hold_not_yet_due_is_kept(org, project):
    reservation = hold(org, project).reservation
    assert services.holds_expire(now=timezone.now()) == 0
    reservation.refresh_from_db()
    assert reservation.status == Reservation.Status.HELD


def test_giving_up_a_hold_promotes_the_waitlist(org, project):
    reservation = hold(org, project).reservation
    entry = hold(org, project, rep="rep2", waitlist=True).waitlist_entry
    services.reservation_release(reservation=reservation, actor=org["rep1"])
    reservation.refresh_from_db()
    assert reservation.status == Reservation.Status.CANCELLED
    assert Reservation.objects.get(unit=reservation.unit, status="held").customer == entry.customer


def test_waitlist_refusals(org, project):
    buyer = make_buyer(org["rep2"])
    with pytest.raises(UnitIsFree):
        services.waitlist_join(unit=unit_of(project), customer=buyer, actor=org["rep2"])
    hold(org, project)
    services.waitlist_join(unit=unit_of(project), customer=buyer, actor=org["rep2"])
    with pytest.raises(AlreadyOnWaitlist):
        services.waitlist_join(unit=unit_of(project), customer=buyer, actor=org["rep2"])
    with pytest.raises(UnitNotAvailable):
        hold(org, project, rep="rep2", buyer=buyer)
    assert WaitlistEntry.objects.filter(customer=buyer).count() == 1


def test_leaving_the_waitlist(org, project):
    hold(org, project)
    entry = hold(org, project, rep="rep2", waitlist=True).waitlist_entry
    services.waitlist_leave(entry=entry, actor=org["rep2"])
    entry.refresh_from_db()
    assert entry.status == WaitlistEntry.Status.CANCELLED
    assert services.waitlist_position(entry) is None


def test_blocked_units_are_not_sold_and_come_back_to_the_waitlist(org, project):
    unit = unit_of(project, "1-102")
    services.unit_block(unit=unit, actor=org["manager"], blocked=True, note="样板间")
    with pytest.raises(UnitNotAvailable):
        services.reservation_hold(unit=unit, customer=make_buyer(org["rep1"]), actor=org["rep1"])
    entry = services.waitlist_join(unit=unit, customer=make_buyer(org["rep1"]), actor=org["rep1"])
    services.unit_block(unit=unit, actor=org["manager"], blocked=False)
    assert Reservation.objects.get(unit=unit).customer == entry.customer


def test_a_deposit_cannot_exceed_the_price_and_uses_two_decimals(org, project):
    from salesops.core.exceptions import ValidationFailed

    for deposit in ("2000000.01", "100.001", "-5", "abc"):
        with pytest.raises(ValidationFailed):
            services.reservation_hold(
                unit=unit_of(project), customer=make_buyer(org["rep1"]), actor=org["rep1"], deposit=deposit
            )
    assert unit_of(project).status == Unit.Status.AVAILABLE
    outcome = services.reservation_hold(
        unit=unit_of(project), customer=make_buyer(org["rep1"]), actor=org["rep1"], deposit="50000.00"
    )
    assert outcome.reservation.deposit_amount == Decimal("50000.00")


def test_waitlist_notices_are_written_in_each_recipients_language(org, project):
    from django.utils import translation

    org["rep2"].language = "zh-hans"
    org["rep2"].save(update_fields=["language"])
    first = hold(org, project).reservation
    hold(org, project, rep="rep2", waitlist=True)
    with translation.override("en"):  # the job runs in English; each notice in its reader's language
        services.holds_expire(now=first.hold_expires_at + datetime.timedelta(minutes=1))
    assert "已为" in Notification.objects.get(user=org["rep2"], kind="units_waitlist").title
    assert "lapsed" in Notification.objects.get(user=org["rep1"], kind="units_hold").title
