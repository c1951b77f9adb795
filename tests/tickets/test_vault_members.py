"""The vault for an organization's members (issue 19): access data only on the tickets they
may see; the organization's access data page, its email switch and deleting are the
managers' (a member gets 404 and nothing changes); the links a member cannot use are
not shown."""

import pytest
from django.urls import reverse

from tests.accounts.factories import MemberFactory
from tests.tickets.factories import open_ticket, store_credential
from tickets import services
from tickets.models import Credential

FIELDS = {
    "credential-label": "FTP de la tienda",
    "credential-kind": "ftp",
    "credential-host": "ftp.tienda.example",
    "credential-password": "otro-s3creto-Largo",
}


@pytest.fixture
def member(organization):
    return MemberFactory(organization=organization, full_name="Miembro Raso")


@pytest.fixture
def member_client(client, member):
    client.force_login(member)
    return client


@pytest.fixture
def own_ticket(member):
    return open_ticket(member, subject="Ticket del miembro")


@pytest.fixture
def managers_ticket(client_user):
    return open_ticket(client_user, subject="Ticket del responsable")


def test_a_member_adds_access_data_to_their_own_ticket(member_client, own_ticket, member):
    response = member_client.post(reverse("tickets:credential_add", args=[own_ticket.pk]), FIELDS)
    assert response.status_code == 302
    credential = Credential.objects.get()
    assert (credential.ticket_id, credential.created_by_id) == (own_ticket.pk, member.pk)


def test_a_member_cannot_add_access_data_to_a_ticket_they_cannot_see(
    member_client, managers_ticket
):
    response = member_client.post(
        reverse("tickets:credential_add", args=[managers_ticket.pk]), FIELDS
    )
    assert response.status_code == 404
    assert not Credential.objects.exists()


def test_a_member_may_add_to_the_organizations_tickets_when_the_manager_allows_it(
    member_client, managers_ticket, organization
):
    organization.members_see_all_tickets = True
    organization.save(update_fields=["members_see_all_tickets"])
    response = member_client.post(
        reverse("tickets:credential_add", args=[managers_ticket.pk]), FIELDS
    )
    assert response.status_code == 302
    assert Credential.objects.get().ticket_id == managers_ticket.pk


def test_the_service_refuses_a_member_without_the_ticket_or_the_organizations_data(
    member, managers_ticket, own_ticket
):
    with pytest.raises(services.NotAllowed):
        store_credential(member, ticket=managers_ticket)
    with pytest.raises(services.NotAllowed):
        store_credential(member)  # the organization's own access data
    credential = store_credential(member, ticket=own_ticket)
    with pytest.raises(services.NotAllowed):
        services.delete_credential(credential, by=member)
    with pytest.raises(services.NotAllowed):
        services.set_reveal_emails(member.organization, by=member, enabled=False)
    assert list(Credential.objects.all()) == [credential]


def test_a_member_gets_404_on_the_organizations_access_data_and_nothing_changes(
    member_client, client_user, own_ticket, member, organization
):
    shared = store_credential(client_user, label="Panel de la tienda")
    mine = store_credential(member, ticket=own_ticket, label="Mi FTP")
    reveal_emails = organization.reveal_emails
    pages = reverse("tickets:credentials")
    assert member_client.get(pages).status_code == 404
    assert member_client.post(pages, FIELDS).status_code == 404
    switch = reverse("tickets:credential_reveal_emails")
    assert member_client.get(switch).status_code == 404
    assert member_client.post(switch, {"enabled": ""}).status_code == 404
    for credential in (shared, mine):
        delete = reverse("tickets:credential_delete", args=[credential.pk])
        assert member_client.post(delete).status_code == 404
        assert member_client.get(delete).status_code in (404, 405)
    assert set(Credential.objects.values_list("pk", flat=True)) == {shared.pk, mine.pk}
    organization.refresh_from_db()
    assert organization.reveal_emails == reveal_emails


def test_a_members_ticket_page_lists_only_its_own_access_data_without_the_managers_links(
    member_client, client_user, own_ticket, member
):
    store_credential(client_user, label="Panel de la tienda")  # the organization's
    store_credential(member, ticket=own_ticket, label="Mi FTP")
    page = member_client.get(own_ticket.get_absolute_url()).text
    assert "Mi FTP" in page
    assert "Panel de la tienda" not in page
    assert reverse("tickets:credentials") not in page
    assert "/delete/" not in page
    assert 'data-testid="credential-form"' in page  # they may still add


def test_the_manager_keeps_the_page_the_links_and_the_delete(client_client, client_user):
    ticket = open_ticket(client_user)
    shared = store_credential(client_user, label="Panel de la tienda")
    store_credential(client_user, ticket=ticket, label="FTP")
    assert "Panel de la tienda" in client_client.get(reverse("tickets:credentials")).text
    page = client_client.get(ticket.get_absolute_url()).text
    assert reverse("tickets:credentials") in page
    assert "/delete/" in page
    response = client_client.post(reverse("tickets:credential_delete", args=[shared.pk]))
    assert response.status_code == 302
    assert not Credential.objects.filter(pk=shared.pk).exists()
