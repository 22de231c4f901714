"""Typed readers for environment variables.

Every setting that differs between machines comes from the environment. A reader fails
loudly, naming the variable, when a value is missing or malformed, so a misconfigured
server stops at start-up instead of misbehaving later.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlparse

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}
_UNSET = object()


def env_str(name: str, default: str | object = _UNSET) -> str:
    value = os.environ.get(name)
    if value is None:
        if default is _UNSET:
            raise ImproperlyConfigured(f"Environment variable {name} is required but not set.")
        return default  # type: ignore[return-value]
    return value


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"Environment variable {name} must be a boolean (1/0, true/false), got {value!r}.")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"Environment variable {name} must be an integer, got {value!r}.")


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return list(default or [])
    return [item.strip() for item in value.split(",") if item.strip()]


@dataclass(frozen=True)
class DatabaseUrl:
    engine: str
    name: str
    user: str = ""
    password: str = ""
    host: str = ""
    port: str = ""
    options: dict | None = None

    def as_django(self) -> dict:
        config = {
            "ENGINE": self.engine,
            "NAME": self.name,
            "USER": self.user,
            "PASSWORD": self.password,
            "HOST": self.host,
            "PORT": self.port,
            "OPTIONS": dict(self.options or {}),
        }
        if self.engine == "django.db.backends.sqlite3":
            # WAL lets readers run while one writer writes; IMMEDIATE takes the write lock at
            # the start of a transaction so two writers queue instead of failing half-way.
            config["OPTIONS"].setdefault("transaction_mode", "IMMEDIATE")
            config["OPTIONS"].setdefault("timeout", 20)
            config["OPTIONS"].setdefault(
                "init_command",
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
            )
        else:
            config["CONN_MAX_AGE"] = 60
            config["CONN_HEALTH_CHECKS"] = True
        return config


def parse_database_url(url: str, *, variable: str = "DATABASE_URL") -> DatabaseUrl:
    parsed = urlparse(url)
    scheme = parsed.scheme
    if scheme == "sqlite":
        # sqlite:///relative/path.db or sqlite:////absolute/path.db
        path = url[len("sqlite:///") :] if url.startswith("sqlite:///") else ""
        if not path:
            raise ImproperlyConfigured(f"{variable}: a SQLite URL needs a path, e.g. sqlite:///var/salesops.db")
        return DatabaseUrl(engine="django.db.backends.sqlite3", name=path)
    if scheme in {"postgres", "postgresql", "pgsql"}:
        name = unquote(parsed.path.lstrip("/"))
        if not name:
            raise ImproperlyConfigured(f"{variable}: a PostgreSQL URL needs a database name.")
        options = {key: values[-1] for key, values in parse_qs(parsed.query).items()}
        return DatabaseUrl(
            engine="django.db.backends.postgresql",
            name=name,
            user=unquote(parsed.username or ""),
            password=unquote(parsed.password or ""),
            host=parsed.hostname or "",
            port=str(parsed.port or ""),
            options=options,
        )
    raise ImproperlyConfigured(
        f"{variable} has an unsupported scheme {scheme!r}; use sqlite:///path or postgres://user@host/db."
    )
