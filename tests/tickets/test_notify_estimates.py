"""Issue 10's ticket emails: an estimate or quote waiting for the client's answer (also when
it fits the balance), the client's answer to the technicians, and out of scope with its
reason. Each once, in the recipient's language, through the outbox."""

import pytest
from django.core import mail

from notifications.models import Kind, OutboxEmail
from notifications.services import send_email, sweep_outbox
from tests.accounts.factories import TechnicianFactory, UserFactory
from tests.tickets.factories import grant_credits, open_ticket, send_estimate
from tickets import notify, services
from tickets.models import Ticket


@pytest.fixture
def english_colleague(client_user):
    return UserFactory(
        organization=client_user.organization, email="emma@cliente.example", language="en"
    )


@pytest.fixture
def ticket(client_user, technician):
    grant_credits(client_user.organization, 100)
    ticket = open_ticket(client_user, kind="intervention", subject="Actualizar la tienda")
    services.assign(ticket, technician, by=technician)
    return ticket


def sent(kind):
    """Send what is pending of ``kind``; the messages, by recipient."""
    for email in OutboxEmail.objects.filter(kind=kind, status="pending"):
        send_email(email.pk)
    return {m.to[0]: m for m in mail.outbox}


def test_an_estimate_that_fits_the_balance_asks_each_client_user_once_in_their_language(
    ticket, technician, client_user, english_colleague
):
    estimate = send_estimate(ticket, technician, 90, description="Copia y actualización")
    emails = OutboxEmail.objects.filter(kind=Kind.ESTIMATE_AWAITING_ANSWER)
    expected = sorted([client_user.email, english_colleague.email])
    assert sorted(e.to_email for e in emails) == expected
    assert not OutboxEmail.objects.filter(kind=Kind.ESTIMATE_EXCEEDS_BALANCE).exists()
    by_to = sent(Kind.ESTIMATE_AWAITING_ANSWER)
    spanish, english = by_to[client_user.email], by_to[english_colleague.email]
    assert spanish.subject == f"[{ticket.reference}]: Estimación pendiente de su respuesta"
    assert english.subject == f"[{ticket.reference}]: Estimate waiting for your answer"
    assert "Copia y actualización" in spanish.body
    assert "Créditos estimados: 90" in spanish.body
    assert f"/tickets/{ticket.pk}/" in english.body
    # Queued again (a replayed call): nothing more.
    notify.estimate_sent(estimate, balance=100)
    assert OutboxEmail.objects.filter(kind=Kind.ESTIMATE_AWAITING_ANSWER).count() == 2


def test_a_quote_above_the_balance_gets_only_the_exceeds_balance_email(ticket, technician):
    send_estimate(ticket, technician, 150)
    assert OutboxEmail.objects.filter(kind=Kind.ESTIMATE_EXCEEDS_BALANCE).count() == 1
    assert not OutboxEmail.objects.filter(kind=Kind.ESTIMATE_AWAITING_ANSWER).exists()


def test_accepting_tells_the_assigned_technicians_only(ticket, technician, client_user):
    TechnicianFactory(email="otro@soporte.example")  # not assigned: not told
    estimate = send_estimate(ticket, technician, 90)
    services.accept_estimate(estimate, by=client_user)
    (email,) = OutboxEmail.objects.filter(kind=Kind.ESTIMATE_ANSWERED)
    assert email.recipient == technician
    assert "decline_reason" not in email.context
    message = sent(Kind.ESTIMATE_ANSWERED)[technician.email]
    assert message.subject == f"[{ticket.reference}]: el cliente da su conformidad (Estimación)"
    assert client_user.get_full_name() in message.body


def test_declining_tells_the_technicians_the_reason(ticket, technician, client_user, settings):
    technician.language = "en"
    technician.save()
    estimate = send_estimate(ticket, technician, 90)
    services.decline_estimate(estimate, by=client_user, reason="Demasiado caro ahora")
    message = sent(Kind.ESTIMATE_ANSWERED)[technician.email]
    assert message.subject == f"[{ticket.reference}]: the client declines (Estimate)"
    assert "Demasiado caro ahora" in message.body


def test_nobody_assigned_tells_all_support_staff(client_user, technician):
    grant_credits(client_user.organization, 100)
    ticket = open_ticket(client_user, kind="intervention")
    colleague = TechnicianFactory(email="otra@soporte.example")
    estimate = send_estimate(ticket, technician, 30)
    services.decline_estimate(estimate, by=client_user, reason="No")
    recipients = set(
        OutboxEmail.objects.filter(kind=Kind.ESTIMATE_ANSWERED).values_list("recipient", flat=True)
    )
    assert {technician.pk, colleague.pk} <= recipients


def test_out_of_scope_tells_the_client_the_reason_once(
    ticket, technician, client_user, english_colleague
):
    services.close_out_of_scope(ticket, by=technician, reason=Ticket.OutOfScopeReason.HARDWARE)
    emails = OutboxEmail.objects.filter(kind=Kind.TICKET_OUT_OF_SCOPE)
    expected = sorted([client_user.email, english_colleague.email])
    assert sorted(e.to_email for e in emails) == expected
    by_to = sent(Kind.TICKET_OUT_OF_SCOPE)
    assert "Motivo: Controladores de hardware y hardware" in by_to[client_user.email].body
    assert "Reason: Hardware drivers and hardware" in by_to[english_colleague.email].body
    assert "not charged" in by_to[english_colleague.email].body
    assert sweep_outbox() == 0  # nothing left to send twice


def test_an_unknown_out_of_scope_reason_writes_nothing(ticket, technician):
    with pytest.raises(services.TicketError):
        services.close_out_of_scope(ticket, by=technician, reason="weather")
    assert not OutboxEmail.objects.filter(kind=Kind.TICKET_OUT_OF_SCOPE).exists()
