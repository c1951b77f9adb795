"""Writes on the outbox: queue emails in the caller's transaction, send each once, sweep.

Call ``queue_email`` inside the atomic block of the change that causes the email: the row
commits or rolls back with that change, and a send task is published after the commit.
A lost publish (broker down, crash between commit and publish) only delays the email: the
outbox sweep (beat, every minute) publishes again for every pending row that is due.
"""

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from functools import partial

from django.db import connection, transaction
from django.db.models import F, Q
from django.db.models.constants import OnConflict
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from accounts.models import Organization, User
from notifications import delivery, selectors
from notifications.attachments import dump_attachments
from notifications.errors import (
    InvalidContext,
    NotificationError,
    TemporaryFailure,
    UnknownAttachment,
    UnknownKind,
)
from notifications.kinds import get_kind
from notifications.models import OutboxEmail

__all__ = [
    "InvalidContext",
    "NotificationError",
    "TemporaryFailure",
    "UnknownAttachment",
    "UnknownKind",
    "queue_email",
    "queue_email_to_address",
    "queue_email_to_many",
    "queue_email_to_organization",
    "queue_email_to_staff",
    "resend",
    "send_email",
    "sweep_outbox",
]

logger = logging.getLogger(__name__)

# Waits (minutes) after the 1st, 2nd… temporary failure; the row fails after the last one.
RETRY_DELAYS = (1, 5, 15, 60, 240)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
# A published task normally runs well within this; after it the sweep publishes again.
ENQUEUE_GRACE = timedelta(minutes=2)
SWEEP_BATCH = 500

PENDING = OutboxEmail.Status.PENDING


# --- Queueing ---------------------------------------------------------------------------


def _outbox_fields(
    kind: str,
    stored_context: dict,
    *,
    recipient: User | None,
    to_email: str,
    language: str,
    now: datetime,
    attachments: list | None = None,
) -> dict:
    """The columns of a new outbox row, due at once (every ``queue_email*`` writes these)."""
    fields = {
        "kind": kind,
        "recipient": recipient,
        "to_email": to_email,
        "language": language,
        "context": stored_context,
        "next_attempt_at": now,
        "enqueued_at": now,
        "created_at": now,
    }
    if attachments is not None:
        fields["attachments"] = attachments
    return fields


@transaction.atomic
def queue_email(
    recipient: User,
    kind: str,
    context: dict,
    *,
    dedupe_key: str | None = None,
    attachments: Iterable[tuple[str, dict]] = (),
) -> OutboxEmail:
    """Write one email to the outbox, to be sent after the surrounding transaction commits.

    With a ``dedupe_key`` already used, returns that row and queues nothing more.
    Raises UnknownKind, InvalidContext, UnknownAttachment (mistakes of the calling code);
    a recipient without an address or with an unknown language fails when sent instead.
    """
    fields = _outbox_fields(
        kind,
        get_kind(kind).dump_context(context),
        recipient=recipient,
        to_email=recipient.email or "",
        language=recipient.language or "",
        attachments=dump_attachments(attachments),
        now=timezone.now(),
    )
    if dedupe_key:
        # A concurrent twin blocks on the unique index until we commit, then finds our row.
        email, created = OutboxEmail.objects.get_or_create(dedupe_key=dedupe_key, defaults=fields)
        if not created:
            return email
    else:
        email = OutboxEmail.objects.create(**fields)
    transaction.on_commit(partial(_publish, [email.pk]), robust=True)
    return email


@transaction.atomic
def queue_email_to_address(
    address: str,
    language: str,
    kind: str,
    context: dict,
    *,
    dedupe_key: str | None = None,
) -> OutboxEmail:
    """Like ``queue_email``, to an address that has no user yet (an invitation), in
    ``language``. Raises like ``queue_email``."""
    fields = _outbox_fields(
        kind,
        get_kind(kind).dump_context(context),
        recipient=None,
        to_email=address,
        language=language,
        now=timezone.now(),
    )
    if dedupe_key:
        email, created = OutboxEmail.objects.get_or_create(dedupe_key=dedupe_key, defaults=fields)
        if not created:
            return email
    else:
        email = OutboxEmail.objects.create(**fields)
    transaction.on_commit(partial(_publish, [email.pk]), robust=True)
    return email


