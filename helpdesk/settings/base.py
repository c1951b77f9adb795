"""Settings shared by every environment, read from the environment (django-environ).

Nothing set → the embedded default: SQLite, mail to files, a Celery broker on the
filesystem. ``DATABASE_URL`` selects PostgreSQL; ``REDIS_URL`` selects Redis as the
Celery broker and the cache. Every variable is listed in ``.env.example``.
"""

import os
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

from billing import variants

BASE_DIR = Path(__file__).resolve().parent.parent.parent


# --- Environment (deploy) -------------------------------------------------------
# An empty variable means "not set", for every setting: ``CELERY_BROKER_URL=`` in a .env
# file falls back to REDIS_URL, and a required one is reported missing. Without this an
# empty value would beat the fallback and the setting would half-work.
class _NonEmptyEnviron(Mapping):
    """``os.environ`` without its empty (or blank) variables; read live."""

    def __getitem__(self, key):
        value = os.environ[key]
        if not value.strip():
            raise KeyError(key)
        return value

    def __iter__(self):
        return (key for key, value in os.environ.items() if value.strip())

    def __len__(self):
        return sum(1 for _ in self)


env = environ.Env()
env.ENVIRON = _NonEmptyEnviron()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)
# Runtime files of the embedded default (SQLite, mail, Celery queues, media).
VAR_DIR = Path(env.str("HELPDESK_VAR_DIR", default=str(BASE_DIR / "var")))

# --- Core ---------------------------------------------------------------------
SECRET_KEY = env.str("SECRET_KEY", default="django-insecure-local-development-key-change-me")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# --- SITE_URL: where the app is served (scheme, host and port, no path) ----------------
# Every absolute link (emails, the payment provider's return URL) is built on it.
# `make run` sets it to http://$(HOST):$(PORT); production requires it (billing.E001).
SITE_URL = env.str("SITE_URL", default="") or "http://127.0.0.1:8000"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    # django-payments: its translations (payment statuses, the test provider's form).
    "payments",
    # /health/ (deploy): its HTML template.
    "health_check",
    # Project apps, in dependency order: accounts ← credits ← tickets, billing.
    "helpdesk",
    "accounts",
    "notifications",
    "credits",
    "tickets",
    "billing",
    # Monthly plans and automatic recharge (builds on billing).
    "plans",
    # Knowledge base, help centre and canned replies (builds on tickets).
    "kb",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "helpdesk.urls"
WSGI_APPLICATION = "helpdesk.wsgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "helpdesk.context_processors.site",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------
# https://django-environ.readthedocs.io/en/latest/types.html#environ-env-db-url
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # The embedded default serves a web process and a Celery worker at once: WAL lets
    # readers and one writer work together, IMMEDIATE takes the write lock up front so
    # concurrent writers wait (timeout, seconds) instead of failing with "locked".
    # https://docs.djangoproject.com/en/5.2/ref/databases/#sqlite-transaction-behavior
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

# --- Users and authentication -------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Internationalization -----------------------------------------------------
LANGUAGE_CODE = "es"
LANGUAGES = [("es", _("Spanish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Madrid"
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_NAME = "helpdesk_language"
# https://docs.djangoproject.com/en/5.2/topics/i18n/formatting/#creating-custom-format-files
FORMAT_MODULE_PATH = ["helpdesk.formats"]

# --- Static and uploaded files ------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "staticfiles")))
# Uploaded files (ticket attachments) are private: never under STATIC_ROOT, never
# served by the web server, only through views that check who may see them.
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
FILE_UPLOAD_PERMISSIONS = 0o640
# Media on an S3-compatible store (deploy): with a bucket, several web and worker machines
# share the uploads; private objects, served only through signed, expiring URLs or the
# views that check access. https://django-storages.readthedocs.io/en/latest/backends/amazon-S3.html
AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "access_key": env.str("AWS_ACCESS_KEY_ID", default=None),
            "secret_key": env.str("AWS_SECRET_ACCESS_KEY", default=None),
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default=None),
            "region_name": env.str("AWS_S3_REGION_NAME", default=None),
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": 300,  # seconds a download link works
            "file_overwrite": False,
        },
    }

