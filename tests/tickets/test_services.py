"""Opening tickets and writing in their threads (tickets.services.opening and .thread)."""

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from tests.tickets.factories import PDF, ContractFactory, ProductFactory, open_ticket, upload
from tickets import services
from tickets.models import Attachment, Message, RenewalRequest, StatusChange, Ticket

MADRID = ZoneInfo("Europe/Madrid")
S = Ticket.Status


def madrid(*args) -> datetime:
    return datetime(*args, tzinfo=MADRID)


def files_under(root) -> list[Path]:
    return [p for p in Path(root).rglob("*") if p.is_file()]


@pytest.fixture
def product(db):
    return ProductFactory(name="Tienda online", current_version="4.2", obsolete_versions="3.0")


# --- Opening ---------------------------------------------------------------------------


def test_open_ticket_numbers_per_year_and_copies_the_sla_target(client_user, product):
    ContractFactory(organization=client_user.organization, product=product)
    with time_machine.travel(madrid(2026, 3, 9, 11), tick=False):  # Monday 11:00
        first = open_ticket(client_user, product=product, severity=Ticket.Severity.CRITICAL)
        second = open_ticket(client_user, product=product)
    assert (first.reference, second.reference) == ("T-2026-00001", "T-2026-00002")
    assert first.status == S.NEW
    assert first.organization == client_user.organization
    assert first.contract.product == product
    # 8 business hours: Monday 11:00-18:00 (7 h) and Tuesday 09:00-10:00.
    assert first.sla_target_hours == 8
    assert first.sla_business_hours
    assert first.due_at == madrid(2026, 3, 10, 10)
    # Warning at 75 % = 6 business hours.
    assert first.sla_warning_at == madrid(2026, 3, 9, 17)
    assert first.sla_paused_at is None


def test_references_restart_each_year(client_user, product):
    with time_machine.travel(madrid(2026, 12, 31, 12), tick=False):
        last = open_ticket(client_user, product=product)
    with time_machine.travel(madrid(2027, 1, 4, 12), tick=False):
        new_year = open_ticket(client_user, product=product)
    assert last.reference == "T-2026-00001"
    assert new_year.reference == "T-2027-00001"


def test_open_ticket_stores_attachments_in_private_storage(client_user, product, settings):
    ticket = open_ticket(client_user, product=product, attachments=[upload("informe.pdf", PDF)])
    attachment = ticket.attachments.get()
    assert attachment.name == "informe.pdf"
    assert attachment.message is None
    assert attachment.content_type == "application/pdf"
    path = Path(attachment.file.path)
    assert path.is_relative_to(Path(settings.MEDIA_ROOT) / "private")
    assert "informe" not in path.name  # the stored name is random
    assert path.read_bytes() == PDF
    with pytest.raises(ValueError, match="no URL"):
        attachment.file.url  # noqa: B018


@pytest.mark.parametrize(
    ("make_contract", "status", "words"),
    [
        (None, "no_contract", "no maintenance contract"),
        ({"ends_on": -10, "starts_on": -400}, "expired", "expired on"),
        ({"version": "3.0"}, "obsolete_version", "obsolete"),
        ({"starts_on": 10, "ends_on": 400}, "not_started", "starts on"),
    ],
)
def test_no_ticket_without_an_active_contract(
    client_user, product, settings, make_contract, status, words
):
    if make_contract is not None:
        fields = dict(make_contract)
        today = timezone.localdate()
        for key in ("starts_on", "ends_on"):
            if key in fields:
                fields[key] = today + timedelta(days=fields[key])
        ContractFactory(organization=client_user.organization, product=product, **fields)
    with pytest.raises(services.NoActiveContract) as exc:
        services.open_ticket(
            client_user,
            product,
            kind=Ticket.Kind.CONSULTATION,
            severity=Ticket.Severity.MINOR,
            subject="Ayuda",
            description="No funciona",
            attachments=[upload()],
        )
    assert exc.value.check.status == status
    assert words in str(exc.value.message)
    assert not Ticket.objects.exists()
    assert not Attachment.objects.exists()
    assert files_under(settings.MEDIA_ROOT) == []


def test_another_organizations_contract_does_not_count(client_user, other_organization, product):
    ContractFactory(organization=other_organization, product=product)
    with pytest.raises(services.NoActiveContract):
        services.open_ticket(
            client_user,
            product,
            kind="consultation",
            severity="minor",
            subject="Ayuda",
            description="No funciona",
        )
    assert not Ticket.objects.exists()


def test_staff_do_not_open_tickets_in_the_portal(technician, product):
    with pytest.raises(services.NotAllowed):
        services.open_ticket(
            technician, product, kind="consultation", severity="minor", subject="a", description="b"
        )


def test_unknown_choices_and_blank_texts_are_refused(client_user, product):
    ContractFactory(organization=client_user.organization, product=product)
    base = {"kind": "consultation", "severity": "minor", "subject": "a", "description": "b"}
    for bad in ({"kind": "repair"}, {"severity": "urgent"}, {"channel": "fax"}, {"subject": " "}):
        with pytest.raises(services.TicketError):
            services.open_ticket(client_user, product, **(base | bad))
    assert not Ticket.objects.exists()


