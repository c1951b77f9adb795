"""Automatic recharge: below the threshold after a deduction, the chosen pack is bought
once with the saved card, as an ordinary order with its invoice and email; a declined
card stops it and tells the client; never credits without a payment."""

import pytest
from django.utils import timezone

from billing.models import Invoice, Order
from credits import selectors as credit_selectors
from notifications.models import OutboxEmail
from plans import services
from plans.models import AutoPurchase, AutoRecharge
from tests.billing.factories import pack, registered
from tests.credits.factories import consume, grant
from tests.plans.factories import card

pytestmark = pytest.mark.django_db


@pytest.fixture
def recharging(organization, client_user):
    registered(organization)  # 15 registration credits; the next purchase is a recharge
    card(organization)
    return services.configure_auto_recharge(
        organization, enabled=True, threshold=30, pack=pack(60), monthly_cap=2
    )


def test_a_deduction_below_the_threshold_buys_the_pack_once(
    organization, recharging, django_capture_on_commit_callbacks
):
    grant(organization, 40)
    with django_capture_on_commit_callbacks(execute=True):
        consume(organization, 30)  # 55 -> 25, below 30
    assert credit_selectors.balance(organization) == 85
    purchase = AutoPurchase.objects.get()
    assert purchase.status == AutoPurchase.Status.PAID
    assert purchase.balance_before == 25
    order = purchase.order
    assert order.status == Order.Status.PAID
    assert order.pack.credits == 60
    assert not order.is_registration
    assert Invoice.objects.filter(order=order).count() == 1
    assert OutboxEmail.objects.filter(kind="invoice_issued").count() == 1
    # Above the threshold now: another deduction buys nothing.
    with django_capture_on_commit_callbacks(execute=True):
        consume(organization, 10)
    assert AutoPurchase.objects.count() == 1


def test_the_monthly_cap_limits_the_automatic_purchases(organization, recharging):
    recharging.monthly_cap = 1
    recharging.save()
    assert services.run_auto_recharge(organization.pk) is not None  # 15 < 30
    consume(organization, 60)
    assert credit_selectors.balance(organization) == 15
    assert services.run_auto_recharge(organization.pk) is None
    assert AutoPurchase.objects.count() == 1


def test_a_declined_card_stops_the_recharge_and_emails_the_client(organization, recharging):
    card(organization, "declined")
    purchase = services.run_auto_recharge(organization.pk)
    assert purchase.status == AutoPurchase.Status.DECLINED
    assert purchase.order.status == Order.Status.CANCELLED
    assert credit_selectors.balance(organization) == 15
    assert not Invoice.objects.filter(order=purchase.order).exists()
    setting = AutoRecharge.objects.get()
    assert not setting.enabled
    assert setting.stopped_reason
    email = OutboxEmail.objects.get(kind="automatic_payment_declined")
    assert email.context["recharge_stopped"] == 1
    assert services.run_auto_recharge(organization.pk) is None  # off: nothing more


def test_a_purchase_in_flight_is_not_bought_twice(organization, recharging):
    order = Order.objects.create(
        organization=organization,
        pack=pack(60),
        credits=60,
        base=36,
        vat_rate=21,
        vat_amount="7.56",
        total="43.56",
    )
    AutoPurchase.objects.create(setting=recharging, order=order, balance_before=15)
    assert services.run_auto_recharge(organization.pk) is None
    assert credit_selectors.balance(organization) == 15


def test_an_interrupted_purchase_is_finished_with_its_own_key(organization, recharging):
    from datetime import timedelta

    order = Order.objects.create(
        organization=organization,
        pack=pack(60),
        credits=60,
        base=36,
        vat_rate=21,
        vat_amount="7.56",
        total="43.56",
    )
    AutoPurchase.objects.create(
        setting=recharging,
        order=order,
        balance_before=15,
        created_at=timezone.now() - timedelta(hours=1),
    )
    purchase = services.run_auto_recharge(organization.pk)
    assert purchase.order == order
    assert purchase.status == AutoPurchase.Status.PAID
    assert credit_selectors.balance(organization) == 75
    assert AutoPurchase.objects.count() == 1


@pytest.mark.parametrize(
    ("threshold", "monthly_cap"),
    [(-1, 2), (0, 2), (10**9, 2), (30, 0), (30, -3), (30, 1000), ("30", 2), (True, 2)],
)
def test_absurd_thresholds_and_caps_are_refused_and_change_nothing(
    organization, threshold, monthly_cap
):
    card(organization)
    with pytest.raises(services.InvalidSetting):
        services.configure_auto_recharge(
            organization, enabled=True, threshold=threshold, pack=pack(60), monthly_cap=monthly_cap
        )
    assert not AutoRecharge.objects.exists()


def test_a_withdrawn_or_registration_only_pack_is_refused(organization):
    from credits.models import Pack

    card(organization)
    withdrawn = pack(120)
    withdrawn.active = False
    withdrawn.save()
    only_registration = Pack.objects.create(credits=7, price=5, kind=Pack.Kind.REGISTRATION)
    for choice in (withdrawn, only_registration):
        with pytest.raises(services.InvalidSetting):
            services.configure_auto_recharge(
                organization, enabled=True, threshold=30, pack=choice, monthly_cap=2
            )
    assert not AutoRecharge.objects.exists()


def test_turning_it_on_needs_a_saved_card(organization):
    with pytest.raises(services.NoPaymentMethod):
        services.configure_auto_recharge(
            organization, enabled=True, threshold=30, pack=pack(60), monthly_cap=2
        )
    assert not AutoRecharge.objects.exists()


def test_removing_the_card_turns_the_recharge_off(organization, recharging):
    services.remove_card(organization)
    assert not AutoRecharge.objects.get().enabled
    assert services.run_auto_recharge(organization.pk) is None


def test_the_sweep_runs_what_a_lost_task_missed(organization, recharging):
    assert services.sweep_auto_recharges() == 1
    assert services.sweep_auto_recharges() == 0
    assert credit_selectors.balance(organization) == 75