# --- Forms ----------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Email ----------------------------------------------------------------------
# https://django-environ.readthedocs.io/en/latest/types.html#environ-env-email-url
# Without EMAIL_URL each email is written to a file under var/mail (nothing to install);
# with it, e.g. smtp://user:password@host:587 or consolemail://.
# Whether EMAIL_URL was given (production refuses to start without it; deploy_checks.py).
EMAIL_URL_SET = bool(env.str("EMAIL_URL", default=""))
if EMAIL_URL_SET:
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(VAR_DIR / "mail")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Soporte <soporte@example.com>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Cache --------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
# Seconds to connect and to wait for an answer: small, so that a Redis outage costs a page
# a fraction of a second before the cache degrades to the database (redis-py's default is
# to wait forever on a server that accepts but never answers).
REDIS_CACHE_OPTIONS = {
    "socket_connect_timeout": env.float("CACHE_SOCKET_CONNECT_TIMEOUT", default=0.5),
    "socket_timeout": env.float("CACHE_SOCKET_TIMEOUT", default=0.5),
}
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "helpdesk",
            "OPTIONS": REDIS_CACHE_OPTIONS,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Celery -------------------------------------------------------------------
# https://docs.celeryq.dev/en/stable/userguide/configuration.html
# With REDIS_URL, Redis is the broker. Without it, the filesystem transport: a broker
# that needs no server, shared by the web process, the worker and beat through files.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
CELERY_BROKER_DIR = VAR_DIR / "celery"
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_BROKER_DIR / "queue"),
        "control_folder": str(CELERY_BROKER_DIR / "control"),
        "store_processed": False,
    }
else:
    # The visibility timeout (seconds) must exceed the longest task time limit, or Redis
    # redelivers a task that is still running (tests/helpdesk/test_celery_settings.py).
    # A short connect timeout (seconds): with Redis down, publishing fails fast and the
    # outbox sweep sends the email later, instead of a web request hanging.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600, "socket_connect_timeout": 5}
