"""Concurrent confirmations, callbacks and refunds against the real PostgreSQL database
(threads, one connection each): credits granted once, invoice numbers without gaps."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from payments import PaymentStatus

from billing import services
from billing.models import EventKind, Invoice, InvoiceCounter, Order, PaymentEvent
from credits import selectors as credit_selectors
from credits.models import EntryKind, LedgerEntry, Lot
from tests.accounts.factories import OrganizationFactory
from tests.billing.factories import order
from tests.credits.test_concurrency import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 24


def test_concurrent_confirmations_number_invoices_1_to_n_without_gaps():
    organizations = [OrganizationFactory() for _ in range(6)]
    orders = [order(organizations[i % 6], 15) for i in range(THREADS)]
    results = race(
        THREADS,
        lambda i: services.confirm_payment(orders[i], provider_reference=f"ref-{i}"),
    )
    assert all(isinstance(r, Invoice) for r in results), results
    year = timezone.localdate().year
    sequences = sorted(
        Invoice.objects.filter(series="A", year=year).values_list("sequence", flat=True)
    )
    assert sequences == list(range(1, THREADS + 1))
    assert InvoiceCounter.objects.get(series="A", year=year).last == THREADS
    assert Order.objects.filter(status=Order.Status.PAID).count() == THREADS
    # Each organization: exactly one registration pack (the first paid), the rest recharges.
    for organization in organizations:
        kinds = sorted(
            Lot.objects.filter(wallet__organization=organization).values_list("kind", flat=True)
        )
        assert kinds == [EntryKind.PURCHASE] * 3 + [EntryKind.REGISTRATION]
    assert list(credit_selectors.ledger_mismatches()) == []


def test_the_same_order_confirmed_from_many_threads_pays_once(organization):
    new = order(organization, 60)
    results = race(THREADS, lambda i: services.confirm_payment(new, provider_reference=f"ref-{i}"))
    assert all(isinstance(r, Invoice) for r in results), results
    assert len({r.pk for r in results}) == 1
    assert Invoice.objects.count() == 1
    assert LedgerEntry.objects.count() == 1
    assert credit_selectors.balance(organization) == 60
    assert PaymentEvent.objects.filter(kind=EventKind.CONFIRMED).count() == 1
    assert PaymentEvent.objects.filter(kind=EventKind.REPLAYED).count() == THREADS - 1


def test_concurrent_and_replayed_callbacks_grant_once(organization):
    payment = services.start_payment(order(organization, 60), variant="dummy")
    url = reverse("billing:payment_callback", kwargs={"token": payment.token})

    def callback(i):
        return Client().get(url, {"verification_result": "confirmed"}).status_code

    assert race(THREADS, callback) == [302] * THREADS
    assert Invoice.objects.count() == 1
    assert credit_selectors.balance(organization) == 60
    payment.refresh_from_db()
    assert (payment.status, payment.captured_amount) == (PaymentStatus.CONFIRMED, Decimal("43.56"))


def test_callbacks_arriving_in_any_order_end_paid_once(organization):
    """Confirmations and late rejections race: the order ends paid, once, and the payment
    stays confirmed (a rejection that arrives after the confirmation is ignored)."""
    payment = services.start_payment(order(organization, 60), variant="dummy")
    url = reverse("billing:payment_callback", kwargs={"token": payment.token})
    outcomes = ["confirmed", "rejected"] * (THREADS // 2)
    race(THREADS, lambda i: Client().get(url, {"verification_result": outcomes[i]}))
    # Whatever the order of arrival, one more confirmation settles it.
    Client().get(url, {"verification_result": "confirmed"})
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.CONFIRMED
    assert Invoice.objects.count() == 1
    assert credit_selectors.balance(organization) == 60


def test_a_confirmation_racing_a_transfer_mark_pays_once(organization, admin_user):
    new = order(organization, 60)

    def call(i):
        if i % 2:
            return services.mark_paid_by_transfer(new, reference=f"T{i}", actor=admin_user)
        return services.confirm_payment(new, provider_reference=f"P{i}")

    results = race(THREADS, call)
    assert len({r.pk for r in results}) == 1
    assert credit_selectors.balance(organization) == 60


def test_concurrent_refunds_refund_once(organization, admin_user):
    new = order(organization, 60)
    services.confirm_payment(new, provider_reference="r")
    results = race(THREADS, lambda i: services.refund_order(new, reason=f"r{i}", actor=admin_user))
    assert len({r.pk for r in results}) == 1, results
    assert Invoice.objects.filter(kind=Invoice.Kind.CORRECTIVE).count() == 1
    assert LedgerEntry.objects.filter(kind=EntryKind.REFUND).count() == 1
    assert credit_selectors.balance(organization) == 0
