"""Settings for pytest: fast hashing, in-memory mail, eager Celery in unit tests.

The database comes from ``DATABASE_URL`` like everywhere else: CI sets it to
PostgreSQL; without it the suite runs on SQLite and PostgreSQL-only tests skip.
"""

import uuid

from helpdesk.settings.base import *  # noqa: F403
from helpdesk.settings.base import BASE_DIR, env

DEBUG = False
SECRET_KEY = "test-secret-key-not-for-production"  # noqa: S105
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
ALLOWED_HOSTS = ["*"]

# Unit tests run tasks in-process; the integration test that starts a real worker
# switches this off for itself.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
# A queue of this test run's own on the shared Redis: the worker started by
# tests/notifications/conftest.py consumes it, no other worker steals from it.
CELERY_TASK_DEFAULT_QUEUE = f"helpdesk-test-{uuid.uuid4().hex[:12]}"

# Keep test files away from the developer's var/ directory.
_TEST_VAR = BASE_DIR / "var" / "test"
MEDIA_ROOT = _TEST_VAR / "media"
EMAIL_FILE_PATH = str(_TEST_VAR / "mail")
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
LOGGING = {"version": 1, "disable_existing_loggers": False}
REDIS_URL = env.str("REDIS_URL", default="")

# The credential vault's key for tests (tests that rotate keys set their own).
VAULT_KEYS = ["O7VbZexMpQobjkFhe2aVCMOTzGCMglLW-iwXwNkmjhI="]

# --- Health (deploy) ---------------------------------------------------------------
# No worker answers a ping during unit tests; tests/helpdesk/test_health.py turns it on.
HEALTH_CHECK_CELERY = False

# --- The email channel's inbound webhook (tests/mailchannel/test_webhooks.py) -----------
# No DNS lookups for the test mail's made-up domains (tests/mailchannel/test_dmarc.py turns
# it on against its own DNS server).
INBOUND_VERIFY_DKIM = False
ANYMAIL = {"WEBHOOK_SECRET": "inbound:test-secret", "MAILGUN_WEBHOOK_SIGNING_KEY": "test-key"}
