"""Production (`make run`, gunicorn, Docker): DEBUG off, real secret required, HTTPS hardening.

DJANGO_HTTPS=true (the default) assumes the site is reached over HTTPS, directly or behind a
TLS-terminating proxy that sets X-Forwarded-Proto. The generated .env sets it to false so
`make run` also works over plain HTTP on loopback.
"""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env

DEBUG = False

SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if len(SECRET_KEY) < 50 or SECRET_KEY.startswith("django-insecure"):
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY must be set to 50 or more random characters for production "
        "settings (the generated .env has one). Create one with: "
        "python -c 'import secrets; print(secrets.token_urlsafe(50))'"
    )

HTTPS = env.bool("DJANGO_HTTPS", default=True)

# Trust X-Forwarded-Proto from the reverse proxy to tell HTTPS requests apart.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
if HTTPS:
    # The __Secure- prefix makes browsers refuse these cookies over plain HTTP.
    SESSION_COOKIE_NAME = "__Secure-sessionid"
    CSRF_COOKIE_NAME = "__Secure-csrftoken"

# HSTS: start small (60 s); once HTTPS works everywhere, raise it to 31536000 (one year).
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
# Preloading is hard to undo, so it is opt-in (`check --deploy` reports W021 until then).
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=False)

# Hashed, compressed static files served by WhiteNoise (needs `collectstatic` first).
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# One JSON object per log line unless DJANGO_LOG_FORMAT says otherwise.
LOG_FORMAT = env.str("DJANGO_LOG_FORMAT", default="json")
LOGGING["handlers"]["stdout"]["formatter"] = "text" if LOG_FORMAT == "text" else "json"  # noqa: F405
