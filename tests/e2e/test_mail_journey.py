"""A ticket opened by email, answered by a technician in the portal, threads back: the
reply's email carries the ticket's reference and thread headers, and the client's email
answer to it lands in the same ticket."""

import pytest

from mailchannel.models import InboundEmail
from notifications.delivery import build_message, ticket_thread_id
from notifications.models import Kind, OutboxEmail
from tests.accounts.factories import PASSWORD, TechnicianFactory, UserFactory
from tests.e2e.conftest import login, screenshot
from tests.mailchannel.conftest import corpus
from tests.tickets.factories import ContractFactory, ProductFactory
from tickets.inbound import receive_email
from tickets.models import Message


@pytest.fixture
def people(transactional_db):
    client = UserFactory(email="ana@cliente.example", full_name="Ana Cliente")
    ContractFactory(organization=client.organization, product=ProductFactory(name="Tienda"))
    technician = TechnicianFactory(email="lucia@soporte.example", full_name="Lucía Técnica")
    return {"client": client, "technician": technician}


def test_email_ticket_answered_in_the_portal_threads_back(page, people, settings):
    settings.SUPPORT_REPLY_TO_EMAIL = "Soporte <soporte@example.com>"
    ticket = receive_email(corpus("new_plain.eml")).ticket
    assert ticket.channel == "email"

    login(page, people["technician"].email, PASSWORD)
    page.goto(f"{page.base_url}{ticket.get_absolute_url()}")
    assert page.get_by_test_id("channel").count() in (0, 1)
    page.fill("textarea[name=body] >> nth=0", "Hemos reiniciado el servicio, ¿puedes probar?")
    page.get_by_test_id("reply-form").locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert "Hemos reiniciado" in page.get_by_test_id("thread").inner_text()
    screenshot(page, "mail-staff-answers-email-ticket")

    # The email of that reply, as it leaves: reference in the subject, thread headers.
    email = OutboxEmail.objects.get(kind=Kind.TICKET_REPLY, recipient=people["client"])
    message, _rendered = build_message(email)
    assert f"[{ticket.reference}]" in message.subject
    assert message.extra_headers["References"] == ticket_thread_id(ticket.reference)
    assert message.extra_headers["Reply-To"] == "Soporte <soporte@example.com>"
    sent_id = message.extra_headers["Message-ID"]

    # The client answers that email from Gmail: In-Reply-To is the reply's Message-ID.
    raw = corpus("gmail_reply.eml", IN_REPLY_TO=sent_id, REF="T-1999-00001")
    result = receive_email(raw)
    assert result.outcome == "appended"
    assert result.ticket == ticket
    reply = Message.objects.get(ticket=ticket, author=people["client"])
    assert InboundEmail.objects.get(message=reply).ticket == ticket

    page.reload()
    thread = page.get_by_test_id("thread").inner_text()
    assert "Ya funciona, gracias." in thread
    assert page.get_by_test_id("by-email").count() == 1
    screenshot(page, "mail-reply-threads-back")
