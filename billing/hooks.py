"""Hooks for the apps above billing (plans): they learn of provider events that are not
about an order's payment, without billing importing them.

A receiver is registered once, in its app's ``AppConfig.ready``, and returns True when
the event was its own (and handled).
"""

from django.dispatch import Signal

# Sent by billing.views.provider_webhook for a verified event about saving a card
# (Stripe: a Checkout Session in setup mode, a SetupIntent); keywords: variant, event.
card_setup_event = Signal()


def send_card_setup_event(variant: str, event: dict) -> bool:
    """True when a receiver handled the event. A receiver's PaymentError propagates."""
    results = card_setup_event.send(sender=None, variant=variant, event=event)
    return any(response for _receiver, response in results)
