"""The online payment flow with the test provider, and its per-payment callback."""

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from payments import PaymentStatus

from billing import services
from billing.models import EventKind, Invoice, Order, Payment, PaymentEvent
from credits import selectors as credit_selectors
from credits.models import LedgerEntry, Pack
from tests.accounts.factories import UserFactory
from tests.billing.factories import order, registered

pytestmark = pytest.mark.django_db

CONFIRM = {"status": "confirmed", "fraud_status": "accept", "gateway_response": "3ds-disabled"}


def _start(client, new: Order) -> Payment:
    response = client.post(reverse("billing:order_pay", args=[new.pk]), {"method": "online"})
    payment = new.payments.get()
    assert response.url == reverse("billing:payment_page", args=[payment.pk])
    return payment


def _callback(client, payment, **params):
    url = reverse("billing:payment_callback", kwargs={"token": payment.token})
    return client.get(url, params)


def test_paying_with_the_test_provider_grants_the_credits(client_client, organization):
    registered(organization)
    new = order(organization, 60)
    payment = _start(client_client, new)
    page = client_client.get(reverse("billing:payment_page", args=[payment.pk]))
    assert page.status_code == 200
    assert "Pagar 43,56\xa0€" in page.content.decode()
    response = client_client.post(reverse("billing:payment_page", args=[payment.pk]), CONFIRM)
    assert response.status_code == 302
    assert response.url == payment.get_success_url()
    assert response.url.startswith("http://127.0.0.1:8000/billing/payments/")
    new.refresh_from_db()
    assert new.status == Order.Status.PAID
    assert new.method == Order.Method.ONLINE
    assert credit_selectors.balance(organization) == 15 + 60
    payment.refresh_from_db()
    assert (payment.status, payment.captured_amount) == ("confirmed", Decimal("43.56"))
    assert new.provider_reference == f"dummy:{payment.token}"

    back = client_client.get(reverse("billing:payment_success", args=[payment.pk]))
    assert back.url == new.get_absolute_url()
    assert [str(m) for m in get_messages(back.wsgi_request)] == [
        "Este pedido está pagado: sus créditos están disponibles."
    ]
    assert Invoice.objects.count() == 1
    assert not PaymentEvent.objects.filter(kind=EventKind.REPLAYED).exists()
    # Back to the payment page of a paid order: the order, nothing more.
    again = client_client.post(reverse("billing:payment_page", args=[payment.pk]), CONFIRM)
    assert again.url == new.get_absolute_url()
    assert credit_selectors.balance(organization) == 75


def test_a_rejected_payment_grants_nothing_and_can_be_retried(client_client, organization):
    new = order(organization, 60)
    payment = _start(client_client, new)
    rejected = {**CONFIRM, "status": "rejected"}
    response = client_client.post(reverse("billing:payment_page", args=[payment.pk]), rejected)
    assert response.url == payment.get_failure_url()
    back = client_client.get(reverse("billing:payment_failure", args=[payment.pk]))
    assert back.url == new.get_absolute_url()
    new.refresh_from_db()
    assert new.status == Order.Status.PENDING
    assert PaymentEvent.objects.filter(kind=EventKind.NOT_PAID).count() == 1
    retry = client_client.post(reverse("billing:order_pay", args=[new.pk]), {"method": "online"})
    second = new.payments.exclude(pk=payment.pk).get()
    assert retry.url == reverse("billing:payment_page", args=[second.pk])


def test_a_provider_error_is_logged_and_nothing_changes(client_client, organization):
    new = order(organization, 60)
    payment = _start(client_client, new)
    failure = {**CONFIRM, "gateway_response": "failure"}
    response = client_client.post(reverse("billing:payment_page", args=[payment.pk]), failure)
    assert response.url == new.get_absolute_url()
    new.refresh_from_db()
    assert new.status == Order.Status.PENDING
    assert PaymentEvent.objects.filter(kind=EventKind.PROVIDER_ERROR).count() == 1
    assert credit_selectors.balance(organization) == 0


def test_a_pack_withdrawn_while_the_client_pays_is_still_honoured(client_client, organization):
    new = order(organization, 60)
    payment = _start(client_client, new)
    Pack.objects.filter(pk=new.pack_id).update(active=False)
    client_client.post(reverse("billing:payment_page", args=[payment.pk]), CONFIRM)
    new.refresh_from_db()
    assert new.status == Order.Status.PAID  # the money was taken: the credits are granted
    assert credit_selectors.balance(organization) == 60


def test_a_replayed_callback_grants_once(client, organization):
    payment = services.start_payment(order(organization, 60), variant="dummy")
    first = _callback(client, payment, verification_result="confirmed")
    second = _callback(client, payment, verification_result="confirmed")
    assert first.status_code == second.status_code == 302
    assert first.url == payment.get_success_url()
    assert Invoice.objects.count() == 1
    assert LedgerEntry.objects.count() == 1
    assert credit_selectors.balance(organization) == 60
    assert PaymentEvent.objects.filter(kind=EventKind.REPLAYED).count() == 1


