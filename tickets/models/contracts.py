"""Products we support, the maintenance contracts that entitle a client to support, and the
renewal requests clients send when their contract is missing, expired or obsolete."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization


class Product(models.Model):
    """An application we maintain (e.g. an online shop), with its current version."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    current_version = models.CharField(_("current version"), max_length=40)
    # Free text, comma-separated: "1.x, 2.0, 2.1". Contracts on these versions get no support.
    obsolete_versions = models.CharField(
        _("obsolete versions"),
        max_length=400,
        blank=True,
        help_text=_("Comma-separated, e.g. “1.0, 1.1”. No support is given for these versions."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def obsolete_version_list(self) -> list[str]:
        return [v.strip() for v in self.obsolete_versions.split(",") if v.strip()]

    def is_obsolete(self, version: str) -> bool:
        return version.strip().lower() in {v.lower() for v in self.obsolete_version_list}


class Contract(models.Model):
    """A maintenance contract: the organization gets support for one product and version
    between two dates (both included)."""

    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="contracts",
    )
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="contracts"
    )
    version = models.CharField(_("version"), max_length=40)
    starts_on = models.DateField(_("start"))
    ends_on = models.DateField(_("end"))
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("maintenance contract")
        verbose_name_plural = _("maintenance contracts")
        ordering = ["organization__name", "product__name", "-ends_on"]
        indexes = [models.Index(fields=["organization", "product"], name="contract_org_product")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")),
                name="contract_ends_after_start",
                violation_error_message=_("A contract cannot end before it starts."),
            )
        ]

    def __str__(self):
        return f"{self.organization} · {self.product} {self.version}"

    def covers(self, day) -> bool:
        return self.starts_on <= day <= self.ends_on


class RenewalReason(models.TextChoices):
    NO_CONTRACT = "no_contract", _("No contract")
    NOT_STARTED = "not_started", _("Contract not started yet")
    EXPIRED = "expired", _("Contract expired")
    OBSOLETE_VERSION = "obsolete_version", _("Obsolete version")


class RenewalRequest(models.Model):
    """A client asks to renew (or take out) a maintenance contract; admins follow it up."""

    Reason = RenewalReason

    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="renewal_requests",
    )
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="+"
    )
    contract = models.ForeignKey(
        Contract,
        verbose_name=_("contract"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="renewal_requests",
    )
    reason = models.CharField(_("reason"), max_length=20, choices=RenewalReason.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("requested"), default=timezone.now, editable=False)
    handled_at = models.DateTimeField(_("handled"), null=True, blank=True)
    admin_note = models.TextField(_("admin note"), blank=True)

    class Meta:
        verbose_name = _("renewal request")
        verbose_name_plural = _("renewal requests")
        ordering = ["-created_at"]
        constraints = [
            # A second click finds the pending request instead of adding another.
            models.UniqueConstraint(
                fields=["organization", "product"],
                condition=Q(handled_at__isnull=True),
                name="renewal_one_pending_per_product",
            )
        ]

    def __str__(self):
        return f"{self.organization} · {self.product}"
