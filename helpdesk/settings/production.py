"""Production: secrets from the environment with no default, HTTPS everywhere.

Passes ``manage.py check --deploy`` with no warnings.
"""

from django.core.exceptions import ImproperlyConfigured

from billing import variants
from helpdesk.deploy_checks import problems
from helpdesk.settings.base import *  # noqa: F403
from helpdesk.settings.base import env

DEBUG = False
# No defaults: deploy_checks.problems() below refuses to start without them.
SECRET_KEY = env.str("SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
# --- SITE_URL: no default; `check --deploy` says when it is missing or malformed ------
SITE_URL = env.str("SITE_URL", default="")
PAYMENT_USES_SSL = True
# Keys of the credential vault, newest first: no default either (see .env.example).
VAULT_KEYS = env.list("VAULT_KEYS", default=[])

# --- HTTPS ----------------------------------------------------------------------
# https://docs.djangoproject.com/en/5.2/ref/settings/#secure-proxy-ssl-header
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True

# --- Static files: hashed names, served by WhiteNoise ------------------------------
# http://whitenoise.evans.io/en/stable/django.html
MIDDLEWARE = [*MIDDLEWARE]  # noqa: F405
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "whitenoise.middleware.WhiteNoiseMiddleware",
)
STORAGES = {
    # The local disk, or the S3-compatible bucket of AWS_STORAGE_BUCKET_NAME (base.py).
    "default": STORAGES["default"],  # noqa: F405
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- Email: SMTP (or any backend) from EMAIL_URL, no file fallback --------------------
if EMAIL_URL_SET:  # noqa: F405 - else deploy_checks names EMAIL_URL
    vars().update(env.email_url("EMAIL_URL"))
EMAIL_TIMEOUT = 20  # seconds

# --- Online payments: real providers only, configured by environment -----------------
# The test provider never runs in production; Stripe needs its webhook signing secret,
# or its callbacks could not be verified (deploy_checks names both).
PAYMENT_VARIANTS = {
    name: v
    for name, v in PAYMENT_VARIANTS.items()  # noqa: F405
    if name != variants.TEST
}
PAYMENT_VARIANT = env.str(
    "PAYMENT_VARIANT", default=variants.STRIPE if variants.STRIPE in PAYMENT_VARIANTS else ""
)

# --- Refuse to start when something is missing or contradictory (deploy) ---------------
# Every problem at once, each naming its variable: web, worker, beat and migrate stop here.
_problems = problems({name: value for name, value in globals().items() if name.isupper()})
if _problems:
    raise ImproperlyConfigured(
        "Production settings are incomplete (see .env.example):\n- " + "\n- ".join(_problems)
    )

# --- Logs and errors (deploy) ----------------------------------------------------------
# One JSON object per line (LOG_FORMAT=plain for people); errors to Sentry when SENTRY_DSN
# is set. https://docs.sentry.io/platforms/python/integrations/django/
LOG_FORMAT = env.str("LOG_FORMAT", default="json")
LOGGING["handlers"]["console"]["formatter"] = LOG_FORMAT  # noqa: F405
SENTRY_DSN = env.str("SENTRY_DSN", default="")
if SENTRY_DSN:
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        environment=env.str("SENTRY_ENVIRONMENT", default="production"),
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
        send_default_pii=False,  # no emails, cookies or access data in error reports
    )
