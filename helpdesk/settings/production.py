"""Production: secrets from the environment with no default, HTTPS everywhere.

Passes ``manage.py check --deploy`` with no warnings.
"""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = env.str("SECRET_KEY")  # no default: refuse to start without it
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
# --- SITE_URL: no default; `check --deploy` says when it is missing or malformed ------
SITE_URL = env.str("SITE_URL", default="")
PAYMENT_USES_SSL = True
# Keys of the credential vault, newest first: no default either (see .env.example).
VAULT_KEYS = env.list("VAULT_KEYS")

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
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- Email: SMTP (or any backend) from EMAIL_URL, no file fallback --------------------
vars().update(env.email_url("EMAIL_URL"))
EMAIL_TIMEOUT = 20  # seconds

# --- Online payments: real providers only, configured by environment -----------------
# The test provider never runs in production; Stripe needs its webhook signing secret,
# or its callbacks could not be verified.
PAYMENT_VARIANTS = {name: v for name, v in PAYMENT_VARIANTS.items() if name != "dummy"}  # noqa: F405
if STRIPE_SECRET_KEY and not STRIPE_WEBHOOK_SECRET:  # noqa: F405
    raise ImproperlyConfigured("STRIPE_WEBHOOK_SECRET is required with STRIPE_SECRET_KEY.")
PAYMENT_VARIANT = env.str(
    "PAYMENT_VARIANT", default="stripe" if "stripe" in PAYMENT_VARIANTS else ""
)
if PAYMENT_VARIANT and PAYMENT_VARIANT not in PAYMENT_VARIANTS:
    raise ImproperlyConfigured(f"PAYMENT_VARIANT {PAYMENT_VARIANT!r} is not configured.")
