"""reports.LedgerHour, kept by the database trigger, against a direct aggregate of the
ledger after every kind of movement (all made through credits.services)."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.db import connection
from django.db.models import Count, Sum
from django.db.models.functions import TruncHour

from credits import services
from credits.models import EntryKind, LedgerEntry, Lot
from credits.services.errors import InsufficientCredits
from reports import selectors
from reports.models import LedgerHour
from reports.periods import Period
from tests.credits.factories import bulk_movements, key


def direct() -> set:
    """The hourly sums read straight from the ledger."""
    return {
        (r["wallet__organization_id"], r["kind"], r["hour"], r["amount"], r["entries"])
        for r in LedgerEntry.objects.annotate(hour=TruncHour("created_at", tzinfo=UTC))
        .order_by()
        .values("wallet__organization_id", "kind", "hour")
        .annotate(amount=Sum("amount"), entries=Count("pk"))
    }


def kept() -> set:
    return {
        (r.organization_id, r.kind, r.hour.astimezone(UTC), r.amount, r.entries)
        for r in LedgerHour.objects.all()
    }


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def at(moment):
    return time_machine.travel(moment, tick=False)


@pytest.fixture
def movements(organization, other_organization, admin_user):
    """Grants, consumptions, a refund and an expiry in two organizations and four hours
    (hand-computed sums in the test below)."""
    with at(utc(2026, 3, 2, 9, 10)):
        services.grant(organization, 500, reason="Pack", idempotency_key=key())
        services.grant(
            organization,
            100,
            reason="Alta",
            kind=EntryKind.REGISTRATION,
            expires_at=utc(2026, 3, 5),
            idempotency_key=key(),
        )
        services.grant(other_organization, 50, reason="Pack", idempotency_key=key())
    with at(utc(2026, 3, 2, 9, 50)):
        services.consume(organization, 30, reason="Consulta", idempotency_key=key())
        services.consume(organization, 45, reason="Consulta", idempotency_key=key())
        services.consume(other_organization, 20, reason="Consulta", idempotency_key=key())
    with at(utc(2026, 3, 2, 10, 5)):
        services.consume(organization, 15, reason="Consulta", idempotency_key=key())
        with pytest.raises(InsufficientCredits):  # rolled back: no trace in the sums
            services.consume(other_organization, 999, reason="Consulta", idempotency_key=key())
        services.adjust(
            organization, -5, reason="Corrección", actor=admin_user, idempotency_key=key()
        )
    with at(utc(2026, 3, 6, 8)):
        # The registration lot (100) went first (soonest-expiring): 90 consumed and 5
        # adjusted away left 5, which lapsed on the 5th and expire now.
        assert services.expire_lots() == 1
        pack = Lot.objects.get(wallet__organization=organization, kind=EntryKind.PURCHASE)
        services.refund_lot(pack, reason="Devolución", idempotency_key=key())


def test_the_trigger_keeps_the_hourly_sums_equal_to_the_ledger(
    movements, organization, other_organization
):
    assert kept() == direct()
    org, other = organization.pk, other_organization.pk
    assert kept() == {
        (org, "purchase", utc(2026, 3, 2, 9), 500, 1),
        (org, "registration", utc(2026, 3, 2, 9), 100, 1),
        (other, "purchase", utc(2026, 3, 2, 9), 50, 1),
        (org, "consumption", utc(2026, 3, 2, 9), -75, 2),
        (other, "consumption", utc(2026, 3, 2, 9), -20, 1),
        (org, "consumption", utc(2026, 3, 2, 10), -15, 1),
        (org, "adjustment", utc(2026, 3, 2, 10), -5, 1),
        (org, "expiry", utc(2026, 3, 6, 8), -5, 1),
        # The pack of 500 was never touched (the registration lot went first).
        (org, "refund", utc(2026, 3, 6, 8), -500, 1),
    }


def test_a_bulk_insert_is_summed_in_one_statement(organization):
    bulk_movements(organization, 1200)  # one grant, then 1,200 entries in 3 INSERTs
    assert kept() == direct()
    assert LedgerHour.objects.get(kind="consumption").entries == 1200


def test_the_monthly_figures_read_the_hourly_sums(movements, organization, other_organization):
    march = Period(date(2026, 3, 1), date(2026, 3, 31))
    (month,) = [m for m in selectors.money_per_month(march) if m.month == date(2026, 3, 1)]
    assert (month.sold, month.consumed, month.refunded) == (650, 110, 500)
    assert selectors.consumed_per_month(organization, march) == [(date(2026, 3, 1), 90)]
    top = selectors.top_organizations(march)
    assert [(t["organization_id"], t["consumed"]) for t in top] == [
        (organization.pk, 90),
        (other_organization.pk, 20),
    ]


def test_a_month_is_cut_at_local_midnight(organization):
    """00:30 on 1 April in Madrid is 22:30 UTC on 31 March: it counts for April."""
    with at(utc(2026, 3, 31, 21, 30)):  # 23:30 in Madrid, still March
        services.grant(organization, 100, reason="Pack", idempotency_key=key())
        services.consume(organization, 7, reason="Consulta", idempotency_key=key())
    with at(utc(2026, 3, 31, 22, 30)):
        services.consume(organization, 11, reason="Consulta", idempotency_key=key())
    spring = Period(date(2026, 3, 1), date(2026, 4, 30))
    assert selectors.consumed_per_month(organization, spring) == [
        (date(2026, 3, 1), 7),
        (date(2026, 4, 1), 11),
    ]
    assert selectors.consumed_per_month(
        organization, Period(date(2026, 4, 1), date(2026, 4, 1))
    ) == [(date(2026, 4, 1), 11)]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL trigger")
def test_truncating_the_ledger_empties_the_sums(transactional_db, organization):
    services.grant(organization, 10, reason="Pack", idempotency_key=key())
    assert LedgerHour.objects.exists()
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE credits_ledgerentry CASCADE")
    assert not LedgerHour.objects.exists()
