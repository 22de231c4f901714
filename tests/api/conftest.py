"""The API fuzzing fixtures: a database with the demo company loaded once per test process."""

import pytest

# The demo areas the fuzzer runs against: every area with records behind the API, loaded
# through the areas' own services as `salesops demo` does. Planning's forecasts and plans are
# left out: they are the slow part of the demo and the planning endpoints start from an
# empty planning area as a new company's would.
FUZZ_DEMO_AREAS = {"core", "crm", "approvals", "catalog", "inventory", "credit", "sales", "field", "targets", "sop"}


@pytest.fixture(scope="session")
def demo_database(django_db_setup, django_db_blocker):
    from salesops.demo.loader import load_demo

    with django_db_blocker.unblock():
        load_demo(progress=lambda _text: None, only=FUZZ_DEMO_AREAS)
