"""The credential vault: access data a client stores for interventions, encrypted at rest
(``tickets.crypto``), and the log of every time a technician revealed it."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization
from tickets.models.ticket import Ticket


class CredentialKind(models.TextChoices):
    WEBSITE = "website", _("Website administration")
    FTP = "ftp", _("FTP / SFTP")
    DATABASE = "database", _("Database")
    OTHER = "other", _("Other")


class Credential(models.Model):
    """Access data of an organization (``ticket`` empty) or of one of its tickets.

    Only ``label`` and ``kind`` are stored in clear; the fields (URL, user, password,
    host...) are one encrypted token in ``secret``, decrypted only by a reveal.
    """

    Kind = CredentialKind

    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.CASCADE,
        related_name="credentials",
    )
    ticket = models.ForeignKey(
        Ticket,
        verbose_name=_("ticket"),
        on_delete=models.CASCADE,
        related_name="credentials",
        null=True,
        blank=True,
    )
    label = models.CharField(_("label"), max_length=100)
    kind = models.CharField(
        _("kind"), max_length=10, choices=CredentialKind.choices, default=CredentialKind.WEBSITE
    )
    # A Fernet token (MultiFernet with settings.VAULT_KEYS) of the JSON of the fields.
    secret = models.TextField(editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("stored by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("stored"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("access credential")
        verbose_name_plural = _("access credentials")
        ordering = ["label", "pk"]
        indexes = [models.Index(fields=["organization", "ticket"], name="credential_org_ticket")]

    def __str__(self):
        return self.label

    def __repr__(self):
        return f"<Credential {self.pk}: {self.label}>"  # never the secret


class CredentialReveal(models.Model):
    """Who saw which access data, when, and working on which ticket. Kept when the
    credential is deleted (its label is copied)."""

    credential = models.ForeignKey(
        Credential,
        verbose_name=_("credential"),
        on_delete=models.SET_NULL,
        related_name="reveals",
        null=True,
        blank=True,
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.CASCADE,
        related_name="credential_reveals",
    )
    ticket = models.ForeignKey(
        Ticket,
        verbose_name=_("ticket"),
        on_delete=models.SET_NULL,
        related_name="credential_reveals",
        null=True,
        blank=True,
    )
    label = models.CharField(_("label"), max_length=100)
    revealed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("seen by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    revealed_at = models.DateTimeField(_("seen"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("access data reveal")
        verbose_name_plural = _("access data reveals")
        ordering = ["-revealed_at", "-pk"]
        indexes = [
            models.Index(fields=["organization", "-revealed_at"], name="reveal_org_time"),
        ]

    def __str__(self):
        return f"{self.label} · {self.revealed_by} · {self.revealed_at:%Y-%m-%d %H:%M}"