def test_a_late_rejection_after_the_confirmation_is_ignored(client, organization):
    payment = services.start_payment(order(organization, 60), variant="dummy")
    _callback(client, payment, verification_result="confirmed")
    _callback(client, payment, verification_result="rejected")
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.CONFIRMED
    assert payment.order.status == Order.Status.PAID
    event = PaymentEvent.objects.get(kind=EventKind.OUT_OF_ORDER)
    assert event.data == {"kept": "confirmed", "ignored": "rejected"}


def test_a_confirmation_after_a_rejection_pays_the_order(client, organization):
    payment = services.start_payment(order(organization, 60), variant="dummy")
    _callback(client, payment, verification_result="rejected")
    _callback(client, payment, verification_result="confirmed")
    assert Order.objects.get().status == Order.Status.PAID
    assert credit_selectors.balance(organization) == 60


def test_a_late_confirmation_of_a_refunded_payment_grants_nothing(client, organization, admin_user):
    new = order(organization, 60)
    payment = services.start_payment(new, variant="dummy")
    _callback(client, payment, verification_result="confirmed")
    services.refund_order(new, reason="Error", actor=admin_user)
    _callback(client, payment, verification_result="confirmed")
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.REFUNDED
    assert credit_selectors.balance(organization) == 0
    assert Order.objects.get().status == Order.Status.REFUNDED
    assert PaymentEvent.objects.filter(kind=EventKind.OUT_OF_ORDER).count() == 1


def test_a_second_payment_of_a_paid_order_grants_nothing(client, organization):
    new = order(organization, 60)
    first = services.start_payment(new, variant="dummy")
    second = Payment.objects.create(order=new, variant="dummy", total=new.total, currency="EUR")
    _callback(client, first, verification_result="confirmed")
    _callback(client, second, verification_result="confirmed")
    assert credit_selectors.balance(organization) == 60
    event = PaymentEvent.objects.get(kind=EventKind.DUPLICATE_PAYMENT)
    assert event.payment == second
    assert event.level == PaymentEvent.Level.ERROR


def test_an_amount_that_does_not_match_grants_nothing(client, organization, caplog):
    payment = services.start_payment(order(organization, 60), variant="dummy")
    _callback(client, payment, verification_result="confirmed", amount="4.36")
    order_ = Order.objects.get()
    assert order_.status == Order.Status.PENDING
    assert credit_selectors.balance(organization) == 0
    event = PaymentEvent.objects.get(kind=EventKind.AMOUNT_MISMATCH)
    assert event.data == {"expected": "43.56", "received": "4.36"}
    assert event.payment == payment
    assert "amount_mismatch" in caplog.text


def test_a_callback_for_an_unknown_payment_is_a_logged_404(client, organization, caplog):
    url = reverse(
        "billing:payment_callback", kwargs={"token": "0b5bd9a2-4a3e-4a52-9a5e-5d6f1b2c3d4e"}
    )
    response = client.post(url, {"verification_result": "confirmed"})
    assert response.status_code == 404
    assert response.json() == {"error": "unknown payment"}
    event = PaymentEvent.objects.get(kind=EventKind.UNKNOWN_PAYMENT)
    assert event.data["token"] == "0b5bd9a2…"
    assert "unknown_payment" in caplog.text
    assert not Order.objects.exists()


def test_a_callback_with_an_invalid_status_is_refused(client, organization):
    payment = services.start_payment(order(organization, 60), variant="dummy")
    response = _callback(client, payment, verification_result="paid-in-full")
    assert response.status_code == 400
    assert response.json() == {"error": "invalid callback"}
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.WAITING
    assert PaymentEvent.objects.filter(kind=EventKind.INVALID_CALLBACK).count() == 1


def test_a_callback_without_data_reveals_and_changes_nothing(client, organization):
    payment = services.start_payment(order(organization, 60), variant="dummy")
    events = PaymentEvent.objects.count()
    response = client.post(reverse("billing:payment_callback", kwargs={"token": payment.token}))
    assert response.status_code == 302
    assert response.content == b""
    assert PaymentEvent.objects.count() == events
    assert Order.objects.get().status == Order.Status.PENDING


def test_payment_pages_of_another_organization_are_404(client, organization):
    payment = services.start_payment(order(organization, 60), variant="dummy")
    client.force_login(UserFactory())
    for name in ("billing:payment_page", "billing:payment_success", "billing:payment_failure"):
        assert client.get(reverse(name, args=[payment.pk])).status_code == 404
        assert client.post(reverse(name, args=[payment.pk]), CONFIRM).status_code == 404
    assert Order.objects.get().status == Order.Status.PENDING
