"""``lock_wallet`` and ``consume_within``: a money action reads the wallet once, locked, and
spends from that lock in its own transaction, without a savepoint (issue 11)."""

import pytest
from django.db import transaction

from credits import selectors, services
from credits.models import LedgerEntry
from tests.credits.factories import grant, key

pytestmark = pytest.mark.django_db


def test_the_lock_reads_the_spendable_balance_and_consume_spends_from_it(organization):
    grant(organization, 100)
    services.hold(organization, 30, reason="Estimación", idempotency_key=key())
    idempotency_key = key()
    with transaction.atomic():
        locked = services.lock_wallet(organization, idempotency_key=idempotency_key)
        assert locked.available == selectors.balance(organization) == 70
        entry = services.consume_within(
            organization, 20, reason="Consulta", idempotency_key=idempotency_key, locked=locked
        )
        assert locked.available == selectors.balance(organization) == 50
    assert entry.balance_after == 80
    assert LedgerEntry.objects.filter(idempotency_key=idempotency_key).count() == 1


def test_a_replay_through_the_lock_returns_the_first_entry(organization):
    grant(organization, 100)
    idempotency_key = key()
    first = services.consume(organization, 10, reason="Consulta", idempotency_key=idempotency_key)
    with transaction.atomic():
        locked = services.lock_wallet(organization, idempotency_key=idempotency_key)
        again = services.consume_within(
            organization, 10, reason="Consulta", idempotency_key=idempotency_key, locked=locked
        )
    assert again.pk == first.pk
    assert selectors.balance(organization) == 90


def test_a_lock_for_another_key_is_refused(organization):
    grant(organization, 100)
    with transaction.atomic():
        locked = services.lock_wallet(organization, idempotency_key=key())
        with pytest.raises(services.InvalidRequest):
            services.consume_within(
                organization, 10, reason="Consulta", idempotency_key=key(), locked=locked
            )
    assert selectors.balance(organization) == 100


def test_too_many_credits_through_the_lock_change_nothing(organization):
    grant(organization, 10)
    with transaction.atomic():
        locked = services.lock_wallet(organization, idempotency_key=key())
        with pytest.raises(services.InsufficientCredits):
            services.consume_within(
                organization, 11, reason="Consulta", idempotency_key=locked.key, locked=locked
            )
        # No savepoint was needed: the transaction goes on.
        assert selectors.balance(organization) == 10
    assert not LedgerEntry.objects.filter(amount__lt=0).exists()
