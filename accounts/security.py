"""Second factor, step-up and session rules for the people who can reach every client.

Public helpers other apps call:

- ``has_second_factor(user) -> bool``: the user has a confirmed authenticator app or a
  passkey (accounts.passkeys).
- ``recent_auth_required``: a view decorator; the view opens only when the user proved
  their second factor (or their password, without one) in the last
  ``STEP_UP_MAX_AGE_SECONDS``, otherwise the user is sent to confirm and comes back.

The TOTP devices, their replay protection (a code is accepted once) and the throttling of
wrong codes are django-otp's; recovery codes are ours because django-otp's static tokens
are stored in clear.
"""

import hashlib
import secrets
import time
from datetime import timedelta
from functools import wraps
from urllib.parse import urlencode

import django_otp
from django.conf import settings
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.db.models import F
from django.shortcuts import redirect
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from accounts.models import LoginEvent, RecoveryCode, User

RECOVERY_CODES = 10
# Session keys: when the second factor or password was last proven (Unix seconds), and
# when the session was authenticated and last seen (for the idle and absolute limits).
RECENT_AUTH_KEY = "accounts_recent_auth_at"
STARTED_KEY = "accounts_session_started_at"
SEEN_KEY = "accounts_session_seen_at"
# Whether this session passed the second factor, and whether the user has one (kept in
# the session so a page costs no query for it: setting one up or resetting it ends the
# user's other sessions, so the value cannot go stale).
VERIFIED_KEY = "accounts_second_factor_verified"
HAS_FACTOR_KEY = "accounts_has_second_factor"


def login_username(request, credentials=None) -> str:
    """The address axes counts failures for: lower-case, bounded (AXES_USERNAME_CALLABLE)."""
    value = (credentials or {}).get("username") or request.POST.get("username", "")
    return str(value).strip().lower()[:254]


def client_ip(request) -> str | None:
    """The visitor's IP as Django sees it (behind a proxy, set it in the proxy's header)."""
    return request.META.get("REMOTE_ADDR") or None


def record(
    kind: str, request=None, *, user=None, email: str = "", by=None, detail: str = ""
) -> LoginEvent:
    """Write one login-audit row with the request's IP and browser."""
    meta = request.META if request is not None else {}
    return LoginEvent.objects.create(
        kind=kind,
        detail=str(detail or "")[:100],
        user=user if user is not None and user.pk else None,
        email=(email or getattr(user, "email", "") or "")[:254],
        ip_address=meta.get("REMOTE_ADDR") or None,
        user_agent=meta.get("HTTP_USER_AGENT", "")[:300],
        by=by,
    )


def password_reset_throttled(request, email: str) -> bool:
    """Too many reset requests in the last hour for this address, or from this IP."""
    since = timezone.now() - timedelta(hours=1)
    recent = LoginEvent.objects.filter(
        kind=LoginEvent.Kind.PASSWORD_RESET_REQUESTED, created_at__gte=since
    )
    if email and (
        recent.filter(email=email).count() >= settings.PASSWORD_RESET_PER_ADDRESS_PER_HOUR
    ):
        return True
    ip = client_ip(request)
    return (
        bool(ip) and recent.filter(ip_address=ip).count() >= settings.PASSWORD_RESET_PER_IP_PER_HOUR
    )


# --- The second factor ---------------------------------------------------------------


def has_second_factor(user) -> bool:
    """True when ``user`` has a confirmed authenticator app (TOTP device) or passkey."""
    if user is None or not user.is_authenticated:
        return False
    return (
        TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        or WebAuthnCredential.objects.filter(user=user, confirmed=True).exists()
    )


def requires_second_factor(user) -> bool:
    """Technicians and admins must use one; clients may."""
    return user.is_authenticated and user.is_support_staff


def totp_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def pending_device(user) -> TOTPDevice:
    """The not-yet-confirmed device being set up (one per user), created on first call."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="app", confirmed=False)
    return device


def _hash(code: str) -> str:
    normalized = code.replace("-", "").replace(" ", "").lower()
    return hashlib.sha256(normalized.encode()).hexdigest()


def new_recovery_codes(user) -> list[str]:
    """Replace the user's recovery codes with ten new ones; returns them, the only time."""
    codes = [
        "-".join(secrets.token_hex(5)[i : i + 5] for i in (0, 5)) for _ in range(RECOVERY_CODES)
    ]
    RecoveryCode.objects.filter(user=user).delete()
    RecoveryCode.objects.bulk_create(RecoveryCode(user=user, code_hash=_hash(c)) for c in codes)
    return codes


class CodeResult:
    OK = "ok"
    WRONG = "wrong"
    USED = "used"
    THROTTLED = "throttled"


