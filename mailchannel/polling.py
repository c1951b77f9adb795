"""IMAP polling: fetch the unseen messages of a mailbox, hand each to ``services.receive``,
and mark it seen (or move it) only once it is stored.

A poll with nothing new costs one round trip after the login: ``UID SEARCH UNSEEN`` (with
a "processed" folder, the ``SELECT`` answer's message count already says "empty" and no
search is sent). Messages are fetched with ``BODY.PEEK[]`` so a crash between fetching and
storing leaves them unseen for the next poll; a message stored as "failed" is marked seen
too, since it is kept for an admin to retry.
"""

import contextlib
import imaplib
import logging
import re
import ssl
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from mailchannel import notify, parsing, services
from mailchannel.models import InboundEmail, Mailbox
from tickets import crypto

logger = logging.getLogger(__name__)

IMAP_TIMEOUT = 30  # seconds per network operation
FETCH_LIMIT = 200  # messages per poll; the next poll takes the rest
EXISTS_RE = re.compile(rb"^(\d+)$")


@dataclass
class PollResult:
    fetched: int = 0
    stored: int = 0
    error: str = ""


@sensitive_variables("password")
def set_password(mailbox: Mailbox, password: str) -> None:
    """Keep the mailbox password encrypted under the vault's keys. Raises VaultError."""
    mailbox.password_token = crypto.encrypt({"password": password})


def tls_context(mailbox: Mailbox) -> ssl.SSLContext:
    """A context that verifies the server's certificate and host name: against the
    mailbox's CA certificate when it has one, else the system's. Raises ssl.SSLError or
    ValueError (a CA certificate that is not PEM)."""
    return ssl.create_default_context(cadata=mailbox.tls_ca_certificate.strip() or None)


@sensitive_variables("password")
def _connect(mailbox: Mailbox) -> imaplib.IMAP4:
    password = crypto.decrypt(mailbox.password_token)["password"] if mailbox.password_token else ""
    if mailbox.use_ssl:
        # imaplib's own default context checks no certificate: never use it.
        connection = imaplib.IMAP4_SSL(
            mailbox.host, mailbox.port, ssl_context=tls_context(mailbox), timeout=IMAP_TIMEOUT
        )
    else:
        connection = imaplib.IMAP4(mailbox.host, mailbox.port, timeout=IMAP_TIMEOUT)
    connection.login(mailbox.username, password)
    return connection


def _check(answer, what: str):
    status, data = answer
    if status != "OK":
        raise imaplib.IMAP4.error(f"{what}: {status} {data!r}")
    return data


def _done(connection: imaplib.IMAP4, mailbox: Mailbox, uid: bytes) -> None:
    """Mark a stored message seen, or move it to the processed folder."""
    if mailbox.processed_folder:
        _check(connection.uid("COPY", uid, mailbox.processed_folder), "COPY")
        _check(connection.uid("STORE", uid, "+FLAGS", r"(\Seen \Deleted)"), "STORE")
    else:
        _check(connection.uid("STORE", uid, "+FLAGS", r"(\Seen)"), "STORE")


def _is_stored(raw: bytes) -> bool:
    try:
        key = parsing.parse(raw).message_key
        return InboundEmail.objects.filter(message_key=key).exists()
    except Exception:  # the database is down: it is not stored
        return False


def _fail(mailbox: Mailbox, error: str) -> None:
    """Record the error on the mailbox; staff are told once per run of failures."""
    with transaction.atomic():
        mailbox = Mailbox.objects.select_for_update().get(pk=mailbox.pk)
        mailbox.last_error = error[:2000]
        mailbox.last_polled_at = timezone.now()
        if mailbox.error_notified_at is None:
            mailbox.error_notified_at = timezone.now()
            notify.mailbox_failing(mailbox)
        mailbox.save(update_fields=["last_error", "last_polled_at", "error_notified_at"])


def _succeeded(mailbox: Mailbox) -> None:
    Mailbox.objects.filter(pk=mailbox.pk).update(
        last_error="", error_notified_at=None, last_polled_at=timezone.now()
    )


def poll(mailbox: Mailbox) -> PollResult:
    """Fetch and store the mailbox's unseen messages. Never raises for the server's errors:
    they are recorded on the mailbox (shown in admin) and staff are told once."""
    result = PollResult()
    try:
        connection = _connect(mailbox)
    except ssl.SSLCertVerificationError as exc:
        result.error = _(
            "Cannot log in to %(host)s: its TLS certificate is not trusted (%(error)s). "
            "If the server's certificate is self-signed or from a private CA, paste that CA "
            "certificate in the mailbox."
        ) % {"host": mailbox.host, "error": exc.verify_message or exc}
        _fail(mailbox, result.error)
        return result
    except (TimeoutError, OSError, ValueError, imaplib.IMAP4.error, crypto.VaultError) as exc:
        result.error = _("Cannot log in to %(host)s: %(error)s") % {
            "host": mailbox.host,
            "error": exc.message if isinstance(exc, crypto.VaultError) else exc,
        }
        _fail(mailbox, result.error)
        return result
    try:
        exists = _check(connection.select(mailbox.folder), "SELECT")
        count = int(exists[0]) if exists and EXISTS_RE.match(exists[0] or b"") else None
        if mailbox.processed_folder and count == 0:
            _succeeded(mailbox)
            return result
        uids = (_check(connection.uid("SEARCH", None, "UNSEEN"), "SEARCH")[0] or b"").split()
        for uid in uids[:FETCH_LIMIT]:
            data = _check(connection.uid("FETCH", uid, "(BODY.PEEK[])"), "FETCH")
            raw = next((part[1] for part in data if isinstance(part, tuple)), None)
            if raw is None:
                continue
            result.fetched += 1
            try:
                services.receive(raw, source=InboundEmail.Source.IMAP, mailbox=mailbox)
            except Exception:  # stored as "failed" with its reason: an admin retries it
                logger.exception("mailbox %s: message uid %s failed", mailbox.pk, uid)
                if not _is_stored(raw):
                    continue  # not even kept (database down): leave it unseen for later
            result.stored += 1
            _done(connection, mailbox, uid)
        if mailbox.processed_folder and result.stored:
            connection.expunge()
        _succeeded(mailbox)
    except (TimeoutError, OSError, imaplib.IMAP4.error) as exc:
        result.error = _("Error reading %(folder)s on %(host)s: %(error)s") % {
            "folder": mailbox.folder,
            "host": mailbox.host,
            "error": exc,
        }
        _fail(mailbox, result.error)
    finally:
        with contextlib.suppress(OSError, imaplib.IMAP4.error):
            connection.logout()
    return result


def poll_all() -> int:
    """Poll every active mailbox; returns how many messages were stored."""
    return sum(poll(mailbox).stored for mailbox in Mailbox.objects.filter(active=True))
