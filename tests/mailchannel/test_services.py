"""receive_email: what each message of the corpus becomes (tests/fixtures/mail/)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from mailchannel.models import AllowedSender, AutoAnswer, InboundEmail
from notifications.models import Kind, OutboxEmail
from tests.accounts.factories import OrganizationFactory, UserFactory
from tests.mailchannel.conftest import corpus
from tests.tickets.factories import ContractFactory, ProductFactory
from tests.tickets.factories import open_ticket as open_ticket_factory
from tickets import services as ticket_services
from tickets.inbound import Received, receive_email
from tickets.models import Attachment, Message, Ticket

pytestmark = pytest.mark.django_db


def _reply_id(ticket):
    """The Message-ID of the ticket_reply email a technician's reply sends to the client."""
    email = OutboxEmail.objects.filter(kind=Kind.TICKET_REPLY).latest("pk")
    from notifications.delivery import message_id

    return message_id(email)


def _answered_ticket(ana, technician, **fields):
    ticket = open_ticket_factory(ana, product=ProductFactory(name="Tienda"), **fields)
    ticket_services.add_reply(
        ticket, author=technician, body="Hemos reiniciado.", status=Ticket.Status.AWAITING_CLIENT
    )
    return Ticket.objects.get(pk=ticket.pk)


def test_new_email_from_a_client_user_creates_an_email_ticket(ana):
    before = timezone.now()
    result = receive_email(corpus("new_plain.eml"))
    assert isinstance(result, Received)
    assert result.outcome == "created"
    ticket = result.ticket
    assert ticket.channel == Ticket.Channel.EMAIL
    assert ticket.requester == ana  # From had upper case: compared without case
    assert ticket.subject == "La tienda no carga"
    assert "desde esta mañana la tienda no carga" in ticket.description
    assert ticket.kind == Ticket.Kind.CONSULTATION
    assert ticket.severity == Ticket.Severity.MINOR
    assert ticket.product.name == "Tienda"
    assert ticket.sla_started_at >= before
    assert ticket.status == Ticket.Status.NEW
    assert ticket.sla_paused_at is None
    stored = InboundEmail.objects.get(ticket=ticket)
    assert stored.outcome == "created"
    assert bytes(stored.raw) == corpus("new_plain.eml")


def test_same_message_twice_is_a_duplicate_returning_the_first_ticket(ana):
    first = receive_email(corpus("new_plain.eml"))
    second = receive_email(corpus("new_plain.eml"))
    assert second.outcome == "duplicate"
    assert second.ticket == first.ticket
    assert Ticket.objects.count() == 1
    assert InboundEmail.objects.count() == 1


def test_gmail_reply_threads_by_in_reply_to_and_strips_quotes(ana, technician):
    ticket = _answered_ticket(ana, technician)
    raw = corpus("gmail_reply.eml", IN_REPLY_TO=_reply_id(ticket), REF="T-1999-00001")
    result = receive_email(raw)
    assert result.outcome == "appended"
    assert result.ticket == ticket
    message = Message.objects.filter(ticket=ticket, author=ana).get()
    assert message.body == "Ya funciona, gracias. Ahora el carrito va lento."
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.OPEN  # awaiting client → open
    assert ticket.sla_paused_at is None  # the clock resumed
    assert message.inbound_email.message_key == "CAGmail-reply-1@mail.gmail.com"


def test_outlook_reply_threads_by_subject_reference_and_decodes_windows_1252(ana, technician):
    ticket = _answered_ticket(ana, technician)
    result = receive_email(corpus("outlook_reply.eml", REF=ticket.reference))
    assert result.outcome == "appended"
    body = Message.objects.filter(ticket=ticket, author=ana).get().body
    assert body == "He probado otra vez y el error sigue: “página no encontrada”."


def test_apple_mail_base64_reply_keeps_only_the_new_text(ana, technician):
    ticket = _answered_ticket(ana, technician)
    result = receive_email(corpus("apple_reply.eml", REF=ticket.reference))
    assert result.outcome == "appended"
    assert Message.objects.filter(ticket=ticket, author=ana).get().body == (
        "Sigue igual en el móvil."
    )


def test_html_only_mail_becomes_clean_text_without_scripts_or_images(ana):
    result = receive_email(corpus("html_only.eml"))
    assert result.outcome == "created"
    description = result.ticket.description
    assert "El pago con tarjeta da error 500." in description
    assert "Adjunto captura en el enlace." in description
    for bad in ("<", "alert", "tracker", "pixel", "color:red", "http"):
        assert bad not in description


def test_forwarded_mail_keeps_the_forwarded_text(ana):
    result = receive_email(corpus("forwarded.eml"))
    assert result.outcome == "created"
    assert "PHP 7.4" in result.ticket.description


