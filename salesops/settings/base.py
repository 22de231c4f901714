"""Settings shared by every environment. Everything machine-specific comes from the environment.

Environment variables (all optional for the embedded default):
  SALESOPS_SECRET_KEY     secret key (required in production)
  SALESOPS_DEBUG          1/0
  SALESOPS_ALLOWED_HOSTS  comma-separated host names
  DATABASE_URL            sqlite:///var/salesops.db (default) or postgres://user:pass@host:5432/db
  DATABASE_REPLICA_URLS   comma-separated read replicas (PostgreSQL); reads go there, writes to the primary
  REDIS_URL               redis://host:6379/0: shared cache (throttling, sessions) and the RQ task queue
  SALESOPS_TASKS_BACKEND  database (default), rq (needs REDIS_URL) or immediate
  SALESOPS_FORECAST_ENGINE  local (default: the forecast runs on this machine) or dask (a Dask cluster)
  SALESOPS_DASK_SCHEDULER   with dask: tcp://host:8786 of a running cluster (none: a local cluster per run)
  SALESOPS_DASK_WORKERS     with dask and no scheduler: worker processes of the local cluster (default 2)
  SALESOPS_EMAIL_URL      not used; e-mail is configured with EMAIL_HOST/EMAIL_PORT/EMAIL_HOST_USER/...
"""

from __future__ import annotations

import datetime
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from salesops.env import env_bool, env_int, env_list, env_str, parse_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
PROJECT_DIR = BASE_DIR.parent
VAR_DIR = Path(env_str("SALESOPS_VAR_DIR", str(PROJECT_DIR / "var")))

SECRET_KEY = env_str("SALESOPS_SECRET_KEY", "dev-only-insecure-key-change-me-in-production-0123456789")
DEBUG = env_bool("SALESOPS_DEBUG", False)
ALLOWED_HOSTS = env_list("SALESOPS_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("SALESOPS_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "knox",
    "csp",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "template_partials",
    "django_tasks",
    "django_tasks_db",
    # business areas, foundation first
    "salesops.core",
    "salesops.crm",
    "salesops.approvals",
    "salesops.sop",
    "salesops.catalog",
    "salesops.inventory",
    "salesops.sales",
    "salesops.credit",
    "salesops.planning",
    "salesops.field",
    "salesops.units",
    "salesops.targets",
    "salesops.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "salesops.core.middleware.TimezoneMiddleware",
    "salesops.core.middleware.RejectNullCharactersMiddleware",
]

ROOT_URLCONF = "salesops.urls"
WSGI_APPLICATION = "salesops.wsgi.application"
ASGI_APPLICATION = "salesops.asgi.application"
AUTH_USER_MODEL = "core.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "salesops.core.context_processors.shell",
            ],
            "builtins": ["template_partials.templatetags.partials"],
        },
    }
]

# --- database ------------------------------------------------------------------------------
_database_url = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'salesops.db'}")
DATABASES = {"default": parse_database_url(_database_url).as_django()}
for _index, _replica_url in enumerate(env_list("DATABASE_REPLICA_URLS")):
    DATABASES[f"replica_{_index}"] = {
        **parse_database_url(_replica_url, variable="DATABASE_REPLICA_URLS").as_django(),
        "TEST": {"MIRROR": "default"},
    }
DATABASE_ROUTERS = ["salesops.core.db_router.PrimaryReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- cache, sessions, tasks ------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "salesops"}}
# Counters every app server must share (API rate limits): Redis when there is one, else a
# table in the database (created by core's migrations whatever the configuration).
SHARED_CACHE_TABLE = "salesops_cache"
CACHES["shared"] = (
    CACHES["default"]
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": SHARED_CACHE_TABLE}
)

_tasks_backend = env_str("SALESOPS_TASKS_BACKEND", "database")
if _tasks_backend == "database":
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
elif _tasks_backend == "rq":
    if not REDIS_URL:
        raise ImproperlyConfigured("SALESOPS_TASKS_BACKEND=rq needs REDIS_URL.")
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 3600}}
elif _tasks_backend == "immediate":
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
else:
    raise ImproperlyConfigured(f"SALESOPS_TASKS_BACKEND must be database, rq or immediate, got {_tasks_backend!r}.")

# --- forecasting engine (salesops.planning.engine.distributed) ------------------------------------
SALESOPS_FORECAST_ENGINE = env_str("SALESOPS_FORECAST_ENGINE", "local").strip().lower()
SALESOPS_DASK_SCHEDULER = env_str("SALESOPS_DASK_SCHEDULER", "").strip()
SALESOPS_DASK_WORKERS = env_int("SALESOPS_DASK_WORKERS", 2)


def _check_forecast_engine() -> None:
    from salesops.planning.engine.distributed import engine_problems

    problems = engine_problems(
        name=SALESOPS_FORECAST_ENGINE, address=SALESOPS_DASK_SCHEDULER, workers=SALESOPS_DASK_WORKERS
    )
    if problems:
        raise ImproperlyConfigured(
            "SALESOPS_FORECAST_ENGINE / SALESOPS_DASK_SCHEDULER / SALESOPS_DASK_WORKERS: " + "; ".join(problems) + "."
        )


_check_forecast_engine()

# --- auth and security -----------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_FAILURE_LIMIT = env_int("SALESOPS_LOGIN_FAILURE_LIMIT", 5)
LOGIN_FAILURE_WINDOW_SECONDS = env_int("SALESOPS_LOGIN_FAILURE_WINDOW", 15 * 60)
AUTHENTICATION_BACKENDS = ["salesops.core.accounts.ThrottledModelBackend"]
API_TOKEN_TTL = datetime.timedelta(days=env_int("SALESOPS_API_TOKEN_DAYS", 30))
# Requests per user (or per address when signed out) and minute through the API.
API_RATE_PER_MINUTE = env_int("SALESOPS_API_RATE_PER_MINUTE", 600)
REST_KNOX = {"TOKEN_TTL": API_TOKEN_TTL, "AUTH_HEADER_PREFIX": "Token"}

# Scripts and styles come from this server only; no inline scripts. Inline style attributes
# stay allowed (charts and a few layout hints set them).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# --- i18n --------------------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LANGUAGE_COOKIE_NAME = "salesops_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
USE_I18N = True
FORMAT_MODULE_PATH = ["salesops.formats"]
USE_TZ = True
TIME_ZONE = "UTC"
SALESOPS_DEFAULT_TIME_ZONE = "Asia/Shanghai"

# --- static files --------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise expects it even before collectstatic
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# --- e-mail ------------------------------------------------------------------------------------------
EMAIL_BACKEND = env_str("SALESOPS_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("SALESOPS_FROM_EMAIL", "salesops@localhost")

# --- REST API --------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "knox.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "salesops.core.api.pagination.Pagination",
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "salesops.core.api.filters.SearchFilter",
        "salesops.core.api.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "salesops.core.api.errors.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["salesops.core.api.throttles.RequestRateThrottle"],
    "UNAUTHENTICATED_USER": "salesops.core.auth.AnonymousUser",
    "COERCE_DECIMAL_TO_STRING": True,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "salesops API",
    "DESCRIPTION": "REST API of salesops. Authenticate with a session or `Authorization: Token <token>`.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # The schema is checked by its own test (core/tests/test_api_schema.py), not by check --deploy.
    "ENABLE_DJANGO_DEPLOY_CHECK": False,
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("SALESOPS_LOG_LEVEL", "WARNING")},
}
