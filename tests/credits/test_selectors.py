"""credits.selectors: pricing helpers for billing, summaries, lists."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from credits import selectors
from credits.models import CreditSettings, Pack
from tests.credits.factories import consume, grant, hold

pytestmark = pytest.mark.django_db


def test_vat_rate_is_the_admins_percent(db):
    assert selectors.vat_rate() == Decimal("21.00")
    CreditSettings.objects.update(vat_rate=Decimal("10.00"))
    assert selectors.vat_rate() == Decimal("10.00")


def test_registration_expiry_is_a_year_after_purchase_by_default(db):
    bought = timezone.now()
    assert selectors.registration_expiry(bought) == bought + timedelta(days=365)
    CreditSettings.objects.update(registration_validity_days=30)
    assert selectors.registration_expiry(bought) == bought + timedelta(days=30)


def test_pack_expiry_follows_the_pack_then_the_rule(db):
    pack = Pack.objects.get(credits=60)
    bought = timezone.now()
    assert selectors.pack_expiry(pack, bought, registration=True) == bought + timedelta(days=365)
    assert selectors.pack_expiry(pack, bought, registration=False) is None
    pack.validity_days = 90
    assert selectors.pack_expiry(pack, bought, registration=False) == bought + timedelta(days=90)


def test_packs_for_a_use_include_the_packs_serving_both(db):
    Pack.objects.filter(credits=15).update(kind=Pack.Kind.REGISTRATION)
    Pack.objects.filter(credits=480).update(kind=Pack.Kind.RECHARGE)
    Pack.objects.filter(credits=30).update(active=False)
    registration = list(
        selectors.packs_for(Pack.Kind.REGISTRATION).values_list("credits", flat=True)
    )
    recharge = list(selectors.packs_for(Pack.Kind.RECHARGE).values_list("credits", flat=True))
    assert registration == [15, 60, 120, 240]
    assert recharge == [60, 120, 240, 480]


def test_the_summary_of_a_wallet_less_organization_is_zero(organization):
    summary = selectors.balance_summary(organization)
    assert (summary.available, summary.held, summary.expiring) == (0, 0, [])


def test_the_summary_counts_lapsed_credits_apart(organization, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    grant(organization, 20, expires_at=timezone.now() + timedelta(days=1))
    grant(organization, 50, expires_at=timezone.now() + timedelta(days=25))
    grant(organization, 10)
    hold(organization, 5)
    time_machine.shift(timedelta(days=2))
    summary = selectors.balance_summary(organization)
    assert (summary.ledger_balance, summary.lapsed, summary.held) == (80, 20, 5)
    assert summary.available == 55
    assert [lot.remaining for lot in summary.expiring] == [50]
    assert summary.next_expiry.remaining == 50


def test_the_dashboard_card_summary_agrees_with_the_balance_summary_in_one_query(
    organization, time_machine, django_assert_num_queries
):
    time_machine.move_to(timezone.now(), tick=False)
    grant(organization, 20, expires_at=timezone.now() + timedelta(days=1))
    grant(organization, 50, expires_at=timezone.now() + timedelta(days=25))
    grant(organization, 30, expires_at=timezone.now() + timedelta(days=40))
    grant(organization, 10)
    hold(organization, 5)
    time_machine.shift(timedelta(days=2))
    full = selectors.balance_summary(organization)
    with django_assert_num_queries(1):
        card = selectors.card_summary(organization)
    assert (card.available, card.held, card.ledger_balance, card.lapsed) == (85, 5, 110, 20)
    assert (card.available, card.held) == (full.available, full.held)
    assert (card.next_expiry.remaining, card.next_expiry.expires_at) == (
        full.next_expiry.remaining,
        full.next_expiry.expires_at,
    )


def test_the_card_summary_without_a_wallet_or_an_expiry(organization, other_organization):
    assert (
        selectors.card_summary(organization).available,
        selectors.card_summary(organization).next_expiry,
    ) == (0, None)
    grant(other_organization, 10)
    card = selectors.card_summary(other_organization)
    assert (card.available, card.held, card.next_expiry) == (10, 0, None)


def test_lots_with_credits_come_first_soonest_expiry_first(organization):
    now = timezone.now()
    spent = grant(organization, 5, expires_at=now + timedelta(days=1)).lot
    never = grant(organization, 10).lot
    soon = grant(organization, 10, expires_at=now + timedelta(days=5)).lot
    consume(organization, 5)
    assert list(selectors.lots_of(organization)) == [soon, never, spent]


def test_organizations_with_credits_lists_everyone(organization, other_organization):
    grant(organization, 40)
    hold(organization, 15)
    rows = {o.name: o for o in selectors.organizations_with_credits()}
    assert rows[organization.name].available_credits == 25
    assert rows[organization.name].held_credits == 15
    assert rows[other_organization.name].available_credits == 0


def test_ledger_mismatches_finds_nothing_in_a_coherent_ledger(organization, admin_user):
    from credits import services

    grant(organization, 100, expires_at=timezone.now() + timedelta(days=1))
    consume(organization, 30)
    held = hold(organization, 20)
    consume(organization, 10, hold=held)
    services.adjust(organization, -5, reason="x", actor=admin_user, idempotency_key="a")
    services.expire_lots(now=timezone.now() + timedelta(days=2))
    assert list(selectors.ledger_mismatches()) == []
