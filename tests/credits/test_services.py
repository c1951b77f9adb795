"""credits.services: grant, consume, expire_lots, holds, refunds, adjustments."""

from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from accounts.models import Organization
from credits import selectors, services
from credits.models import CreditSettings, EntryKind, Hold, LedgerEntry, Lot, Pack, Wallet
from tests.credits.factories import consume, grant, hold, key

pytestmark = pytest.mark.django_db


def _lots(organization):
    return list(
        Lot.objects.filter(wallet__organization=organization)
        .order_by("id")
        .values_list("remaining", flat=True)
    )


def _written():
    return (LedgerEntry.objects.count(), Lot.objects.count(), Hold.objects.count())


# --- Wallets and grant ---------------------------------------------------------------
def test_a_bare_organization_works_and_has_a_zero_balance():
    organization = Organization.objects.create(name="Nueva S.L.")
    assert selectors.balance(organization) == 0
    assert not Wallet.objects.filter(organization=organization).exists()
    entry = services.grant(organization, 30, reason="Pack", idempotency_key="k1")
    assert entry.balance_after == 30
    assert selectors.balance(organization) == 30


def test_grant_adds_a_lot_and_an_entry(organization):
    expires = timezone.now() + timedelta(days=10)
    entry = grant(organization, 60, expires_at=expires, reason="Pack 60")
    assert entry.kind == EntryKind.PURCHASE
    assert entry.amount == 60
    assert entry.lot.granted == entry.lot.remaining == 60
    assert entry.lot.expires_at == expires
    assert Wallet.objects.get(organization=organization).balance == 60


def test_the_same_key_twice_grants_once_and_returns_the_first_entry(organization):
    first = services.grant(organization, 60, reason="Pack", idempotency_key="order-1")
    again = services.grant(organization, 60, reason="Pack", idempotency_key="order-1")
    assert again.pk == first.pk
    assert selectors.balance(organization) == 60
    assert LedgerEntry.objects.count() == 1


@pytest.mark.parametrize(
    "replay",
    [
        lambda org, other: services.grant(org, 61, reason="x", idempotency_key="k"),
        lambda org, other: services.grant(
            org, 60, reason="x", idempotency_key="k", kind=EntryKind.REGISTRATION
        ),
        lambda org, other: services.grant(other, 60, reason="x", idempotency_key="k"),
        lambda org, other: services.consume(org, 60, reason="x", idempotency_key="k"),
        lambda org, other: services.hold(org, 10, reason="x", idempotency_key="k"),
    ],
    ids=["amount", "kind", "organization", "consume", "hold"],
)
def test_a_key_reused_for_something_else_is_refused_and_writes_nothing(
    organization, other_organization, replay
):
    services.grant(organization, 60, reason="Pack", idempotency_key="k")
    written = _written()
    with pytest.raises(services.IdempotencyConflict):
        replay(organization, other_organization)
    assert _written() == written
    assert selectors.balance(organization) == 60
    assert selectors.balance(other_organization) == 0


def test_a_registration_grant_expires_after_the_settings_validity(organization):
    CreditSettings.objects.update(registration_validity_days=200)
    entry = grant(organization, 120, kind=EntryKind.REGISTRATION)
    assert entry.lot.expires_at - entry.created_at == timedelta(days=200)


@pytest.mark.parametrize("credits", [0, -5, 1.5, "10", True, None])
def test_bad_credits_are_refused_and_write_nothing(organization, credits):
    grant(organization, 30)
    written = _written()
    for call in (services.grant, services.consume, services.hold):
        with pytest.raises(services.InvalidCredits):
            call(organization, credits, reason="x", idempotency_key=key())
    assert _written() == written


def test_an_unknown_organization_is_refused(db):
    written = _written()
    for organization in (Organization(name="Sin guardar"), Organization(pk=987654, name="X")):
        with pytest.raises(services.UnknownOrganization):
            services.grant(organization, 10, reason="x", idempotency_key=key())
        with pytest.raises(services.UnknownOrganization):
            services.consume(organization, 10, reason="x", idempotency_key=key())
    assert _written() == written
    assert not Wallet.objects.exists()


