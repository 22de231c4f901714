"""Reads go to a read replica when DATABASE_REPLICA_URLS names any, writes to the primary.

Inside a transaction the primary is used for reads too, so a service always reads what it
has just written; a replica's lag only affects plain page and API reads.
"""

import random

from django.conf import settings
from django.db import connections


class PrimaryReplicaRouter:
    def _replicas(self) -> list[str]:
        return [alias for alias in settings.DATABASES if alias.startswith("replica_")]

    def db_for_read(self, model, **hints):
        replicas = self._replicas()
        if not replicas or connections["default"].in_atomic_block:
            return "default"
        return random.choice(replicas)

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"
