"""Writes of the API app: create and revoke keys."""

import hashlib
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from api.errors import ApiKeyError
from api.models import ApiKey

KEY_PREFIX = "hd"
MAX_ACTIVE_KEYS = 20


@dataclass(frozen=True)
class NewKey:
    key: ApiKey
    # The whole secret, shown once: only its hash is stored.
    plaintext: str


def hash_secret(secret: str) -> str:
    """SHA-256 hex of a key's secret part (a random 256-bit secret needs no slow hash)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def split_key(raw: str) -> tuple[str, str] | None:
    """``hd_<prefix>_<secret>`` → (prefix, secret), or None when it is not of that shape."""
    parts = raw.split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX or not parts[1] or not parts[2]:
        return None
    if len(parts[1]) > 16 or len(parts[2]) > 128:
        return None
    return parts[1], parts[2]


@transaction.atomic
def create_key(user: User, *, name: str, scope: str = ApiKey.Scope.READ, expires_at=None) -> NewKey:
    """A new key for ``user``; the plaintext is returned once. Raises ApiKeyError."""
    name = (name or "").strip()[:100] or _("API key")
    if scope not in ApiKey.Scope.values:
        raise ApiKeyError(_("Unknown scope: %(scope)s") % {"scope": scope})
    if not user.is_active:
        raise ApiKeyError(_("An inactive user cannot have API keys."))
    User.objects.select_for_update().filter(pk=user.pk).first()
    active = ApiKey.objects.filter(user=user, revoked_at__isnull=True).count()
    if active >= MAX_ACTIVE_KEYS:
        raise ApiKeyError(_("Revoke a key before creating another one."))
    prefix, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
    key = ApiKey.objects.create(
        user=user,
        name=name,
        scope=scope,
        prefix=prefix,
        hashed_secret=hash_secret(secret),
        expires_at=expires_at,
    )
    return NewKey(key=key, plaintext=f"{KEY_PREFIX}_{prefix}_{secret}")


def revoke_key(key: ApiKey, *, by: User) -> ApiKey:
    """Revoke a key: its owner, or an admin, may. Revoking twice keeps the first date.

    Raises ApiKeyError when ``by`` may not."""
    if key.user_id != by.pk and not by.is_admin:
        raise ApiKeyError(_("You are not allowed to do this."))
    ApiKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    key.refresh_from_db()
    return key