def queue_email_to_many(
    recipients: Iterable[User],
    kind: str,
    context: dict,
    *,
    dedupe_key: str | None = None,
    attachments: Iterable[tuple[str, dict]] = (),
) -> list[OutboxEmail]:
    """One email per recipient; the dedupe key gets ``:<user id>`` so each person gets one.

    One write statement for all of them, no savepoint (on PostgreSQL, with a dedupe key:
    ``INSERT ... ON CONFLICT DO NOTHING``, and the rows already queued read only when there
    are some; a concurrent twin blocks on the unique index until it commits, then its row
    is returned). Raises like ``queue_email``.
    """
    users = list(recipients)
    attachments = list(attachments)
    if not users:
        return []
    if dedupe_key and connection.vendor != "postgresql":
        with transaction.atomic():
            return [
                queue_email(
                    user,
                    kind,
                    context,
                    dedupe_key=f"{dedupe_key}:{user.pk}",
                    attachments=attachments,
                )
                for user in users
            ]
    stored_context = get_kind(kind).dump_context(context)
    stored_attachments = dump_attachments(attachments)
    now = timezone.now()
    rows = [
        OutboxEmail(
            dedupe_key=f"{dedupe_key}:{user.pk}" if dedupe_key else None,
            **_outbox_fields(
                kind,
                stored_context,
                recipient=user,
                to_email=user.email or "",
                language=user.language or "",
                attachments=stored_attachments,
                now=now,
            ),
        )
        for user in users
    ]
    if not dedupe_key:
        created = OutboxEmail.objects.bulk_create(rows)
    else:
        created = _insert_new(rows)
        kept = {email.dedupe_key for email in created}
        missing = [email.dedupe_key for email in rows if email.dedupe_key not in kept]
        if missing:
            queued = {e.dedupe_key: e for e in OutboxEmail.objects.filter(dedupe_key__in=missing)}
            rows = [queued.get(email.dedupe_key, email) for email in rows]
    if created:
        transaction.on_commit(partial(_publish, [email.pk for email in created]), robust=True)
    return rows


def _insert_new(rows: list[OutboxEmail]) -> list[OutboxEmail]:
    """Insert the rows whose dedupe key is not used yet, in one statement (PostgreSQL's
    ``ON CONFLICT DO NOTHING ... RETURNING``); returns those inserted, with their ids."""
    opts = OutboxEmail._meta
    fields = [f for f in opts.concrete_fields if not f.primary_key]
    dedupe = opts.get_field("dedupe_key")
    returned = OutboxEmail.objects._insert(
        rows,
        fields=fields,
        returning_fields=[opts.pk, dedupe],
        on_conflict=OnConflict.IGNORE,
    )
    ids = {key: pk for pk, key in (row for row in returned if row)}
    inserted = []
    for email in rows:
        if email.dedupe_key in ids:
            email.pk = ids[email.dedupe_key]
            email._state.adding, email._state.db = False, connection.alias
            inserted.append(email)
    return inserted


def queue_email_to_organization(
    organization: Organization,
    kind: str,
    context: dict,
    *,
    dedupe_key: str | None = None,
    attachments: Iterable[tuple[str, dict]] = (),
) -> list[OutboxEmail]:
    """The email to each active client user of ``organization`` (its managers only for
    the kinds in ``kinds.FOR_MANAGERS``). Raises like ``queue_email``."""
    from notifications.kinds import FOR_MANAGERS

    return queue_email_to_many(
        selectors.organization_recipients(organization, managers_only=kind in FOR_MANAGERS),
        kind,
        context,
        dedupe_key=dedupe_key,
        attachments=attachments,
    )


def queue_email_to_staff(
    kind: str,
    context: dict,
    *,
    dedupe_key: str | None = None,
    attachments: Iterable[tuple[str, dict]] = (),
) -> list[OutboxEmail]:
    """The email to each active technician and admin. Raises like ``queue_email``."""
    return queue_email_to_many(
        selectors.staff_recipients(),
        kind,
        context,
        dedupe_key=dedupe_key,
        attachments=attachments,
    )


def _publish(email_ids: list[int]) -> None:
    """Publish a send task per email. With the broker down, leave them to the sweep."""
    from notifications.tasks import send_email_task  # tasks import this module

    for index, pk in enumerate(email_ids):
        try:
            send_email_task.delay(pk)
        except (BrokerError, OSError) as exc:
            lost = email_ids[index:]
            logger.warning("broker unavailable, the outbox sweep will send %s: %s", lost, exc)
            OutboxEmail.objects.filter(pk__in=lost, status=PENDING).update(enqueued_at=None)
            return


# --- Sending ----------------------------------------------------------------------------


