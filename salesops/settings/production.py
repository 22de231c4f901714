"""Production: the same settings with the secret and hosts required and HTTPS enforced."""

from salesops.env import env_bool, env_int, env_list, env_str
from salesops.settings.base import *  # noqa: F403

SECRET_KEY = env_str("SALESOPS_SECRET_KEY")
if len(SECRET_KEY) < 50:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("SALESOPS_SECRET_KEY must be at least 50 characters long.")
DEBUG = False
ALLOWED_HOSTS = env_list("SALESOPS_ALLOWED_HOSTS")
SECURE_SSL_REDIRECT = env_bool("SALESOPS_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("SALESOPS_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
