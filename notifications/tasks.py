"""Celery tasks of the outbox and the webhooks: each takes ids, calls one service, and is
safe to run twice. Each is named after its service plus ``_task``; the registered names
(``notifications.send_email``...) are unchanged, so queued messages and beat keep working.
"""

from celery import shared_task

from notifications import services


@shared_task(name="notifications.send_email")
def send_email_task(email_id: int) -> str | None:
    """Send one outbox email (nothing when it is sent, failed, not due, or being sent)."""
    email = services.send_email(email_id)
    return email.status if email else None


@shared_task(name="notifications.sweep_outbox")
def sweep_outbox_task() -> int:
    """Publish again what is pending and due (beat, every minute)."""
    return services.sweep_outbox()


# --- Webhooks (notifications.webhooks) -----------------------------------------------------


@shared_task(name="notifications.deliver_webhook")
def deliver_task(delivery_id: int) -> str | None:
    """Try one webhook delivery (``webhooks.deliver``; nothing when done, not due, or in
    another worker)."""
    from notifications import webhooks

    delivery = webhooks.deliver(delivery_id)
    return delivery.status if delivery else None


@shared_task(name="notifications.sweep_webhooks")
def sweep_webhooks_task() -> int:
    """Publish the pending webhook deliveries that are due (beat, every minute)."""
    from notifications import webhooks

    return webhooks.sweep_webhooks()


# The Python names before the ``<service>_task`` habit (same task objects).
send_email = send_email_task
sweep_outbox = sweep_outbox_task
deliver_webhook_task = deliver_task
