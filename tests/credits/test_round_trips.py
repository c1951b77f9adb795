"""consume's SQL round trips: at most 5 (savepoints included), whatever the wallet holds.

Inside a test the service's transaction is a savepoint, so SAVEPOINT and RELEASE are
counted too; in production they are BEGIN and COMMIT.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from credits import selectors, services
from credits.models import LedgerEntry, Lot
from tests.credits.factories import grant, key

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

BUDGET = 5


def _remaining(organization):
    return list(
        Lot.objects.filter(wallet__organization=organization)
        .order_by("id")
        .values_list("remaining", flat=True)
    )


@pytest.fixture
def wallet_of_three_lots(organization):
    """A never-expiring lot, then two expiring ones (the later-expiring first)."""
    now = timezone.now()
    grant(organization, 100)
    grant(organization, 100, expires_at=now + timedelta(days=60))
    grant(organization, 100, expires_at=now + timedelta(days=30))
    # Warm the per-process caches (content types) so that they do not count.
    services.consume(organization, 1, reason="Consulta", idempotency_key=key())
    return organization


def test_a_fresh_consume_over_several_lots_takes_at_most_five_round_trips(
    wallet_of_three_lots, django_assert_max_num_queries
):
    organization = wallet_of_three_lots
    with django_assert_max_num_queries(BUDGET):
        entry = services.consume(organization, 150, reason="Consulta", idempotency_key="fresh")
    # Soonest-expiring first (the 30-day lot had given 1 already), then the 60-day lot.
    assert _remaining(organization) == [100, 49, 0]
    assert entry.amount == -150
    assert entry.balance_after == 149 == selectors.balance(organization)
    assert LedgerEntry.objects.get(idempotency_key="fresh").balance_after == 149
    assert list(selectors.ledger_mismatches()) == []


def test_a_replay_takes_at_most_five_round_trips_and_returns_the_first_entry(
    wallet_of_three_lots, django_assert_max_num_queries
):
    organization = wallet_of_three_lots
    first = services.consume(organization, 20, reason="Consulta", idempotency_key="again")
    with django_assert_max_num_queries(BUDGET):
        again = services.consume(organization, 20, reason="Consulta", idempotency_key="again")
    assert again.pk == first.pk
    assert again.balance_after == first.balance_after == selectors.balance(organization)
    assert LedgerEntry.objects.filter(idempotency_key="again").count() == 1


def test_a_consume_short_of_credits_is_refused_within_the_budget_and_writes_nothing(
    wallet_of_three_lots, django_assert_max_num_queries
):
    organization = wallet_of_three_lots
    entries = LedgerEntry.objects.count()
    with (
        django_assert_max_num_queries(BUDGET),
        pytest.raises(services.InsufficientCredits) as refused,
    ):
        services.consume(organization, 300, reason="Consulta", idempotency_key="short")
    assert refused.value.available == 299
    assert LedgerEntry.objects.count() == entries
    assert _remaining(organization) == [100, 100, 99]


def test_a_consume_for_a_ticket_with_real_minutes_keeps_its_reference(
    wallet_of_three_lots, client_user, django_assert_max_num_queries
):
    organization = wallet_of_three_lots
    services.consume(
        organization, 1, reason="x", reference=client_user, idempotency_key=key()
    )  # warm the content type of the reference
    with django_assert_max_num_queries(BUDGET):
        entry = services.consume(
            organization,
            15,
            reason="Consulta",
            reference=client_user,
            reference_label="T-1",
            work_minutes=9,
            actor=client_user,
            idempotency_key="ref",
        )
    stored = LedgerEntry.objects.get(pk=entry.pk)
    assert (stored.reference, stored.reference_label, stored.work_minutes) == (
        client_user,
        "T-1",
        9,
    )
    assert stored.actor == client_user
    assert stored.created_at == entry.created_at


def test_a_key_of_a_hold_is_refused_by_consume(wallet_of_three_lots):
    organization = wallet_of_three_lots
    services.hold(organization, 10, reason="Presupuesto", idempotency_key="hold-key")
    with pytest.raises(services.IdempotencyConflict):
        services.consume(organization, 10, reason="Consulta", idempotency_key="hold-key")
    assert not LedgerEntry.objects.filter(idempotency_key="hold-key").exists()
