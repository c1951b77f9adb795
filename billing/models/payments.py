"""Online payments (django-payments) and the audit trail of everything that happens to them."""

from decimal import Decimal
from urllib.parse import urljoin

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from payments import PurchasedItem
from payments.models import BasePayment

from billing.models.orders import Order

CURRENCY = "EUR"


def site_url(path: str) -> str:
    """An absolute URL on SITE_URL: providers send the client back there."""
    return urljoin(settings.SITE_URL.rstrip("/") + "/", path.lstrip("/"))


class Payment(BasePayment):
    """One attempt to pay an order online through a django-payments provider ("variant").

    The provider changes ``status`` (and ``captured_amount``, the euros it says it took);
    billing.services.settle_payment turns a confirmed one into a paid order, once.
    """

    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.PROTECT, related_name="payments"
    )

    class Meta:
        verbose_name = _("online payment")
        verbose_name_plural = _("online payments")
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["token"], name="payment_token")]

    def __str__(self):
        return f"{self.order.code} · {self.variant} · {self.get_status_display()}"

    @property
    def reference(self) -> str:
        """What identifies the payment at the provider (its transaction id, else our token)."""
        return f"{self.variant}:{self.transaction_id or self.token}"

    def get_process_url(self) -> str:
        return reverse("billing:payment_callback", kwargs={"token": self.token})

    def get_success_url(self) -> str:
        return site_url(reverse("billing:payment_success", kwargs={"pk": self.pk}))

    def get_failure_url(self) -> str:
        return site_url(reverse("billing:payment_failure", kwargs={"pk": self.pk}))

    def get_purchased_items(self):
        order = self.order
        yield PurchasedItem(
            name=str(_("%(credits)s support credits") % {"credits": order.credits}),
            quantity=1,
            price=order.base,
            currency=CURRENCY,
            sku=f"pack-{order.credits}",
            tax_rate=order.vat_rate / Decimal(100),
        )


class EventKind(models.TextChoices):
    PAYMENT_STARTED = "payment_started", _("Online payment started")
    BANK_TRANSFER_CHOSEN = "bank_transfer", _("Bank transfer chosen")
    CONFIRMED = "confirmed", _("Payment confirmed, credits granted")
    REPLAYED = "replayed", _("Confirmation repeated: nothing more done")
    NOT_PAID = "not_paid", _("Payment not completed")
    OUT_OF_ORDER = "out_of_order", _("Late provider update ignored")
    DUPLICATE_PAYMENT = "duplicate", _("Second payment for a paid order")
    AMOUNT_MISMATCH = "amount_mismatch", _("Amount does not match the order")
    UNKNOWN_PAYMENT = "unknown_payment", _("Callback for an unknown payment")
    INVALID_CALLBACK = "invalid_callback", _("Invalid provider callback")
    TAMPERED_FORM = "tampered_form", _("Invalid checkout form")
    PRICE_CHANGED = "price_changed", _("Price changed before ordering")
    PACK_UNAVAILABLE = "pack_unavailable", _("Pack no longer on sale")
    PROVIDER_ERROR = "provider_error", _("Payment provider error")
    CANCELLED = "cancelled", _("Order cancelled")
    REFUNDED = "refunded", _("Order refunded")
    REFUND_FAILED = "refund_failed", _("Refund failed")


class EventSource(models.TextChoices):
    CHECKOUT = "checkout", _("Checkout pages")
    RETURN_PAGE = "return", _("Return from the provider")
    CALLBACK = "callback", _("Provider callback")
    ADMIN = "admin", _("Django admin")
    SERVICE = "service", _("Service call")


class PaymentEvent(models.Model):
    """What happened to an order or a payment, good or bad: an audit row per event (and a
    log line). Written even when the action it reports was refused and rolled back."""

    class Level(models.TextChoices):
        INFO = "info", _("Information")
        WARNING = "warning", _("Warning")
        ERROR = "error", _("Error")

    created_at = models.DateTimeField(_("when"), default=timezone.now)
    kind = models.CharField(_("event"), max_length=32, choices=EventKind.choices)
    level = models.CharField(_("level"), max_length=8, choices=Level.choices, default=Level.INFO)
    source = models.CharField(_("source"), max_length=16, choices=EventSource.choices)
    organization = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    order = models.ForeignKey(
        Order,
        verbose_name=_("order"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
    )
    payment = models.ForeignKey(
        Payment,
        verbose_name=_("payment"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    message = models.TextField(_("message"))
    # Plain values only (amounts as strings, partial tokens): never card data or secrets.
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("payment event")
        verbose_name_plural = _("payment events")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["kind", "-created_at"], name="paymentevent_kind_time"),
            models.Index(fields=["level", "-created_at"], name="paymentevent_level_time"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.created_at:%Y-%m-%d %H:%M}"
