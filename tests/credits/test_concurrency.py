"""Concurrent requests against the real PostgreSQL database (threads, one connection each).

The wallet row lock serializes writers of one wallet: requests spending the same last
credits at the same moment never both succeed, and the balance never goes below zero.
"""

import threading

import pytest
from django.db import connection

from accounts.models import Organization
from credits import selectors, services
from credits.models import LedgerEntry, Wallet
from tests.accounts.factories import OrganizationFactory
from tests.credits.factories import grant

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 24


def race(count: int, call) -> list:
    """Run ``call(i)`` in ``count`` threads released together; each result or exception."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def worker(i):
        try:
            barrier.wait()
            results[i] = call(i)
        except Exception as exc:
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_exactly_one_of_many_requests_spends_the_last_credits(organization):
    grant(organization, 30)
    results = race(
        THREADS,
        lambda i: services.consume(organization, 30, reason="Cierre", idempotency_key=f"r{i}"),
    )
    spent = [r for r in results if isinstance(r, LedgerEntry)]
    refused = [r for r in results if isinstance(r, services.InsufficientCredits)]
    assert len(spent) == 1
    assert len(refused) == THREADS - 1
    assert spent[0].balance_after == 0
    assert selectors.balance(organization) == 0
    assert list(selectors.ledger_mismatches()) == []


def test_many_small_requests_share_the_credits_exactly(organization):
    grant(organization, 10)
    results = race(
        THREADS,
        lambda i: services.consume(organization, 1, reason="Consulta", idempotency_key=f"s{i}"),
    )
    spent = [r for r in results if isinstance(r, LedgerEntry)]
    assert len(spent) == 10
    assert all(isinstance(r, services.InsufficientCredits) for r in results if r not in spent)
    assert sorted(e.balance_after for e in spent) == list(range(10))
    assert Wallet.objects.get(organization=organization).balance == 0


def test_the_same_key_from_many_threads_spends_once(organization):
    grant(organization, 100)
    results = race(
        THREADS,
        lambda i: services.consume(organization, 15, reason="Ticket", idempotency_key="same"),
    )
    assert all(isinstance(r, LedgerEntry) for r in results), results
    assert len({r.pk for r in results}) == 1
    assert selectors.balance(organization) == 85


def test_the_first_grants_of_a_new_organization_make_one_wallet(db):
    organization = Organization.objects.create(name="Recién llegada S.L.")
    results = race(
        THREADS,
        lambda i: services.grant(organization, 5, reason="Pack", idempotency_key=f"g{i}"),
    )
    assert all(isinstance(r, LedgerEntry) for r in results), results
    assert Wallet.objects.filter(organization=organization).count() == 1
    assert selectors.balance(organization) == 5 * THREADS
    assert list(selectors.ledger_mismatches()) == []


def test_one_key_used_by_many_organizations_at_once_succeeds_once(db):
    organizations = [OrganizationFactory() for _ in range(THREADS)]
    for org in organizations:
        grant(org, 10)
    results = race(
        THREADS,
        lambda i: services.consume(organizations[i], 5, reason="x", idempotency_key="shared"),
    )
    assert len([r for r in results if isinstance(r, LedgerEntry)]) == 1
    assert all(
        isinstance(r, services.IdempotencyConflict)
        for r in results
        if not isinstance(r, LedgerEntry)
    )
    assert sum(selectors.balance(org) for org in organizations) == 10 * THREADS - 5


def test_holds_and_spending_race_without_overbooking(organization):
    grant(organization, 100)

    def call(i):
        if i % 2:
            return services.hold(organization, 10, reason="Presupuesto", idempotency_key=f"h{i}")
        return services.consume(organization, 10, reason="Consulta", idempotency_key=f"c{i}")

    results = race(THREADS, call)
    succeeded = [r for r in results if not isinstance(r, Exception)]
    assert len(succeeded) == 10
    assert all(isinstance(r, services.InsufficientCredits) for r in results if r not in succeeded)
    wallet = Wallet.objects.get(organization=organization)
    assert wallet.balance - wallet.held == 0
    assert list(selectors.ledger_mismatches()) == []
