"""The database guards the ledger: constraints, and entries that nobody edits or deletes."""

from decimal import Decimal

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction

from credits.models import CreditSettings, EntryKind, LedgerEntry, Lot, Pack, Wallet
from tests.credits.factories import consume, grant

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(organization):
    grant(organization, 60)
    return consume(organization, 15)


def _raw(sql: str, params=()):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_raw_sql_cannot_update_an_entry(entry):
    with pytest.raises(DatabaseError, match="append-only"):
        _raw("UPDATE credits_ledgerentry SET amount = -1 WHERE id = %s", [entry.pk])
    entry.refresh_from_db()
    assert entry.amount == -15


@pytest.mark.postgres
def test_raw_sql_cannot_delete_an_entry_on_postgresql(entry):
    with pytest.raises(DatabaseError, match="append-only"):
        _raw("DELETE FROM credits_ledgerentry WHERE id = %s", [entry.pk])
    with pytest.raises(DatabaseError, match="append-only"):
        _raw("DELETE FROM credits_ledgerentry")
    assert LedgerEntry.objects.filter(pk=entry.pk).exists()


def test_the_orm_refuses_to_change_or_delete_entries(entry):
    with pytest.raises(TypeError):
        entry.save()
    with pytest.raises(TypeError):
        entry.delete()
    with pytest.raises(TypeError):
        LedgerEntry.objects.filter(pk=entry.pk).update(amount=0)
    with pytest.raises(TypeError):
        LedgerEntry.objects.all().delete()


@pytest.mark.parametrize(
    ("model", "change"),
    [
        (Wallet, {"balance": -1}),
        (Wallet, {"held": -1}),
        (Lot, {"remaining": -1}),
        (Lot, {"remaining": 61}),
    ],
)
def test_balances_and_lots_never_go_below_zero_in_the_database(entry, model, change):
    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.update(**change)


@pytest.mark.parametrize(
    ("kind", "amount", "balance_after"),
    [
        (EntryKind.CONSUMPTION, 5, 50),
        (EntryKind.PURCHASE, -5, 40),
        (EntryKind.ADJUSTMENT, 0, 45),
        (EntryKind.CONSUMPTION, -50, -5),
    ],
)
def test_an_incoherent_entry_is_refused_by_the_database(entry, kind, amount, balance_after):
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.create(
            wallet_id=entry.wallet_id,
            kind=kind,
            amount=amount,
            balance_after=balance_after,
            reason="x",
            idempotency_key="raw",
        )


def test_credit_settings_are_one_row_with_the_spec_defaults(db):
    settings_row = CreditSettings.load()
    assert settings_row.pk == 1
    assert settings_row.vat_rate == Decimal("21.00")
    assert settings_row.registration_validity_days == 365
    assert settings_row.expiry_warning_days == 30
    another = CreditSettings(vat_rate=Decimal("10.00"))
    another.save()
    assert CreditSettings.objects.count() == 1
    assert CreditSettings.load().vat_rate == Decimal("10.00")


def test_without_a_settings_row_the_defaults_apply(db):
    CreditSettings.objects.all().delete()
    assert CreditSettings.load().vat_rate == Decimal("21.00")
    assert CreditSettings.objects.count() == 0


def test_a_pack_serves_registration_and_recharge_by_default(db):
    assert set(Pack.objects.values_list("kind", flat=True)) == {Pack.Kind.BOTH}
    assert set(Pack.objects.values_list("validity_days", flat=True)) == {None}
