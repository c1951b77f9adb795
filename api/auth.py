"""``Authorization: Bearer <key>``: every API request acts as the key's user."""

import hmac
from datetime import timedelta

from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from accounts.models import User
from accounts.security import has_second_factor
from api.models import ApiKey
from api.services import hash_secret, split_key

# last_used_at is written at most once per this interval per key (a write per request
# would serialize a busy client's requests on one row).
LAST_USE_RESOLUTION = timedelta(minutes=1)


def staff_key_allowed(user: User) -> bool:
    """The one rule for staff keys: a technician or admin key works only when that user has
    a confirmed second factor (an authenticator app); clients' keys always may."""
    if not user.is_support_staff:
        return True
    return has_second_factor(user)


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """Finds the key by its prefix, compares the hash in constant time, records the use."""

    keyword = "Bearer"

    def authenticate_header(self, request):
        return self.keyword

    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header:
            return None
        scheme, _sep, raw = header.partition(" ")
        if scheme.lower() != "bearer" or not raw.strip():
            raise exceptions.AuthenticationFailed(
                _("Send the key as 'Authorization: Bearer <key>'."), code="malformed_key"
            )
        parts = split_key(raw.strip())
        if parts is None:
            raise exceptions.AuthenticationFailed(
                _("This is not an API key of this desk."), code="malformed_key"
            )
        prefix, secret = parts
        key = (
            ApiKey.objects.select_related("user", "user__organization")
            .filter(prefix=prefix)
            .first()
        )
        if key is None or not hmac.compare_digest(key.hashed_secret, hash_secret(secret)):
            raise exceptions.AuthenticationFailed(_("Unknown API key."), code="invalid_key")
        now = timezone.now()
        if key.revoked_at is not None:
            raise exceptions.AuthenticationFailed(
                _("This API key was revoked."), code="revoked_key"
            )
        if key.expires_at is not None and key.expires_at <= now:
            raise exceptions.AuthenticationFailed(
                _("This API key has expired."), code="expired_key"
            )
        user = key.user
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("This user is inactive."), code="inactive_user")
        if not staff_key_allowed(user):
            raise exceptions.AuthenticationFailed(
                _("Staff keys need a second factor on the account."), code="second_factor_required"
            )
        if key.last_used_at is None or key.last_used_at < now - LAST_USE_RESOLUTION:
            ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
            key.last_used_at = now
        if user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return user, key
