"""Monthly plans: each period grants its credits once, as a lot expiring by the plan's
rollover rule, with its invoice (a "plan" line) and its VERI*FACTU record."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone, translation

from billing import verifactu
from billing.models import Invoice, InvoiceLine, Order
from billing.verifactu.chain import chain_mismatches
from credits import selectors as credit_selectors
from credits.models import LedgerEntry, Lot
from notifications.models import OutboxEmail
from plans import services
from plans.models import Plan, PlanPeriod, Subscription
from tests.credits.factories import consume
from tests.plans.factories import card, plan


@pytest.fixture(autouse=True)
def _english():
    """The messages are checked in English (the site's default language is Spanish)."""
    with translation.override("en"):
        yield


pytestmark = pytest.mark.django_db

START = timezone.make_aware(timezone.datetime(2026, 1, 10, 12, 0))


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def lots(organization):
    return list(Lot.objects.filter(wallet__organization=organization).order_by("created_at", "id"))


def test_subscribing_grants_the_first_period_and_issues_its_invoice(
    organization, client_user, clock
):
    card(organization)
    period = services.subscribe(organization, plan(300, "250.00"))
    assert period.status == PlanPeriod.Status.PAID
    assert credit_selectors.balance(organization) == 300
    invoice = period.order.invoices.get()
    assert invoice.base == Decimal("250.00")
    assert invoice.vat_amount == Decimal("52.50")
    assert invoice.total == Decimal("302.50")
    line = invoice.lines.get()
    assert line.kind == InvoiceLine.Kind.PLAN
    assert "Monthly plan: 300 support credits" in line.description
    record = verifactu.record_for(invoice)
    assert record["TipoFactura"] == "F1"
    assert record["ImporteTotal"] == "302.50"
    assert list(chain_mismatches()) == []
    assert period.order.pack_id is None
    assert OutboxEmail.objects.filter(kind="invoice_issued").exists()


@pytest.mark.parametrize(
    ("rollover", "expected"),
    [
        (
            Plan.Rollover.NONE,
            START + (timezone.datetime(2026, 2, 10) - timezone.datetime(2026, 1, 10)),
        ),
        (
            Plan.Rollover.ONE,
            START + (timezone.datetime(2026, 3, 10) - timezone.datetime(2026, 1, 10)),
        ),
        (Plan.Rollover.UNLIMITED, None),
    ],
)
def test_the_rollover_rule_sets_when_the_credits_expire(organization, clock, rollover, expected):
    card(organization)
    services.subscribe(organization, plan(100, rollover=rollover))
    (lot,) = lots(organization)
    assert lot.expires_at == expected


def test_the_same_period_renewed_twice_grants_once(organization, clock):
    card(organization)
    subscription = services.subscribe(organization, plan(100)).subscription
    clock.shift(timedelta(days=31))
    first = services.renew_period(subscription)
    second = services.renew_period(subscription)
    assert first is not None
    assert first.number == 1
    assert second is None  # nothing more due
    assert services.renew_due() == 0
    assert PlanPeriod.objects.filter(subscription=subscription).count() == 2
    assert credit_selectors.balance(organization) == 200
    assert Invoice.objects.filter(order__plan_period__subscription=subscription).count() == 2
    assert LedgerEntry.objects.filter(kind="purchase").count() == 2


def test_plan_and_pack_credits_are_spent_soonest_expiring_first(organization, clock):
    from tests.billing.factories import paid_order

    paid_order(organization, 60)  # registration pack: expires in a year
    card(organization)
    services.subscribe(organization, plan(100, rollover=Plan.Rollover.NONE))  # in a month
    consume(organization, 120)
    remaining = {lot.granted: lot.remaining for lot in lots(organization)}
    assert remaining == {60: 40, 100: 0}


def test_unspent_credits_without_rollover_expire_at_the_end_of_their_period(organization, clock):
    from credits import services as credit_services

    card(organization)
    services.subscribe(organization, plan(100, rollover=Plan.Rollover.NONE))
    consume(organization, 30)
    clock.shift(timedelta(days=31, hours=1))
    assert services.renew_due() == 1
    credit_services.expire_lots()
    assert credit_selectors.balance(organization) == 100  # the old 70 expired


def test_periods_missed_while_nothing_ran_are_skipped_not_charged(organization, clock):
    card(organization)
    subscription = services.subscribe(organization, plan(100)).subscription
    clock.shift(timedelta(days=95))
    period = services.renew_period(subscription)
    assert period.number == 3
    assert PlanPeriod.objects.filter(subscription=subscription).count() == 2


def test_a_change_in_the_middle_of_a_period_takes_effect_next_period(organization, clock):
    card(organization)
    small, big = plan(100, name="Pequeño"), plan(300, "240.00", name="Grande")
    subscription = services.subscribe(organization, small).subscription
    services.change_plan(subscription, big)
    assert credit_selectors.balance(organization) == 100  # nothing granted now
    assert Order.objects.filter(organization=organization).count() == 1
    with pytest.raises(services.SamePlan):
        services.change_plan(subscription, big)
    clock.shift(timedelta(days=31))
    period = services.renew_period(subscription)
    assert period.plan == big
    assert period.credits == 300
    assert credit_selectors.balance(organization) == 400
    subscription.refresh_from_db()
    assert subscription.plan == big
    assert subscription.next_plan is None


def test_choosing_the_current_plan_again_undoes_a_pending_change(organization, clock):
    card(organization)
    small, big = plan(100), plan(300)
    subscription = services.subscribe(organization, small).subscription
    services.change_plan(subscription, big)
    services.change_plan(subscription, small)
    subscription.refresh_from_db()
    assert subscription.next_plan is None
    with pytest.raises(services.SamePlan):
        services.change_plan(subscription, small)


def test_cancelling_takes_effect_at_the_end_of_the_period(organization, clock):
    card(organization)
    subscription = services.subscribe(organization, plan(100)).subscription
    services.cancel(subscription)
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.ACTIVE
    clock.shift(timedelta(days=31))
    assert services.renew_period(subscription) is None
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.CANCELLED
    assert subscription.ended_at == subscription.current_period_end
    assert credit_selectors.balance(organization) == 100  # the period's credits stay


def test_keep_undoes_a_cancellation(organization, clock):
    card(organization)
    subscription = services.subscribe(organization, plan(100)).subscription
    services.cancel(subscription)
    services.keep(subscription)
    clock.shift(timedelta(days=31))
    assert services.renew_period(subscription).number == 1


def test_subscribing_twice_is_refused_and_changes_nothing(organization, clock):
    card(organization)
    services.subscribe(organization, plan(100))
    with pytest.raises(services.AlreadySubscribed):
        services.subscribe(organization, plan(300))
    assert Subscription.objects.count() == 1
    assert Order.objects.count() == 1


def test_subscribing_without_a_card_or_to_a_withdrawn_plan_is_refused(organization, clock):
    with pytest.raises(services.NoPaymentMethod):
        services.subscribe(organization, plan(100))
    card(organization)
    with pytest.raises(services.PlanUnavailable):
        services.subscribe(organization, plan(100, active=False))
    assert not Subscription.objects.exists()
    assert not Order.objects.exists()


def test_a_declined_first_payment_grants_nothing(organization, clock):
    card(organization, "declined")
    with pytest.raises(services.PaymentDeclined):
        services.subscribe(organization, plan(100))
    assert credit_selectors.balance(organization) == 0
    assert not Invoice.objects.exists()
    assert Subscription.objects.get().status == Subscription.Status.CANCELLED
    assert Order.objects.get().status == Order.Status.CANCELLED
    # Subscribing again (with a good card) is possible.
    card(organization)
    services.subscribe(organization, plan(100))
    assert credit_selectors.balance(organization) == 100


def test_a_declined_renewal_grants_nothing_and_tells_the_client(
    organization, client_user, clock, django_capture_on_commit_callbacks
):
    card(organization)
    subscription = services.subscribe(organization, plan(100)).subscription
    card(organization, "declined")
    clock.shift(timedelta(days=31))
    with django_capture_on_commit_callbacks(execute=True):
        period = services.renew_period(subscription)
    assert period.status == PlanPeriod.Status.DECLINED
    assert credit_selectors.balance(organization) == 100
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.PAST_DUE
    # The dunning email (tests/plans/test_dunning.py): the next automatic retry, Pay now.
    email = OutboxEmail.objects.get(kind="plan_renewal_declined")
    assert email.recipient == client_user
    assert services.renew_due() == 0  # the renewal is not charged again: the retries are
    services.cancel(subscription)
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.CANCELLED


def test_a_charge_interrupted_before_confirmation_is_finished_once(organization, clock):
    from plans.services import subscriptions

    card(organization)
    subscription = services.subscribe(organization, plan(100)).subscription
    clock.shift(timedelta(days=31))
    real = subscriptions._charge_period
    subscriptions._charge_period = lambda period: period  # the worker died after the commit
    try:
        services.renew_period(subscription)
    finally:
        subscriptions._charge_period = real
    assert credit_selectors.balance(organization) == 100
    assert services.renew_due() == 1
    assert services.renew_due() == 0
    assert credit_selectors.balance(organization) == 200


def test_a_declined_period_can_be_paid_again_with_a_new_card_once(organization, clock):
    card(organization)
    subscription = services.subscribe(organization, plan(100)).subscription
    card(organization, "declined")
    clock.shift(timedelta(days=31))
    declined = services.renew_period(subscription)
    with pytest.raises(services.PaymentDeclined):
        services.retry_payment(subscription)  # still the declined card
    card(organization)
    period = services.retry_payment(subscription)
    assert period.pk == declined.pk
    assert period.status == PlanPeriod.Status.PAID
    assert period.attempt == 2
    assert credit_selectors.balance(organization) == 200
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.ACTIVE
    with pytest.raises(services.NotSubscribed):
        services.retry_payment(subscription)  # nothing more to pay
    assert Order.objects.filter(status=Order.Status.CANCELLED).count() == 2
    assert Invoice.objects.count() == 2


def test_a_declined_period_that_is_over_cannot_be_paid_again(organization, clock):
    card(organization)
    subscription = services.subscribe(organization, plan(100)).subscription
    card(organization, "declined")
    clock.shift(timedelta(days=31))
    services.renew_period(subscription)
    card(organization)
    clock.shift(timedelta(days=31))
    with pytest.raises(services.PlansError):
        services.retry_payment(subscription)
    assert Order.objects.count() == 2  # no new order
    assert PlanPeriod.objects.get(number=1).status == PlanPeriod.Status.DECLINED


def test_a_plan_period_is_refunded_like_any_order(organization, clock):
    from billing import services as billing_services
    from tests.accounts.factories import AdminFactory

    card(organization)
    period = services.subscribe(organization, plan(100, "80.00"))
    consume(organization, 30)
    corrective = billing_services.refund_order(
        period.order, reason="Baja pedida por el cliente", actor=AdminFactory()
    )
    assert corrective.total == Decimal("-96.80")
    assert corrective.lines.get().kind == InvoiceLine.Kind.PLAN
    assert verifactu.record_for(corrective)["TipoFactura"].startswith("R")
    assert credit_selectors.balance(organization) == 0  # the 70 unspent taken back
    assert list(chain_mismatches()) == []


def test_an_admin_cannot_mark_a_plan_order_paid_by_transfer(organization, clock):
    from billing import services as billing_services
    from tests.accounts.factories import AdminFactory

    card(organization, "declined")
    with pytest.raises(services.PaymentDeclined):
        services.subscribe(organization, plan(100))
    order = Order.objects.get()
    with pytest.raises(billing_services.InvalidRequest):
        billing_services.mark_paid_by_transfer(order, reference="TR-1", actor=AdminFactory())
    assert credit_selectors.balance(organization) == 0
    assert not Invoice.objects.exists()


def test_a_paid_plan_period_is_not_the_first_purchase_the_first_pack_is(organization, clock):
    """Only pack orders count for the registration rule: after a paid plan period the
    organization's first pack is still its registration pack (expiring in a year)."""
    from billing import selectors as billing_selectors
    from billing import services as billing_services
    from credits.models import EntryKind
    from tests.billing.factories import pack

    card(organization)
    services.subscribe(organization, plan(300, "250.00"))
    assert billing_selectors.is_registration_purchase(organization)
    order = billing_services.create_order(organization, pack(15))
    assert order.is_registration
    billing_services.confirm_payment(order, provider_reference="test:first-pack")
    order.refresh_from_db()
    assert order.is_registration
    assert order.grant_entry.kind == EntryKind.REGISTRATION
    assert not billing_selectors.is_registration_purchase(organization)
