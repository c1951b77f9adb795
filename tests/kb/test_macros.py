import pytest
from django.urls import reverse

from kb import services
from kb.errors import KbError
from tests.accounts.factories import TechnicianFactory
from tests.kb.factories import macro
from tests.tickets.factories import grant_credits, open_ticket
from tickets.models import Message, Ticket, TimeEntry


@pytest.fixture
def ticket(client_user):
    from tests.tickets.factories import ContractFactory

    ContractFactory(organization=client_user.organization)
    return open_ticket(client_user)


def test_placeholders_are_filled_and_nothing_else_is_evaluated(ticket, technician):
    grant_credits(ticket.organization, 45)
    item = macro(
        body="Hola {client_name}: {ticket_reference}, saldo {balance}. {technician_name}. "
        "{0.__class__} {unknown}"
    )
    text = services.render_macro(item, ticket, technician=technician)
    assert ticket.requester.get_full_name() in text
    assert ticket.reference in text
    assert "saldo 45" in text
    assert "Lucía Técnica" in text
    assert "{0.__class__} {unknown}" in text


def test_a_macro_sends_reply_status_and_time_in_one_go(client, ticket, technician):
    item = macro(status=Ticket.Status.AWAITING_CLIENT, minutes=10, channel="phone")
    client.force_login(technician)
    response = client.post(reverse("kb:macro_apply", args=[item.pk, ticket.pk]))
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.AWAITING_CLIENT
    entry = TimeEntry.objects.get(ticket=ticket)
    assert (entry.minutes, entry.channel, entry.technician) == (10, "phone", technician)
    assert Message.objects.filter(ticket=ticket, body__startswith="Hola").count() == 1


def test_a_refused_macro_changes_nothing(client, ticket, technician):
    item = macro(minutes=10)
    from tickets import services as ticket_services

    ticket_services.close(ticket, by=ticket.requester)
    client.force_login(technician)
    response = client.post(reverse("kb:macro_apply", args=[item.pk, ticket.pk]), follow=True)
    assert response.status_code == 200
    assert not TimeEntry.objects.exists()
    assert not Message.objects.filter(ticket=ticket).exists()


def test_another_technicians_personal_macro_is_404(client, ticket, technician):
    item = macro(owner=TechnicianFactory())
    client.force_login(technician)
    assert client.post(reverse("kb:macro_apply", args=[item.pk, ticket.pk])).status_code == 404
    assert client.get(reverse("kb:macro_edit", args=[item.pk])).status_code == 404
    assert client.post(reverse("kb:macro_delete", args=[item.pk])).status_code == 404
    with pytest.raises(KbError):
        services.apply_macro(item, ticket, by=technician)
    assert not Message.objects.filter(ticket=ticket).exists()


def test_a_macro_never_resolves_a_ticket(client, technician):
    client.force_login(technician)
    data = {"name": "Cerrar", "language": "es", "body": "Hecho", "status": "resolved",
            "channel": "portal"}  # fmt: skip
    response = client.post(reverse("kb:macro_create"), data)
    assert response.status_code == 400
    data.update(status="", minutes=99999)
    assert client.post(reverse("kb:macro_create"), data).status_code == 400
    data.update(minutes=15)
    assert client.post(reverse("kb:macro_create"), data).status_code == 302


def test_the_staff_ticket_page_offers_macros_and_article_lookup(client, ticket, technician):
    macro(name="Compartida", body="Saldo: {balance}")
    macro(name="Mía", owner=technician)
    macro(name="Ajena", owner=TechnicianFactory())
    client.force_login(technician)
    page = client.get(ticket.get_absolute_url())
    assert b'data-testid="kb-reply-tools"' in page.content
    assert b"Compartida" in page.content
    assert "Mía".encode() in page.content
    assert b"Ajena" not in page.content
    assert b"js/kb.js" in page.content


def test_the_new_ticket_page_asks_for_suggestions(client, client_user):
    client.force_login(client_user)
    page = client.get(reverse("tickets:create"))
    assert b"data-kb-suggestions" in page.content
    assert reverse("kb:suggest").encode() in page.content
