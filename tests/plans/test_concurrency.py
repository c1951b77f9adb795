"""Plans against the real PostgreSQL database, with threads (one connection each): a
renewal racing consumptions keeps the ledger consistent, a recharge triggered by two
deductions at once buys once, the same period renewed from many threads grants once."""

import threading
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from billing.models import Invoice
from credits import selectors as credit_selectors
from credits import services as credit_services
from credits.models import LedgerEntry
from plans import services
from plans.models import AutoPurchase, PlanPeriod
from tests.accounts.factories import OrganizationFactory, UserFactory
from tests.billing.factories import pack, registered
from tests.credits.test_concurrency import race
from tests.plans.factories import card, plan

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 8


def test_the_same_period_renewed_from_many_threads_grants_once():
    organization = OrganizationFactory()
    card(organization)
    subscription = services.subscribe(organization, plan(100)).subscription
    with time_machine.travel(timezone.now() + timedelta(days=32)):
        results = race(THREADS, lambda i: services.renew_period(subscription))
    assert not [r for r in results if isinstance(r, Exception)], results
    assert PlanPeriod.objects.filter(subscription=subscription).count() == 2
    assert Invoice.objects.filter(order__plan_period__subscription=subscription).count() == 2
    assert credit_selectors.balance(organization) == 200
    assert list(credit_selectors.ledger_mismatches()) == []


def test_a_renewal_racing_consumptions_keeps_the_ledger_clean():
    organization = OrganizationFactory()
    card(organization)
    subscription = services.subscribe(organization, plan(100)).subscription

    def work(i):
        if i == 0:
            return services.renew_period(subscription)
        return credit_services.consume(
            organization, 20, reason="Consulta", idempotency_key=f"race:{i}"
        )

    with time_machine.travel(timezone.now() + timedelta(days=32)):
        results = race(THREADS, work)
    spent = [r for r in results if isinstance(r, LedgerEntry)]
    refused = [r for r in results if isinstance(r, credit_services.InsufficientCredits)]
    assert isinstance(results[0], PlanPeriod)
    assert results[0].status == PlanPeriod.Status.PAID
    assert len(spent) + len(refused) == THREADS - 1
    assert credit_selectors.balance(organization) == 200 - 20 * len(spent)
    assert list(credit_selectors.ledger_mismatches()) == []


def test_a_recharge_triggered_by_two_deductions_at_once_buys_once(settings):
    organization = OrganizationFactory()
    UserFactory(organization=organization)
    registered(organization)
    credit_services.grant(organization, 25, reason="Recarga", idempotency_key="seed")
    card(organization)
    services.configure_auto_recharge(
        organization, enabled=True, threshold=30, pack=pack(60), monthly_cap=5
    )
    # 40 credits; each deduction of 15 leaves the balance below 30 (25, then 10) and queues
    # the recharge on commit (eager Celery runs it in the deduction's thread).
    results = race(
        2,
        lambda i: credit_services.consume(
            organization, 15, reason="Consulta", idempotency_key=f"two:{i}"
        ),
    )
    assert all(isinstance(r, LedgerEntry) for r in results), results
    assert AutoPurchase.objects.count() == 1
    assert AutoPurchase.objects.get().status == AutoPurchase.Status.PAID
    assert credit_selectors.balance(organization) == 40 - 30 + 60
    assert list(credit_selectors.ledger_mismatches()) == []


def test_many_recharge_tasks_at_once_buy_once():
    organization = OrganizationFactory()
    registered(organization)
    card(organization)
    services.configure_auto_recharge(
        organization, enabled=True, threshold=30, pack=pack(60), monthly_cap=5
    )
    results = race(THREADS, lambda i: services.run_auto_recharge(organization.pk))
    assert not [r for r in results if isinstance(r, Exception)], results
    assert AutoPurchase.objects.count() == 1
    assert credit_selectors.balance(organization) == 75
    assert list(credit_selectors.ledger_mismatches()) == []


def _declined_renewal(organization):
    """A paid first period (100 credits) and a declined renewal: a retry is due a day later."""
    UserFactory(organization=organization)
    card(organization)
    subscription = services.subscribe(organization, plan(100)).subscription
    card(organization, "declined")
    with time_machine.travel(timezone.now() + timedelta(days=32)):
        period = services.renew_period(subscription)
    assert period.status == PlanPeriod.Status.DECLINED
    card(organization)  # a good card: the retry pays
    return subscription, period


def _counting_charges(monkeypatch) -> list:
    """Every charge that reaches the provider (the off-session call), from any thread."""
    from plans.services import methods

    calls, lock, real = [], threading.Lock(), methods.charge

    def counted(card, **kwargs):
        with lock:
            calls.append(kwargs["idempotency_key"])
        return real(card, **kwargs)

    monkeypatch.setattr(methods, "charge", counted)
    return calls


def test_the_same_automatic_retry_from_many_threads_charges_once(monkeypatch):
    organization = OrganizationFactory()
    subscription, period = _declined_renewal(organization)
    charges = _counting_charges(monkeypatch)
    with time_machine.travel(period.next_retry_at + timedelta(minutes=1)):
        results = race(THREADS, lambda i: services.retry_period(subscription))
    assert not [r for r in results if isinstance(r, Exception)], results
    made = [r for r in results if isinstance(r, PlanPeriod)]
    assert len(made) == 1
    assert made[0].status == PlanPeriod.Status.PAID
    assert results.count(None) == THREADS - 1
    assert len(charges) == 1
    assert Invoice.objects.filter(order__plan_period__subscription=subscription).count() == 2
    assert credit_selectors.balance(organization) == 200
    assert list(credit_selectors.ledger_mismatches()) == []


def test_the_retry_task_racing_manual_payments_charges_once(monkeypatch):
    organization = OrganizationFactory()
    subscription, period = _declined_renewal(organization)
    charges = _counting_charges(monkeypatch)

    def work(i):
        if i % 2:
            return services.retry_payment(subscription)
        return services.retry_due()

    with time_machine.travel(period.next_retry_at + timedelta(minutes=1)):
        results = race(THREADS, work)
    unexpected = [
        r for r in results if isinstance(r, Exception) and not isinstance(r, services.NotSubscribed)
    ]
    assert not unexpected, results
    assert len(charges) == 1
    assert PlanPeriod.objects.get(pk=period.pk).status == PlanPeriod.Status.PAID
    assert credit_selectors.balance(organization) == 200
    assert Invoice.objects.filter(order__plan_period__subscription=subscription).count() == 2
    assert list(credit_selectors.ledger_mismatches()) == []
