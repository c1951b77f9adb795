"""How tests log in people who need a second factor (technicians and admins).

``SecondFactorClient`` is Django's test client whose ``force_login`` does what a real
login does for staff: it gives the user a confirmed authenticator app (the known
``TEST_TOTP_KEY``) when they have none, and marks the session as having passed it.
``tests/conftest.py`` makes it the ``client`` fixture, so ``client.force_login(technician)``
opens staff pages. ``force_login(user, verified=False)`` logs in with the password only,
for the tests of the second-factor requirement itself.
"""

import time

import pyotp
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import security

# Base32 of the device key; its hex form is what TOTPDevice stores.
TEST_TOTP_KEY = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def give_second_factor(user, *, secret: str = TEST_TOTP_KEY) -> TOTPDevice:
    """A confirmed authenticator app for ``user`` with a known secret (idempotent)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        import base64

        device = TOTPDevice.objects.create(
            user=user, name="test", confirmed=True, key=base64.b32decode(secret).hex()
        )
    return device


def totp_now(secret: str = TEST_TOTP_KEY, *, at: float | None = None) -> str:
    """The code an authenticator app with ``secret`` shows now (or at ``at``)."""
    return pyotp.TOTP(secret).at(at if at is not None else time.time())


def verify_session(client: Client, user) -> None:
    """Mark the client's session as having passed ``user``'s second factor just now."""
    device = give_second_factor(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session[security.VERIFIED_KEY] = True
    session[security.HAS_FACTOR_KEY] = True
    session[security.RECENT_AUTH_KEY] = int(time.time())
    session.save()


class SecondFactorClient(Client):
    def force_login(self, user, backend=None, *, verified: bool = True):
        super().force_login(user, backend or settings.AUTHENTICATION_BACKENDS[-1])
        if verified and (security.requires_second_factor(user) or security.has_second_factor(user)):
            verify_session(self, user)
        return None


def session_user_id(client: Client):
    return client.session.get(SESSION_KEY)
