"""Turn an outbox row into a message, and tell lasting failures from passing ones.

A *permanent* failure (no address, unknown language, a template or attachment error, a
5xx refusal of this message) fails the row at once; a *temporary* one (the SMTP server is
down, busy, or closes the connection; a 4xx reply) is retried with backoff.
"""

import smtplib
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.core.validators import validate_email
from django.utils import translation
from django.utils.translation import gettext as _

from notifications.attachments import build_attachment
from notifications.errors import PermanentFailure, TemporaryFailure, TransientFailure
from notifications.models import OutboxEmail
from notifications.rendering import RenderedEmail, render_email


def message_id(email: OutboxEmail) -> str:
    """A stable Message-ID: should a crash ever resend a row, mail clients see one email."""
    domain = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"<outbox.{email.pk}.{int(email.created_at.timestamp())}@{domain}>"


def ticket_thread_id(reference: str) -> str:
    """The Message-ID every email about one ticket refers to, so mail clients thread them."""
    domain = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"<ticket.{reference}@{domain}>"


def render(email: OutboxEmail) -> RenderedEmail:
    """The row rendered for its recipient. Raises PermanentFailure."""
    name = email.recipient.get_short_name() if email.recipient_id else ""
    try:
        return render_email(email.kind, email.context, language=email.language, recipient_name=name)
    except Exception as exc:  # a template or context error will not fix itself
        raise PermanentFailure(_("Cannot render the email: %(error)s") % {"error": exc}) from exc


def build_message(email: OutboxEmail) -> tuple[EmailMultiAlternatives, RenderedEmail]:
    """The message to send for a row. Raises PermanentFailure, TransientFailure."""
    if not email.to_email:
        raise PermanentFailure(_("The recipient has no email address."))
    try:
        validate_email(email.to_email)
    except ValidationError as exc:
        raise PermanentFailure(
            _("Invalid email address: %(address)s") % {"address": email.to_email}
        ) from exc
    rendered = render(email)
    headers = {"Message-ID": message_id(email), "Auto-Submitted": "auto-generated"}
    subject = rendered.subject
    if reference := (email.context or {}).get("ticket_reference"):
        # The email channel threads replies by these (mailchannel.services._thread_ticket).
        headers["References"] = ticket_thread_id(reference)
        if f"[{reference}]" not in subject:  # "… T-2026-00014 …" → "… [T-2026-00014] …"
            bracketed = subject.replace(reference, f"[{reference}]", 1)
            subject = bracketed if bracketed != subject else f"[{reference}] {subject}"
    if settings.SUPPORT_REPLY_TO_EMAIL:
        headers["Reply-To"] = settings.SUPPORT_REPLY_TO_EMAIL
    message = EmailMultiAlternatives(
        subject=subject,
        body=rendered.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email.to_email],
        headers=headers,
    )
    message.attach_alternative(rendered.html, "text/html")
    with translation.override(email.language):
        for name, params in email.attachments:
            try:
                message.attach(*build_attachment(name, params))
            except TemporaryFailure as exc:
                raise TransientFailure(
                    _("Attachment %(name)s not ready: %(error)s") % {"name": name, "error": exc}
                ) from exc
            except Exception as exc:  # the builder's own error: retrying will not help
                raise PermanentFailure(
                    _("Cannot build attachment %(name)s: %(error)s") % {"name": name, "error": exc}
                ) from exc
    return message, rendered


def is_permanent_smtp_error(exc: Exception) -> bool:
    """A 5xx refusal of this message (sender, recipients or content). Authentication and
    connection problems are the server's, not the message's: they are temporary."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _reply in exc.recipients.values()]
        return bool(codes) and all(code >= 500 for code in codes)
    if isinstance(exc, smtplib.SMTPAuthenticationError | smtplib.SMTPConnectError):
        return False
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code >= 500
    return False


def describe(exc: Exception) -> str:
    """The reason stored on the row: the exception's class and message."""
    return f"{type(exc).__name__}: {exc}"[:2000]
