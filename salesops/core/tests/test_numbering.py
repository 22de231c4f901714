import threading

import pytest
from django.db import connection, transaction

from salesops.core.numbering import next_number


@pytest.mark.django_db
def test_numbers_count_up_per_prefix_and_year():
    assert next_number(prefix="SO", year=2026) == "SO-2026-000001"
    assert next_number(prefix="SO", year=2026) == "SO-2026-000002"
    assert next_number(prefix="SO", year=2027) == "SO-2027-000001"
    assert next_number(prefix="INV", year=2026, width=4) == "INV-2026-0001"


@pytest.mark.django_db
def test_a_rolled_back_document_gives_its_number_back():
    try:
        with transaction.atomic():
            next_number(prefix="SO", year=2026)
            raise RuntimeError("document failed")
    except RuntimeError:
        pass
    assert next_number(prefix="SO", year=2026) == "SO-2026-000001"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_never_get_the_same_number():
    numbers, errors = [], []
    barrier = threading.Barrier(10)

    def take_five():
        try:
            barrier.wait()
            for _ in range(5):
                with transaction.atomic():
                    numbers.append(next_number(prefix="SO", year=2026))
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=take_five) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted(numbers) == [f"SO-2026-{n:06d}" for n in range(1, 51)]
