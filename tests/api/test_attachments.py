"""Attachments through the API: multipart on ticket creation and replies, the portal's
checks, downloads only for who may see the ticket, and Idempotency-Key over files."""

import pytest

from tests.api.conftest import bearer
from tests.tickets.factories import PDF, PNG, ContractFactory, ProductFactory, open_ticket, upload
from tickets.models import Attachment, Message, Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def product(client_user):
    product = ProductFactory(name="Tienda online")
    ContractFactory(organization=client_user.organization, product=product)
    return product


def _ticket_form(product, **extra):
    return {
        "product": product.pk,
        "kind": "consultation",
        "severity": "minor",
        "subject": "No llegan los correos",
        "description": "Adjunto la captura.",
        **extra,
    }


def test_a_ticket_opened_with_files_keeps_them_and_lists_them(client_api, product):
    response = client_api.post(
        "/api/v1/tickets/",
        _ticket_form(product, files=[upload("captura.png", PNG), upload("informe.pdf", PDF)]),
        format="multipart",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert sorted(a["name"] for a in body["attachments"]) == ["captura.png", "informe.pdf"]
    ticket = Ticket.objects.get(pk=body["id"])
    assert ticket.attachments.count() == 2


def test_a_reply_with_a_file_and_its_download(client_api, client_user, product):
    ticket = open_ticket(client_user, product=product)
    response = client_api.post(
        f"/api/v1/tickets/{ticket.pk}/reply/",
        {"body": "Aquí va el informe.", "files": [upload("informe.pdf", PDF)]},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    [attachment] = response.json()["attachments"]
    download = client_api.get(f"/api/v1/attachments/{attachment['id']}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    download.close()


def test_a_refused_file_writes_nothing_and_says_why(client_api, client_user, product):
    ticket = open_ticket(client_user, product=product)
    before = (Message.objects.count(), Attachment.objects.count())
    response = client_api.post(
        f"/api/v1/tickets/{ticket.pk}/reply/",
        {"body": "Un programa.", "files": [upload("setup.exe", b"MZ\x90\x00" + b"\x00" * 64)]},
        format="multipart",
        HTTP_ACCEPT_LANGUAGE="es",
    )
    assert response.status_code == 409
    assert response.json()["code"] == "attachment_rejected"
    assert response.json()["message"]
    assert (Message.objects.count(), Attachment.objects.count()) == before


def test_too_many_files_are_refused(client_api, client_user, product, settings):
    ticket = open_ticket(client_user, product=product)
    files = [upload(f"f{n}.pdf", PDF) for n in range(settings.TICKET_ATTACHMENT_MAX_FILES + 1)]
    response = client_api.post(
        f"/api/v1/tickets/{ticket.pk}/reply/", {"body": "Muchos.", "files": files},
        format="multipart",
    )  # fmt: skip
    assert response.status_code == 409
    assert Attachment.objects.count() == 0


def test_an_unknown_multipart_field_is_a_400(client_api, client_user, product):
    ticket = open_ticket(client_user, product=product)
    before = Message.objects.filter(ticket=ticket).count()
    response = client_api.post(
        f"/api/v1/tickets/{ticket.pk}/reply/", {"body": "x", "cuerpo": "y"}, format="multipart"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    # In the key owner's language (a Spanish client here).
    assert response.json()["fields"] == {"cuerpo": ["Campo desconocido."]}
    assert Message.objects.filter(ticket=ticket).count() == before


def test_another_organizations_ticket_and_file_are_404(client_user, other_client_user, product):
    theirs = open_ticket(other_client_user)
    api = bearer(client_user)
    response = api.post(
        f"/api/v1/tickets/{theirs.pk}/reply/",
        {"body": "Hola", "files": [upload("informe.pdf", PDF)]},
        format="multipart",
    )
    assert response.status_code == 404
    assert Attachment.objects.count() == 0
    reply = bearer(other_client_user).post(
        f"/api/v1/tickets/{theirs.pk}/reply/",
        {"body": "Mío", "files": [upload("informe.pdf", PDF)]},
        format="multipart",
    )
    [attachment] = reply.json()["attachments"]
    assert api.get(f"/api/v1/attachments/{attachment['id']}/").status_code == 404


def test_an_idempotent_upload_is_stored_once_and_a_different_file_is_a_409(
    client_api, client_user, product
):
    ticket = open_ticket(client_user, product=product)
    url = f"/api/v1/tickets/{ticket.pk}/reply/"

    def send(content):
        return client_api.post(
            url,
            {"body": "El informe.", "files": [upload("informe.pdf", content)]},
            format="multipart",
            HTTP_IDEMPOTENCY_KEY="reply-with-file-1",
        )

    first, again = send(PDF), send(PDF)
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert Attachment.objects.count() == 1
    changed = send(PDF.replace(b"1.4", b"1.5"))
    assert changed.status_code == 409
    assert Attachment.objects.count() == 1
