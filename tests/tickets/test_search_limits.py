"""Issue 10, bad input: a 2 MB description or a thread whose text passes PostgreSQL's 1 MB
tsvector limit. The forms and services refuse text beyond its bound (clear message, 4xx,
nothing written), and the search vector indexes a bounded prefix, so a huge thread made
of many allowed messages never fails."""

import random
import string

import pytest
from django.db import connection
from django.urls import reverse

from tests.tickets.factories import ContractFactory, ProductFactory, open_ticket
from tickets import limits, search, selectors, services
from tickets.models import Message, Ticket

TWO_MB = "a" * (2 * 1024 * 1024 - 1)


def worst_case_words(chars: int, seed: int = 1) -> str:
    """Unique random words (no stemming shrinks them): the largest tsvector per character."""
    rng = random.Random(seed)
    words, size = [], 0
    while size < chars:
        word = "".join(rng.choices(string.ascii_lowercase, k=9))
        words.append(word)
        size += 10
    return " ".join(words)[:chars]


@pytest.fixture
def product(client_user):
    product = ProductFactory(name="Tienda online")
    ContractFactory(organization=client_user.organization, product=product)
    return product


def test_a_2_mb_description_is_refused_with_a_clear_message(client_client, product):
    response = client_client.post(
        reverse("tickets:create"),
        {
            "product": product.pk,
            "severity": "minor",
            "kind": "consultation",
            "subject": "Demasiado texto",
            "description": "x" * (limits.DESCRIPTION_MAX_CHARS + 1),
        },
    )
    assert response.status_code == 400
    assert "20000" in response.text.replace(".", "").replace(",", "")
    assert not Ticket.objects.exists()


def test_a_request_body_of_2_mb_is_refused_before_the_form(client_client, product, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    response = client_client.post(
        reverse("tickets:create"),
        {"product": product.pk, "subject": "x", "description": TWO_MB},
    )
    assert 400 <= response.status_code < 500
    assert not Ticket.objects.exists()


def test_the_services_refuse_text_beyond_its_bound(client_user, product, technician):
    with pytest.raises(services.TicketError, match="too long"):
        services.open_ticket(
            client_user,
            product,
            kind="consultation",
            severity="minor",
            subject="Texto",
            description=TWO_MB,
        )
    ticket = open_ticket(client_user, product=product)
    with pytest.raises(services.TicketError, match="too long"):
        services.add_reply(ticket, author=client_user, body=TWO_MB)
    with pytest.raises(services.TicketError, match="too long"):
        services.add_note(ticket, author=technician, body="n" * (limits.MESSAGE_MAX_CHARS + 1))
    assert not Message.objects.exists()


def test_too_long_replies_and_notes_are_400_and_write_nothing(
    client_client, staff_client, client_user, product
):
    ticket = open_ticket(client_user, product=product)
    long_text = "r" * (limits.MESSAGE_MAX_CHARS + 1)
    reply = client_client.post(reverse("tickets:reply", args=[ticket.pk]), {"body": long_text})
    assert reply.status_code == 400
    note = staff_client.post(reverse("tickets:note", args=[ticket.pk]), {"body": long_text})
    assert note.status_code == 400
    assert not Message.objects.exists()


@pytest.mark.postgres
def test_a_thread_past_the_tsvector_limit_is_indexed_by_its_prefix(
    client_user, technician, product
):
    if connection.vendor != "postgresql":
        pytest.skip("the tsvector limit is PostgreSQL's")
    ticket = open_ticket(
        client_user,
        product=product,
        subject="Catálogo enorme",
        description=worst_case_words(limits.DESCRIPTION_MAX_CHARS, seed=0),
    )
    # 60 allowed messages of worst-case text: 1.2 million characters in the thread, a
    # tsvector of several MB if it were indexed whole.
    for number in range(60):
        body = worst_case_words(limits.MESSAGE_MAX_CHARS - 20, seed=number + 1)
        if number == 0:
            body = "pedidoperdido " + body
        services.add_reply(ticket, author=client_user, body=body)
    ticket.refresh_from_db()
    assert ticket.public_message_count == 60
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_column_size(search_vector) FROM tickets_ticket WHERE id = %s", [ticket.pk]
        )
        (size,) = cursor.fetchone()
    assert size < 1024 * 1024
    found = search.matching(Ticket.objects.all(), "pedidoperdido")
    assert list(found) == [ticket]


def test_search_finds_organizations_requesters_emails_and_references(
    client_user, technician, product, office
):
    client_user.full_name = "Iñaki Zubizarreta"
    client_user.email = "inaki@ferreteria-zubi.example"
    client_user.save()
    client_user.organization.name = "Ferretería Goikoa"
    client_user.organization.save()
    ticket = open_ticket(client_user, product=product, subject="La web no carga xilofono")
    other = open_ticket(client_user, product=product, subject="Otra cosa")
    queue = selectors.queue_for
    for text in ("Goikoa", "Zubizarreta", "ferreteria-zubi", ticket.reference.lower()):
        found = set(queue(technician, selectors.QueueFilters(q=text)))
        assert ticket in found, text
    assert set(queue(technician, selectors.QueueFilters(q=ticket.reference))) == {ticket}
    if connection.vendor == "postgresql":
        number = ticket.reference.split("-")[-1]
        assert set(queue(technician, selectors.QueueFilters(q=number))) == {ticket}
    assert other not in set(queue(technician, selectors.QueueFilters(q="xilofono")))
