"""pytest (`--ds=config.settings.test`): fast, deterministic, no secrets needed."""

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-only-secret-key-not-used-anywhere-else-0123456789abcdef"  # noqa: S105
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]

# Hashing with MD5 keeps user-creating tests fast; never use it outside tests.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

# Serve static files without requiring `collectstatic` first.
WHITENOISE_AUTOREFRESH = True
