"""Tests: the same settings, with fast hashing and tasks run in-process."""

import os

os.environ.setdefault("SALESOPS_TASKS_BACKEND", "immediate")

from salesops.settings.base import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": ""}  # noqa: F405  (in memory)
# The shared counters (API rate limits) in memory, cleared by a fixture before each test; the
# database-backed cache of a server without Redis has its own test (core/tests/test_accounts.py).
CACHES["shared"] = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "salesops-shared"}  # noqa: F405