# One queue name per deployment, so several can share a Redis database.
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", default="celery")
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_TIME_LIMIT = 300  # seconds, hard limit
CELERY_TASK_SOFT_TIME_LIMIT = 240
# At-least-once delivery: acknowledge after the task ran; requeue when the worker dies.
# Every task is idempotent, so a redelivery does no harm.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# On a lost broker connection the unacknowledged tasks are delivered again: cancel the
# running ones rather than have them run twice at once.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ALWAYS_EAGER = False
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Periodic work: one scheduler only (``celery beat``, or ``worker --beat`` in `make run`).
# Never far-future ETAs or long countdowns on Redis: a task waiting past the visibility
# timeout is delivered again. Retries wait in the database (outbox ``next_attempt_at``)
# and the sweep publishes them when due. ``expires`` (seconds) drops a run that waited
# past the next one, e.g. during a broker outage.
CELERY_BEAT_SCHEDULE: dict = {
    "notifications-sweep-outbox": {
        "task": "notifications.sweep_outbox",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # Credits past their expiry date become expiry entries (credits.services.expire_lots).
    # Every 15 minutes rather than daily: the expiry entry is dated when it is written, and
    # a low-balance warning caused by an expiry goes with it; an indexed probe that finds
    # nothing costs about a millisecond.
    "credits-expire-lots": {
        "task": "credits.tasks.expire_lots_task",
        "schedule": 15 * 60,
        "options": {"expires": 14 * 60},
    },
    # Registration credits expiring within the warning days: one email per lot, each once.
    "credits-warn-expiring-lots": {
        "task": "credits.tasks.warn_expiring_lots_task",
        "schedule": crontab(hour=8, minute=0),  # CELERY_TIMEZONE: 08:00 in Madrid
        "options": {"expires": 6 * 3600},
    },
    # SLA warnings (e.g. 75 % of the target) and breaches due now, each once per ticket.
    "tickets-sweep-sla": {
        "task": "tickets.tasks.sweep_sla_task",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
}

# --- Logging (deploy) --------------------------------------------------------------
# Human-readable lines by default; LOG_FORMAT=json (production's default) writes one JSON
# object per line for a log collector. Every line carries the request id
# (helpdesk/logging.py), also in the Celery tasks a request queued.
# https://nhairs.github.io/python-json-logger/
LOG_FORMAT = env.str("LOG_FORMAT", default="plain")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # WeasyPrint logs every step of every PDF at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
MIDDLEWARE.insert(0, "helpdesk.logging.RequestIdMiddleware")

# --- Backups (deploy) -----------------------------------------------------------------
# Where `manage.py backup` writes without --to: a folder or s3://bucket/prefix.
BACKUP_TARGET = env.str("BACKUP_TARGET", default=str(VAR_DIR / "backups"))

# --- Health (deploy) ---------------------------------------------------------------
# /health/ pings the Celery workers (1 s timeout) when the broker is a real one.
HEALTH_CHECK_CELERY = env.bool("HEALTH_CHECK_CELERY", default=True)

# --- Security headers (strict values in production.py) ----------------------------
# django-csp 4: https://django-csp.readthedocs.io/en/latest/configuration.html
# Only this site's own assets (Bootstrap is vendored under static/, never a CDN). A
# template that needs an inline script or style gives it ``nonce="{{ request.csp_nonce }}"``.
# CSP_REPORT_ONLY=true sends the same policy as Content-Security-Policy-Report-Only
# (to try a stricter policy without breaking pages); CSP_REPORT_URI collects reports.
from csp.constants import NONCE, NONE, SELF  # noqa: E402

_CSP = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "img-src": [SELF, "data:"],
        "style-src": [SELF, NONCE],
        "script-src": [SELF, NONCE],
        "font-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}
if env.str("CSP_REPORT_URI", default=""):
    _CSP["DIRECTIVES"]["report-uri"] = [env.str("CSP_REPORT_URI")]
if env.bool("CSP_REPORT_ONLY", default=False):
    CONTENT_SECURITY_POLICY_REPORT_ONLY = _CSP
else:
    CONTENT_SECURITY_POLICY = _CSP
# https://github.com/adamchainz/django-permissions-policy: no page needs any of these.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    "accelerometer": [],
    "camera": [],
    "display-capture": [],
    "geolocation": [],
    "gyroscope": [],
    "magnetometer": [],
    "microphone": [],
    "payment": [],
    "usb": [],
}
X_FRAME_OPTIONS = "DENY"

# --- Staff security: second factor, lockout, sessions (accounts.security) ------------
INSTALLED_APPS += [
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
]
# django-otp keeps the devices and checks codes; our middleware sends a staff user
# without a verified second factor to set it up or to enter a code, and ends sessions
# that are idle or too old (no query per page: the flags live in the session).
# AxesMiddleware answers locked-out logins.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.messages.middleware.MessageMiddleware") + 1,
    "accounts.middleware.SecondFactorMiddleware",
)
MIDDLEWARE.append("axes.middleware.AxesMiddleware")
AUTHENTICATION_BACKENDS = [
    # https://django-axes.readthedocs.io/en/latest/2_installation.html
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# The issuer shown in the authenticator app next to the account.
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="Soporte Créditos")
# Wrong codes in a row before django-otp makes the user wait (1 s, 2 s, 4 s, ...).
OTP_TOTP_THROTTLE_FACTOR = 1
# Passkeys (WebAuthn), django-otp-webauthn: https://django-otp-webauthn.readthedocs.io/
# The relying party is SITE_URL's host and origin (a loopback IP becomes "localhost": an
# RP id cannot be an IP), read at each ceremony; WEBAUTHN_RP_ID (a registrable domain,
# e.g. example.com for help.example.com) and WEBAUTHN_ORIGINS (comma-separated
# https://... origins) override it. Changing the RP id orphans every registered passkey.
# Passkeys are a second factor after the password, never a passwordless login.
INSTALLED_APPS += ["django_otp_webauthn"]
WEBAUTHN_RP_ID = env.str("WEBAUTHN_RP_ID", default="")
WEBAUTHN_ORIGINS = env.list("WEBAUTHN_ORIGINS", default=[])
WEBAUTHN_RP_NAME = env.str("WEBAUTHN_RP_NAME", default="Soporte Créditos")
OTP_WEBAUTHN_HELPER_CLASS = "accounts.passkeys.PasskeyHelper"
OTP_WEBAUTHN_RP_ID_CALLABLE = "accounts.passkeys.rp_id"
OTP_WEBAUTHN_RP_NAME_CALLABLE = "accounts.passkeys.rp_name"
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False
OTP_WEBAUTHN_TIMEOUT_SECONDS = 120
# For the library's start-up check only; PasskeyHelper reads the origins per ceremony.
_site = urlsplit(SITE_URL)
_site_host = "localhost" if _site.hostname in ("127.0.0.1", "::1") else _site.hostname
_site_port = f":{_site.port}" if _site.port else ""
OTP_WEBAUTHN_ALLOWED_ORIGINS = WEBAUTHN_ORIGINS or [f"{_site.scheme}://{_site_host}{_site_port}"]
# Step-up: revealing access data, refunds and manual adjustments ask for the second
# factor (or the password, without one) again when the last check is older than this.
STEP_UP_MAX_AGE_SECONDS = env.int("STEP_UP_MAX_AGE_SECONDS", default=600)
# Sessions (minutes idle, hours in all); clients keep longer ones than staff.
STAFF_SESSION_IDLE_MINUTES = env.int("STAFF_SESSION_IDLE_MINUTES", default=30)
STAFF_SESSION_MAX_HOURS = env.int("STAFF_SESSION_MAX_HOURS", default=12)
CLIENT_SESSION_IDLE_MINUTES = env.int("CLIENT_SESSION_IDLE_MINUTES", default=7 * 24 * 60)
CLIENT_SESSION_MAX_HOURS = env.int("CLIENT_SESSION_MAX_HOURS", default=30 * 24)
SESSION_COOKIE_AGE = CLIENT_SESSION_MAX_HOURS * 3600  # seconds
# django-axes: https://django-axes.readthedocs.io/en/latest/4_configuration.html
# The LOGIN_FAILURE_LIMIT-th wrong password for one address from one IP locks that pair
# for LOGIN_COOLOFF_MINUTES; an admin unlocks earlier by deleting the access attempt.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=6)
AXES_COOLOFF_TIME = env.int("LOGIN_COOLOFF_MINUTES", default=15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
AXES_USERNAME_CALLABLE = "accounts.security.login_username"
AXES_VERBOSE = False
# Password reset: at most this many requests per hour for one address, and for one IP.
PASSWORD_RESET_PER_ADDRESS_PER_HOUR = env.int("PASSWORD_RESET_PER_ADDRESS_PER_HOUR", default=3)
PASSWORD_RESET_PER_IP_PER_HOUR = env.int("PASSWORD_RESET_PER_IP_PER_HOUR", default=10)
# Hours a reset link works (Django: 3 days): the link waits in the outbox until sent.
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT_HOURS", default=2) * 3600

# --- Product --------------------------------------------------------------------
# A balance statement with more movements than this is built by a Celery task into a
# private file, offered for download when ready; shorter ones download at once.
CREDITS_STATEMENT_INLINE_MOVEMENTS = env.int("CREDITS_STATEMENT_INLINE_MOVEMENTS", default=1000)

# The seller printed on invoices (billing); buyer data comes from the organization.
# IBAN and BIC: where clients send bank transfers (shown on a pending order).
SELLER = {
    "name": env.str("SELLER_NAME", default="Soporte Créditos S.L."),
    "tax_id": env.str("SELLER_TAX_ID", default="B00000000"),
    "address": env.str("SELLER_ADDRESS", default="Calle Mayor 1, 28013 Madrid, España"),
    "email": env.str("SELLER_EMAIL", default="facturacion@example.com"),
    "iban": env.str("SELLER_IBAN", default="ES91 2100 0418 4502 0005 1332"),
    "bic": env.str("SELLER_BIC", default="CAIXESBBXXX"),
}

# --- Tickets --------------------------------------------------------------------
# Attachments: size limit per file (bytes) and files per message; the accepted types are
# an allow-list in tickets/attachments.py. Keep the web server's body limit above this.
TICKET_ATTACHMENT_MAX_BYTES = env.int("TICKET_ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024)
TICKET_ATTACHMENT_MAX_FILES = 5
# A client may reopen a resolved or closed ticket within this many days.
TICKET_REOPEN_DAYS = 7
TICKETS_PER_PAGE = 25
# A queue search counts its matches up to this number ("more than 1,000 tickets").
TICKETS_SEARCH_COUNT_CAP = 1000
# The movements page counts at most this many entries (then "more than"; dates filter the
# older ones): an exact count of a wallet with 100,000 entries cost 35 ms a page.
MOVEMENTS_COUNT_CAP = 5000
# The staff dashboard's counts (mine, breached, unassigned) stop past this number ("99+"):
# counted exactly, they grew with the open tickets (the queue gives the exact count).
DASHBOARD_COUNT_CAP = 99

# --- Billing ----------------------------------------------------------------------
# Invoice series: invoices of paid orders, and corrective invoices of refunds.
BILLING_INVOICE_SERIES = env.str("BILLING_INVOICE_SERIES", default="A")
BILLING_CORRECTIVE_SERIES = env.str("BILLING_CORRECTIVE_SERIES", default="R")

# --- Online payments (django-payments) -------------------------------------------
# https://django-payments.readthedocs.io/en/latest/install.html
# Variants come from the environment: "dummy" is the library's test provider (a form
# where you choose the outcome; development and tests only, never in production);
# "stripe" (Stripe Checkout) exists when STRIPE_SECRET_KEY is set. PAYMENT_VARIANT is
# the one behind the "Pay online" button; empty = bank transfer only.
PAYMENT_MODEL = "billing.Payment"


def _payment_host() -> str:
    """SITE_URL's host:port, read when a URL is built (tests and `make run` change it)."""
    from django.conf import settings

    return urlsplit(settings.SITE_URL).netloc


PAYMENT_HOST = _payment_host
PAYMENT_USES_SSL = SITE_URL.startswith("https://")
STRIPE_SECRET_KEY = env.str("STRIPE_SECRET_KEY", default="")
STRIPE_WEBHOOK_SECRET = env.str("STRIPE_WEBHOOK_SECRET", default="")
PAYMENT_VARIANTS: dict[str, tuple[str, dict]] = {}
if env.bool("PAYMENT_TEST_PROVIDER", default=True):
    PAYMENT_VARIANTS[variants.TEST] = ("billing.providers.TestProvider", {})
if STRIPE_SECRET_KEY:
    PAYMENT_VARIANTS[variants.STRIPE] = (
        "billing.providers.StripeProvider",
        {"api_key": STRIPE_SECRET_KEY, "endpoint_secret": STRIPE_WEBHOOK_SECRET},
    )
PAYMENT_VARIANT = env.str(
    "PAYMENT_VARIANT",
    default=variants.STRIPE if STRIPE_SECRET_KEY else next(iter(PAYMENT_VARIANTS), ""),
)

# --- Credential vault -------------------------------------------------------------
# Fernet keys (comma-separated, newest first) that encrypt the access data clients store
# for interventions; ``manage.py rotate_vault_keys`` re-encrypts everything with the
# newest. Empty here: local.py embeds a development key; production requires the variable.
# https://cryptography.io/en/latest/fernet/#cryptography.fernet.MultiFernet
VAULT_KEYS = env.list("VAULT_KEYS", default=[])


# --- The REST API (api/) ------------------------------------------------------
# https://www.django-rest-framework.org/api-guide/settings/
# https://drf-spectacular.readthedocs.io/en/latest/settings.html
INSTALLED_APPS += ["rest_framework", "drf_spectacular", "drf_spectacular_sidecar", "api"]
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.auth.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.HasApiKey"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.ApiKeyRateThrottle"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Cursor",
    "PAGE_SIZE": 25,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Soporte Créditos API",
    "DESCRIPTION": "Tickets, credits and billing of the support-credit help desk.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "TicketStatusEnum": "tickets.models.ticket.TicketStatus",
        "TicketKindEnum": "tickets.models.ticket.TicketKind",
        "LedgerKindEnum": "credits.models.ledger.EntryKind",
        "EstimateStatusEnum": "tickets.models.estimates.EstimateStatus",
        "EstimateKindEnum": "tickets.models.estimates.EstimateKind",
        "OrderStatusEnum": "billing.models.orders.Order.Status",
        "InvoiceKindEnum": "billing.models.invoices.Invoice.Kind",
        "PackKindEnum": "credits.models.packs.Pack.Kind",
    },
}
# Requests per minute per API key (read and write counted together).
API_RATE_LIMIT_PER_MINUTE = env.int("API_RATE_LIMIT_PER_MINUTE", default=120)
# A replayed Idempotency-Key returns the first response for this many hours.
API_IDEMPOTENCY_HOURS = env.int("API_IDEMPOTENCY_HOURS", default=24)
# Webhooks (notifications/webhooks.py): an endpoint is paused after this many failures in
# a row. Private/loopback/link-local destinations only when allowed (tests, never prod).
WEBHOOKS_PAUSE_AFTER = env.int("WEBHOOKS_PAUSE_AFTER", default=10)
WEBHOOKS_ALLOW_PRIVATE_DESTINATIONS = env.bool("WEBHOOKS_ALLOW_PRIVATE_DESTINATIONS", default=False)
CELERY_BEAT_SCHEDULE["notifications-sweep-webhooks"] = {
    "task": "notifications.sweep_webhooks",
    "schedule": 60.0,
    "options": {"expires": 55},
}