def check_code(user, code: str) -> tuple[str, str]:
    """Check a TOTP or recovery code. Returns (CodeResult, "totp" | "recovery")."""
    code = (code or "").strip()[:32]
    digits = code.replace(" ", "")
    device = totp_device(user)
    if digits.isdigit() and len(digits) == 6:
        if device is None:
            return CodeResult.WRONG, "totp"
        allowed, _ = device.verify_is_allowed()
        if not allowed:
            return CodeResult.THROTTLED, "totp"
        # django-otp refuses a code of a time step already used (replay) and outside
        # the tolerance (expired), and counts failures for its throttle.
        return (CodeResult.OK if device.verify_token(digits) else CodeResult.WRONG), "totp"
    with transaction.atomic():
        row = (
            RecoveryCode.objects.select_for_update()
            .filter(user=user, code_hash=_hash(code))
            .first()
        )
        if row is None:
            return CodeResult.WRONG, "recovery"
        if row.used_at is not None:
            return CodeResult.USED, "recovery"
        row.used_at = timezone.now()
        row.save(update_fields=["used_at"])
    return CodeResult.OK, "recovery"


def unused_recovery_codes(user) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()


def mark_verified(request, device=None) -> None:
    """The session has passed the second factor now (login or step-up), with ``device``
    (a passkey) or else the user's authenticator app."""
    device = device or totp_device(request.user)
    if device is not None:
        django_otp.login(request, device)
    request.session[VERIFIED_KEY] = True
    request.session[HAS_FACTOR_KEY] = device is not None or has_second_factor(request.user)
    request.session[RECENT_AUTH_KEY] = int(time.time())


def session_has_second_factor(request) -> bool:
    """``has_second_factor`` of the session's user, remembered in the session."""
    if HAS_FACTOR_KEY not in request.session:
        request.session[HAS_FACTOR_KEY] = has_second_factor(request.user)
    return request.session[HAS_FACTOR_KEY]


def mark_password_confirmed(request) -> None:
    """A user without a second factor re-entered the password (step-up)."""
    request.session[RECENT_AUTH_KEY] = int(time.time())


def is_verified(request) -> bool:
    """The session passed the user's second factor (at login or since)."""
    return request.session.get(VERIFIED_KEY) is True


@transaction.atomic
def confirm_setup(request, device: TOTPDevice) -> list[str]:
    """Turn a pending device into the user's factor; returns the new recovery codes."""
    user = request.user
    TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = new_recovery_codes(user)
    record(LoginEvent.Kind.SECOND_FACTOR_ENABLED, request, user=user)
    mark_verified(request)
    end_other_sessions(request)
    return codes


@transaction.atomic
def reset_second_factor(user, *, by, request=None) -> None:
    """An admin resets a lost device: the user sets up a new one at the next login.
    The passkeys go too, each recorded."""
    TOTPDevice.objects.filter(user=user).delete()
    RecoveryCode.objects.filter(user=user).delete()
    for passkey in WebAuthnCredential.objects.filter(user=user).select_for_update():
        passkey.delete()
        record(LoginEvent.Kind.PASSKEY_REMOVED, request, user=user, by=by, detail=passkey.name)
    User.objects.filter(pk=user.pk).update(session_epoch=F("session_epoch") + 1)
    record(LoginEvent.Kind.SECOND_FACTOR_RESET, request, user=user, by=by)


# --- Sessions ------------------------------------------------------------------------


def end_other_sessions(request) -> None:
    """End every session of the user but this one (the epoch is in the auth hash)."""
    user = request.user
    User.objects.filter(pk=user.pk).update(session_epoch=F("session_epoch") + 1)
    user.refresh_from_db(fields=["session_epoch"])
    update_session_auth_hash(request, user)


def session_limits(user) -> tuple[int, int]:
    """(idle seconds, absolute seconds) for ``user``'s sessions."""
    if user.is_support_staff:
        return settings.STAFF_SESSION_IDLE_MINUTES * 60, settings.STAFF_SESSION_MAX_HOURS * 3600
    return settings.CLIENT_SESSION_IDLE_MINUTES * 60, settings.CLIENT_SESSION_MAX_HOURS * 3600


def recently_authenticated(request) -> bool:
    at = request.session.get(RECENT_AUTH_KEY)
    return isinstance(at, int) and time.time() - at <= settings.STEP_UP_MAX_AGE_SECONDS


def recent_auth_required(view):
    """Open ``view`` only after a second-factor (or password) check in the last minutes.

    Otherwise redirect to ``accounts:reauthenticate`` with ``next`` back to this page
    (a POST is not replayed: the user repeats the action after confirming).
    """

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not recently_authenticated(request):
            back = request.get_full_path() if request.method == "GET" else _referer_or(request)
            return redirect(step_up_url(back))
        return view(request, *args, **kwargs)

    return wrapped


def _referer_or(request) -> str:
    from django.utils.http import url_has_allowed_host_and_scheme

    referer = request.META.get("HTTP_REFERER", "")
    if referer and url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()}):
        return referer
    return request.path


def step_up_url(next_url: str) -> str:
    from django.urls import reverse

    return f"{reverse('accounts:reauthenticate')}?{urlencode({'next': next_url})}"
