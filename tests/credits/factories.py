"""Credits test helpers: data goes through the services, as in production."""

import itertools
from datetime import date

import factory

from credits import services
from credits.models import EntryKind, LedgerEntry, Lot, Statement, Wallet
from tests.accounts.factories import OrganizationFactory

_keys = itertools.count(1)


def key(prefix: str = "test") -> str:
    """A fresh idempotency key."""
    return f"{prefix}:{next(_keys)}"


def grant(organization, credits, **kwargs):
    kwargs.setdefault("reason", "Pack de prueba")
    kwargs.setdefault("idempotency_key", key("grant"))
    return services.grant(organization, credits, **kwargs)


def consume(organization, credits, **kwargs):
    kwargs.setdefault("reason", "Consulta de prueba")
    kwargs.setdefault("idempotency_key", key("consume"))
    return services.consume(organization, credits, **kwargs)


def hold(organization, credits, **kwargs):
    kwargs.setdefault("reason", "Presupuesto aceptado")
    kwargs.setdefault("idempotency_key", key("hold"))
    return services.hold(organization, credits, **kwargs)


def bulk_movements(organization, count: int, *, start_balance: int = 100_000, when=None):
    """``count`` coherent consumption entries of 1 credit after one big grant, inserted in
    bulk (fast), with the wallet and the lot kept in step."""
    from django.utils import timezone

    when = when or timezone.now()
    entry = services.grant(
        organization, start_balance, reason="Saldo inicial", idempotency_key=key("bulk")
    )
    wallet = Wallet.objects.get(pk=entry.wallet_id)
    rows = [
        LedgerEntry(
            wallet=wallet,
            kind=EntryKind.CONSUMPTION,
            amount=-1,
            balance_after=start_balance - n,
            reason=f"Consulta {n}",
            reference_label=f"Ticket #{n}",
            work_minutes=n % 15 + 1,
            idempotency_key=key("bulk-entry"),
            created_at=when,
        )
        for n in range(1, count + 1)
    ]
    LedgerEntry.objects.bulk_create(rows, batch_size=500)
    Lot.objects.filter(pk=entry.lot_id).update(remaining=start_balance - count)
    Wallet.objects.filter(pk=wallet.pk).update(balance=start_balance - count, last_entry_at=when)
    return wallet


class StatementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Statement

    organization = factory.SubFactory(OrganizationFactory)
    start = date(2026, 1, 1)
    end = date(2026, 1, 31)
