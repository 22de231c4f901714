"""Shared test fixtures.

- `org`: a small organisation with one user per role (see core/tests/factories.py)
- `api`: a function giving a DRF APIClient authenticated as a user (or anonymous)
- tests marked `postgres` run only when the default database is PostgreSQL
- test databases are copied from a migrated template (core/tests/db_template.py), built by the
  first test process that needs one
- transactional tests start from the migrated database (seeded rules, stages, policies): the flush
  that ends each one would otherwise leave the tests after it without them
"""

import pytest
from django.db import connection
from rest_framework.test import APIClient

# Tests whose outcome cannot depend on the database engine: static checks of the catalogues
# and settings, the language and number-format crawls, and the demo, which `make demo` loads
# into SQLite. They carry the `engine_independent` marker and `make test-postgres` leaves them
# to the SQLite run.
ENGINE_INDEPENDENT = (
    "tests/i18n/",
    "salesops/core/tests/test_i18n.py",
    "salesops/core/tests/test_settings.py",
    "salesops/demo/tests/",
    "salesops/field/tests/test_demo.py",
    "salesops/targets/tests/test_demo.py",
)


def pytest_collection_modifyitems(config, items):
    on_postgres = connection.vendor == "postgresql"
    skip = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL)")
    root = str(config.rootpath) + "/"
    for item in items:
        if str(item.path).removeprefix(root).startswith(ENGINE_INDEPENDENT):
            item.add_marker(pytest.mark.engine_independent)
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(skip)
        marker = item.get_closest_marker("django_db")
        if marker and marker.kwargs.get("transaction") and "serialized_rollback" not in marker.kwargs:
            seeded = pytest.mark.django_db(*marker.args, **marker.kwargs, serialized_rollback=True)
            item.add_marker(seeded, append=False)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    from salesops.core.tests.db_template import migrated_from_template

    with migrated_from_template():
        yield


@pytest.fixture
def org(db):
    from salesops.core.tests.factories import make_org

    return make_org()


@pytest.fixture
def api():
    def client(user=None):
        api_client = APIClient()
        if user is not None:
            api_client.force_authenticate(user)
        return api_client

    return client


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language: a request in Chinese leaves its language
    active in the thread, which would otherwise leak into the next test."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import caches

    for alias in ("default", "shared"):
        caches[alias].clear()
    yield
    for alias in ("default", "shared"):
        caches[alias].clear()
