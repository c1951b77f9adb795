"""The accounts emails: the password reset link, written to the outbox (sent once by the
worker, in the language of the user's profile)."""

import time

from django.conf import settings
from django.urls import reverse

from accounts.models import User


def password_reset(user: User, *, uidb64: str, token: str) -> None:
    """Queue the reset link for ``user``. A double click queues one email (one per user and
    minute)."""
    # notifications sits above accounts; the import is here, at the one call.
    from notifications import services as notifications
    from notifications.models import Kind

    path = reverse("accounts:password_reset_confirm", kwargs={"uidb64": uidb64, "token": token})
    notifications.queue_email(
        user,
        Kind.PASSWORD_RESET,
        {
            "reset_url": path,
            "valid_hours": max(1, settings.PASSWORD_RESET_TIMEOUT // 3600),
        },
        dedupe_key=f"password_reset:{user.pk}:{int(time.time()) // 60}",
    )
