"""Shared test fixtures.

- `org`: a small organisation with one user per role (see core/tests/factories.py)
- `api`: a function giving a DRF APIClient authenticated as a user (or anonymous)
- tests marked `postgres` run only when the default database is PostgreSQL
- transactional tests start from the migrated database (seeded rules, stages, policies): the flush
  that ends each one would otherwise leave the tests after it without them
"""

import pytest
from django.db import connection
from rest_framework.test import APIClient


def pytest_collection_modifyitems(config, items):
    on_postgres = connection.vendor == "postgresql"
    skip = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL)")
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(skip)
        marker = item.get_closest_marker("django_db")
        if marker and marker.kwargs.get("transaction") and "serialized_rollback" not in marker.kwargs:
            seeded = pytest.mark.django_db(*marker.args, **marker.kwargs, serialized_rollback=True)
            item.add_marker(seeded, append=False)


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
