"""Plans against the real PostgreSQL database, with threads (one connection each): a
renewal racing consumptions keeps the ledger consistent, a recharge triggered by two
deductions at once buys once, the same period renewed from many threads grants once."""

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
