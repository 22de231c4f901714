import threading

import pytest
from django.db import connection

from salesops.core.models import Notification
from salesops.sop.clock import sop_clock_run
from salesops.sop.models import Obligation
from salesops.sop.tests.factories import at


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_clocks_at_once_alert_each_obligation_once(org):
    sop_clock_run(now=at(2026, 11, 16, 8))
    barrier = threading.Barrier(2)
    errors = []

    def worker():
        try:
            barrier.wait()
            sop_clock_run(now=at(2026, 11, 16, 18))
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Obligation.objects.filter(status=Obligation.Status.MISSED).count() == 3
    assert Notification.objects.filter(kind="sop.missed").count() == 3
    assert Notification.objects.filter(kind="sop.escalation").count() == 2
