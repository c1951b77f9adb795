"""System checks of SITE_URL: the host every absolute link points at (emails, the payment
provider's return URL). https://docs.djangoproject.com/en/5.2/topics/checks/"""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

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


@register()
def check_verifactu_issuer(app_configs=None, **kwargs):
    """billing.E003: the issuer's NIF must be valid, or no invoice (nor its VERI*FACTU
    record) can be issued. billing.W001: submission on without a certificate."""
    from billing.verifactu.taxid import is_valid_nif

    problems = []
    tax_id = settings.SELLER.get("tax_id", "")
    if not is_valid_nif(tax_id):
        problems.append(
            Error(
                f"SELLER_TAX_ID {tax_id!r} is not a valid Spanish NIF: payments cannot issue "
                "invoices nor their VERI*FACTU records.",
                hint="Set SELLER_TAX_ID to the company's NIF, e.g. B12345674.",
                id="billing.E003",
            )
        )
    conf = getattr(settings, "VERIFACTU", {})
    if conf.get("SUBMIT") and not conf.get("CERT_FILE"):
        problems.append(
            Warning(
                "VERIFACTU_SUBMIT is on but VERIFACTU_CERT_FILE is not set: records stay "
                "pending until a certificate is configured.",
                id="billing.W001",
            )
        )
    return problems
