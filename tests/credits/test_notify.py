"""The credits emails: low balance once per crossing of the threshold (every movement that
can lower the balance), re-armed by a recharge; registration credits expiring soon."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.db import transaction

from credits import notify, services
from credits.models import CreditSettings, EntryKind, LowBalanceAlert, Wallet
from credits.tasks import warn_expiring_lots_task
from notifications.models import Kind, OutboxEmail
from tests.accounts.factories import AdminFactory, OrganizationFactory, UserFactory
from tests.credits.factories import consume, grant, hold, key

pytestmark = pytest.mark.django_db

MADRID = ZoneInfo("Europe/Madrid")


@pytest.fixture
def english_user(organization):
    return UserFactory(organization=organization, email="emma@cliente-uno.example", language="en")


@pytest.fixture
def admin(db):
    return AdminFactory()


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    """Run a movement and send what it queued (eager Celery after the commit callbacks)."""

    def run(func, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return func(*args, **kwargs)

    return run


def low_emails():
    return OutboxEmail.objects.filter(kind=Kind.LOW_BALANCE).order_by("pk")


def subjects():
    return {message.to[0]: message.subject for message in mail.outbox}


# --- Low balance ------------------------------------------------------------------------


def test_falling_below_the_threshold_warns_each_client_user_in_their_language(
    organization, client_user, english_user, send
):
    grant(organization, 100)
    entry = send(consume, organization, 75)

    assert subjects() == {
        client_user.email: "Saldo bajo en Cliente Uno S.L.: quedan 25 créditos",
        english_user.email: "Low balance for Cliente Uno S.L.: 25 credits left",
    }
    spanish = next(m for m in mail.outbox if m.to == [client_user.email])
    assert "Umbral de aviso (créditos): 30" in spanish.body
    assert "/credits/" in spanish.body  # where to recharge
    keys = set(low_emails().values_list("dedupe_key", flat=True))
    assert keys == {
        f"low_balance:wallet:{entry.wallet_id}:entry:{entry.pk}:{user.pk}"
        for user in (client_user, english_user)
    }


def test_deductions_below_the_threshold_warn_only_once(organization, client_user, send):
    grant(organization, 100)
    send(consume, organization, 71)  # 29: crosses
    send(consume, organization, 5)  # 24
    send(consume, organization, 20)  # 4
    assert low_emails().count() == 1
    assert len(mail.outbox) == 1
    alert = LowBalanceAlert.objects.get(wallet__organization=organization)
    assert alert.armed is False
    assert alert.warned_for.startswith("entry:")


def test_a_recharge_to_the_threshold_rearms_the_warning(organization, client_user, send):
    grant(organization, 40)
    send(consume, organization, 20)  # 20: first warning
    send(grant, organization, 10)  # 30: at the threshold again, re-armed
    send(consume, organization, 1)  # 29: second warning
    send(consume, organization, 1)  # 28: nothing
    assert low_emails().count() == 2
    assert [m.subject for m in mail.outbox] == [
        "Saldo bajo en Cliente Uno S.L.: quedan 20 créditos",
        "Saldo bajo en Cliente Uno S.L.: quedan 29 créditos",
    ]


def test_a_recharge_that_stays_below_the_threshold_does_not_rearm(organization, client_user, send):
    grant(organization, 100)
    send(consume, organization, 80)  # 20: warned
    send(grant, organization, 5)  # 25: still below
    send(consume, organization, 5)  # 20
    assert low_emails().count() == 1


def test_a_balance_never_at_the_threshold_is_no_crossing(organization, client_user, send):
    send(grant, organization, 15)  # the smallest pack
    send(consume, organization, 15)
    assert not low_emails().exists()


def test_landing_exactly_on_the_threshold_is_not_below_it(organization, client_user, send):
    grant(organization, 60)
    send(consume, organization, 30)
    assert not low_emails().exists()
    send(consume, organization, 1)
    assert low_emails().count() == 1


def test_the_threshold_is_the_organization_s_own(client_user, send):
    organization = client_user.organization
    organization.low_balance_threshold = 100
    organization.save()
    grant(organization, 150)
    send(consume, organization, 60)  # 90 < 100
    assert low_emails().count() == 1
    assert low_emails().get().context["threshold"] == 100


def test_a_zero_threshold_never_warns(client_user, send):
    organization = client_user.organization
    organization.low_balance_threshold = 0
    organization.save()
    grant(organization, 50)
    send(consume, organization, 50)
    assert not low_emails().exists()


def test_an_admin_adjustment_that_crosses_warns(organization, client_user, admin, send):
    grant(organization, 50)
    send(
        services.adjust,
        organization,
        -30,
        reason="Corrección",
        actor=admin,
        idempotency_key=key("adjust"),
    )
    assert low_emails().count() == 1


def test_a_hold_that_leaves_too_little_available_warns_and_its_release_rearms(
    organization, client_user, send
):
    grant(organization, 50)
    held = send(hold, organization, 30)  # available 20
    assert low_emails().count() == 1
    assert (
        low_emails()
        .get()
        .dedupe_key.startswith(f"low_balance:wallet:{held.wallet_id}:hold:{held.pk}:")
    )
    send(services.release_hold, held, reason="Presupuesto rechazado")  # 50: re-armed
    assert LowBalanceAlert.objects.get(wallet=held.wallet_id).armed is True
    send(consume, organization, 25)  # 25
    assert low_emails().count() == 2


def test_charging_an_accepted_estimate_frees_the_rest_and_rearms(organization, client_user, send):
    grant(organization, 100)
    held = send(hold, organization, 80)  # available 20: warned
    send(consume, organization, 45, hold=held)  # 55 left, nothing held
    assert LowBalanceAlert.objects.get(wallet=held.wallet_id).armed is True
    assert low_emails().count() == 1


def test_refunding_a_lot_that_crosses_warns(organization, client_user, send):
    grant(organization, 20)
    bought = grant(organization, 60)
    send(services.refund_lot, bought.lot, reason="Devolución", idempotency_key=key("refund"))
    assert low_emails().count() == 1
    assert low_emails().get().context["balance"] == 20


def test_expiring_credits_that_cross_warn_when_written_off(organization, client_user, send):
    start = datetime(2026, 3, 2, 10, tzinfo=MADRID)
    with time_machine.travel(start, tick=False):
        grant(organization, 60, kind=EntryKind.REGISTRATION)
        grant(organization, 15)
    with time_machine.travel(start + timedelta(days=366), tick=False):
        assert send(services.expire_lots) == 1
    [email] = low_emails()
    assert email.context["balance"] == 15
    assert mail.outbox[0].subject == "Saldo bajo en Cliente Uno S.L.: quedan 15 créditos"


def test_a_refused_deduction_changes_nothing_and_sends_nothing(organization, client_user, send):
    grant(organization, 40)
    with pytest.raises(services.InsufficientCredits):
        send(consume, organization, 41)
    assert not low_emails().exists()
    assert LowBalanceAlert.objects.get(wallet__organization=organization).armed is True


def test_the_warning_rolls_back_with_its_movement(organization, client_user, send):
    grant(organization, 40)

    def deduction_that_fails_later():
        with transaction.atomic():
            consume(organization, 20)
            raise RuntimeError("the charge's transaction failed after the deduction")

    with pytest.raises(RuntimeError):
        send(deduction_that_fails_later)
    assert not low_emails().exists()
    assert mail.outbox == []
    assert LowBalanceAlert.objects.get(wallet__organization=organization).armed is True
    send(consume, organization, 20)  # the real crossing is still told
    assert low_emails().count() == 1


def test_a_replayed_deduction_does_not_warn_again(organization, client_user, send):
    grant(organization, 40)
    send(consume, organization, 20, idempotency_key="charge:ticket:1")
    send(consume, organization, 20, idempotency_key="charge:ticket:1")
    assert low_emails().count() == 1


def test_an_organization_without_client_users_is_disarmed_all_the_same(send):
    organization = OrganizationFactory()
    grant(organization, 40)
    send(consume, organization, 20)
    assert not OutboxEmail.objects.exists()
    assert LowBalanceAlert.objects.get(wallet__organization=organization).armed is False


def test_check_low_balance_reads_in_one_query_when_nothing_changes(
    organization, client_user, django_assert_num_queries
):
    grant(organization, 100)
    wallet = Wallet.objects.get(organization=organization)
    with django_assert_num_queries(1):
        assert notify.check_low_balance(wallet, cause="entry:0") is False


# --- Credits expiring -------------------------------------------------------------------

GRANTED = datetime(2026, 3, 2, 10, tzinfo=MADRID)  # expires 2027-03-02 10:00 (365 days)


def registration(organization, credits=60):
    with time_machine.travel(GRANTED, tick=False):
        return grant(organization, credits, kind=EntryKind.REGISTRATION)


def expiring_emails():
    return OutboxEmail.objects.filter(kind=Kind.CREDITS_EXPIRING).order_by("pk")


def warn_at(moment, send):
    with time_machine.travel(moment, tick=False):
        return send(notify.warn_expiring_lots)


def test_registration_credits_are_told_30_days_before_they_expire_once(
    organization, client_user, english_user, send
):
    entry = registration(organization)
    expires = entry.lot.expires_at
    assert warn_at(expires - timedelta(days=31), send) == 0
    assert warn_at(expires - timedelta(days=29), send) == 1

    assert expiring_emails().count() == 2
    subjects_by_user = subjects()
    assert subjects_by_user[client_user.email] == (
        "Cliente Uno S.L.: 60 créditos caducan el 2 de marzo de 2027"
    )
    assert subjects_by_user[english_user.email] == (
        "Cliente Uno S.L.: 60 credits expire on 2 March 2027"
    )
    assert {e.dedupe_key for e in expiring_emails()} == {
        f"credits_expiring:lot:{entry.lot_id}:{user.pk}" for user in (client_user, english_user)
    }

    # The next days find the lot again and send nothing more.
    warn_at(expires - timedelta(days=28), send)
    warn_at(expires - timedelta(days=1), send)
    assert expiring_emails().count() == 2
    assert len(mail.outbox) == 2


def test_the_email_tells_what_is_left_of_the_lot_and_the_balance(organization, client_user, send):
    entry = registration(organization)
    grant(organization, 30)  # a recharge: never expires
    consume(organization, 20)  # spent from the registration lot first
    warn_at(entry.lot.expires_at - timedelta(days=10), send)
    [email] = expiring_emails()
    assert email.context["credits"] == 40
    assert email.context["balance"] == 70


def test_only_registration_credits_with_something_left_are_told(organization, client_user, send):
    spent = registration(organization, 15)
    consume(organization, 15)
    soon = GRANTED + timedelta(days=365)
    grant(organization, 60, expires_at=soon)  # a purchase with an expiry (not registration)
    warn_at(spent.lot.expires_at - timedelta(days=5), send)
    assert not expiring_emails().exists()


def test_lots_past_their_expiry_are_not_told(organization, client_user, send):
    entry = registration(organization)
    warn_at(entry.lot.expires_at + timedelta(minutes=1), send)
    assert not expiring_emails().exists()


def test_the_warning_days_come_from_the_credit_settings(organization, client_user, send):
    settings_row = CreditSettings.load()
    settings_row.expiry_warning_days = 10
    settings_row.save()
    entry = registration(organization)
    assert warn_at(entry.lot.expires_at - timedelta(days=11), send) == 0
    assert warn_at(entry.lot.expires_at - timedelta(days=9), send) == 1


def test_each_lot_is_told_separately(client_user, send):
    organization = client_user.organization
    first = registration(organization)
    with time_machine.travel(GRANTED + timedelta(days=3), tick=False):
        second = grant(organization, 15, kind=EntryKind.REGISTRATION)
    warn_at(first.lot.expires_at - timedelta(days=1), send)
    assert sorted(e.context["credits"] for e in expiring_emails()) == [15, 60]
    assert {e.dedupe_key.split(":")[2] for e in expiring_emails()} == {
        str(first.lot_id),
        str(second.lot_id),
    }


def test_the_daily_task_runs_the_sweep(organization, client_user, send):
    entry = registration(organization)
    with time_machine.travel(entry.lot.expires_at - timedelta(days=20), tick=False):
        assert send(warn_expiring_lots_task.delay).get() == 1
    assert len(mail.outbox) == 1
