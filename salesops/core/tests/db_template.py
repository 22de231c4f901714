"""Test databases copied from a migrated template instead of migrated each time.

Building a test database runs every migration (about two minutes of CPU, most of it Django
rendering model states). Each test process of each run (the suite, the API fuzzer, the browser
tests) would pay it again. Instead the first process migrates as usual and keeps a copy of the
result, keyed by the migrations' content; the others copy it:

- SQLite: a file under ``var/test-templates/``, loaded into the in-memory test database with
  SQLite's backup API;
- PostgreSQL: a template database, ``CREATE DATABASE … TEMPLATE …``.

The copy holds exactly what the migrations made (schema, seeded rules, applied-migration
records), so tests start from the same database as before. A change to any migration file
gives another key, so a template never outlives the migrations it was built from.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import sqlite3
from pathlib import Path

import django
from django.apps import apps
from django.conf import settings
from django.core import management
from django.db.backends.base.creation import BaseDatabaseCreation


def migrations_key() -> str:
    """A digest of every installed app's migration files and of Django's version."""
    digest = hashlib.sha256(django.get_version().encode())
    for config in sorted(apps.get_app_configs(), key=lambda config: config.label):
        folder = Path(config.path) / "migrations"
        for path in sorted(folder.glob("*.py")):
            digest.update(f"{config.label}/{path.name}".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _folder() -> Path:
    folder = Path(settings.VAR_DIR) / "test-templates"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@contextlib.contextmanager
def _locked(name: str):
    """One process builds a template while the others wait for it (pytest-xdist workers)."""
    with open(_folder() / f"{name}.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class _SQLite:
    def __init__(self, connection, key):
        self.connection, self.path = connection, _folder() / f"sqlite-{key}.sqlite3"

    def exists(self) -> bool:
        return self.path.exists()

    def restore(self) -> None:
        self.connection.ensure_connection()
        source = sqlite3.connect(self.path)
        try:
            source.backup(self.connection.connection)
        finally:
            source.close()

    def save(self) -> None:
        partial = self.path.with_suffix(".partial")
        partial.unlink(missing_ok=True)
        target = sqlite3.connect(partial)
        try:
            self.connection.connection.backup(target)
        finally:
            target.close()
        partial.replace(self.path)


class _PostgreSQL:
    def __init__(self, connection, key):
        self.connection, self.name = connection, f"salesops_template_{key}"

    def _run(self, *statements) -> None:
        self.connection.close()
        with self.connection._nodb_cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)

    def exists(self) -> bool:
        with self.connection._nodb_cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [self.name])
            return cursor.fetchone() is not None

    def restore(self) -> None:
        database = self.connection.settings_dict["NAME"]
        self._run(f'DROP DATABASE IF EXISTS "{database}"', f'CREATE DATABASE "{database}" TEMPLATE "{self.name}"')

    def save(self) -> None:
        database, partial = self.connection.settings_dict["NAME"], f"{self.name}_partial"
        self._run(
            f'DROP DATABASE IF EXISTS "{partial}"',
            f'CREATE DATABASE "{partial}" TEMPLATE "{database}"',
            f'ALTER DATABASE "{partial}" RENAME TO "{self.name}"',
        )


ENGINES = {"sqlite": _SQLite, "postgresql": _PostgreSQL}


@contextlib.contextmanager
def migrated_from_template():
    """While active, the `migrate` that Django's test database creation runs copies the
    template instead (building it first when there is none). Other calls of `migrate` are
    left alone."""
    original_create = BaseDatabaseCreation.create_test_db

    def create_test_db(self, *args, **kwargs):
        engine = ENGINES.get(self.connection.vendor)
        if engine is None:
            return original_create(self, *args, **kwargs)
        original_call = management.call_command

        def call_command(name, *call_args, **options):
            if name != "migrate":
                return original_call(name, *call_args, **options)
            key = migrations_key()
            template = engine(self.connection, key)
            with _locked(f"{self.connection.vendor}-{key}"):
                if template.exists():
                    template.restore()
                    return None
                result = original_call(name, *call_args, **options)
                template.save()
                return result

        management.call_command = call_command  # create_test_db imports it when it runs
        try:
            return original_create(self, *args, **kwargs)
        finally:
            management.call_command = original_call

    BaseDatabaseCreation.create_test_db = create_test_db
    try:
        yield
    finally:
        BaseDatabaseCreation.create_test_db = original_create
