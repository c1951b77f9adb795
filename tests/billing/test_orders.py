"""create_order, start_payment, choose_bank_transfer, cancel_order."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from billing import selectors, services
from billing.models import EventKind, Order, PaymentEvent
from credits.models import CreditSettings, EntryKind, Pack
from tests.billing.factories import order, pack, paid_order, registered
from tests.credits.factories import grant

pytestmark = pytest.mark.django_db


def test_an_order_is_pending_at_the_packs_current_price_with_vat(organization, client_user):
    new = services.create_order(organization, pack(60), user=client_user)
    assert new.status == Order.Status.PENDING
    assert (new.credits, new.base, new.vat_rate, new.vat_amount, new.total) == (
        60,
        Decimal("36.00"),
        Decimal("21.00"),
        Decimal("7.56"),
        Decimal("43.56"),
    )
    assert new.created_by == client_user
    assert new.code == f"SC-{new.pk:06d}"


@pytest.mark.parametrize(
    ("credits", "base", "vat", "total"),
    [(480, "256.00", "53.76", "309.76"), (15, "10.00", "2.10", "12.10")],
)
def test_order_amounts_of_the_price_list(organization, credits, base, vat, total):
    new = order(organization, credits)
    assert (new.base, new.vat_amount, new.total) == (Decimal(base), Decimal(vat), Decimal(total))


def test_the_vat_rate_is_the_admins_current_one(organization):
    CreditSettings(vat_rate=Decimal("10.00")).save()
    assert order(organization, 60).total == Decimal("39.60")


def test_first_order_is_the_registration_pack(organization):
    assert selectors.is_registration_purchase(organization)
    assert order(organization).is_registration


def test_a_registration_lot_without_orders_makes_the_next_order_a_recharge(organization):
    registered(organization)
    assert not selectors.is_registration_purchase(organization)
    assert not order(organization).is_registration


def test_purchase_lots_alone_do_not_end_the_registration_status(organization):
    grant(organization, 30, kind=EntryKind.PURCHASE)
    assert selectors.is_registration_purchase(organization)


def test_an_abandoned_unpaid_order_keeps_the_registration_status(organization):
    first = order(organization)
    services.cancel_order(first)
    order(organization, 120)  # pending, never paid
    assert selectors.is_registration_purchase(organization)
    assert order(organization, 15).is_registration


def test_a_paid_order_ends_the_registration_status(organization):
    paid_order(organization)
    assert not selectors.is_registration_purchase(organization)
    assert not order(organization).is_registration


def test_an_inactive_pack_cannot_be_ordered_and_the_attempt_is_logged(organization, caplog):
    sixty = pack(60)
    Pack.objects.filter(pk=sixty.pk).update(active=False)
    with pytest.raises(services.PackUnavailable):
        services.create_order(organization, sixty)
    assert not Order.objects.exists()
    event = PaymentEvent.objects.get()
    assert event.kind == EventKind.PACK_UNAVAILABLE
    assert event.organization == organization
    assert "pack_unavailable" in caplog.text


def test_packs_reserved_to_one_use_are_sold_only_for_it(organization):
    sixty, thirty = pack(60), pack(30)
    Pack.objects.filter(pk=sixty.pk).update(kind=Pack.Kind.RECHARGE)
    Pack.objects.filter(pk=thirty.pk).update(kind=Pack.Kind.REGISTRATION)
    with pytest.raises(services.PackUnavailable):
        services.create_order(organization, sixty)  # registration purchase
    registered(organization)
    with pytest.raises(services.PackUnavailable):
        services.create_order(organization, thirty)
    assert services.create_order(organization, sixty).credits == 60


def test_an_order_refuses_a_total_the_client_did_not_see(organization):
    with pytest.raises(services.PriceChanged):
        services.create_order(organization, pack(60), expected_total=Decimal("36.00"))
    assert not Order.objects.exists()
    assert PaymentEvent.objects.get().kind == EventKind.PRICE_CHANGED
    ordered = services.create_order(organization, pack(60), expected_total=Decimal("43.56"))
    assert ordered.total == Decimal("43.56")


def test_the_order_keeps_its_price_when_the_pack_price_changes(organization):
    new = order(organization, 60)
    Pack.objects.filter(pk=new.pack_id).update(price=Decimal("40.00"))
    invoice = services.confirm_payment(new, provider_reference="x")
    assert invoice.total == Decimal("43.56")


def test_start_payment_creates_one_payment_for_the_order_total(organization, client_user):
    new = order(organization, 60)
    payment = services.start_payment(new, variant="dummy", user=client_user)
    assert (payment.total, payment.currency, payment.variant) == (Decimal("43.56"), "EUR", "dummy")
    assert payment.billing_email == client_user.email
    assert services.start_payment(new, variant="dummy") == payment  # reused, not piled up
    new.refresh_from_db()
    assert new.method == Order.Method.ONLINE


def test_a_pack_withdrawn_before_paying_cancels_the_order_and_charges_nothing(organization):
    new = order(organization, 60)
    Pack.objects.filter(pk=new.pack_id).update(active=False)
    with pytest.raises(services.PackUnavailable):
        services.start_payment(new, variant="dummy")
    new.refresh_from_db()
    assert new.status == Order.Status.CANCELLED
    assert not new.payments.exists()
    event = PaymentEvent.objects.get(kind=EventKind.PACK_UNAVAILABLE)
    assert event.order == new


def test_the_same_for_a_bank_transfer(organization):
    new = order(organization, 60)
    Pack.objects.filter(pk=new.pack_id).update(active=False)
    with pytest.raises(services.PackUnavailable):
        services.choose_bank_transfer(new)
    new.refresh_from_db()
    assert new.status == Order.Status.CANCELLED


def test_online_payment_needs_a_configured_provider(organization, settings):
    settings.PAYMENT_VARIANT = ""
    with pytest.raises(services.OnlinePaymentUnavailable):
        services.start_payment(order(organization))


def test_a_paid_order_cannot_be_paid_again(organization):
    paid = paid_order(organization)
    with pytest.raises(services.OrderNotPayable):
        services.start_payment(paid, variant="dummy")
    with pytest.raises(services.OrderNotPayable):
        services.choose_bank_transfer(paid)
    with pytest.raises(services.OrderNotPayable):
        services.cancel_order(paid)


def test_bank_transfer_leaves_the_order_pending_and_logs_it(organization):
    new = services.choose_bank_transfer(order(organization))
    assert (new.status, new.method) == (Order.Status.PENDING, Order.Method.BANK_TRANSFER)
    services.choose_bank_transfer(new)  # twice: one event
    assert PaymentEvent.objects.filter(kind=EventKind.BANK_TRANSFER_CHOSEN).count() == 1


def test_offers_show_registration_expiry_only_for_the_registration(organization):
    now = timezone.now()
    registration, offers = selectors.offers_for(organization, now=now)
    assert registration
    assert [o.pack.credits for o in offers] == [15, 30, 60, 120, 240, 480]
    assert all(o.expires_at == now + timedelta(days=365) for o in offers)
    registered(organization)
    registration, offers = selectors.offers_for(organization, now=now)
    assert not registration
    assert all(o.expires_at is None for o in offers)