# Backstop of the grant's hook: tickets awaiting credits that the balance now covers resume
# (tickets.services.sweep_covered_tickets).
# Monthly plans: start the periods that are due, each once (plans.services.renew_due); and
# the backstop of the automatic recharge that a deduction queues.
CELERY_BEAT_SCHEDULE["plans-renew-subscriptions"] = {
    "task": "plans.tasks.renew_due_task",
    "schedule": 15 * 60,
    "options": {"expires": 14 * 60},
}
# Dunning: a declined renewal is charged again 1, 3 and 5 days after its first decline
# (plans.services.retry_due), each retry once; then the subscription ends unpaid.
CELERY_BEAT_SCHEDULE["plans-retry-declined-renewals"] = {
    "task": "plans.tasks.retry_due_task",
    "schedule": 15 * 60,
    "options": {"expires": 14 * 60},
}
CELERY_BEAT_SCHEDULE["plans-sweep-auto-recharges"] = {
    "task": "plans.tasks.sweep_auto_recharges_task",
    "schedule": 10 * 60,
    "options": {"expires": 9 * 60},
}

CELERY_BEAT_SCHEDULE["tickets-sweep-covered-tickets"] = {
    "task": "tickets.tasks.sweep_covered_tickets_task",
    "schedule": 10 * 60,
    "options": {"expires": 9 * 60},
}
# Reports (reports/): the per-ticket SLA times behind the dashboard's medians and
# percentiles, for tickets changed since they were last computed.
CELERY_BEAT_SCHEDULE["reports-refresh-times"] = {
    "task": "reports.tasks.refresh_times_task",
    "schedule": 5 * 60,
    "options": {"expires": 4 * 60},
}
# --- The email channel (mailchannel) ----------------------------------------------------
# Clients open and answer tickets by email: IMAP mailboxes (configured in admin, polled by
# beat) and a provider's inbound webhook (django-anymail) both go through
# tickets.inbound.receive_email. https://anymail.dev/en/stable/inbound/
INSTALLED_APPS += ["anymail", "mailchannel"]
# The support address our ticket emails give as Reply-To ("" to give none).
SUPPORT_REPLY_TO_EMAIL = env.str("SUPPORT_REPLY_TO_EMAIL", default="")
# More addresses of ours (mail from them is a loop and is ignored), comma-separated.
INBOUND_OWN_ADDRESSES = env.list("INBOUND_OWN_ADDRESSES", default=[])
# A larger message is refused with a polite answer (bytes, as received).
INBOUND_EMAIL_MAX_BYTES = env.int("INBOUND_EMAIL_MAX_BYTES", default=25 * 1024 * 1024)
# Automatic answers (a rejected email) per sender and day: a loop with another robot stops.
INBOUND_AUTO_ANSWERS_PER_DAY = env.int("INBOUND_AUTO_ANSWERS_PER_DAY", default=3)
# The authserv-id of our own receiving server's Authentication-Results headers (RFC 8601):
# when it says DMARC (or SPF without DKIM) failed, the From is forged and the mail refused.
# Empty: not checked.
INBOUND_AUTHSERV_ID = env.str("INBOUND_AUTHSERV_ID", default="")
# Without INBOUND_AUTHSERV_ID we verify DKIM and DMARC ourselves (mailchannel/dmarc.py): mail
# From a user's domain publishing DMARC p=reject/quarantine without a valid aligned DKIM
# signature is refused. The DNS servers to ask ("ip" or "ip:port", comma-separated; empty:
# the system's) and the timeout of a lookup, in seconds.
INBOUND_VERIFY_DKIM = env.bool("INBOUND_VERIFY_DKIM", default=True)
INBOUND_DNS_SERVERS = env.list("INBOUND_DNS_SERVERS", default=[])
INBOUND_DNS_TIMEOUT = env.float("INBOUND_DNS_TIMEOUT", default=5.0)
# How often beat polls the active mailboxes (seconds).
INBOUND_POLL_SECONDS = env.int("INBOUND_POLL_SECONDS", default=60)
# The inbound webhook's basic-auth secret, "user:password" (anymail's WEBHOOK_SECRET), and
# the provider's signing key where it has one (e.g. MAILGUN_WEBHOOK_SIGNING_KEY).
ANYMAIL = {
    "WEBHOOK_SECRET": env.str("ANYMAIL_WEBHOOK_SECRET", default=""),
    "MAILGUN_WEBHOOK_SIGNING_KEY": env.str("MAILGUN_WEBHOOK_SIGNING_KEY", default=""),
}
CELERY_BEAT_SCHEDULE["mailchannel-poll-mailboxes"] = {
    "task": "mailchannel.tasks.poll_all_task",
    "schedule": float(INBOUND_POLL_SECONDS),
    "options": {"expires": max(INBOUND_POLL_SECONDS - 5, 5)},
}
# ---------------------------------------------------------------------------------------
# VERI*FACTU (billing/verifactu): the invoicing records sent to the tax agency (AEAT).
# ENVIRONMENT "test" uses the agency's test services and QR host, "production" the real
# ones. The issuer's certificate (PKCS#12 file and its password) comes only from the
# environment: never commit it. SUBMIT=false keeps records pending (nothing is sent).
VERIFACTU = {
    "ENVIRONMENT": env.str("VERIFACTU_ENVIRONMENT", default="test"),
    "SUBMIT": env.bool("VERIFACTU_SUBMIT", default=False),
    "ENDPOINT": env.str("VERIFACTU_ENDPOINT", default=""),
    "CERT_FILE": env.str("VERIFACTU_CERT_FILE", default=""),
    "CERT_PASSWORD": env.str("VERIFACTU_CERT_PASSWORD", default=""),
    # Seconds for one call to the agency; its answer's TiempoEsperaEnvio is honoured too.
    "TIMEOUT": env.int("VERIFACTU_TIMEOUT", default=30),
    "BATCH_SIZE": min(env.int("VERIFACTU_BATCH_SIZE", default=1000), 1000),
    # The invoicing system (SistemaInformatico) as declared by its producer.
    "PRODUCER_NAME": env.str("VERIFACTU_PRODUCER_NAME", default=SELLER["name"]),
    "PRODUCER_TAX_ID": env.str("VERIFACTU_PRODUCER_TAX_ID", default=SELLER["tax_id"]),
    "SYSTEM_NAME": env.str("VERIFACTU_SYSTEM_NAME", default="Soporte Creditos"),
    "SYSTEM_ID": env.str("VERIFACTU_SYSTEM_ID", default="SC"),
    "SYSTEM_VERSION": env.str("VERIFACTU_SYSTEM_VERSION", default="1.0"),
    "INSTALLATION_NUMBER": env.str("VERIFACTU_INSTALLATION_NUMBER", default="1"),
}
CELERY_BEAT_SCHEDULE["billing-submit-records"] = {
    "task": "billing.tasks.submit_pending_task",
    "schedule": 60.0,
    "options": {"expires": 55},
}
