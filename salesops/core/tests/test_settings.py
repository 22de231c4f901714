import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from salesops.env import env_bool, env_int, parse_database_url


def test_database_urls_parse_into_django_settings():
    pg = parse_database_url("postgres://app:s%40cret@db.internal:5433/salesops?sslmode=require").as_django()
    assert pg["ENGINE"] == "django.db.backends.postgresql"
    assert (pg["USER"], pg["PASSWORD"], pg["HOST"], pg["PORT"], pg["NAME"]) == (
        "app",
        "s@cret",
        "db.internal",
        "5433",
        "salesops",
    )
    assert pg["OPTIONS"] == {"sslmode": "require"}
    lite = parse_database_url("sqlite:///var/x.db").as_django()
    assert lite["NAME"] == "var/x.db" and lite["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


@pytest.mark.parametrize("url", ["mysql://x/y", "postgres://host/", "sqlite://", "nonsense"])
def test_malformed_database_urls_fail_loudly(url):
    with pytest.raises(ImproperlyConfigured):
        parse_database_url(url)


def test_typed_readers_name_the_variable(monkeypatch):
    monkeypatch.setenv("SALESOPS_X", "maybe")
    with pytest.raises(ImproperlyConfigured, match="SALESOPS_X"):
        env_bool("SALESOPS_X", False)
    monkeypatch.setenv("SALESOPS_X", "12a")
    with pytest.raises(ImproperlyConfigured, match="SALESOPS_X"):
        env_int("SALESOPS_X", 1)


def run_django(*args, **env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **env},
    )


def test_a_malformed_environment_variable_stops_start_up_with_a_clear_message():
    result = run_django("check", DATABASE_URL="mysql://nope/db")
    assert result.returncode != 0
    assert "DATABASE_URL has an unsupported scheme" in result.stderr
    assert "Traceback" not in result.stderr.splitlines()[-1]


def test_production_settings_pass_the_deployment_check():
    result = run_django(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SETTINGS_MODULE="salesops.settings.production",
        SALESOPS_SECRET_KEY="x" * 20 + "-production-secret-key-for-the-check-0123456789",
        SALESOPS_ALLOWED_HOSTS="salesops.example.com",
    )
    assert result.returncode == 0, result.stderr


def test_production_refuses_to_start_without_a_secret():
    env = {key: value for key, value in os.environ.items() if key != "SALESOPS_SECRET_KEY"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**env, "DJANGO_SETTINGS_MODULE": "salesops.settings.production"},
    )
    assert result.returncode != 0
    assert "SALESOPS_SECRET_KEY is required" in result.stderr


@pytest.mark.django_db(transaction=True)
def test_reads_go_to_replicas_and_writes_to_the_primary(settings):
    from django.db import transaction

    from salesops.core.db_router import PrimaryReplicaRouter
    from salesops.core.models import Company

    settings.DATABASES = {**settings.DATABASES, "replica_0": settings.DATABASES["default"]}
    router = PrimaryReplicaRouter()
    assert router.db_for_read(Company) == "replica_0"
    assert router.db_for_write(Company) == "default"
    with transaction.atomic():  # a service reads what it has just written
        assert router.db_for_read(Company) == "default"
    assert router.allow_migrate("replica_0", "core") is False


def test_replica_urls_become_database_aliases_that_mirror_the_primary_in_tests():
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(sorted(settings.DATABASES), settings.DATABASES['replica_1']['HOST'], "
        "settings.DATABASES['replica_1']['TEST']['MIRROR'])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "salesops.settings.dev",
            "DATABASE_REPLICA_URLS": "postgres://r0/salesops,postgres://r1/salesops",
        },
    )
    assert result.returncode == 0, result.stderr
    assert "['default', 'replica_0', 'replica_1'] r1 default" in result.stdout


def _redis_reachable() -> bool:
    import redis

    try:
        return redis.Redis.from_url("redis://127.0.0.1:6379/15", socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False


@pytest.mark.skipif(not _redis_reachable(), reason="no Redis server on 127.0.0.1:6379")
def test_scale_out_configuration_runs_tasks_on_a_redis_worker_pool(tmp_path):
    """With REDIS_URL and SALESOPS_TASKS_BACKEND=rq, the cache is Redis and tasks go to an RQ
    queue that a separate `salesops rqworker` process executes."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "salesops.settings.dev",
        "REDIS_URL": "redis://127.0.0.1:6379/15",
        "SALESOPS_TASKS_BACKEND": "rq",
        "SALESOPS_VAR_DIR": str(tmp_path),
    }
    env.pop("DATABASE_URL", None)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], env=env, check=True, timeout=300)
    enqueue = (
        "import django; django.setup();"
        "from django.conf import settings; from django.core.cache import cache;"
        "from salesops.core.tasks import ping;"
        "cache.set('scale-out', 'shared', 60);"
        "result = ping.enqueue(note='hello'); print(settings.TASKS['default']['BACKEND'], result.id)"
    )
    out = subprocess.run(
        [sys.executable, "-c", enqueue], env=env, capture_output=True, text=True, timeout=60, check=True
    ).stdout.split()
    assert out[0] == "django_tasks_rq.RQBackend"
    subprocess.run(
        [sys.executable, "-m", "salesops.cli", "rqworker", "default", "--burst", "--job-class", "django_tasks_rq.Job"],
        env=env,
        check=True,
        timeout=120,
        capture_output=True,
    )
    check = (
        "import django; django.setup();"
        "from django.core.cache import cache; from salesops.core.tasks import ping;"
        f"result = ping.get_result('{out[1]}'); print(result.status, result.return_value, cache.get('scale-out'))"
    )
    status = subprocess.run(
        [sys.executable, "-c", check], env=env, capture_output=True, text=True, timeout=60, check=True
    ).stdout.split()
    assert status == ["SUCCESSFUL", "pong:hello", "shared"]
