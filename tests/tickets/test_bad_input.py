"""Bad input gets a clear message and changes nothing: no ticket, message or attachment
row, and no file on disk."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.tickets.factories import PDF, ContractFactory, ProductFactory, open_ticket, upload
from tickets import services
from tickets.models import Attachment, Message, StatusChange, Ticket

EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 120


def nothing_written(media_root, tickets=0):
    assert Ticket.objects.count() == tickets
    assert not Message.objects.exists()
    assert not Attachment.objects.exists()
    assert not [p for p in Path(media_root).rglob("*") if p.is_file()]


@pytest.fixture
def product(db):
    return ProductFactory(name="Tienda online")


def ticket_data(product, **extra):
    return {
        "product": product.pk,
        "severity": "major",
        "kind": "consultation",
        "subject": "Ayuda",
        "description": "No funciona",
        "attachments": [upload("informe.pdf", PDF)],
    } | extra


def test_a_ticket_for_another_organizations_product(
    client_client, other_organization, product, settings
):
    ContractFactory(organization=other_organization, product=product)
    response = client_client.post(reverse("tickets:create"), ticket_data(product))
    assert response.status_code == 200
    assert 'data-testid="contract-refusal"' in response.text
    nothing_written(settings.MEDIA_ROOT)


def test_a_ticket_under_an_expired_contract(client_client, client_user, product, settings):
    ends = timezone.localdate() - timedelta(days=1)
    ContractFactory(
        organization=client_user.organization,
        product=product,
        starts_on=ends - timedelta(days=365),
        ends_on=ends,
    )
    response = client_client.post(reverse("tickets:create"), ticket_data(product))
    assert 'data-testid="contract-refusal"' in response.text
    assert str(ends.year) in response.text
    nothing_written(settings.MEDIA_ROOT)


@pytest.mark.parametrize(
    "attachment",
    [upload("grande.pdf", PDF + b"0" * 2048), upload("setup.exe", EXE), upload("informe.pdf", EXE)],
    ids=["oversized", "exe-extension", "exe-content"],
)
def test_a_ticket_with_a_bad_attachment(client_client, client_user, product, settings, attachment):
    settings.TICKET_ATTACHMENT_MAX_BYTES = 1024
    ContractFactory(organization=client_user.organization, product=product)
    response = client_client.post(
        reverse("tickets:create"), ticket_data(product, attachments=[attachment])
    )
    assert response.status_code == 200
    assert attachment.name in response.text  # the error names the file
    nothing_written(settings.MEDIA_ROOT)


def test_the_service_itself_refuses_a_bad_attachment(client_user, product, settings):
    ContractFactory(organization=client_user.organization, product=product)
    with pytest.raises(services.AttachmentRejected):
        open_ticket(client_user, product=product, attachments=[upload("x.pdf", EXE)])
    nothing_written(settings.MEDIA_ROOT)


def test_a_forbidden_status_change(client_user, technician, product, settings):
    ticket = open_ticket(client_user, product=product)
    services.close(ticket, by=client_user)
    changes = StatusChange.objects.count()
    with pytest.raises(services.InvalidTransition):
        services.change_status(ticket, Ticket.Status.AWAITING_CREDITS, by=technician, note="x")
    assert Ticket.objects.get().status == Ticket.Status.CLOSED
    assert StatusChange.objects.count() == changes
    nothing_written(settings.MEDIA_ROOT, tickets=1)


def test_a_reply_to_a_closed_ticket(client_client, client_user, product, settings):
    ticket = open_ticket(client_user, product=product)
    services.close(ticket, by=client_user)
    response = client_client.post(
        reverse("tickets:reply", args=[ticket.pk]),
        {"body": "¿Hola?", "attachments": [upload("captura.pdf", PDF)]},
    )
    assert response.status_code == 200
    assert "alert" in response.text
    nothing_written(settings.MEDIA_ROOT, tickets=1)
