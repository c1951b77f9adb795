"""Dunning: a declined plan renewal is charged again by itself 1, 3 and 5 days after its
first decline; each declined attempt tells the managers when the next retry is and where
to pay now; after the last one the subscription ends unpaid. A paid retry grants the
period's credits once; a manual payment meanwhile stops the retries; nothing is ever
granted without a payment."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import timezone, translation

from billing.models import Invoice, Order
from credits import selectors as credit_selectors
from notifications.models import OutboxEmail
from notifications.rendering import render_email
from plans import services, tasks
from plans.models import PlanPeriod, Subscription
from tests.accounts.factories import MemberFactory
from tests.plans.factories import card, plan


@pytest.fixture(autouse=True)
def _english():
    """The messages are checked in English (the site's default language is Spanish)."""
    with translation.override("en"):
        yield


pytestmark = pytest.mark.django_db

START = timezone.make_aware(timezone.datetime(2026, 1, 10, 12, 0))
# The renewal of period 1 (10 February 2026, 12:00 in Madrid) is the first decline.
DECLINED = START + (timezone.datetime(2026, 2, 10) - timezone.datetime(2026, 1, 10))
DAY = timedelta(days=1)


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def declined(organization, client_user, clock):
    """A subscription whose first period was paid (100 credits) and whose renewal, on
    DECLINED, was declined: the dunning starts."""
    card(organization)
    subscription = services.subscribe(organization, plan(100, name="Plan 100")).subscription
    card(organization, "declined")
    clock.move_to(DECLINED)
    period = services.renew_period(subscription)
    assert period.status == PlanPeriod.Status.DECLINED
    return subscription


def current(subscription) -> PlanPeriod:
    subscription.refresh_from_db()
    return subscription.periods.get(number=subscription.current_number)


def dunning_emails():
    return list(OutboxEmail.objects.filter(kind="plan_renewal_declined").order_by("pk"))


def test_the_renewal_declined_schedules_the_first_retry_and_tells_the_managers(
    organization, client_user, declined
):
    member = MemberFactory(organization=organization)
    period = current(declined)
    assert declined.status == Subscription.Status.PAST_DUE
    assert period.first_declined_at == DECLINED
    assert period.auto_retries == 0
    assert period.next_retry_at == DECLINED + DAY
    assert credit_selectors.balance(organization) == 100
    (email,) = dunning_emails()
    assert email.recipient == client_user  # the manager, not the member
    assert not OutboxEmail.objects.filter(recipient=member).exists()
    assert datetime.fromisoformat(email.context["next_retry_at"]) == DECLINED + DAY
    assert email.context["retries_left"] == 3
    assert email.context["pay_url"] == reverse("plans:overview") + "#pay-now"
    # The generic "automatic payment declined" email is not sent on top of it.
    assert not OutboxEmail.objects.filter(kind="automatic_payment_declined").exists()


def test_the_email_gives_the_next_retry_day_first_and_pay_now_in_both_languages(declined, settings):
    settings.SITE_URL = "https://soporte.example.com"
    (email,) = dunning_emails()
    english = render_email(email.kind, email.context, language="en", recipient_name="Ana")
    spanish = render_email(email.kind, email.context, language="es", recipient_name="Ana")
    assert "11 February 2026" in english.subject
    assert "Next automatic retry: 11 February 2026, 12:00" in english.text
    assert "Pay now: https://soporte.example.com/plans/#pay-now" in english.text
    assert "(3 automatic retries left)" in english.text
    assert 'href="https://soporte.example.com/plans/#pay-now"' in english.html
    assert "11 de febrero de 2026" in spanish.subject
    assert "11 de febrero de 2026 a las 12:00" in spanish.text
    assert "https://soporte.example.com/plans/#pay-now" in spanish.text


def test_each_retry_is_made_when_due_then_the_subscription_ends_unpaid(
    organization, client_user, declined, clock
):
    # Before the first retry is due, nothing is charged.
    clock.move_to(DECLINED + DAY - timedelta(minutes=1))
    assert services.retry_due() == 0
    assert Order.objects.filter(plan_period__isnull=False).count() == 2
    steps = [(1, 3 * DAY, 2), (2, 5 * DAY, 1)]
    for retries, next_after, left in steps:
        due = current(declined).next_retry_at
        clock.move_to(due)
        assert services.retry_due() == 1
        period = current(declined)
        assert period.status == PlanPeriod.Status.DECLINED
        assert period.auto_retries == retries
        assert period.attempt == retries
        # Counted from the first decline, not from the last retry.
        assert period.next_retry_at == DECLINED + next_after
        assert declined.status == Subscription.Status.PAST_DUE
        email = dunning_emails()[-1]
        assert email.context["declined_attempts"] == retries + 1
        assert email.context["retries_left"] == left
        assert datetime.fromisoformat(email.context["next_retry_at"]) == DECLINED + next_after
        assert services.retry_due() == 0  # the same retry is not made twice
    assert len(dunning_emails()) == 3
    # The last retry (5 days after the first decline) is declined: the plan ends unpaid.
    clock.move_to(DECLINED + 5 * DAY)
    assert services.retry_due() == 1
    period = current(declined)
    assert declined.status == Subscription.Status.ENDED_UNPAID
    assert declined.ended_at == DECLINED + 5 * DAY
    assert period.status == PlanPeriod.Status.DECLINED
    assert period.auto_retries == 3
    assert period.next_retry_at is None
    assert len(dunning_emails()) == 3  # the end is its own email
    (ended,) = OutboxEmail.objects.filter(kind="plan_ended_unpaid")
    assert ended.recipient == client_user
    assert ended.context["declined_attempts"] == 4
    # Never credits without a payment: the first period's 100 only, one invoice.
    assert credit_selectors.balance(organization) == 100
    assert Invoice.objects.count() == 1
    # Four attempts of period 1, each its own order, all cancelled.
    assert Order.objects.filter(status=Order.Status.CANCELLED).count() == 4
    # Nothing more: no retry, no renewal; subscribing again is possible.
    clock.shift(40 * DAY)
    assert services.retry_due() == 0
    assert services.renew_due() == 0
    card(organization)
    again = services.subscribe(organization, plan(50, name="Plan 50"))
    assert again.status == PlanPeriod.Status.PAID
    assert again.subscription_id != declined.pk
    # The first period's credits expired on 10 March (rollover: one period); the new 50.
    assert credit_selectors.balance(organization) == 50


def test_a_paid_retry_grants_the_period_once_and_stops_the_retries(organization, declined, clock):
    clock.move_to(DECLINED + DAY)
    assert services.retry_due() == 1  # declined again (the same declined card)
    card(organization)  # the manager saves a good card
    clock.move_to(DECLINED + 3 * DAY)
    assert services.retry_due() == 1
    period = current(declined)
    assert period.status == PlanPeriod.Status.PAID
    assert period.next_retry_at is None
    assert declined.status == Subscription.Status.ACTIVE
    assert credit_selectors.balance(organization) == 200
    assert Invoice.objects.count() == 2
    # The task again, and at the next would-be retry: nothing more is charged or granted.
    assert services.retry_due() == 0
    clock.move_to(DECLINED + 5 * DAY)
    assert services.retry_due() == 0
    assert services.renew_due() == 0
    assert credit_selectors.balance(organization) == 200
    assert Invoice.objects.count() == 2
    assert Order.objects.filter(status=Order.Status.PAID).count() == 2
    # The plan goes on: the next period renews as usual.
    clock.move_to(DECLINED + 29 * DAY)
    assert services.renew_due() == 1
    assert PlanPeriod.objects.get(number=2).status == PlanPeriod.Status.PAID
    assert Invoice.objects.count() == 3


def test_the_beat_task_run_twice_retries_once(organization, declined, clock):
    card(organization)
    clock.move_to(DECLINED + DAY + timedelta(minutes=7))
    assert tasks.retry_due_task.apply().get() == 1
    assert tasks.retry_due_task.apply().get() == 0
    assert credit_selectors.balance(organization) == 200
    assert Invoice.objects.count() == 2
    assert current(declined).status == PlanPeriod.Status.PAID


def test_a_manual_payment_during_the_retries_cancels_them(organization, declined, clock):
    clock.move_to(DECLINED + DAY)
    services.retry_due()  # the first retry, declined
    clock.move_to(DECLINED + 2 * DAY)
    card(organization)
    period = services.retry_payment(declined)
    assert period.status == PlanPeriod.Status.PAID
    assert period.next_retry_at is None
    assert credit_selectors.balance(organization) == 200
    for day in (3, 5, 6):
        clock.move_to(DECLINED + day * DAY)
        assert services.retry_due() == 0
    assert credit_selectors.balance(organization) == 200
    assert Invoice.objects.count() == 2
    declined.refresh_from_db()
    assert declined.status == Subscription.Status.ACTIVE


def test_a_declined_manual_payment_keeps_the_schedule(organization, declined, clock):
    clock.move_to(DECLINED + DAY / 2)
    with pytest.raises(services.PaymentDeclined):
        services.retry_payment(declined)
    period = current(declined)
    assert period.auto_retries == 0
    assert period.next_retry_at == DECLINED + DAY  # unchanged
    assert declined.status == Subscription.Status.PAST_DUE
    assert len(dunning_emails()) == 2  # each declined attempt tells the managers
    clock.move_to(DECLINED + DAY)
    assert services.retry_due() == 1
    assert current(declined).auto_retries == 1


def test_cancelling_during_the_retries_stops_them(organization, declined, clock):
    services.cancel(declined)
    declined.refresh_from_db()
    assert declined.status == Subscription.Status.CANCELLED
    assert current(declined).next_retry_at is None
    card(organization)
    clock.move_to(DECLINED + DAY)
    assert services.retry_due() == 0
    assert credit_selectors.balance(organization) == 100


def test_a_retry_interrupted_before_confirmation_is_finished_once(organization, declined, clock):
    from plans.services import subscriptions

    card(organization)
    clock.move_to(DECLINED + DAY)
    real = subscriptions._charge_period
    subscriptions._charge_period = lambda period: period  # the worker died after the commit
    try:
        assert services.retry_due() == 1
    finally:
        subscriptions._charge_period = real
    assert current(declined).status == PlanPeriod.Status.PENDING
    assert credit_selectors.balance(organization) == 100
    assert services.retry_due() == 0  # pending: not retried again with a new order
    assert services.renew_due() == 1  # finished with the same key
    assert services.renew_due() == 0
    assert credit_selectors.balance(organization) == 200
    assert current(declined).status == PlanPeriod.Status.PAID
    assert declined.status == Subscription.Status.ACTIVE


def test_a_retry_due_after_the_period_ended_charges_nothing_and_ends_unpaid(
    organization, client_user, declined, clock
):
    card(organization)  # even a good card: the period is over, it is not paid late
    clock.move_to(DECLINED + 29 * DAY)  # the beat was down past the period's end
    charges = []
    from plans.services import methods

    real = methods.charge
    methods.charge = lambda *args, **kwargs: charges.append(kwargs) or real(*args, **kwargs)
    try:
        assert services.retry_due() == 1
    finally:
        methods.charge = real
    assert charges == []
    declined.refresh_from_db()
    assert declined.status == Subscription.Status.ENDED_UNPAID
    assert Invoice.objects.count() == 1  # the first period's only
    assert current(declined).status == PlanPeriod.Status.DECLINED
    assert OutboxEmail.objects.filter(kind="plan_ended_unpaid", recipient=client_user).count() == 1
    assert services.retry_due() == 0


def test_the_ended_unpaid_email_in_both_languages(declined, clock, settings):
    settings.SITE_URL = "https://soporte.example.com"
    for day in (1, 3, 5):
        clock.move_to(DECLINED + day * DAY)
        services.retry_due()
    (email,) = OutboxEmail.objects.filter(kind="plan_ended_unpaid")
    english = render_email(email.kind, email.context, language="en", recipient_name="Ana")
    spanish = render_email(email.kind, email.context, language="es", recipient_name="Ana")
    assert english.subject == "Cliente Uno S.L.: the plan Plan 100 ended unpaid on 15 February 2026"
    assert "was declined 4 times" in english.text
    assert "https://soporte.example.com/plans/" in english.text
    assert "15 de febrero de 2026" in spanish.subject


def test_a_first_payment_declined_has_no_retries(organization, clock):
    card(organization, "declined")
    with pytest.raises(services.PaymentDeclined):
        services.subscribe(organization, plan(100))
    period = PlanPeriod.objects.get()
    assert period.next_retry_at is None
    assert Subscription.objects.get().status == Subscription.Status.CANCELLED
    clock.shift(2 * DAY)
    assert services.retry_due() == 0


def test_the_retry_task_is_in_the_beat_schedule():
    entry = django_settings.CELERY_BEAT_SCHEDULE["plans-retry-declined-renewals"]
    assert entry["task"] == "plans.tasks.retry_due_task"
    assert entry["schedule"] == 15 * 60


def test_the_plans_page_shows_the_next_retry_and_pay_now(client, client_user, declined):
    client_user.language = "en"
    client_user.save(update_fields=["language"])
    client.force_login(client_user)
    page = client.get(reverse("plans:overview")).content.decode()
    assert 'data-testid="dunning"' in page
    assert "11 February 2026, 12:00" in page
    assert "(3 automatic retries left)" in page
    assert 'id="pay-now"' in page
    assert 'data-testid="pay-now"' in page
    client_user.language = "es"
    client_user.save(update_fields=["language"])
    with translation.override("es"):
        page = client.get(reverse("plans:overview"), HTTP_ACCEPT_LANGUAGE="es")
    assert page.status_code == 200
    assert "11 de febrero de 2026 a las 12:00" in page.content.decode()  # day first


def test_the_plans_page_says_the_plan_ended_unpaid(client, client_user, declined, clock):
    for day in (1, 3, 5):
        clock.move_to(DECLINED + day * DAY)
        services.retry_due()
    client_user.language = "en"
    client_user.save(update_fields=["language"])
    client.force_login(client_user)
    page = client.get(reverse("plans:overview")).content.decode()
    assert 'data-testid="ended-unpaid"' in page
    assert "ended unpaid on 15 February 2026" in page


def test_the_admin_shows_the_retry_state(admin_client, declined):
    """Admin reads Spanish (the site's default language): day-first dates."""
    listing = admin_client.get(reverse("admin:plans_subscription_changelist"))
    assert listing.status_code == 200
    assert "11 de febrero de 2026 a las 12:00" in listing.content.decode()  # next retry
    page = admin_client.get(reverse("admin:plans_subscription_change", args=[declined.pk]))
    assert page.status_code == 200
    periods = page.content.decode().split('id="periods-group"')[1]
    assert "10 de febrero de 2026 a las 12:00" in periods  # first declined on
    assert "11 de febrero de 2026 a las 12:00" in periods  # next automatic retry
    assert "Your card was declined." in periods
