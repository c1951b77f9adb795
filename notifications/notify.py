"""The emails of the notifications app itself: "webhook paused", to the owner of an endpoint
that kept failing. Written to the outbox in the caller's transaction (sent once)."""

from django.urls import reverse

from notifications import services as outbox
from notifications.models import Kind
from notifications.webhook_models import WebhookEndpoint


def tell_webhook_paused(endpoint: WebhookEndpoint, last_error: str) -> None:
    """Email the endpoint's owner that it is paused, through the outbox, in the caller's
    transaction (the pause and its email commit together, once). Nothing when the owner is
    gone or inactive."""
    owner = endpoint.created_by
    if owner is None or not owner.is_active:
        return
    outbox.queue_email(
        owner,
        Kind.WEBHOOK_PAUSED,
        {
            "endpoint_url": endpoint.url,
            "failures": endpoint.consecutive_failures,
            "last_error": last_error[:200] or None,
            "endpoint_page_url": reverse("integrations:endpoint", args=[endpoint.pk]),
        },
        dedupe_key=f"webhook-paused:{endpoint.pk}:{endpoint.paused_at.isoformat()}",
    )
