"""Demo credits: written through the services, safe to run twice."""

import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import Organization
from credits import selectors
from credits.models import LedgerEntry, Lot

pytestmark = pytest.mark.django_db


def test_demo_credits_tell_three_stories_and_are_idempotent():
    call_command("seed_demo", stdout=io.StringIO())
    counts = (LedgerEntry.objects.count(), Lot.objects.count())
    call_command("seed_demo", stdout=io.StringIO())
    assert (LedgerEntry.objects.count(), Lot.objects.count()) == counts
    espiga = Organization.objects.get(name__startswith="Panadería La Espiga")
    norte = Organization.objects.get(name__startswith="Talleres Norte")
    brightwave = Organization.objects.get(name__startswith="Brightwave")
    assert selectors.balance(espiga) == 105  # 120 + 60 - 75 spent
    summary = selectors.balance_summary(norte)
    # 120 - 45 spent - 30 charged by the tickets demo (its resolved "Cambiar el logotipo").
    assert [lot.remaining for lot in summary.expiring] == [45]
    days_left = (summary.next_expiry.expires_at - timezone.now()).days
    assert 18 <= days_left <= 20
    assert selectors.balance(brightwave) == 15 < brightwave.low_balance_threshold
    assert list(selectors.ledger_mismatches()) == []
