"""The Stripe off-session charge (billing.providers.StripeOffSession) through the real
stripe SDK against a local stand-in of Stripe's API: amount in cents, the saved customer
and card, off_session and confirm, the idempotency key; a declined card is a refusal
with Stripe's message, not an error."""

from decimal import Decimal

import pytest
import stripe
from payments import core

from billing.providers import OffSessionResult
from plans import services
from plans.models import AutoPurchase, PaymentMethod
from tests.billing.factories import pack, registered
from tests.plans.stripe_stub import StripeStub

pytestmark = pytest.mark.django_db


@pytest.fixture
def stub(settings):
    settings.PAYMENT_VARIANTS = {
        **settings.PAYMENT_VARIANTS,
        "stripe": (
            "billing.providers.StripeProvider",
            {"api_key": "sk_test_stub", "endpoint_secret": "whsec_stub"},
        ),
    }
    core.PROVIDER_CACHE.clear()
    original = stripe.api_base
    with StripeStub() as running:
        stripe.api_base = running.url
        try:
            yield running
        finally:
            stripe.api_base = original
            core.PROVIDER_CACHE.clear()


def provider():
    return core.provider_factory("stripe")


def test_an_off_session_charge_sends_cents_the_saved_card_and_the_key(stub):
    result = provider().charge_off_session(
        method_reference="cus_123|pm_card_visa",
        amount=Decimal("43.56"),
        description="60 support credits",
        idempotency_key="plans:autopurchase:7",
    )
    assert result == OffSessionResult(True, "pi_stub_1", amount=Decimal("43.56"))
    (request,) = stub.requests
    assert request["key"] == "plans:autopurchase:7"
    form = request["form"]
    assert form["amount"] == "4356"
    assert form["currency"] == "eur"
    assert (form["customer"], form["payment_method"]) == ("cus_123", "pm_card_visa")
    assert (form["off_session"], form["confirm"]) == ("true", "true")


def test_the_same_key_twice_is_one_charge(stub):
    for _ in range(2):
        result = provider().charge_off_session(
            method_reference="cus_123|pm_card_visa",
            amount=Decimal("10.00"),
            description="x",
            idempotency_key="plans:subscription:1:period:0",
        )
        assert result.reference == "pi_stub_1"
    assert len(stub.answers) == 1


def test_a_declined_card_is_a_refusal_with_stripes_message(stub):
    result = provider().charge_off_session(
        method_reference="cus_123|pm_card_chargeDeclined",
        amount=Decimal("10.00"),
        description="x",
        idempotency_key="k",
    )
    assert not result.paid
    assert result.reference == "pi_stub_1"
    assert "declined" in result.message


def test_an_automatic_recharge_pays_through_stripe(stub, organization, client_user):
    registered(organization)
    PaymentMethod.objects.create(
        organization=organization, variant="stripe", reference="cus_1|pm_card_visa", label="visa"
    )
    services.configure_auto_recharge(
        organization, enabled=True, threshold=30, pack=pack(60), monthly_cap=2
    )
    purchase = services.run_auto_recharge(organization.pk)
    assert purchase.status == AutoPurchase.Status.PAID
    assert purchase.order.provider_reference == "pi_stub_1"
    assert stub.requests[0]["key"] == f"plans:autopurchase:{purchase.pk}"