@pytest.mark.parametrize("name", ["auto_reply.eml", "bulk.eml", "bounce.eml"])
def test_automatic_mail_is_ignored_and_answered_by_nothing(ana, technician, name):
    ticket = _answered_ticket(ana, technician)
    messages = Message.objects.count()
    outbox = OutboxEmail.objects.count()
    result = receive_email(corpus(name, REF=ticket.reference))
    assert result.outcome == "ignored"
    assert result.ticket is None
    assert Message.objects.count() == messages
    assert OutboxEmail.objects.count() == outbox


def test_mail_from_our_own_address_is_ignored(ana, settings):
    settings.DEFAULT_FROM_EMAIL = "Soporte <ana@cliente.example>"
    assert receive_email(corpus("new_plain.eml")).outcome == "ignored"
    assert Ticket.objects.count() == 0


def test_mixed_encodings_decode_headers_body_and_attachment_names(ana):
    result = receive_email(corpus("mixed_encodings.eml"))
    assert result.outcome == "created"
    ticket = result.ticket
    assert ticket.subject == "Facturación y acentos €"
    assert '"España" y "año"' in ticket.description
    attachment = Attachment.objects.get(ticket=ticket)
    assert attachment.name.endswith(".txt")
    assert attachment.file.read() == "Linea uno\nLínea dos\n".encode()


def test_executable_and_disguised_files_are_refused_and_listed_inline_image_kept(ana):
    result = receive_email(corpus("executable.eml"))
    assert result.outcome == "created"
    ticket = result.ticket
    assert "Attachments not accepted:" in ticket.description
    assert "setup.exe" in ticket.description
    assert "factura.pdf" in ticket.description  # an MZ header called .pdf
    names = list(Attachment.objects.filter(ticket=ticket).values_list("name", flat=True))
    assert names == ["inline.png"]


def test_huge_message_is_rejected_politely_and_kept(ana, settings):
    settings.INBOUND_EMAIL_MAX_BYTES = 25 * 1024 * 1024
    raw = corpus("new_plain.eml") + b"x" * (50 * 1024 * 1024)
    result = receive_email(raw)
    assert result.outcome == "rejected"
    assert "too big" in result.reason
    assert Ticket.objects.count() == 0
    assert OutboxEmail.objects.filter(kind=Kind.INBOUND_REJECTED, to_email=ana.email).count() == 1
    assert InboundEmail.objects.get().size == len(raw)


def test_malformed_mime_does_not_crash(ana):
    result = receive_email(corpus("malformed.eml"))
    assert result.outcome == "created"
    assert "roto" in result.ticket.description


def test_missing_from_is_rejected_without_an_answer(db):
    result = receive_email(corpus("no_from.eml"))
    assert result.outcome == "rejected"
    assert OutboxEmail.objects.count() == 0


def test_unknown_sender_is_rejected_with_one_answer_a_few_a_day(db, settings):
    settings.INBOUND_AUTO_ANSWERS_PER_DAY = 2
    for number in range(4):
        raw = corpus("new_plain.eml").replace(b"new-plain-1@", f"new-plain-{number}@".encode())
        result = receive_email(raw)
        assert result.outcome == "rejected"
        assert result.ticket is None
    answers = OutboxEmail.objects.filter(kind=Kind.INBOUND_REJECTED)
    assert answers.count() == 2
    assert answers.first().to_email == "ana@cliente.example"
    assert AutoAnswer.objects.get().count == 2
    assert Ticket.objects.count() == 0


def test_allowed_contact_opens_a_ticket_for_its_organization(client_org):
    AllowedSender.objects.create(organization=client_org, email="Ana@Cliente.example")
    result = receive_email(corpus("new_plain.eml"))
    assert result.outcome == "created"
    assert result.ticket.organization == client_org
    assert result.ticket.requester.email == "ana@cliente.example"


def test_organization_without_active_contract_gets_the_portal_explanation(db):
    organization = OrganizationFactory()
    ProductFactory(name="Tienda")  # offered, but this organization has no contract for it
    UserFactory(email="ana@cliente.example", organization=organization)
    result = receive_email(corpus("new_plain.eml"))
    assert result.outcome == "rejected"
    assert "no maintenance contract" in result.reason
    assert OutboxEmail.objects.filter(kind=Kind.INBOUND_REJECTED).count() == 1


