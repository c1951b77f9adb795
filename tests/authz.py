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
