import pytest

from salesops.core.models import Notification
from salesops.core.tests.parallel import run_at_once
from salesops.sop.clock import sop_clock_run
from salesops.sop.models import Obligation
from salesops.sop.tests.factories import at


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_clocks_at_once_alert_each_obligation_once(org):
    sop_clock_run(now=at(2026, 11, 16, 8))
    run_at_once(lambda _clock: sop_clock_run(now=at(2026, 11, 16, 18)), range(2))  # fails on any error
    assert Obligation.objects.filter(status=Obligation.Status.MISSED).count() == 3
    assert Notification.objects.filter(kind="sop.missed").count() == 3
    assert Notification.objects.filter(kind="sop.escalation").count() == 2
