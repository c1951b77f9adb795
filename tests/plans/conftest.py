import pytest
import stripe
from payments import core

from tests.billing.conftest import STRIPE_SECRET
from tests.plans.stripe_stub import StripeStub


@pytest.fixture
def stripe_stub(settings):
    """Stripe as the online provider (signed webhooks), its API answered by the local
    stand-in through the real stripe SDK."""
    settings.PAYMENT_VARIANTS = {
        **settings.PAYMENT_VARIANTS,
        "stripe": (
            "billing.providers.StripeProvider",
            {"api_key": "sk_test_stub", "endpoint_secret": STRIPE_SECRET},
        ),
    }
    settings.PAYMENT_VARIANT = "stripe"
    core.PROVIDER_CACHE.clear()
    original = stripe.api_base
    with StripeStub() as running:
        stripe.api_base = running.url
        try:
            yield running
        finally:
            stripe.api_base = original
            core.PROVIDER_CACHE.clear()
