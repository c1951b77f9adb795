"""A software authenticator for the server tests of the passkey ceremonies.

``SoftAuthenticator`` makes what a browser sends after ``navigator.credentials.create()``
and ``.get()``: real P-256 keys, "none" attestation, signed assertions, so the library's
checks (py_webauthn: challenge, origin, RP id, signature, counter) run for real. The
browser journey (tests/e2e/test_passkey_journey.py) uses Chromium's own virtual
authenticator instead.
"""

import hashlib
import json
import os
import struct
from base64 import urlsafe_b64decode, urlsafe_b64encode

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from django_otp_webauthn.models import WebAuthnCredential

from accounts import passkeys


def b64url(data: bytes) -> str:
    return urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return urlsafe_b64decode(text + "=" * (-len(text) % 4))


class SoftAuthenticator:
    def __init__(self, rp_id: str | None = None, origin: str | None = None):
        self.rp_id = rp_id or passkeys.rp_id()
        self.origin = origin or passkeys.allowed_origins()[0]
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = os.urandom(32)
        self.sign_count = 0

    def _cose_key(self) -> bytes:
        numbers = self.key.public_key().public_numbers()
        return cbor2.dumps(
            {
                1: 2,  # kty: EC2
                3: -7,  # alg: ES256
                -1: 1,  # crv: P-256
                -2: numbers.x.to_bytes(32, "big"),
                -3: numbers.y.to_bytes(32, "big"),
            }
        )

    def _client_data(self, kind: str, challenge: str) -> bytes:
        return json.dumps(
            {"type": kind, "challenge": challenge, "origin": self.origin, "crossOrigin": False}
        ).encode()

    def register(self, options: dict) -> dict:
        """The RegistrationResponseJSON for ``options`` (from registration/begin)."""
        rp_hash = hashlib.sha256(self.rp_id.encode()).digest()
        auth_data = (
            rp_hash
            + bytes([0x45])  # UP | UV | AT
            + struct.pack(">I", self.sign_count)
            + bytes(16)  # AAGUID
            + struct.pack(">H", len(self.credential_id))
            + self.credential_id
            + self._cose_key()
        )
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        client_data = self._client_data("webauthn.create", options["challenge"])
        return {
            "id": b64url(self.credential_id),
            "rawId": b64url(self.credential_id),
            "type": "public-key",
            "response": {
                "clientDataJSON": b64url(client_data),
                "attestationObject": b64url(attestation),
                "transports": ["internal"],
            },
            "clientExtensionResults": {"credProps": {"rk": True}},
        }

    def sign(self, options: dict) -> dict:
        """The AuthenticationResponseJSON for ``options`` (from authentication/begin)."""
        self.sign_count += 1
        rp_hash = hashlib.sha256(self.rp_id.encode()).digest()
        auth_data = rp_hash + bytes([0x05]) + struct.pack(">I", self.sign_count)  # UP | UV
        client_data = self._client_data("webauthn.get", options["challenge"])
        signature = self.key.sign(
            auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256())
        )
        return {
            "id": b64url(self.credential_id),
            "rawId": b64url(self.credential_id),
            "type": "public-key",
            "response": {
                "clientDataJSON": b64url(client_data),
                "authenticatorData": b64url(auth_data),
                "signature": b64url(signature),
            },
            "clientExtensionResults": {},
        }


def give_passkey(user, *, name: str = "Test key", authenticator=None) -> WebAuthnCredential:
    """A confirmed passkey for ``user`` (the key of ``authenticator`` when given)."""
    authenticator = authenticator or SoftAuthenticator()
    device = WebAuthnCredential(
        user=user,
        name=name,
        credential_id=authenticator.credential_id,
        public_key=authenticator._cose_key(),
        sign_count=authenticator.sign_count,
        aaguid="00000000-0000-0000-0000-000000000000",
        transports=["internal"],
        discoverable=True,
    )
    device.save()
    return device