# --- Renewal requests ------------------------------------------------------------------


def test_request_renewal_records_one_pending_request(client_user, product):
    ContractFactory(
        organization=client_user.organization,
        product=product,
        starts_on=timezone.localdate() - timedelta(days=400),
        ends_on=timezone.localdate() - timedelta(days=5),
    )
    first = services.request_renewal(client_user.organization, product, by=client_user)
    again = services.request_renewal(client_user.organization, product, by=client_user)
    assert first == again
    assert first.reason == RenewalRequest.Reason.EXPIRED
    assert first.contract is not None
    assert RenewalRequest.objects.count() == 1


def test_request_renewal_of_an_active_contract_or_for_another_org_is_refused(
    client_user, other_client_user, product
):
    ContractFactory(organization=client_user.organization, product=product)
    with pytest.raises(services.TicketError):
        services.request_renewal(client_user.organization, product, by=client_user)
    with pytest.raises(services.NotAllowed):
        services.request_renewal(client_user.organization, product, by=other_client_user)
    assert not RenewalRequest.objects.exists()


# --- Replies and notes -----------------------------------------------------------------


def test_a_technicians_first_reply_opens_a_new_ticket(client_user, technician, product):
    ticket = open_ticket(client_user, product=product)
    message = services.add_reply(ticket, author=technician, body="  Lo miramos.  ")
    ticket.refresh_from_db()
    assert message.body == "Lo miramos."
    assert not message.is_internal
    assert ticket.status == S.OPEN
    assert ticket.public_message_count == 1
    assert StatusChange.objects.get(ticket=ticket).to_status == S.OPEN


def test_a_reply_can_move_the_ticket_to_awaiting_client(client_user, technician, product):
    ticket = open_ticket(client_user, product=product)
    services.add_reply(ticket, author=technician, body="¿Qué versión?", status=S.AWAITING_CLIENT)
    ticket.refresh_from_db()
    assert ticket.status == S.AWAITING_CLIENT
    assert ticket.sla_paused_at is not None


def test_the_clients_answer_to_a_waiting_ticket_reopens_it(client_user, technician, product):
    ticket = open_ticket(client_user, product=product)
    services.add_reply(ticket, author=technician, body="¿Qué versión?", status=S.AWAITING_CLIENT)
    services.add_reply(ticket, author=client_user, body="La 4.2")
    ticket.refresh_from_db()
    assert ticket.status == S.OPEN
    assert ticket.sla_paused_at is None
    assert ticket.public_message_count == 2


def test_clients_cannot_set_a_status_with_their_reply(client_user, product):
    ticket = open_ticket(client_user, product=product)
    with pytest.raises(services.NotAllowed):
        services.add_reply(ticket, author=client_user, body="hola", status=S.RESOLVED)
    assert not Message.objects.exists()


def test_notes_are_internal_and_not_counted(client_user, technician, product):
    ticket = open_ticket(client_user, product=product)
    note = services.add_note(ticket, author=technician, body="Mirar logs", attachments=[upload()])
    ticket.refresh_from_db()
    assert note.is_internal
    assert ticket.public_message_count == 0
    assert ticket.status == S.NEW  # a note does not answer the client
    assert note.attachments.get().ticket == ticket


def test_clients_cannot_write_notes(client_user, product):
    ticket = open_ticket(client_user, product=product)
    with pytest.raises(services.NotAllowed):
        services.add_note(ticket, author=client_user, body="secreto")
    assert not Message.objects.exists()


def test_notes_are_allowed_on_finished_tickets(client_user, technician, product):
    ticket = open_ticket(client_user, product=product)
    services.resolve(ticket, by=technician)
    services.add_note(ticket, author=technician, body="Para la factura: 20 min")
    assert Message.objects.filter(is_internal=True).count() == 1


def test_another_organizations_user_cannot_reply(client_user, other_client_user, product):
    ticket = open_ticket(client_user, product=product)
    with pytest.raises(services.NotAllowed):
        services.add_reply(ticket, author=other_client_user, body="hola")
    assert not Message.objects.exists()


def test_an_empty_reply_is_refused(client_user, product):
    ticket = open_ticket(client_user, product=product)
    with pytest.raises(services.TicketError, match="Write a message"):
        services.add_reply(ticket, author=client_user, body="   ")


@pytest.mark.postgres
def test_the_search_vector_follows_subject_and_messages(client_user, technician, product):
    ticket = open_ticket(client_user, product=product, subject="Impresoras sin conexión")
    services.add_note(ticket, author=technician, body="Revisar el cortafuegos")

    def matches(words):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT search_vector @@ websearch_to_tsquery('spanish', %s) "
                "FROM tickets_ticket WHERE id = %s",
                [words, ticket.pk],
            )
            return cursor.fetchone()[0]

    assert matches("impresora")  # Spanish stemming
    assert matches("cortafuegos")  # from the note
    assert not matches("factura")