def test_reference_of_another_organizations_ticket_appends_nothing(ana, technician):
    other = UserFactory(email="otro@ajeno.example")
    ContractFactory(organization=other.organization, product=ProductFactory(name="Tienda"))
    ticket = _answered_ticket(ana, technician)
    raw = (
        corpus("outlook_reply.eml", REF=ticket.reference)
        .replace(b"<ana@cliente.example>\r\nTo", b"<otro@ajeno.example>\r\nTo")
        .replace(b"<ana@cliente.example>\nTo", b"<otro@ajeno.example>\nTo")
    )
    result = receive_email(raw)
    assert result.outcome == "rejected"
    assert result.ticket is None
    assert not Message.objects.filter(ticket=ticket, author=other).exists()
    assert Ticket.objects.count() == 1


def test_staff_reply_by_email_is_a_public_reply(ana, technician):
    ticket = open_ticket_factory(ana, product=ProductFactory(name="Tienda"))
    raw = corpus("outlook_reply.eml", REF=ticket.reference).replace(
        b"<ana@cliente.example>\nTo", b"<tecnico@soporte.example>\nTo"
    )
    result = receive_email(raw)
    assert result.outcome == "appended"
    message = Message.objects.get(ticket=ticket, author=technician)
    assert not message.is_internal


def test_reply_to_ticket_closed_within_7_days_reopens_it(ana, technician):
    ticket = _answered_ticket(ana, technician)
    ticket_services.close(ticket, by=ana)
    result = receive_email(corpus("outlook_reply.eml", REF=ticket.reference))
    assert result.outcome == "appended"
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.OPEN


def test_reply_to_ticket_closed_long_ago_opens_a_new_linked_ticket(ana, technician):
    ticket = _answered_ticket(ana, technician)
    ticket_services.close(ticket, by=ana)
    Ticket.objects.filter(pk=ticket.pk).update(closed_at=timezone.now() - timedelta(days=8))
    result = receive_email(corpus("outlook_reply.eml", REF=ticket.reference))
    assert result.outcome == "created"
    assert result.ticket != ticket
    assert ticket.reference in result.ticket.description
    assert InboundEmail.objects.get(ticket=result.ticket).follows == ticket
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.CLOSED


def test_receive_email_refuses_text(db):
    with pytest.raises(TypeError):
        receive_email("not bytes")


def _with_auth_results(raw: bytes, header: str) -> bytes:
    return f"Authentication-Results: {header}\n".encode() + raw


def test_forged_from_reported_by_our_server_is_rejected_without_answer(ana, settings):
    settings.INBOUND_AUTHSERV_ID = "mx.soporte.example"
    raw = _with_auth_results(
        corpus("new_plain.eml"), "mx.soporte.example; spf=fail; dkim=none; dmarc=fail"
    )
    result = receive_email(raw)
    assert result.outcome == "rejected"
    assert "forged" in result.reason
    assert Ticket.objects.count() == 0
    assert OutboxEmail.objects.count() == 0


def test_authentication_results_of_other_hosts_are_not_trusted(ana, settings):
    settings.INBOUND_AUTHSERV_ID = "mx.soporte.example"
    raw = _with_auth_results(corpus("new_plain.eml"), "evil.example; dmarc=fail")
    assert receive_email(raw).outcome == "created"


def test_admin_downloads_the_original_and_retries_a_failed_message(ana, client, monkeypatch):
    from mailchannel import services
    from tests.accounts.factories import AdminFactory

    def broken(record, parsed):
        raise RuntimeError("database hiccup")

    monkeypatch.setattr(services, "_decide", broken)
    with pytest.raises(RuntimeError):
        receive_email(corpus("new_plain.eml"))
    record = InboundEmail.objects.get()
    assert record.outcome == "failed"
    assert "database hiccup" in record.reason
    monkeypatch.undo()

    admin = AdminFactory()
    client.force_login(admin)
    response = client.get(f"/admin/mailchannel/inboundemail/{record.pk}/eml/")
    assert response.status_code == 200
    assert response["Content-Type"] == "message/rfc822"
    assert b"".join(response) == corpus("new_plain.eml")
    response = client.post(
        "/admin/mailchannel/inboundemail/",
        {"action": "retry", "_selected_action": [record.pk]},
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.outcome == "created"
    assert record.ticket is not None


def test_the_polite_answer_to_an_unknown_sender_is_sent_once(db, mailoutbox):
    from notifications.services import send_email

    receive_email(corpus("new_plain.eml"))
    row = OutboxEmail.objects.get(kind=Kind.INBOUND_REJECTED)
    assert row.recipient is None
    send_email(row.pk)
    send_email(row.pk)
    assert len(mailoutbox) == 1
    answer = mailoutbox[0]
    assert answer.to == ["ana@cliente.example"]
    assert answer.extra_headers["Auto-Submitted"] == "auto-generated"
    assert "No hemos podido aceptar su correo" in answer.subject
