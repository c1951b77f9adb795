"""The email channel's emails, written to the outbox in the caller's transaction: the polite
answer to mail we cannot take (``inbound_rejected``) and the staff alert when a mailbox can
no longer be read (``mailbox_failing``)."""

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from mailchannel.models import Mailbox
from notifications.kinds import get_kind
from notifications.models import Kind, OutboxEmail
from notifications.services import queue_email, queue_email_to_staff


def inbound_rejected(address: str, *, reason: str, subject: str) -> None:
    """The answer to ``address``: to its user when there is one; otherwise the row carries
    the address and the outbox sweep sends it. The caller limits how many a day."""
    context = {"reason": str(reason), "original_subject": subject[:200] or "-"}
    user = User.objects.filter(email__iexact=address).first()
    if user is not None:
        queue_email(user, Kind.INBOUND_REJECTED, context)
        return
    now = timezone.now()
    OutboxEmail.objects.create(
        kind=Kind.INBOUND_REJECTED,
        to_email=address,
        language=settings.LANGUAGE_CODE,
        context=get_kind(Kind.INBOUND_REJECTED).dump_context(context),
        next_attempt_at=now,
        enqueued_at=now,
        created_at=now,
    )


def mailbox_failing(mailbox: Mailbox) -> None:
    """Tell the staff that ``mailbox`` cannot be read (once per run of failures: the dedupe
    key is the moment it was first told, ``error_notified_at``)."""
    queue_email_to_staff(
        Kind.MAILBOX_FAILING,
        {
            "mailbox_name": mailbox.name,
            "error": mailbox.last_error[:500],
            "admin_url": reverse("admin:mailchannel_mailbox_change", args=[mailbox.pk]),
        },
        dedupe_key=f"mailbox_failing:{mailbox.pk}:{mailbox.error_notified_at:%Y%m%d%H%M%S}",
    )
