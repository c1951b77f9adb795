"""The audit trail: one PaymentEvent row and one log line per event."""

import logging

from django.db import transaction

from billing.models import EventKind, PaymentEvent

logger = logging.getLogger("billing")

LOG_LEVELS = {
    PaymentEvent.Level.INFO: logging.INFO,
    PaymentEvent.Level.WARNING: logging.WARNING,
    PaymentEvent.Level.ERROR: logging.ERROR,
}


def record_event(
    kind: EventKind,
    *,
    source: str,
    message: str,
    level: str = PaymentEvent.Level.INFO,
    order=None,
    payment=None,
    organization=None,
    actor=None,
    data: dict | None = None,
) -> PaymentEvent:
    """Write the event (in the caller's transaction, if any) and log it."""
    if order is None and payment is not None:
        order = payment.order
    if organization is None and order is not None:
        organization = order.organization
    message = str(message)
    with transaction.atomic():
        event = PaymentEvent.objects.create(
            kind=kind,
            level=level,
            source=source,
            organization=organization,
            order=order,
            payment=payment,
            actor=actor if getattr(actor, "pk", None) else None,
            message=message,
            data=data or {},
        )
    logger.log(
        LOG_LEVELS[level],
        "%s [%s] order=%s payment=%s: %s %s",
        kind,
        source,
        getattr(order, "pk", None),
        getattr(payment, "pk", None),
        message,
        data or "",
    )
    return event