def send_email(email_id: int, *, now: datetime | None = None) -> OutboxEmail | None:
    """Send one pending, due email and record the outcome; safe to call twice or at once.

    The row stays locked (``SELECT … FOR UPDATE SKIP LOCKED``) until the outcome is
    committed, so a second worker or a redelivered task skips it and never sends it
    again. Returns the row after the attempt, or None when there was nothing to do.
    Never raises for a bad email: the row records why it failed.
    """
    now = now or timezone.now()
    with transaction.atomic():
        email = (
            OutboxEmail.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("recipient")
            .filter(pk=email_id, status=PENDING, next_attempt_at__lte=now)
            .first()
        )
        if email is None:
            return None
        email.attempts += 1
        try:
            # A savepoint: a builder's database error must not break the row's transaction.
            with transaction.atomic():
                message, rendered = delivery.build_message(email)
            email.subject = rendered.subject[:255]
            message.send()
        except delivery.PermanentFailure as exc:
            _fail(email, str(exc), now)
        except delivery.TransientFailure as exc:
            _retry_or_fail(email, str(exc), now)
        except Exception as exc:  # the mail backend's error: SMTP, network…
            if delivery.is_permanent_smtp_error(exc):
                _fail(email, delivery.describe(exc), now)
            else:
                _retry_or_fail(email, delivery.describe(exc), now)
        else:
            email.status = OutboxEmail.Status.SENT
            email.sent_at = now
            email.last_error = ""
        _save_outcome(email)
    if email.status == OutboxEmail.Status.FAILED:
        logger.warning("email %s failed: %s", email.pk, email.last_error)
    return email


def _fail(email: OutboxEmail, reason: str, now: datetime) -> None:
    email.status = OutboxEmail.Status.FAILED
    email.failed_at = now
    email.last_error = reason


def _retry_or_fail(email: OutboxEmail, reason: str, now: datetime) -> None:
    if email.attempts >= MAX_ATTEMPTS:
        _fail(email, reason, now)
    else:
        email.last_error = reason
        email.next_attempt_at = now + timedelta(minutes=RETRY_DELAYS[email.attempts - 1])


def _save_outcome(email: OutboxEmail) -> None:
    # Conditional on "still pending": a second guard should the row lock be missing.
    updated = OutboxEmail.objects.filter(pk=email.pk, status=PENDING).update(
        status=email.status,
        attempts=email.attempts,
        next_attempt_at=email.next_attempt_at,
        last_error=email.last_error,
        subject=email.subject,
        sent_at=email.sent_at,
        failed_at=email.failed_at,
    )
    if not updated:
        logger.error("email %s was finished by someone else meanwhile", email.pk)


# --- Recovery ---------------------------------------------------------------------------


@transaction.atomic
def sweep_outbox(*, now: datetime | None = None, limit: int = SWEEP_BATCH) -> int:
    """Publish a send task again for due pending emails whose task was lost or whose retry
    time has come. Returns how many it published; running it twice publishes no more."""
    now = now or timezone.now()
    due = (
        OutboxEmail.objects.select_for_update(skip_locked=True)
        .filter(status=PENDING, next_attempt_at__lte=now)
        .filter(
            # never published, or published before the retry was set, or long ago
            Q(enqueued_at__isnull=True)
            | Q(enqueued_at__lt=F("next_attempt_at"))
            | Q(enqueued_at__lte=now - ENQUEUE_GRACE)
        )
        .order_by("next_attempt_at", "pk")
    )
    ids = list(due.values_list("pk", flat=True)[:limit])
    if ids:
        OutboxEmail.objects.filter(pk__in=ids).update(enqueued_at=now)
        transaction.on_commit(partial(_publish, ids), robust=True)
        logger.info("outbox sweep published %d emails", len(ids))
    return len(ids)


@transaction.atomic
def resend(email_ids: Iterable[int]) -> int:
    """Put failed emails back in the outbox, sent again after commit. Returns how many."""
    now = timezone.now()
    ids = list(
        OutboxEmail.objects.select_for_update()
        .filter(pk__in=list(email_ids), status=OutboxEmail.Status.FAILED)
        .values_list("pk", flat=True)
    )
    OutboxEmail.objects.filter(pk__in=ids).update(
        status=PENDING, attempts=0, next_attempt_at=now, enqueued_at=now, failed_at=None
    )
    if ids:
        transaction.on_commit(partial(_publish, ids), robust=True)
    return len(ids)