@pytest.mark.parametrize("field", ["reason", "idempotency_key"])
def test_a_blank_reason_or_key_is_refused(organization, field):
    kwargs = {"reason": "Pack", "idempotency_key": key(), field: "  "}
    with pytest.raises(services.InvalidRequest):
        services.grant(organization, 10, **kwargs)
    assert not LedgerEntry.objects.exists()


def test_an_expiry_date_in_the_past_is_refused(organization):
    with pytest.raises(services.InvalidRequest):
        grant(organization, 10, expires_at=timezone.now() - timedelta(minutes=1))
    assert not Lot.objects.exists()


# --- consume -----------------------------------------------------------------------------
def test_consume_takes_soonest_expiring_lot_first_and_never_expiring_last(organization):
    now = timezone.now()
    never = grant(organization, 50).lot
    late = grant(organization, 20, expires_at=now + timedelta(days=90)).lot
    soon = grant(organization, 10, expires_at=now + timedelta(days=5)).lot
    consume(organization, 25)
    for lot in (never, late, soon):
        lot.refresh_from_db()
    assert (soon.remaining, late.remaining, never.remaining) == (0, 5, 50)
    consume(organization, 10)
    late.refresh_from_db()
    never.refresh_from_db()
    assert (late.remaining, never.remaining) == (0, 45)


def test_consume_records_the_ticket_reason_and_real_minutes(organization, client_user):
    # Any saved object can be the reference; credits never imports tickets.
    entry = consume_after_grant(organization, ticket=client_user, work_minutes=22)
    assert entry.kind == EntryKind.CONSUMPTION
    assert entry.amount == -30
    assert entry.balance_after == 30
    assert entry.reference == client_user
    assert entry.reference_type == ContentType.objects.get_for_model(client_user)
    assert entry.reference_label == str(client_user)
    assert entry.work_minutes == 22


def consume_after_grant(organization, **kwargs):
    grant(organization, 60)
    return consume(organization, 30, **kwargs)


def test_consume_with_too_few_credits_raises_and_changes_nothing(organization):
    grant(organization, 20)
    written = _written()
    with pytest.raises(services.InsufficientCredits) as error:
        consume(organization, 21)
    assert (error.value.requested, error.value.available) == (21, 20)
    assert _written() == written
    assert _lots(organization) == [20]
    assert Wallet.objects.get(organization=organization).balance == 20


def test_consume_without_a_wallet_raises_and_creates_nothing(organization):
    with pytest.raises(services.InsufficientCredits):
        consume(organization, 1)
    assert not Wallet.objects.exists()


def test_the_same_consume_key_twice_spends_once(organization):
    grant(organization, 60)
    first = services.consume(organization, 15, reason="Consulta", idempotency_key="t-1")
    again = services.consume(organization, 15, reason="Consulta", idempotency_key="t-1")
    assert again.pk == first.pk
    assert selectors.balance(organization) == 45


