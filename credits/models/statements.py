"""Balance statements built in the background (long periods) and kept for download."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext, pgettext_lazy

from accounts.models import Language
from credits.storage import private_storage


def statement_filename(start, end) -> str:
    """The PDF's file name in the active language: extracto-2026-01-01-2026-01-31.pdf."""
    prefix = pgettext("file name of a balance statement", "statement")
    return f"{prefix}-{start.isoformat()}-{end.isoformat()}.pdf"


def statement_path(statement: "Statement", filename: str) -> str:
    # A random name: nobody can guess another organization's file.
    return f"statements/{statement.organization_id}/{uuid.uuid4().hex}.pdf"


class Statement(models.Model):
    """A PDF balance statement of one organization for a period (dates, both included)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Being prepared")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    organization = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="credit_statements",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    start = models.DateField(_("from"))
    end = models.DateField(pgettext_lazy("end of a period", "to"))
    language = models.CharField(
        _("language"), max_length=8, choices=Language.choices, default=Language.SPANISH
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    movement_count = models.PositiveIntegerField(_("movements"), default=0)
    file = models.FileField(
        _("file"), storage=private_storage, upload_to=statement_path, blank=True
    )
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("requested on"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished on"), null=True, blank=True)

    class Meta:
        verbose_name = _("balance statement")
        verbose_name_plural = _("balance statements")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(start__lte=F("end")), name="statement_period"),
        ]
        indexes = [models.Index(fields=["organization", "-created_at"], name="statement_org")]

    def __str__(self):
        return _("Statement %(start)s to %(end)s") % {"start": self.start, "end": self.end}

    def get_absolute_url(self):
        return reverse("credits:statement_download", kwargs={"pk": self.pk})

    @property
    def filename(self) -> str:
        return statement_filename(self.start, self.end)
