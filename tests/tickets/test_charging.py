"""Resolving charges the ticket's logged time: ``tickets.services.resolve``."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from credits import selectors as credit_selectors
from credits.models import EntryKind, Hold, LedgerEntry, Wallet
from notifications.models import OutboxEmail
from tests.accounts.factories import AdminFactory, TechnicianFactory
from tests.tickets.factories import (
    grant_credits,
    log_time,
    open_ticket,
    send_estimate,
)
from tickets import services
from tickets.models import Estimate, Ticket, TicketCharge

S = Ticket.Status
Outcome = TicketCharge.Outcome


@pytest.fixture
def ticket(client_user):
    grant_credits(client_user.organization, 100)
    return open_ticket(client_user)


def consumptions():
    return list(LedgerEntry.objects.filter(kind=EntryKind.CONSUMPTION))


def emails(kind="balance_after_deduction"):
    return list(OutboxEmail.objects.filter(kind=kind))


def test_resolving_charges_the_logged_time_and_tells_the_client(ticket, technician, client_user):
    log_time(ticket, technician, 10, "portal")
    log_time(ticket, technician, 6, "phone")
    services.resolve(ticket, by=technician)
    ticket.refresh_from_db()
    assert ticket.status == S.RESOLVED
    (entry,) = consumptions()
    assert entry.amount == -45  # 16 min → 15 + one block of 15, + 15 for the call
    assert entry.work_minutes == 16
    assert entry.reference == ticket
    assert entry.actor == technician
    assert ticket.reference in entry.reason
    charge = TicketCharge.objects.get()
    assert (charge.outcome, charge.credits, charge.minutes, charge.calls) == (
        Outcome.CHARGED,
        45,
        16,
        1,
    )
    assert (charge.minimum, charge.blocks, charge.block_size, charge.surcharges) == (15, 1, 15, 15)
    assert charge.ledger_entry == entry
    assert charge.balance_after == 55 == credit_selectors.balance(client_user.organization)
    assert charge.policy.version == 1
    assert set(ticket.time_entries.values_list("charge", flat=True)) == {charge.pk}
    (email,) = emails()
    assert email.recipient == client_user
    assert email.context["credits"] == 45
    assert email.context["balance"] == 55
    assert email.context["ticket_reference"] == ticket.reference


def test_the_deduction_and_the_email_are_in_the_status_changes_transaction(ticket, technician):
    log_time(ticket, technician, 10)

    def resolve_then_fail():
        with transaction.atomic():
            services.resolve(ticket, by=technician)
            raise RuntimeError("the request failed after resolving")

    with pytest.raises(RuntimeError):
        resolve_then_fail()
    ticket.refresh_from_db()
    assert ticket.status == S.NEW
    assert consumptions() == []
    assert emails() == []
    assert not TicketCharge.objects.exists()


def test_change_status_and_a_resolving_reply_both_charge(client_user, technician):
    grant_credits(client_user.organization, 100)
    first, second = open_ticket(client_user), open_ticket(client_user)
    log_time(first, technician, 20)
    log_time(second, technician, 5, "video")
    services.change_status(first, S.RESOLVED, by=technician)
    services.add_reply(second, author=technician, body="Hecho.", status=S.RESOLVED)
    assert sorted(-e.amount for e in consumptions()) == [30, 30]


def test_no_time_logged_charges_nothing_and_says_so(ticket, technician):
    services.resolve(ticket, by=technician)
    charge = TicketCharge.objects.get()
    assert (charge.outcome, charge.credits, charge.ledger_entry) == (Outcome.NOTHING, 0, None)
    assert consumptions() == []
    assert emails() == []


def test_goodwill_needs_a_reason_and_charges_nothing(ticket, technician):
    log_time(ticket, technician, 30)
    with pytest.raises(services.TicketError, match="why"):
        services.resolve(ticket, by=technician, goodwill_reason="  ")
    services.resolve(ticket, by=technician, goodwill_reason="Error nuestro en la última versión")
    charge = TicketCharge.objects.get()
    assert charge.outcome == Outcome.GOODWILL
    assert charge.goodwill_reason == "Error nuestro en la última versión"
    assert charge.computed == 30  # what it would have cost, for the record
    assert charge.credits == 0
    assert consumptions() == []


def test_out_of_scope_never_charges(ticket, technician):
    log_time(ticket, technician, 45)
    services.close_out_of_scope(ticket, by=technician, reason="hardware")
    assert consumptions() == []
    assert not TicketCharge.objects.exists()


def test_a_charge_above_the_balance_is_refused_and_nothing_changes(client_user, technician):
    grant_credits(client_user.organization, 20)
    ticket = open_ticket(client_user)
    log_time(ticket, technician, 16)  # 30 credits
    with pytest.raises(services.ChargeExceedsBalance) as refused:
        services.resolve(ticket, by=technician)
    assert (refused.value.needed, refused.value.available) == (30, 20)
    assert "goodwill" in str(refused.value.message)
    ticket.refresh_from_db()
    assert ticket.status == S.NEW
    assert consumptions() == []
    assert not TicketCharge.objects.exists()
    assert ticket.time_entries.filter(charge__isnull=False).count() == 0


def test_resolving_twice_is_refused_and_charges_once(ticket, technician):
    log_time(ticket, technician, 10)
    services.resolve(ticket, by=technician)
    with pytest.raises(services.InvalidTransition):
        services.resolve(ticket, by=technician)
    with pytest.raises(services.InvalidTransition):
        services.change_status(ticket, S.RESOLVED, by=technician)
    assert len(consumptions()) == 1


def test_the_idempotency_key_is_derived_from_the_ticket(ticket, technician):
    log_time(ticket, technician, 10)
    services.resolve(ticket, by=technician)
    assert consumptions()[0].idempotency_key == services.charge_key(ticket, 1)


def test_a_charge_that_changed_since_the_confirmation_is_refused(ticket, technician):
    log_time(ticket, technician, 10)  # 15
    log_time(ticket, technician, 10)  # now 20 min: 30
    with pytest.raises(services.ChargeChanged):
        services.resolve(ticket, by=technician, expected_credits=15)
    services.resolve(ticket, by=technician, expected_credits=30)
    assert consumptions()[0].amount == -30


def test_only_staff_resolve(ticket, client_user):
    with pytest.raises(services.NotAllowed):
        services.resolve(ticket, by=client_user)


def test_an_accepted_estimates_hold_is_spent_first_and_the_rest_released(client_user, technician):
    organization = client_user.organization
    grant_credits(organization, 100)
    ticket = open_ticket(client_user)
    estimate = send_estimate(ticket, technician, 90)
    services.accept_estimate(estimate, by=client_user)
    assert credit_selectors.balance(organization) == 10
    log_time(ticket, technician, 30)  # 30 credits
    services.resolve(ticket, by=technician)
    estimate.refresh_from_db()
    assert estimate.hold.status == Hold.Status.CONSUMED
    assert estimate.hold.consumed_entry.amount == -30
    assert Wallet.objects.get(organization=organization).held == 0
    assert credit_selectors.balance(organization) == 70


def test_held_credits_count_for_the_ticket_and_the_charge_may_be_capped(client_user, technician):
    organization = client_user.organization
    grant_credits(organization, 60)
    ticket = open_ticket(client_user, kind="intervention")
    services.accept_estimate(send_estimate(ticket, technician, 60), by=client_user)
    assert credit_selectors.balance(organization) == 0
    log_time(ticket, technician, 50, "remote")
    log_time(ticket, technician, 11, "remote")  # 61 min: 75 > 0 available + 60 held
    with pytest.raises(services.ChargeExceedsBalance) as refused:
        services.resolve(ticket, by=technician)
    assert refused.value.available == 60
    assert refused.value.has_estimate
    services.resolve(ticket, by=technician, cap_to_estimate=True, expected_credits=60)
    charge = TicketCharge.objects.get()
    assert (charge.computed, charge.capped_at, charge.credits) == (75, 60, 60)
    assert Wallet.objects.get(organization=organization).held == 0
    assert credit_selectors.balance(organization) == 0


def test_capping_needs_an_accepted_estimate(ticket, technician):
    log_time(ticket, technician, 10)
    with pytest.raises(services.TicketError, match="no accepted estimate"):
        services.resolve(ticket, by=technician, cap_to_estimate=True)


def test_a_goodwill_resolution_releases_the_held_credits(client_user, technician):
    organization = client_user.organization
    grant_credits(organization, 100)
    ticket = open_ticket(client_user)
    estimate = send_estimate(ticket, technician, 40)
    services.accept_estimate(estimate, by=client_user)
    log_time(ticket, technician, 10)
    services.resolve(ticket, by=technician, goodwill_reason="Cortesía")
    estimate.refresh_from_db()
    assert estimate.hold.status == Hold.Status.RELEASED
    assert credit_selectors.balance(organization) == 100


def test_a_reopened_ticket_keeps_its_policy_and_is_charged_only_the_difference(
    ticket, technician, admin_user, client_user
):
    log_time(ticket, technician, 10)  # 15 under version 1
    services.resolve(ticket, by=technician)
    services.publish_policy(
        by=admin_user,
        consultation_minimum=30,
        intervention_minimum=60,
        block_size=30,
        call_surcharge=15,
        security_update_flat=60,
        credits_per_minute=Decimal(1),
    )
    services.reopen(ticket, by=client_user)
    log_time(ticket, technician, 10)  # 20 min under version 1: 30 in all, 15 more
    services.resolve(ticket, by=technician)
    first, second = TicketCharge.objects.order_by("number")
    assert first.policy == second.policy
    assert first.policy.version == 1
    assert (second.computed, second.earlier, second.credits) == (30, 15, 15)
    assert consumptions()[0].idempotency_key == services.charge_key(ticket, 2)
    assert consumptions()[0].work_minutes == 10
    # A new ticket is charged with the new version.
    other = open_ticket(client_user)
    log_time(other, technician, 10)
    services.resolve(other, by=technician)
    assert TicketCharge.objects.get(ticket=other).credits == 30


def test_a_security_update_needs_the_backup_ticked_and_costs_the_flat_rate(client_user, technician):
    grant_credits(client_user.organization, 200)
    ticket = open_ticket(client_user, kind="security_update")
    log_time(ticket, technician, 150, "remote")
    log_time(ticket, technician, 5, "phone")
    with pytest.raises(services.BackupNotConfirmed):
        services.resolve(ticket, by=technician)
    services.update_security_checklist(ticket, by=technician, code_backup=True)
    with pytest.raises(services.BackupNotConfirmed):
        services.resolve(ticket, by=technician)
    services.update_security_checklist(ticket, by=technician, database_backup=True)
    services.resolve(ticket, by=technician)
    charge = TicketCharge.objects.get()
    assert (charge.flat, charge.calls, charge.credits) == (60, 1, 75)


def test_a_security_update_that_needs_a_quote_is_charged_the_accepted_quote(
    client_user, technician
):
    grant_credits(client_user.organization, 300)
    ticket = open_ticket(client_user, kind="security_update")
    services.update_security_checklist(
        ticket, by=technician, code_backup=True, database_backup=True, modified_core=True
    )
    log_time(ticket, technician, 30)
    with pytest.raises(services.QuoteRequired):
        services.resolve(ticket, by=technician)
    with pytest.raises(services.TicketError, match="Unknown checklist"):
        services.update_security_checklist(ticket, by=technician, unknown_item=True)
    quote = send_estimate(ticket, technician, 180, kind="quote")
    services.accept_estimate(quote, by=client_user)
    log_time(ticket, technician, 200)
    services.resolve(ticket, by=technician)
    charge = TicketCharge.objects.get()
    assert (charge.quoted, charge.credits, charge.minutes) == (180, 180, 230)
    assert charge.estimate == quote


def test_customization_is_charged_only_by_an_accepted_quote(client_user, technician):
    grant_credits(client_user.organization, 300)
    ticket = open_ticket(client_user, kind="customization")
    log_time(ticket, technician, 30)
    with pytest.raises(services.QuoteRequired):
        services.resolve(ticket, by=technician)
    services.resolve(ticket, by=technician, goodwill_reason="No se hizo: el cliente desistió")
    assert consumptions() == []


def test_an_admin_resolves_too(ticket):
    admin = AdminFactory()
    log_time(ticket, admin, 10)
    services.resolve(ticket, by=admin)
    assert consumptions()[0].actor == admin


def test_the_charge_follows_the_reason_in_the_organizations_language(technician):
    from tests.accounts.factories import OrganizationFactory, UserFactory

    english = UserFactory(organization=OrganizationFactory(language="en"), language="en")
    grant_credits(english.organization, 100)
    ticket = open_ticket(english, subject="Printer")
    log_time(ticket, TechnicianFactory(), 10)
    services.resolve(ticket, by=technician)
    assert consumptions()[0].reason == f"Ticket {ticket.reference}: Printer"


def test_a_late_time_entry_date_does_not_matter(ticket, technician):
    log_time(ticket, technician, 10, work_date=timezone.localdate() - timedelta(days=3))
    services.resolve(ticket, by=technician)
    assert consumptions()[0].amount == -15


def test_pending_estimates_are_withdrawn_when_the_ticket_is_resolved(
    client_user, technician, ticket
):
    estimate = send_estimate(ticket, technician, 30)
    with pytest.raises(services.InvalidTransition):  # no work without the client's answer
        services.resolve(ticket, by=technician)
    services.change_status(ticket, S.IN_PROGRESS, by=technician)
    services.resolve(ticket, by=technician)
    estimate.refresh_from_db()
    assert estimate.status == Estimate.Status.WITHDRAWN
