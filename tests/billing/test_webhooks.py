"""Stripe webhooks (signed with the endpoint secret, checked locally: no network)."""

from decimal import Decimal

import pytest
from django.urls import reverse
from payments import PaymentStatus

from billing import services
from billing.models import EventKind, Invoice, Order, PaymentEvent
from credits import selectors as credit_selectors
from tests.billing.conftest import signed, stripe_event
from tests.billing.factories import order

pytestmark = pytest.mark.django_db


@pytest.fixture
def payment(organization, stripe_variant):
    new = order(organization, 60)
    payment = services.start_payment(new, variant=stripe_variant)
    payment.transaction_id = "cs_test_123"  # set by Stripe when the session is created
    payment.save()
    return payment


def _post(client, event, *, secret=None, header=True):
    body, signature = signed(event) if secret is None else signed(event, secret)
    headers = {"HTTP_STRIPE_SIGNATURE": signature} if header else {}
    url = reverse("billing:provider_webhook", kwargs={"variant": "stripe"})
    return client.post(url, body, content_type="application/json", **headers)


def test_a_signed_paid_event_pays_the_order_once(client, organization, payment):
    first = _post(client, stripe_event(payment.token))
    second = _post(client, stripe_event(payment.token))
    assert first.status_code == second.status_code == 200
    assert first.json() == {"status": "OK"}
    payment.refresh_from_db()
    assert (payment.status, payment.captured_amount) == (PaymentStatus.CONFIRMED, Decimal("43.56"))
    assert payment.attrs.session["payment_intent"] == "pi_test_123"
    assert Order.objects.get().status == Order.Status.PAID
    assert Order.objects.get().provider_reference == "stripe:cs_test_123"
    assert Invoice.objects.count() == 1
    assert credit_selectors.balance(organization) == 60
    assert PaymentEvent.objects.filter(kind=EventKind.REPLAYED).count() == 1


def test_a_bad_signature_is_refused_and_logged(client, organization, payment):
    response = _post(client, stripe_event(payment.token), secret="whsec_forged")
    assert response.status_code == 400
    assert response.json() == {"error": "invalid callback"}
    missing = _post(client, stripe_event(payment.token), header=False)
    assert missing.status_code == 400
    assert PaymentEvent.objects.filter(kind=EventKind.INVALID_CALLBACK).count() == 2
    assert Order.objects.get().status == Order.Status.PENDING
    assert credit_selectors.balance(organization) == 0


def test_a_paid_event_for_another_amount_grants_nothing(client, organization, payment):
    _post(client, stripe_event(payment.token, amount_total=4000))
    assert Order.objects.get().status == Order.Status.PENDING
    event = PaymentEvent.objects.get(kind=EventKind.AMOUNT_MISMATCH)
    assert event.data == {"expected": "43.56", "received": "40.00"}
    assert credit_selectors.balance(organization) == 0


def test_a_paid_event_in_another_currency_grants_nothing(client, organization, payment):
    _post(client, stripe_event(payment.token, currency="usd"))
    assert Order.objects.get().status == Order.Status.PENDING
    event = PaymentEvent.objects.get(kind=EventKind.AMOUNT_MISMATCH)
    assert event.data == {"expected": "43.56 EUR", "received": "43.56 USD"}


def test_an_event_for_an_unknown_payment_is_a_logged_404(client, organization, payment):
    response = _post(client, stripe_event("d3b07384-d9a0-4c1e-9f5e-000000000000"))
    assert response.status_code == 404
    assert PaymentEvent.objects.get(kind=EventKind.UNKNOWN_PAYMENT).data["token"] == "d3b07384…"
    assert Order.objects.get().status == Order.Status.PENDING


def test_an_expired_session_after_the_payment_is_ignored(client, organization, payment):
    _post(client, stripe_event(payment.token))
    expired = stripe_event(
        payment.token, kind="checkout.session.expired", status="expired", payment_status="unpaid"
    )
    assert _post(client, expired).status_code == 200
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.CONFIRMED
    assert PaymentEvent.objects.filter(kind=EventKind.OUT_OF_ORDER).count() == 1
    assert credit_selectors.balance(organization) == 60


def test_an_expired_session_before_payment_rejects_it(client, organization, payment):
    expired = stripe_event(
        payment.token, kind="checkout.session.expired", status="expired", payment_status="unpaid"
    )
    _post(client, expired)
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.REJECTED
    assert Order.objects.get().status == Order.Status.PENDING


def test_webhook_urls_of_unknown_or_test_providers_do_not_exist(client, stripe_variant):
    for variant in ("dummy", "paypal"):
        url = reverse("billing:provider_webhook", kwargs={"variant": variant})
        assert client.post(url, "{}", content_type="application/json").status_code == 404
    url = reverse("billing:provider_webhook", kwargs={"variant": "stripe"})
    assert client.get(url).status_code == 405


def test_a_refund_the_provider_refuses_changes_nothing(client, organization, admin_user, payment):
    # Paid through a session Stripe reported without its payment intent: the provider
    # cannot refund it (refused before any network call).
    _post(client, stripe_event(payment.token, payment_intent=None))
    session = payment.__class__.objects.get(pk=payment.pk).attrs.session
    session.pop("payment_intent")
    paid = payment.__class__.objects.get(pk=payment.pk)
    paid.attrs.session = session
    paid.save()
    new = Order.objects.get()
    with pytest.raises(services.RefundFailed):
        services.refund_order(new, reason="Error", actor=admin_user)
    new.refresh_from_db()
    assert new.status == Order.Status.PAID
    assert not Invoice.objects.filter(kind=Invoice.Kind.CORRECTIVE).exists()
    assert credit_selectors.balance(organization) == 60
    assert PaymentEvent.objects.filter(kind=EventKind.REFUND_FAILED).count() == 1
