"""Estimates and quotes: sent by technicians, accepted or declined by clients."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from credits import selectors as credit_selectors
from credits.models import Hold, Wallet
from notifications.models import OutboxEmail
from notifications.services import send_email
from tests.accounts.factories import UserFactory
from tests.tickets.factories import grant_credits, open_ticket, send_estimate
from tickets import services
from tickets.models import Contract, Estimate, Ticket

S = Ticket.Status
E = Estimate.Status


@pytest.fixture
def ticket(client_user):
    grant_credits(client_user.organization, 100)
    return open_ticket(client_user, kind="intervention")


def test_an_estimate_within_the_balance_awaits_acceptance_with_the_clock_stopped(
    ticket, technician
):
    estimate = send_estimate(ticket, technician, 90)
    ticket.refresh_from_db()
    assert ticket.status == S.AWAITING_ACCEPTANCE
    assert ticket.sla_paused_at is not None
    assert (estimate.status, estimate.credits, estimate.balance_when_sent) == (E.PENDING, 90, 100)
    assert not OutboxEmail.objects.filter(kind="estimate_exceeds_balance").exists()


def test_an_estimate_above_the_balance_awaits_credits_and_tells_the_client(
    ticket, technician, client_user
):
    send_estimate(ticket, technician, 150)
    ticket.refresh_from_db()
    assert ticket.status == S.AWAITING_CREDITS
    assert ticket.sla_paused_at is not None
    (email,) = OutboxEmail.objects.filter(kind="estimate_exceeds_balance")
    assert email.recipient == client_user
    assert email.context["estimated_credits"] == 150
    assert email.context["balance"] == 100
    assert email.context["credits_to_buy"] == 50
    assert email.context["recharge_url"] == "/billing/buy/?need=50"
    send_email(email.pk)
    (message,) = mail.outbox
    assert "Créditos que comprar, como mínimo: 50" in message.body
    assert "/billing/buy/?need=50" in message.body
    assert services.recharge_url() == "/billing/buy/"
    assert services.recharge_url(45) == "/billing/buy/?need=45"


def test_accepting_holds_the_credits_and_resumes_the_work(ticket, technician, client_user):
    estimate = send_estimate(ticket, technician, 90)
    services.accept_estimate(estimate, by=client_user)
    estimate.refresh_from_db()
    ticket.refresh_from_db()
    assert estimate.status == E.ACCEPTED
    assert estimate.decided_by == client_user
    assert estimate.decided_at is not None
    assert estimate.hold.amount == 90
    assert estimate.hold.is_open
    assert estimate.hold.reference == ticket
    assert ticket.status == S.IN_PROGRESS
    assert ticket.sla_paused_at is None  # the clock runs again
    assert credit_selectors.balance(client_user.organization) == 10


def test_after_a_recharge_the_client_can_accept(ticket, technician, client_user):
    estimate = send_estimate(ticket, technician, 150)
    with pytest.raises(services.NotEnoughCredits) as short:
        services.accept_estimate(estimate, by=client_user)
    assert short.value.missing == 50
    grant_credits(client_user.organization, 60)
    services.accept_estimate(estimate, by=client_user)
    ticket.refresh_from_db()
    assert ticket.status == S.IN_PROGRESS
    assert Wallet.objects.get(organization=client_user.organization).held == 150


def test_declining_needs_a_reason_and_gives_the_ticket_back(ticket, technician, client_user):
    estimate = send_estimate(ticket, technician, 90)
    with pytest.raises(services.TicketError, match="why"):
        services.decline_estimate(estimate, by=client_user, reason=" ")
    services.decline_estimate(estimate, by=client_user, reason="Demasiado caro")
    estimate.refresh_from_db()
    ticket.refresh_from_db()
    assert (estimate.status, estimate.decline_reason) == (E.DECLINED, "Demasiado caro")
    assert estimate.hold is None
    assert ticket.status == S.OPEN
    with pytest.raises(services.EstimateNotPending):
        services.accept_estimate(estimate, by=client_user)


def test_only_the_clients_users_answer(ticket, technician, other_client_user):
    estimate = send_estimate(ticket, technician, 90)
    for outsider in (other_client_user, technician):
        with pytest.raises(services.NotAllowed):
            services.accept_estimate(estimate, by=outsider)
        with pytest.raises(services.NotAllowed):
            services.decline_estimate(estimate, by=outsider, reason="no")
    assert Estimate.objects.get().status == E.PENDING


def test_a_colleague_of_the_requester_may_answer(ticket, technician, client_user):
    colleague = UserFactory(organization=client_user.organization)
    services.accept_estimate(send_estimate(ticket, technician, 30), by=colleague)
    assert Estimate.objects.get().decided_by == colleague


def test_a_new_estimate_replaces_the_pending_one(ticket, technician):
    first = send_estimate(ticket, technician, 150)
    second = send_estimate(ticket, technician, 80)
    first.refresh_from_db()
    ticket.refresh_from_db()
    assert first.status == E.WITHDRAWN
    assert second.status == E.PENDING
    assert ticket.status == S.AWAITING_ACCEPTANCE  # the smaller one fits the balance


def test_a_new_accepted_estimate_releases_the_older_hold(ticket, technician, client_user):
    first = send_estimate(ticket, technician, 60)
    services.accept_estimate(first, by=client_user)
    second = send_estimate(ticket, technician, 100)  # 40 available + 60 held covers it
    ticket.refresh_from_db()
    assert ticket.status == S.AWAITING_ACCEPTANCE
    services.accept_estimate(second, by=client_user)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == E.SUPERSEDED
    assert first.hold.status == Hold.Status.RELEASED
    assert second.hold.amount == 100
    assert Wallet.objects.get(organization=client_user.organization).held == 100


@pytest.mark.parametrize("finish", ["close", "out_of_scope"])
def test_closing_releases_the_held_credits_and_withdraws_what_is_pending(
    ticket, technician, client_user, finish
):
    services.accept_estimate(send_estimate(ticket, technician, 60), by=client_user)
    pending = send_estimate(ticket, technician, 70)
    if finish == "close":
        services.close(ticket, by=client_user)
    else:
        services.close_out_of_scope(ticket, by=technician, reason="third_party")
    pending.refresh_from_db()
    accepted = Estimate.objects.get(status=E.ACCEPTED)
    assert pending.status == E.WITHDRAWN
    assert accepted.hold.status == Hold.Status.RELEASED
    assert credit_selectors.balance(client_user.organization) == 100


def test_quotes_are_for_customization_and_security_updates_that_need_one(client_user, technician):
    consultation = open_ticket(client_user)
    with pytest.raises(services.TicketError, match="Quotes are for"):
        send_estimate(consultation, technician, 60, kind="quote")
    update = open_ticket(client_user, kind="security_update")
    with pytest.raises(services.TicketError, match="Quotes are for"):
        send_estimate(update, technician, 60, kind="quote")
    services.update_security_checklist(update, by=technician, external_modules=True)
    assert send_estimate(update, technician, 60, kind="quote").is_quote
    custom = open_ticket(client_user, kind="customization")
    with pytest.raises(services.TicketError, match="only by a quote"):
        send_estimate(custom, technician, 60)


def test_accepting_a_customization_quote_needs_an_active_contract(client_user, technician):
    grant_credits(client_user.organization, 500)
    ticket = open_ticket(client_user, kind="customization")
    quote = send_estimate(ticket, technician, 240, kind="quote")
    Contract.objects.update(ends_on=timezone.localdate() - timedelta(days=1))
    with pytest.raises(services.NoActiveContract):
        services.accept_estimate(quote, by=client_user)
    assert Estimate.objects.get().status == E.PENDING
    Contract.objects.update(ends_on=timezone.localdate() + timedelta(days=30))
    services.accept_estimate(quote, by=client_user)
    assert Estimate.objects.get().status == E.ACCEPTED


@pytest.mark.parametrize("credits", [0, -10, 1.5, "60", None])
def test_an_estimate_is_a_positive_whole_number_of_credits(ticket, technician, credits):
    with pytest.raises(services.TicketError, match="whole number"):
        send_estimate(ticket, technician, credits)


def test_an_estimate_needs_a_description_and_an_unfinished_ticket(ticket, technician):
    with pytest.raises(services.TicketError, match="Describe"):
        send_estimate(ticket, technician, 30, description="  ")
    services.resolve(ticket, by=technician)
    with pytest.raises(services.TicketError, match="finished"):
        send_estimate(ticket, technician, 30)


def test_clients_do_not_send_estimates(ticket, client_user):
    with pytest.raises(services.NotAllowed):
        send_estimate(ticket, client_user, 30)


def test_an_estimate_may_be_sent_while_the_client_is_awaited(ticket, technician):
    services.change_status(ticket, S.AWAITING_CLIENT, by=technician)
    send_estimate(ticket, technician, 30)
    ticket.refresh_from_db()
    assert ticket.status == S.AWAITING_ACCEPTANCE
