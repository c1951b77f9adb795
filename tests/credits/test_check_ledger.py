"""``manage.py check_ledger`` proves stored balances against the entries, lots and holds."""

import pytest
from django.core.management import call_command, execute_from_command_line
from django.core.management.base import CommandError

from credits.models import LedgerEntry, Lot, Wallet
from tests.credits.factories import consume, grant, hold

pytestmark = pytest.mark.django_db


@pytest.fixture
def ledger(organization, other_organization):
    grant(organization, 100)
    consume(organization, 40)
    hold(organization, 10)
    grant(other_organization, 15)


def test_a_coherent_ledger_passes(ledger, capsys):
    call_command("check_ledger")
    assert "Ledger OK" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("corrupt", "expected"),
    [
        (lambda org: Wallet.objects.filter(organization=org).update(balance=61), "stored balance"),
        (lambda org: Lot.objects.filter(wallet__organization=org).update(remaining=59), "lots"),
        (lambda org: Wallet.objects.filter(organization=org).update(held=0), "open holds"),
    ],
    ids=["wallet-balance", "lot-remaining", "held"],
)
def test_a_mismatch_is_printed_and_fails(ledger, organization, capsys, corrupt, expected):
    corrupt(organization)
    with pytest.raises(CommandError, match="mismatch"):
        call_command("check_ledger")
    out = capsys.readouterr().out
    assert organization.name in out
    assert expected in out


def test_an_entry_off_the_running_sum_is_found(ledger, organization, capsys):
    wallet = Wallet.objects.get(organization=organization)
    LedgerEntry.objects.create(
        wallet=wallet,
        kind="adjustment",
        amount=5,
        balance_after=99,
        reason="x",
        idempotency_key="x",
    )
    with pytest.raises(CommandError):
        call_command("check_ledger")
    assert "running sum 65" in capsys.readouterr().out


def test_the_command_exits_non_zero_on_a_mismatch(ledger, organization):
    Wallet.objects.filter(organization=organization).update(balance=1)
    with pytest.raises(SystemExit) as exit_info:
        execute_from_command_line(["manage.py", "check_ledger"])
    assert exit_info.value.code == 1
