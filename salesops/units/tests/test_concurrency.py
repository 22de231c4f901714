"""Never sold twice, proved with threads on PostgreSQL: 32 parallel reservations of one unit
leave exactly one hold; the others are queued on the waitlist or refused, nothing else."""

import threading
from collections import Counter

import pytest
from django.db import connection
from django.utils import timezone

from salesops.units import bookings, services
from salesops.units.exceptions import NoRoomAvailable, UnitNotAvailable
from salesops.units.models import Booking, Reservation, Unit, WaitlistEntry
from salesops.units.tests.factories import make_buyer, make_project, make_venue, unit_of

PARALLEL = 32


def _run_together(work, count):
    barrier = threading.Barrier(count)
    outcomes, errors = [], []

    def run(index):
        try:
            barrier.wait()
            outcomes.append(work(index))
        except Exception as error:  # noqa: BLE001
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes, errors


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_32_parallel_reservations_of_one_unit_leave_exactly_one_winner():
    from salesops.core.tests.factories import make_org

    org = make_org()
    project = make_project(org)
    unit = unit_of(project)
    reps = [org["rep1"], org["rep2"], org["rep3"]]
    buyers = [make_buyer(reps[i % 3]) for i in range(PARALLEL)]

    def reserve(index):
        # half of them ask to wait when the unit is taken, half take a refusal
        return services.reservation_hold(
            unit=unit, customer=buyers[index], actor=reps[index % 3], waitlist=index % 2 == 0
        )

    outcomes, errors = _run_together(reserve, PARALLEL)
    assert all(isinstance(error, UnitNotAvailable) for error in errors), errors
    winners = [outcome for outcome in outcomes if outcome.reservation is not None]
    waiting = [outcome for outcome in outcomes if outcome.waitlist_entry is not None]
    assert len(winners) == 1
    assert len(winners) + len(waiting) + len(errors) == PARALLEL
    assert Reservation.objects.filter(unit=unit).count() == 1
    assert WaitlistEntry.objects.filter(unit=unit).count() == len(waiting)
    assert sorted(services.waitlist_position(o.waitlist_entry) for o in waiting) == list(range(1, len(waiting) + 1))
    unit.refresh_from_db()
    assert unit.status == Unit.Status.HELD
    assert Reservation.objects.get(unit=unit).customer == winners[0].reservation.customer


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_bookings_stay_within_the_rooms_and_the_overbooking_limit():
    from salesops.core.tests.factories import make_org

    org = make_org()
    room_type = make_venue(org, rooms=3, overbooking=1)
    guests = [make_buyer(org["rep1"]) for _ in range(12)]
    arrival = timezone.localdate()

    def book(index):
        return bookings.booking_create(
            room_type=room_type, customer=guests[index], arrival=arrival, length=2, actor=org["rep1"]
        )

    outcomes, errors = _run_together(book, len(guests))
    assert all(isinstance(error, NoRoomAvailable) for error in errors), errors
    assert len(outcomes) == 4 == Booking.objects.filter(room_type=room_type).count()  # 3 rooms + 1 overbooked
    assert Counter(type(error) for error in errors) == Counter({NoRoomAvailable: 8})
