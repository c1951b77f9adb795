"""What a production deployment needs, checked before it starts (issue 13).

``problems(values)`` is pure: it takes the settings as a mapping and returns one sentence
per problem, each naming the variable and what to do. ``helpdesk/settings/production.py``
refuses to load while the list is not empty (so the web, the worker, beat and ``migrate``
all stop at start-up with the same message), and the ``deploy`` system check below reports
the same sentences for any other settings module under ``manage.py check --deploy``.
"""

from collections.abc import Mapping

from django.core import checks

from billing import variants

# Backends that accept an email and deliver it to nobody.
UNDELIVERED_EMAIL_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
}
BROKER_SCHEMES = ("redis://", "rediss://", "sentinel://", "amqp://", "amqps://")


def problems(values: Mapping) -> list[str]:
    """Every missing or contradictory production setting, one sentence each."""
    found = []
    secret = values.get("SECRET_KEY") or ""
    if len(secret) < 50 or secret.startswith("django-insecure") or secret.startswith("change-me"):
        found.append(
            "SECRET_KEY is missing or weak: set it to a random string of at least 50 characters."
        )
    if not values.get("ALLOWED_HOSTS"):
        found.append("ALLOWED_HOSTS is not set: list the host names the site answers to.")
    database = (values.get("DATABASES") or {}).get("default", {})
    if database.get("ENGINE", "").endswith("sqlite3"):
        found.append(
            "DATABASE_URL is not set: production needs PostgreSQL "
            "(postgres://USER:PASSWORD@HOST:5432/NAME)."
        )
    broker = values.get("CELERY_BROKER_URL") or ""
    if not broker.startswith(BROKER_SCHEMES):
        found.append(
            f"The Celery broker is {broker or 'not set'!r}: set REDIS_URL (or "
            "CELERY_BROKER_URL) to redis://HOST:6379/0, or no email and no periodic task runs."
        )
    cache = (values.get("CACHES") or {}).get("default", {}).get("BACKEND", "")
    if cache.endswith(("LocMemCache", "DummyCache")):
        found.append(
            "The cache is per process: set REDIS_URL, so several web processes share it "
            "(rate limits, locks and cached pages)."
        )
    backend = values.get("EMAIL_BACKEND") or ""
    if not values.get("EMAIL_URL_SET"):
        found.append("EMAIL_URL is not set: e.g. smtp+tls://USER:PASSWORD@HOST:587.")
    elif backend in UNDELIVERED_EMAIL_BACKENDS:
        found.append(
            f"EMAIL_URL selects {backend.rsplit('.', 2)[-2]} mail, which delivers to nobody: "
            "use smtp:// or smtp+tls:// in production."
        )
    found.extend(_payment_problems(values))
    found.extend(_vault_problems(values.get("VAULT_KEYS") or []))
    return found


def _payment_problems(values: Mapping) -> list[str]:
    found = []
    secret, webhook = values.get("STRIPE_SECRET_KEY"), values.get("STRIPE_WEBHOOK_SECRET")
    variant = values.get("PAYMENT_VARIANT") or ""
    if secret and not webhook:
        found.append(
            "STRIPE_WEBHOOK_SECRET is missing while STRIPE_SECRET_KEY is set: Stripe's "
            "callbacks could not be verified. Set both, or neither (bank transfer only)."
        )
    if webhook and not secret:
        found.append(
            "STRIPE_SECRET_KEY is missing while STRIPE_WEBHOOK_SECRET is set: set both, "
            "or neither (bank transfer only)."
        )
    if variant == variants.TEST:
        found.append("PAYMENT_VARIANT=dummy is the test provider: never in production.")
    elif variant and variant not in (values.get("PAYMENT_VARIANTS") or {}):
        found.append(
            f"PAYMENT_VARIANT={variant!r} has no provider configured: set its keys "
            "(STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET for stripe) or leave it empty."
        )
    return found


def _vault_problems(keys: list[str]) -> list[str]:
    from cryptography.fernet import Fernet

    if not keys:
        return [
            "VAULT_KEYS is not set: generate a key with "
            '`python -c "from cryptography.fernet import Fernet; '
            'print(Fernet.generate_key().decode())"`.'
        ]
    found = []
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key)
        except (ValueError, TypeError):
            found.append(
                f"VAULT_KEYS key {position} is not a Fernet key (32 url-safe base64 bytes)."
            )
    return found


@checks.register(checks.Tags.security, deploy=True)
def check_deployment(app_configs=None, **kwargs):
    """``check --deploy``: the same problems as production's start-up refusal."""
    from django.conf import settings

    values = {name: getattr(settings, name) for name in dir(settings) if name.isupper()}
    return [checks.Error(text, id="helpdesk.E100") for text in problems(values)]
