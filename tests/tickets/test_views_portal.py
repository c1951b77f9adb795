"""The client portal: list, open, renew, the ticket page, replies, close and reopen,
attachment downloads."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from tests.accounts.factories import TechnicianFactory
from tests.tickets.factories import PDF, ContractFactory, ProductFactory, open_ticket, upload
from tickets import services
from tickets.models import RenewalRequest, Ticket

S = Ticket.Status


@pytest.fixture
def product(db):
    return ProductFactory(name="Tienda online")


@pytest.fixture
def contract(client_user, product):
    return ContractFactory(organization=client_user.organization, product=product)


def make_tickets(requester, count, technician):
    """``count`` tickets, each with a public reply, a note and two assignees."""
    helper = TechnicianFactory()
    for n in range(count):
        ticket = open_ticket(requester, subject=f"Ticket {n}")
        services.add_reply(ticket, author=technician, body="Respuesta")
        services.add_note(ticket, author=technician, body="Nota")
        services.assign(ticket, technician, by=technician)
        services.assign(ticket, helper, by=technician)


# --- List --------------------------------------------------------------------------------


def test_the_list_shows_only_the_organizations_tickets(
    client_client, client_user, other_client_user
):
    open_ticket(client_user, subject="Nuestro ticket")
    open_ticket(other_client_user, subject="Ticket ajeno")
    response = client_client.get(reverse("tickets:list"))
    assert response.status_code == 200
    assert "Nuestro ticket" in response.text
    assert "Ticket ajeno" not in response.text


def test_the_list_filters_by_status_and_paginates(client_client, client_user, technician, settings):
    settings.TICKETS_PER_PAGE = 2
    for n in range(3):
        open_ticket(client_user, subject=f"Abierto {n}")
    services.resolve(open_ticket(client_user, subject="Ya resuelto"), by=technician)
    response = client_client.get(reverse("tickets:list"), {"status": "resolved"})
    assert "Ya resuelto" in response.text
    assert "Abierto 0" not in response.text
    first = client_client.get(reverse("tickets:list"), {"status": "active"})
    assert first.text.count('data-testid="ticket-row"') == 2
    assert "status=active&amp;page=2" in first.text
    second = client_client.get(reverse("tickets:list"), {"status": "active", "page": 2})
    assert second.text.count('data-testid="ticket-row"') == 1


@pytest.mark.parametrize("count", [1, 30])
def test_the_list_runs_a_fixed_number_of_queries(
    client_client, client_user, technician, django_assert_max_num_queries, count
):
    make_tickets(client_user, count, technician)
    with django_assert_max_num_queries(5):
        response = client_client.get(reverse("tickets:list"))
    assert response.text.count('data-testid="ticket-row"') == min(count, 25)


def test_internal_notes_are_not_counted_in_the_list(client_client, client_user, technician):
    ticket = open_ticket(client_user)
    services.add_note(ticket, author=technician, body="Nota")
    services.add_note(ticket, author=technician, body="Otra nota")
    response = client_client.get(reverse("tickets:list"))
    assert '<td class="num" data-label="Respuestas">0</td>' in response.text


# --- Opening -----------------------------------------------------------------------------


def test_the_form_explains_severity_and_kind_in_plain_words(client_client, contract):
    response = client_client.get(reverse("tickets:create"))
    assert response.status_code == 200
    assert "Crítica: no puede usar la aplicación en absoluto." in response.text
    assert "Intervención: un técnico entra en su sistema" in response.text
    assert 'data-testid="contracts"' in response.text


def test_opening_a_ticket_with_an_attachment(client_client, client_user, contract, product):
    response = client_client.post(
        reverse("tickets:create"),
        {
            "product": product.pk,
            "severity": "critical",
            "kind": "intervention",
            "subject": "No carga la tienda",
            "description": "Error 500",
            "attachments": [upload("captura.pdf", PDF)],
        },
    )
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response.url == ticket.get_absolute_url()
    assert ticket.requester == client_user
    assert ticket.attachments.get().name == "captura.pdf"
    page = client_client.get(ticket.get_absolute_url())
    assert "No carga la tienda" in page.text
    assert ticket.reference in page.text


def test_without_a_contract_the_client_sees_why_and_can_request_renewal(
    client_client, client_user, product
):
    ContractFactory(
        organization=client_user.organization,
        product=product,
        starts_on=timezone.localdate() - timedelta(days=400),
        ends_on=timezone.localdate() - timedelta(days=20),
    )
    data = {
        "product": product.pk,
        "severity": "minor",
        "kind": "consultation",
        "subject": "Pregunta",
        "description": "¿Cómo...?",
    }
    response = client_client.post(reverse("tickets:create"), data)
    assert response.status_code == 200
    assert "Su contrato de mantenimiento para Tienda online venció el" in response.text
    assert 'data-testid="contract-refusal"' in response.text
    assert 'data-testid="request-renewal"' in response.text
    assert not Ticket.objects.exists()

    renewal = client_client.post(reverse("tickets:request_renewal"), {"product": product.pk})
    assert renewal.status_code == 302
    request = RenewalRequest.objects.get()
    assert (request.organization, request.product, request.reason) == (
        client_user.organization,
        product,
        "expired",
    )
    page = client_client.get(renewal.url)
    assert "Hemos registrado su solicitud de renovación" in page.text
    assert "Renovación solicitada el" in page.text
    client_client.post(reverse("tickets:request_renewal"), {"product": product.pk})
    assert RenewalRequest.objects.count() == 1


def test_renewal_url_redirects_on_get(client_client):
    response = client_client.get(reverse("tickets:request_renewal"))
    assert response.status_code == 302
    assert response.url == reverse("tickets:create")


# --- The ticket page ---------------------------------------------------------------------


def test_the_client_page_shows_the_public_thread_only(client_client, client_user, technician):
    ticket = open_ticket(client_user)
    services.add_reply(ticket, author=technician, body="Respuesta pública")
    services.add_note(
        ticket, author=technician, body="Nota secreta", attachments=[upload("secreto.pdf")]
    )
    response = client_client.get(ticket.get_absolute_url())
    assert "Respuesta pública" in response.text
    assert "Nota secreta" not in response.text
    assert "secreto.pdf" not in response.text
    assert 'data-testid="internal-note"' not in response.text


def test_the_client_replies_with_an_attachment(client_client, client_user):
    ticket = open_ticket(client_user)
    response = client_client.post(
        reverse("tickets:reply", args=[ticket.pk]),
        {"body": "Adjunto la captura", "attachments": [upload("captura.pdf")]},
    )
    assert response.status_code == 302
    message = ticket.messages.get()
    assert message.body == "Adjunto la captura"
    assert message.attachments.get().name == "captura.pdf"


def test_the_client_closes_and_reopens(client_client, client_user):
    ticket = open_ticket(client_user)
    client_client.post(reverse("tickets:close", args=[ticket.pk]))
    ticket.refresh_from_db()
    assert ticket.status == S.CLOSED
    page = client_client.get(ticket.get_absolute_url())
    assert 'data-testid="reopen-ticket"' in page.text
    assert 'data-testid="reply-form"' not in page.text
    client_client.post(reverse("tickets:reopen", args=[ticket.pk]))
    ticket.refresh_from_db()
    assert ticket.status == S.OPEN


def test_after_seven_days_the_page_says_to_open_a_new_ticket(client_client, client_user):
    ticket = open_ticket(client_user)
    services.close(ticket, by=client_user)
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        # A week idle ends a client's session (CLIENT_SESSION_IDLE_MINUTES): log in again.
        client_client.force_login(client_user)
        page = client_client.get(ticket.get_absolute_url())
        assert 'data-testid="reopen-ticket"' not in page.text
        response = client_client.post(reverse("tickets:reopen", args=[ticket.pk]), follow=True)
    assert Ticket.objects.get().status == S.CLOSED
    assert "se cerró hace demasiado tiempo para reabrirlo" in response.text


# --- Attachments -------------------------------------------------------------------------


def test_attachments_are_served_to_those_who_may_see_them(
    client, client_user, technician, other_client_user
):
    ticket = open_ticket(client_user, attachments=[upload("apertura.pdf")])
    services.add_note(ticket, author=technician, body="interno", attachments=[upload("i.pdf")])
    public = ticket.attachments.get(message__isnull=True)
    internal = ticket.attachments.get(message__isnull=False)

    client.force_login(client_user)
    response = client.get(reverse("tickets:attachment", args=[public.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith("attachment;")
    assert 'filename="apertura.pdf"' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    assert client.get(reverse("tickets:attachment", args=[internal.pk])).status_code == 404

    client.force_login(other_client_user)
    assert client.get(reverse("tickets:attachment", args=[public.pk])).status_code == 404

    client.force_login(technician)
    assert client.get(reverse("tickets:attachment", args=[internal.pk])).status_code == 200


def test_dashboards_show_the_ticket_panels(client, client_user, technician):
    ticket = open_ticket(client_user)
    services.add_reply(ticket, author=technician, body="¿Puede…?", status=S.AWAITING_CLIENT)
    services.assign(ticket, technician, by=technician)
    client.force_login(client_user)
    panel = client.get(reverse("dashboard")).text.split('data-testid="tickets-panel"')[1]
    assert "Tickets abiertos" in panel
    assert "1 espera su respuesta" in panel
    client.force_login(technician)
    panel = client.get(reverse("dashboard")).text.split('data-testid="queue-panel"')[1]
    assert "Mis tickets" in panel
    assert "0 vencidos" in panel
