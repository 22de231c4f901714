"""Amounts and times in the messages people read come from the one formatting helper, in the
reader's language."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from salesops.core.models import Notification
from salesops.units import contracts, services
from salesops.units.exceptions import ScheduleMismatch
from salesops.units.models import Reservation
from salesops.units.tests.factories import make_buyer, make_project, reserve, unit_of

pytestmark = pytest.mark.django_db

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


@pytest.fixture
def project(org):
    return make_project(org, hold_hours=2)


@pytest.mark.parametrize(("language", "until"), [("en", "5 Mar 2026 01:30"), ("zh-hans", "2026年3月5日 01:30")])
def test_the_hold_time_of_a_promoted_waitlist_customer_is_in_the_readers_language(org, project, language, until):
    org["rep2"].language = language
    org["rep2"].save(update_fields=["language"])
    first = services.reservation_hold(
        unit=unit_of(project), customer=make_buyer(org["rep1"]), actor=org["rep1"]
    ).reservation
    services.reservation_hold(unit=unit_of(project), customer=make_buyer(org["rep2"]), actor=org["rep2"], waitlist=True)
    lapse = datetime.datetime(2026, 3, 4, 23, 30, tzinfo=SHANGHAI)  # 15:30 UTC
    Reservation.objects.filter(pk=first.pk).update(hold_expires_at=lapse - datetime.timedelta(minutes=1))
    with translation.override("en"):
        services.holds_expire(now=lapse)
    body = Notification.objects.get(user=org["rep2"], kind="units_waitlist").body
    assert until in body  # promoted at 23:30, held for 2 hours


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_schedule_mismatch_names_both_amounts_as_money(org, language):
    reservation = reserve(org, make_project(org))
    with translation.override(language), pytest.raises(ScheduleMismatch) as refused:
        contracts.contract_create(
            reservation=reservation,
            actor=org["rep1"],
            method="instalments",
            down_payment=Decimal("600000.00"),
            instalments=[{"due_date": timezone.localdate() + datetime.timedelta(days=90), "amount": "1000000.50"}],
        )
    assert "¥1,600,000.50" in str(refused.value.message)
    assert "¥2,000,000.00" in str(refused.value.message)
