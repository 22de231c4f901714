"""The embedded default: SQLite under var/, demo data, DEBUG off unless asked for."""

from salesops.settings.base import *  # noqa: F403
