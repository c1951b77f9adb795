"""System checks of SITE_URL: the host every absolute link points at (emails, the payment
provider's return URL). https://docs.djangoproject.com/en/5.2/topics/checks/"""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Tags, register

HINT = "Set SITE_URL to the address clients open, e.g. SITE_URL=https://soporte.example.com"


def site_url_problem(value) -> str:
    """Why ``value`` is not a usable SITE_URL ("" when it is)."""
    if not value or not str(value).strip():
        return "SITE_URL is not set."
    try:
        parts = urlsplit(str(value))
        parts.port  # noqa: B018 - raises ValueError for a port out of range or not a number
    except ValueError:
        return f"SITE_URL {value!r} is not a URL."
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"SITE_URL {value!r} must be http:// or https:// followed by a host."
    if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username:
        return f"SITE_URL {value!r} must be only scheme, host and port (no path, user or query)."
    if any(c.isspace() for c in str(value)):
        return f"SITE_URL {value!r} contains spaces."
    return ""


@register(Tags.security, deploy=True)
def check_site_url(app_configs=None, **kwargs):
    """billing.E001: production's links need a well-formed SITE_URL."""
    problem = site_url_problem(getattr(settings, "SITE_URL", ""))
    if problem:
        return [Error(problem, hint=HINT, id="billing.E001")]
    if urlsplit(settings.SITE_URL).scheme != "https" and not settings.DEBUG:
        return [
            Error(
                f"SITE_URL {settings.SITE_URL!r} is not https: links in emails and the payment "
                "return URL would leave HTTPS.",
                hint=HINT,
                id="billing.E002",
            )
        ]
    return []
