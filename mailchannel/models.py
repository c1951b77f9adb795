"""The email channel: mailboxes we poll, every inbound message as it arrived, the contacts
an organization lets write in, and the automatic answers sent per sender and day.

Every write goes through ``mailchannel.services``; the unique columns are the last guard
("a message seen twice is stored once", "at most N answers a day").
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization


class Mailbox(models.Model):
    """An IMAP mailbox polled by celery beat (``mailchannel.tasks.poll_all_task``)."""

    name = models.CharField(_("name"), max_length=100)
    host = models.CharField(_("IMAP host"), max_length=255)
    port = models.PositiveIntegerField(_("port"), default=993)
    use_ssl = models.BooleanField(_("TLS (IMAPS)"), default=True)
    # The certificate is always verified (host name and chain). A server with a private or
    # self-signed certificate is trusted by pasting its CA certificate here.
    tls_ca_certificate = models.TextField(
        _("CA certificate to trust (PEM)"),
        blank=True,
        max_length=20000,
        help_text=_(
            "Only for a server whose certificate is self-signed or from a private CA. "
            "Empty: the system's certificate authorities."
        ),
    )
    username = models.CharField(_("user"), max_length=255)
    # A vault token (tickets.crypto), never the password itself.
    password_token = models.TextField(_("password (encrypted)"), blank=True, editable=False)
    folder = models.CharField(_("folder"), max_length=255, default="INBOX")
    # Empty: stored messages are marked seen; otherwise they are moved there.
    processed_folder = models.CharField(_("move processed mail to"), max_length=255, blank=True)
    active = models.BooleanField(_("active"), default=True)
    last_polled_at = models.DateTimeField(_("last polled"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    # Set when staff were told of ``last_error``; cleared by the next good poll.
    error_notified_at = models.DateTimeField(_("staff told of the error"), null=True, blank=True)

    class Meta:
        verbose_name = _("mailbox")
        verbose_name_plural = _("mailboxes")
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.username}@{self.host})"


class InboundEmail(models.Model):
    """One inbound message, kept raw (downloadable as .eml, retried by an admin)."""

    class Outcome(models.TextChoices):
        CREATED = "created", _("Ticket created")
        APPENDED = "appended", _("Reply appended")
        DUPLICATE = "duplicate", _("Duplicate")
        IGNORED = "ignored", _("Ignored")
        REJECTED = "rejected", _("Rejected")
        FAILED = "failed", _("Failed (to retry)")

    class Source(models.TextChoices):
        IMAP = "imap", _("IMAP")
        WEBHOOK = "webhook", _("Inbound webhook")
        DIRECT = "direct", _("Direct call")

    # The Message-ID, or a hash of the raw bytes when there is none (unique: stored once).
    message_key = models.CharField(_("message id"), max_length=255, unique=True)
    raw = models.BinaryField(_("raw message"))
    size = models.PositiveIntegerField(_("size (bytes)"), default=0)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    mailbox = models.ForeignKey(
        Mailbox, verbose_name=_("mailbox"), null=True, blank=True, on_delete=models.SET_NULL
    )
    sender = models.CharField(_("from"), max_length=254, blank=True)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    ticket = models.ForeignKey(
        "tickets.Ticket",
        verbose_name=_("ticket"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inbound_emails",
    )
    # The thread message it became (a reply), so the thread can show "by email".
    message = models.OneToOneField(
        "tickets.Message",
        verbose_name=_("message"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inbound_email",
    )
    # A reply to a ticket closed too long ago opens a new ticket that links the old one.
    follows = models.ForeignKey(
        "tickets.Ticket",
        verbose_name=_("follows ticket"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    processed_at = models.DateTimeField(_("processed"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)

    class Meta:
        verbose_name = _("inbound email")
        verbose_name_plural = _("inbound emails")
        ordering = ["-received_at"]
        indexes = [models.Index(fields=["outcome", "received_at"], name="inbound_outcome")]

    def __str__(self):
        return f"{self.sender} · {self.subject}"


class AllowedSender(models.Model):
    """An address, not a user of the portal, that may open tickets for an organization."""

    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.CASCADE,
        related_name="allowed_senders",
    )
    email = models.EmailField(_("email address"))

    class Meta:
        verbose_name = _("allowed email sender")
        verbose_name_plural = _("allowed email senders")
        constraints = [
            models.UniqueConstraint(fields=["email"], name="allowed_sender_email_unique"),
        ]

    def __str__(self):
        return self.email

    def save(self, *args, **kwargs):
        self.email = self.email.strip().lower()
        super().save(*args, **kwargs)


class AutoAnswer(models.Model):
    """How many automatic answers one address got on one day (at most N, a setting)."""

    email = models.CharField(_("email address"), max_length=254)
    day = models.DateField(_("day"))
    count = models.PositiveIntegerField(_("answers"), default=0)

    class Meta:
        verbose_name = _("automatic answer count")
        verbose_name_plural = _("automatic answer counts")
        constraints = [
            models.UniqueConstraint(fields=["email", "day"], name="auto_answer_email_day"),
        ]

    def __str__(self):
        return f"{self.email} {self.day}: {self.count}"
