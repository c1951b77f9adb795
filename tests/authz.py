"""What every URL promises about who may see it, for tests/test_authorization.py.

Each app lists its URLs in ``tests/<app>/authz_cases.py`` as ``CASES = {url_name: Case}``
and may add the victim organization's objects in ``build_victim(victim)``. The walker
fails when a URL of the project is listed nowhere, so every new URL gets its check.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum


class Access(Enum):
    # Anyone may open it (login, password reset, the language switcher).
    PUBLIC = "public"
    # Any logged-in user; shows only the requester's own data (dashboard, profile).
    OWN = "own"
    # Names an object of one organization: another organization's user gets 404.
    OBJECT = "object"
    # Technicians and admins only: a client gets 404 (or 403).
    STAFF = "staff"


@dataclass(frozen=True)
class Case:
    access: Access
    # Builds the URL kwargs from the victim's objects (for OBJECT and STAFF URLs).
    kwargs: Callable[["Victim"], dict] = field(default=lambda victim: {})
    # Also send a POST: a POST of another organization's user must change nothing.
    post: bool = True
    # Only the organization's managers (issue 19): a member of the victim's own
    # organization gets 404 and changes nothing too (tests/accounts/test_member_walk.py).
    manager_only: bool = False


@dataclass
class Victim:
    """An organization whose data nobody else may see, with one user, and its objects."""

    organization: object
    user: object
    objects: dict = field(default_factory=dict)

    # Every object made for the victim carries this text where a page would print it.
    MARKER = "ConfidencialVictima"


# --- The second factor (tests/accounts/test_second_factor_walk.py) ---------------------
# A technician or admin whose session has not passed the second factor reaches only
# these pages; every other URL of the project sends them to set it up or enter a code.
BEFORE_SECOND_FACTOR = frozenset(
    {
        "home",
        "accounts:login",
        "accounts:logout",
        "accounts:set_language",
        "accounts:mfa_setup",
        "accounts:mfa_verify",
        "accounts:password_reset",
        "accounts:password_reset_done",
        "accounts:password_reset_confirm",
        "accounts:password_reset_complete",
        # A passkey instead of the code at the second step (accounts.passkey_views).
        "otp_webauthn:credential-authentication-begin",
        "otp_webauthn:credential-authentication-complete",
        "otp_webauthn:js-i18n-catalog",
    }
)


# --- The walk: every URL name of the project and its case --------------------------------
# tests/test_authorization.py walks it as outsiders; tests/e2e/test_accessibility.py runs
# axe on every page of it as each role. One list, so a new URL is checked by both.
APPS = (
    "accounts",
    "credits",
    "tickets",
    "billing",
    "plans",
    "helpdesk",
    "api",
    "kb",
    "reports",
    "mailchannel",
)
SKIPPED_NAMESPACES = {"admin"}  # Django admin checks is_staff itself; tested below.
# The API answers keys, not sessions: tests/api/test_authz.py walks every one of its routes.
SKIPPED_NAMESPACES |= {"api"}


def _case_modules():
    from importlib import import_module
    from importlib.util import find_spec

    for app in APPS:
        if find_spec(f"tests.{app}") is not None and find_spec(f"tests.{app}.authz_cases"):
            yield import_module(f"tests.{app}.authz_cases")


def collect_cases() -> dict[str, Case]:
    """Every app's ``CASES``, merged: ``{url_name: Case}``."""
    cases: dict[str, Case] = {}
    for module in _case_modules():
        cases.update(module.CASES)
    return cases


def build_victim(victim: Victim) -> Victim:
    """Give the victim every app's objects (each ``build_victim`` of authz_cases.py)."""
    for module in _case_modules():
        if hasattr(module, "build_victim"):
            module.build_victim(victim)
    return victim


def url_names(patterns=None, namespace="") -> list[str]:
    """Every named URL of the project outside ``SKIPPED_NAMESPACES``, sorted."""
    from django.urls import URLPattern, URLResolver, get_resolver

    names = set()
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace
            if ns in SKIPPED_NAMESPACES:
                continue
            prefix = f"{namespace}{ns}:" if ns else namespace
            names |= set(url_names(entry.url_patterns, prefix))
        elif isinstance(entry, URLPattern) and entry.name:
            names.add(f"{namespace}{entry.name}")
    return sorted(names)
