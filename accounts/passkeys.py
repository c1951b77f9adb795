"""Passkeys (WebAuthn) as a second factor, on django-otp-webauthn.

The library keeps the credentials (``WebAuthnCredential``, a django-otp device), runs the
ceremonies (py_webauthn checks the signatures, the challenge, the origin and the RP id)
and ships the browser script. Ours are the rules around it:

- the relying party (RP id and origins) comes from ``SITE_URL`` unless
  ``WEBAUTHN_RP_ID`` / ``WEBAUTHN_ORIGINS`` say otherwise, read when a ceremony runs;
- adding or removing a passkey is a change of the second factor: it needs a recent
  check (step-up), ends the user's other sessions and goes to the login audit;
- every failure answers one message and changes nothing.

Public helpers: ``passkeys_of``, ``rename``, ``remove``, ``registered``, ``rp_id``,
``allowed_origins``; errors are ``PasskeyError``.
"""

import ipaddress
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django_otp_webauthn.helpers import WebAuthnHelper
from django_otp_webauthn.models import WebAuthnCredential

from accounts.errors import PasskeyError
from accounts.models import LoginEvent

NAME_MAX_LENGTH = 64  # django-otp's Device.name
MAX_PASSKEYS = 10


def _site(url: str) -> tuple[str, str]:
    """(RP id, origin) for a site URL. An IP is no valid RP id: the loopback addresses
    become ``localhost`` (a secure context too), so `make run` works on
    http://localhost:8000."""
    parts = urlsplit(url)
    host = (parts.hostname or "localhost").lower()
    try:
        if ipaddress.ip_address(host).is_loopback:
            host = "localhost"
    except ValueError:
        pass
    port = f":{parts.port}" if parts.port else ""
    return host, f"{parts.scheme or 'https'}://{host}{port}"


def rp_id(request=None) -> str:
    """The RP id: ``WEBAUTHN_RP_ID``, or SITE_URL's host (OTP_WEBAUTHN_RP_ID_CALLABLE)."""
    return settings.WEBAUTHN_RP_ID or _site(settings.SITE_URL)[0]


def rp_name(request=None) -> str:
    return settings.WEBAUTHN_RP_NAME


def allowed_origins() -> list[str]:
    """Where a ceremony may come from: ``WEBAUTHN_ORIGINS``, or SITE_URL's origin."""
    return list(settings.WEBAUTHN_ORIGINS) or [_site(settings.SITE_URL)[1]]


class PasskeyHelper(WebAuthnHelper):
    """The library's helper with our relying party, read at every ceremony (tests and
    `make run` change SITE_URL after start-up)."""

    def get_allowed_origins(self) -> list[str]:
        return allowed_origins()

    def create_credential(self, user, response, parsed_credential, original_data):
        device = super().create_credential(user, response, parsed_credential, original_data)
        device.name = str(_("Passkey"))[:NAME_MAX_LENGTH]
        return device


def passkeys_of(user):
    return WebAuthnCredential.objects.filter(user=user, confirmed=True).order_by("created_at", "pk")


def has_passkey(user) -> bool:
    return WebAuthnCredential.objects.filter(user=user, confirmed=True).exists()


def can_register(user) -> bool:
    return passkeys_of(user).count() < MAX_PASSKEYS


def clean_name(name: str) -> str:
    name = " ".join(str(name or "").split())
    if not name:
        raise PasskeyError(_("Give the passkey a name."))
    if len(name) > NAME_MAX_LENGTH:
        raise PasskeyError(
            _("A passkey name has at most %(max)d characters.") % {"max": NAME_MAX_LENGTH}
        )
    return name


def _own(user, pk) -> WebAuthnCredential:
    """The user's passkey ``pk`` (locked), or DoesNotExist: another user's is not found."""
    return WebAuthnCredential.objects.select_for_update().get(pk=pk, user=user)


@transaction.atomic
def rename(user, pk: int, name: str) -> WebAuthnCredential:
    device = _own(user, pk)  # another user's passkey is not found, whatever the name
    device.name = clean_name(name)
    device.save(update_fields=["name"])
    return device


def registered(request, device) -> None:
    """A passkey was just added: audit, end the other sessions (their remembered
    "has a second factor" would be stale), keep this one."""
    from accounts import security

    security.record(LoginEvent.Kind.PASSKEY_ADDED, request, user=request.user, detail=device.name)
    security.end_other_sessions(request)
    request.session[security.HAS_FACTOR_KEY] = True


@transaction.atomic
def remove(request, pk: int) -> WebAuthnCredential:
    """Remove one of the user's passkeys. Staff keep at least one second factor."""
    from accounts import security

    user = request.user
    device = _own(user, pk)
    others = passkeys_of(user).exclude(pk=device.pk).exists()
    if security.requires_second_factor(user) and not others and security.totp_device(user) is None:
        raise PasskeyError(
            _(
                "This passkey is your only second factor. Set up an authenticator app "
                "before removing it."
            )
        )
    name = device.name
    device.delete()
    security.record(LoginEvent.Kind.PASSKEY_REMOVED, request, user=user, detail=name)
    security.end_other_sessions(request)
    request.session[security.HAS_FACTOR_KEY] = security.has_second_factor(user)
    return device