def test_a_lapsed_lot_is_never_spent_nor_counted_before_expire_lots(organization, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    grant(organization, 30, expires_at=timezone.now() + timedelta(days=1))
    grant(organization, 10)
    assert selectors.balance(organization) == 40
    time_machine.shift(timedelta(days=2))
    assert selectors.balance(organization) == 10
    with pytest.raises(services.InsufficientCredits):
        consume(organization, 11)
    consume(organization, 10)
    assert _lots(organization) == [30, 0]


# --- expire_lots ---------------------------------------------------------------------------
def test_expire_lots_writes_expiry_entries_once(organization, other_organization, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    start = timezone.now()
    grant(organization, 30, expires_at=start + timedelta(days=1))
    grant(organization, 20, expires_at=start + timedelta(days=3))
    grant(organization, 5)
    spent = grant(other_organization, 10, expires_at=start + timedelta(days=1))
    consume(other_organization, 10)
    time_machine.shift(timedelta(days=2))
    assert services.expire_lots() == 1
    assert services.expire_lots() == 0
    expiry = LedgerEntry.objects.get(kind=EntryKind.EXPIRY)
    assert (expiry.amount, expiry.balance_after) == (-30, 25)
    assert _lots(organization) == [0, 20, 5]
    spent.lot.refresh_from_db()
    assert spent.lot.expired_at is None  # spent, not expired
    assert services.expire_lots(now=start + timedelta(days=3)) == 1
    assert selectors.balance(organization) == 5


def test_balance_at_a_past_moment(organization, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    t0 = timezone.now()
    grant(organization, 100, expires_at=t0 + timedelta(days=10))
    time_machine.shift(timedelta(days=1))
    consume(organization, 30)
    time_machine.shift(timedelta(days=1))
    grant(organization, 5)
    time_machine.shift(timedelta(days=20))
    assert selectors.balance(organization, at=t0 - timedelta(seconds=1)) == 0
    assert selectors.balance(organization, at=t0 + timedelta(hours=1)) == 100
    assert selectors.balance(organization, at=t0 + timedelta(days=1, hours=1)) == 70
    # Lapsed at day 10, written off only now: not spendable from day 10 on.
    assert selectors.balance(organization, at=t0 + timedelta(days=11)) == 5
    services.expire_lots()
    assert selectors.balance(organization, at=t0 + timedelta(days=9)) == 75
    assert selectors.balance(organization, at=t0 + timedelta(days=11)) == 5
    assert selectors.balance(organization) == 5


def test_balance_is_one_query_whatever_the_ledger_length(organization, django_assert_num_queries):
    grant(organization, 1000, expires_at=timezone.now() + timedelta(days=30))
    for _ in range(30):
        consume(organization, 1)
    with django_assert_num_queries(1):
        assert selectors.balance(organization) == 970
    with django_assert_num_queries(1):
        assert selectors.balance(organization, at=timezone.now()) == 970


# --- holds -----------------------------------------------------------------------------------
def test_held_credits_cannot_be_spent_elsewhere(organization):
    grant(organization, 60)
    held = hold(organization, 45)
    assert selectors.balance(organization) == 15
    with pytest.raises(services.InsufficientCredits):
        consume(organization, 16)
    with pytest.raises(services.InsufficientCredits):
        hold(organization, 16)
    assert held.is_open


def test_consume_against_a_hold_spends_it_and_frees_the_rest(organization):
    grant(organization, 100)
    held = hold(organization, 60)
    entry = consume(organization, 75, hold=held)  # 60 held + 15 available
    held.refresh_from_db()
    assert held.status == Hold.Status.CONSUMED
    assert held.consumed_entry == entry
    assert entry.balance_after == 25
    assert selectors.balance(organization) == 25
    assert Wallet.objects.get(organization=organization).held == 0


def test_consume_less_than_held_releases_the_remainder(organization):
    grant(organization, 100)
    held = hold(organization, 60)
    consume(organization, 15, hold=held)
    assert selectors.balance(organization) == 85


def test_consume_beyond_hold_and_available_raises(organization):
    grant(organization, 100)
    held = hold(organization, 60)
    hold(organization, 30)
    with pytest.raises(services.InsufficientCredits) as error:
        consume(organization, 71, hold=held)
    assert error.value.available == 70
    held.refresh_from_db()
    assert held.is_open


def test_release_hold_gives_the_credits_back_once(organization):
    grant(organization, 50)
    held = hold(organization, 50)
    assert selectors.balance(organization) == 0
    services.release_hold(held, reason="Ticket cerrado")
    again = services.release_hold(held, reason="Ticket cerrado")
    assert again.status == Hold.Status.RELEASED
    assert selectors.balance(organization) == 50
    assert Wallet.objects.get(organization=organization).held == 0


def test_a_closed_or_foreign_hold_cannot_be_consumed(organization, other_organization):
    grant(organization, 50)
    grant(other_organization, 50)
    held = hold(organization, 20)
    with pytest.raises(services.InvalidHold):
        consume(other_organization, 5, hold=held)
    services.release_hold(held, reason="x")
    with pytest.raises(services.InvalidHold):
        consume(organization, 5, hold=held)


def test_the_same_hold_key_twice_holds_once(organization):
    grant(organization, 50)
    first = services.hold(organization, 20, reason="x", idempotency_key="h")
    assert services.hold(organization, 20, reason="x", idempotency_key="h").pk == first.pk
    with pytest.raises(services.IdempotencyConflict):
        services.hold(organization, 21, reason="x", idempotency_key="h")
    assert Wallet.objects.get(organization=organization).held == 20


# --- refunds and adjustments -----------------------------------------------------------------
def test_refund_lot_takes_back_what_remains_of_it(organization):
    bought = grant(organization, 60, expires_at=timezone.now() + timedelta(days=5))
    grant(organization, 30)
    consume(organization, 20)
    refund = services.refund_lot(bought.lot, reason="Pedido devuelto", idempotency_key="r")
    assert (refund.kind, refund.amount, refund.balance_after) == (EntryKind.REFUND, -40, 30)
    assert services.refund_lot(bought.lot, reason="x", idempotency_key="r").pk == refund.pk
    assert selectors.balance(organization) == 30


def test_refund_of_a_spent_lot_records_zero(organization):
    bought = grant(organization, 15)
    consume(organization, 15)
    refund = services.refund_lot(bought.lot, reason="Pedido devuelto", idempotency_key=key())
    assert (refund.amount, refund.balance_after) == (0, 0)


def test_refund_of_a_lapsed_lot_writes_it_off_first(organization, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    bought = grant(organization, 15, expires_at=timezone.now() + timedelta(days=1))
    time_machine.shift(timedelta(days=2))
    refund = services.refund_lot(bought.lot, reason="Devuelto", idempotency_key=key())
    assert refund.amount == 0
    kinds = list(LedgerEntry.objects.order_by("id").values_list("kind", "amount"))
    assert kinds == [("purchase", 15), ("expiry", -15), ("refund", 0)]


def test_adjust_adds_and_takes_credits_with_the_admin_as_actor(organization, admin_user):
    up = services.adjust(organization, 30, reason="Gift", actor=admin_user, idempotency_key="a1")
    down = services.adjust(organization, -10, reason="Fix", actor=admin_user, idempotency_key="a2")
    assert (up.kind, up.lot.granted, up.actor) == (EntryKind.ADJUSTMENT, 30, admin_user)
    assert (down.amount, down.balance_after, down.lot) == (-10, 20, None)


def test_a_negative_adjustment_cannot_go_below_zero_nor_touch_held_credits(
    organization, admin_user
):
    grant(organization, 30)
    hold(organization, 20)
    written = _written()
    with pytest.raises(services.InsufficientCredits):
        services.adjust(organization, -11, reason="x", actor=admin_user, idempotency_key=key())
    assert _written() == written


@pytest.mark.parametrize(
    ("credits", "reason", "has_actor", "error"),
    [
        (0, "x", True, services.InvalidCredits),
        (5, "", True, services.InvalidRequest),
        (5, "x", False, services.InvalidRequest),
    ],
)
def test_adjust_needs_credits_a_reason_and_an_actor(
    organization, admin_user, credits, reason, has_actor, error
):
    actor = admin_user if has_actor else None
    with pytest.raises(error):
        services.adjust(organization, credits, reason=reason, actor=actor, idempotency_key=key())
    assert not LedgerEntry.objects.exists()


def test_back_dating_is_only_allowed_forwards(organization):
    now = timezone.now()
    grant(organization, 30, at=now - timedelta(days=10))
    consume(organization, 5, at=now - timedelta(days=5))
    with pytest.raises(services.InvalidRequest):
        consume(organization, 5, at=now - timedelta(days=6))
    with pytest.raises(services.InvalidRequest):
        grant(organization, 5, at=now + timedelta(days=1))
    assert selectors.balance(organization, at=now - timedelta(days=7)) == 30


def test_a_pack_priced_zero_is_refused_by_the_database(db):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Pack.objects.create(credits=15, price=0)
