import hashlib
import hmac
import json
import time

import pytest
from payments import core

STRIPE_SECRET = "whsec_test_secret"


@pytest.fixture
def stripe_variant(settings):
    """A "stripe" variant configured like production (signed webhooks), without network."""
    settings.PAYMENT_VARIANTS = {
        **settings.PAYMENT_VARIANTS,
        "stripe": (
            "billing.providers.StripeProvider",
            {"api_key": "sk_test_not_used", "endpoint_secret": STRIPE_SECRET},
        ),
    }
    core.PROVIDER_CACHE.clear()
    yield "stripe"
    core.PROVIDER_CACHE.clear()


def stripe_event(token: str, *, kind="checkout.session.completed", **session) -> dict:
    session = {
        "id": "cs_test_123",
        "object": "checkout.session",
        "client_reference_id": token,
        "status": "complete",
        "payment_status": "paid",
        "amount_total": 4356,
        "currency": "eur",
        "payment_intent": "pi_test_123",
        **session,
    }
    return {"id": "evt_test", "object": "event", "type": kind, "data": {"object": session}}


def signed(event: dict, secret: str = STRIPE_SECRET) -> tuple[str, str]:
    """(body, Stripe-Signature header) as Stripe signs a webhook."""
    body = json.dumps(event)
    timestamp = int(time.time())
    signature = hmac.new(
        secret.encode(), f"{timestamp}.{body}".encode(), hashlib.sha256
    ).hexdigest()
    return body, f"t={timestamp},v1={signature}"
