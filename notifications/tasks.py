"""Celery tasks of the outbox: each takes ids, calls one service, and is safe to run twice."""

from celery import shared_task

from . import services


@shared_task(name="notifications.send_email")
def send_email(email_id: int) -> str | None:
    """Send one outbox email (nothing when it is sent, failed, not due, or being sent)."""
    email = services.send_email(email_id)
    return email.status if email else None


@shared_task(name="notifications.sweep_outbox")
def sweep_outbox() -> int:
    """Publish again what is pending and due (beat, every minute)."""
    return services.sweep_outbox()


# --- Webhooks (notifications.webhooks) -----------------------------------------------------


@shared_task(name="notifications.deliver_webhook")
def deliver_webhook_task(delivery_id: int) -> str | None:
    """Try one webhook delivery (nothing when done, not due, or in another worker)."""
    from . import webhooks

    delivery = webhooks.deliver(delivery_id)
    return delivery.status if delivery else None


@shared_task(name="notifications.sweep_webhooks")
def sweep_webhooks_task() -> int:
    """Publish the pending webhook deliveries that are due (beat, every minute)."""
    from . import webhooks

    return webhooks.sweep_webhooks()
