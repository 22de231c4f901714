"""Never sold twice, proved with threads on PostgreSQL: 32 parallel reservations of one unit
(through the service, and through the API) leave exactly one hold; the others are queued on
the waitlist or refused with `unit_not_available`, nothing else, and no thread is left waiting."""

from collections import Counter

import pytest
from django.utils import timezone

from salesops.core.tests.parallel import run_at_once
from salesops.units import bookings, services
from salesops.units.exceptions import NoRoomAvailable, UnitNotAvailable
from salesops.units.models import Booking, Reservation, Unit, WaitlistEntry
from salesops.units.tests.factories import make_buyer, make_project, make_venue, unit_of

PARALLEL = 32
DEADLINE_SECONDS = 120  # a thread still running by then is stuck on a lock: a deadlock


def _run_together(work, count, refusal=()):
    """What the `count` calls returned, and the refusals they raised (any other error fails the test)."""
    results = run_at_once(work, range(count), expected=refusal, timeout=DEADLINE_SECONDS)
    errors = [result for result in results if isinstance(result, Exception)]
    return [result for result in results if not isinstance(result, Exception)], errors


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

    outcomes, errors = _run_together(reserve, PARALLEL, UnitNotAvailable)
    assert all(isinstance(error, UnitNotAvailable) for error in errors), errors
    assert {error.code for error in errors} <= {"unit_not_available"}
    winners = [outcome for outcome in outcomes if outcome.reservation is not None]
    waiting = [outcome for outcome in outcomes if outcome.waitlist_entry is not None]
    assert len(winners) == 1
    assert len(winners) + len(waiting) + len(errors) == PARALLEL
    # every caller that asked to wait waits, every other one is refused: nobody is lost
    winner_asked_to_wait = buyers.index(winners[0].reservation.customer) % 2 == 0
    assert len(waiting) == PARALLEL // 2 - winner_asked_to_wait
    assert len(errors) == PARALLEL // 2 - (not winner_asked_to_wait)
    assert Reservation.objects.filter(unit=unit).count() == 1
    assert WaitlistEntry.objects.filter(unit=unit).count() == len(waiting)
    assert sorted(services.waitlist_position(o.waitlist_entry) for o in waiting) == list(range(1, len(waiting) + 1))
    unit.refresh_from_db()
    assert unit.status == Unit.Status.HELD
    assert Reservation.objects.get(unit=unit).customer == winners[0].reservation.customer


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_32_parallel_holds_through_the_api_answer_one_201_and_clear_refusals_or_waitlist_places():
    from rest_framework.test import APIClient

    from salesops.core.tests.factories import make_org

    org = make_org()
    project = make_project(org)
    unit = unit_of(project, "1-203")
    reps = [org["rep1"], org["rep2"], org["rep3"]]
    buyers = [make_buyer(reps[i % 3]) for i in range(PARALLEL)]

    def post(index):
        client = APIClient()
        client.force_authenticate(reps[index % 3])
        response = client.post(
            f"/api/v1/units/{unit.pk}/hold/", {"customer": buyers[index].pk, "waitlist": index % 2 == 0}, format="json"
        )
        return index, response.status_code, response.json()

    answers, errors = _run_together(post, PARALLEL)
    assert errors == []
    statuses = Counter(status for _index, status, _body in answers)
    assert statuses[201] == 1 and statuses[201] + statuses[202] + statuses[409] == PARALLEL, statuses
    [(winner, _status, held)] = [answer for answer in answers if answer[1] == 201]
    refused = [body for index, status, body in answers if status == 409]
    queued = [body for index, status, body in answers if status == 202]
    assert len(refused) == PARALLEL // 2 - (winner % 2)  # the odd ones asked for a refusal
    assert {body["code"] for body in refused} == {"unit_not_available"}
    assert all(body["message"] for body in refused)
    assert sorted(body["position"] for body in queued) == list(range(1, len(queued) + 1))
    reservation = Reservation.objects.get(unit=unit)
    assert reservation.pk == held["id"] and reservation.customer == buyers[winner]
    assert reservation.status == Reservation.Status.HELD
    assert WaitlistEntry.objects.filter(unit=unit, status=WaitlistEntry.Status.WAITING).count() == len(queued)
    unit.refresh_from_db()
    assert unit.status == Unit.Status.HELD
    assert Unit.objects.filter(project=project).exclude(pk=unit.pk).exclude(status=Unit.Status.AVAILABLE).count() == 0


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

    outcomes, errors = _run_together(book, len(guests), NoRoomAvailable)
    assert all(isinstance(error, NoRoomAvailable) for error in errors), errors
    assert len(outcomes) == 4 == Booking.objects.filter(room_type=room_type).count()  # 3 rooms + 1 overbooked
    assert Counter(type(error) for error in errors) == Counter({NoRoomAvailable: 8})
