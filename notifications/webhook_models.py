"""Webhook endpoints (an organization's or an admin's URL) and their deliveries: one row per
event and endpoint, written in the transaction of the change, sent by a worker (see
``notifications.webhooks``). Imported by ``notifications.models``."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class WebhookEvent(models.TextChoices):
    TICKET_CREATED = "ticket.created", "ticket.created"
    TICKET_REPLIED = "ticket.replied", "ticket.replied"
    TICKET_STATUS_CHANGED = "ticket.status_changed", "ticket.status_changed"
    TICKET_RESOLVED = "ticket.resolved", "ticket.resolved"
    CREDITS_LOW_BALANCE = "credits.low_balance", "credits.low_balance"
    CREDITS_EXPIRING = "credits.expiring", "credits.expiring"
    INVOICE_ISSUED = "invoice.issued", "invoice.issued"
    SLA_BREACHED = "sla.breached", "sla.breached"


class WebhookEndpoint(models.Model):
    """A URL that receives the chosen events: an organization's (its own events) or, with
    no organization, an admin's (every organization's events)."""

    organization = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("organization"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="webhook_endpoints",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="webhook_endpoints",
    )
    url = models.URLField(_("URL"), max_length=500)
    description = models.CharField(_("description"), max_length=200, blank=True)
    events = models.JSONField(_("events"), default=list)
    # Standard Webhooks secret: "whsec_" + base64 of 24 random bytes.
    secret = models.CharField(_("signing secret"), max_length=100, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    paused_at = models.DateTimeField(_("paused"), null=True, blank=True)
    consecutive_failures = models.PositiveIntegerField(_("failures in a row"), default=0)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.url


class WebhookDeliveryStatus(models.TextChoices):
    """``WebhookDelivery.Status``; at module level so that its ``Meta`` can name it."""

    PENDING = "pending", _("Pending")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")


class WebhookDelivery(models.Model):
    """One event for one endpoint: pending until delivered (2xx) or failed for good."""

    Status = WebhookDeliveryStatus

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    # The webhook-id header: the same for every attempt, so the receiver can deduplicate.
    message_id = models.CharField(_("message id"), max_length=64, unique=True)
    event = models.CharField(_("event"), max_length=40, choices=WebhookEvent.choices)
    payload = models.JSONField(_("payload"))
    # The cause, e.g. "ticket.created:42": queueing it twice for an endpoint sends once.
    dedupe_key = models.CharField(max_length=255)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    response_status = models.PositiveSmallIntegerField(_("response status"), null=True, blank=True)
    response_body = models.TextField(_("response"), blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["endpoint", "dedupe_key"], name="webhook_delivery_once_per_endpoint"
            )
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status=WebhookDeliveryStatus.PENDING),
                name="webhook_pending_due",
            )
        ]

    def __str__(self):
        return f"{self.event} → {self.endpoint}"
