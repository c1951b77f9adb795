"""An order: one pack bought by one organization, at the price of the moment it was made."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OrderStatus(models.TextChoices):
    """``Order.Status``; at module level so that ``Order.Meta``'s constraints can name it."""

    PENDING = "pending", _("Pending payment")
    PAID = "paid", _("Paid")
    CANCELLED = "cancelled", _("Cancelled")
    REFUNDED = "refunded", _("Refunded")


class Order(models.Model):
    """A pack ordered by an organization: pending until paid, then paid (credits granted and
    invoice issued, once), possibly refunded later. The price is fixed when it is made."""

    Status = OrderStatus

    class Method(models.TextChoices):
        ONLINE = "online", _("Online payment")
        BANK_TRANSFER = "bank_transfer", _("Bank transfer")

    organization = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="orders",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ordered by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Empty for the order of a monthly plan's period (plans.PlanPeriod points at it).
    pack = models.ForeignKey(
        "credits.Pack",
        verbose_name=_("pack"),
        on_delete=models.PROTECT,
        related_name="orders",
        null=True,
        blank=True,
    )
    # What was agreed when the order was made (the pack's price may change later).
    credits = models.PositiveIntegerField(_("credits"))
    # Euros, VAT excluded.
    base = models.DecimalField(_("base (€)"), max_digits=12, decimal_places=2)
    # Percent, e.g. 21.00.
    vat_rate = models.DecimalField(_("VAT rate (%)"), max_digits=5, decimal_places=2)
    vat_amount = models.DecimalField(_("VAT (€)"), max_digits=12, decimal_places=2)
    # Euros, VAT included.
    total = models.DecimalField(_("total (€)"), max_digits=12, decimal_places=2)
    # Expected when the order was made; decided again, under the organization's lock,
    # when it is paid (see billing.selectors.is_registration_purchase).
    is_registration = models.BooleanField(_("registration pack"), default=False)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    method = models.CharField(
        _("payment method"), max_length=16, choices=Method.choices, blank=True
    )
    created_at = models.DateTimeField(_("ordered on"), default=timezone.now)
    paid_at = models.DateTimeField(_("paid on"), null=True, blank=True)
    # The provider's payment id, or the bank transfer's reference.
    provider_reference = models.CharField(_("payment reference"), max_length=200, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("marked paid by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    grant_entry = models.OneToOneField(
        "credits.LedgerEntry",
        verbose_name=_("credits granted"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    cancelled_at = models.DateTimeField(_("cancelled on"), null=True, blank=True)
    refunded_at = models.DateTimeField(_("refunded on"), null=True, blank=True)
    refund_reason = models.CharField(_("refund reason"), max_length=255, blank=True)
    refunded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("refunded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    refund_entry = models.OneToOneField(
        "credits.LedgerEntry",
        verbose_name=_("credits taken back"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(credits__gt=0), name="order_credits_positive"),
            models.CheckConstraint(condition=Q(base__gt=0), name="order_base_positive"),
            models.CheckConstraint(condition=Q(vat_amount__gte=0), name="order_vat_not_negative"),
            # A paid (or later refunded) order has its payment date and its credits.
            models.CheckConstraint(
                condition=Q(
                    status__in=[OrderStatus.PENDING, OrderStatus.CANCELLED], paid_at__isnull=True
                )
                | Q(
                    status__in=[OrderStatus.PAID, OrderStatus.REFUNDED],
                    paid_at__isnull=False,
                    grant_entry__isnull=False,
                ),
                name="order_paid_has_date_and_credits",
            ),
            models.CheckConstraint(
                condition=~Q(status=OrderStatus.REFUNDED) | Q(refunded_at__isnull=False),
                name="order_refunded_has_date",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "-created_at"], name="order_organization_time"),
            models.Index(fields=["status", "-created_at"], name="order_status_time"),
        ]

    def __str__(self):
        return self.code

    def get_absolute_url(self):
        return reverse("billing:order_detail", kwargs={"pk": self.pk})

    @property
    def code(self) -> str:
        """The order's reference, also the concept of a bank transfer: "SC-000042"."""
        return f"SC-{self.pk or 0:06d}"

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING

    @property
    def is_paid(self) -> bool:
        return self.status in (self.Status.PAID, self.Status.REFUNDED)
