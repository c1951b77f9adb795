"""The credential vault: encrypted at rest, revealed only to assigned technicians, every
reveal logged and shown to the client; key rotation."""

import logging

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from tests.accounts.factories import AdminFactory, TechnicianFactory
from tests.tickets.factories import open_ticket, store_credential
from tickets import crypto, services
from tickets.checks import vault_keys_check
from tickets.models import Credential, CredentialReveal, Ticket

PASSWORD = "s3creto-Muy-Largo"


@pytest.fixture
def ticket(client_user, technician):
    ticket = open_ticket(client_user, kind="intervention")
    services.assign(ticket, technician, by=technician)
    return ticket


def test_access_data_is_encrypted_at_rest(client_user):
    credential = store_credential(client_user)
    stored = Credential.objects.values_list("secret", flat=True).get()
    assert PASSWORD not in stored
    assert "admin" not in stored
    assert crypto.decrypt(stored) == {
        "url": "https://tienda.example/admin",
        "username": "admin",
        "password": PASSWORD,
    }
    assert PASSWORD not in repr(credential) + str(credential)


def test_an_assigned_technician_reveals_and_the_reveal_is_logged(ticket, technician, client_user):
    credential = store_credential(client_user, ticket=ticket, label="FTP")
    fields = services.reveal_credential(credential, by=technician)
    assert fields["password"] == PASSWORD
    reveal = CredentialReveal.objects.get()
    assert (reveal.credential, reveal.revealed_by, reveal.ticket) == (
        credential,
        technician,
        ticket,
    )
    assert reveal.organization == client_user.organization
    assert reveal.label == "FTP"
    assert reveal.revealed_at is not None


def test_organization_access_data_needs_an_assignment_to_an_unresolved_ticket(
    ticket, technician, client_user
):
    credential = store_credential(client_user)
    assert services.reveal_credential(credential, by=technician)["username"] == "admin"
    services.resolve(ticket, by=technician)
    with pytest.raises(services.NotAllowed):
        services.reveal_credential(credential, by=technician)
    assert CredentialReveal.objects.count() == 1


def test_ticket_access_data_needs_an_assignment_to_that_ticket(ticket, client_user):
    other_ticket = open_ticket(client_user)
    colleague = TechnicianFactory()
    services.assign(other_ticket, colleague, by=colleague)
    credential = store_credential(client_user, ticket=ticket)
    with pytest.raises(services.NotAllowed):
        services.reveal_credential(credential, by=colleague)


def test_admins_without_an_assignment_cannot_reveal(ticket, client_user):
    credential = store_credential(client_user)
    admin = AdminFactory()
    with pytest.raises(services.NotAllowed):
        services.reveal_credential(credential, by=admin)
    services.assign(ticket, admin, by=admin)
    assert services.reveal_credential(credential, by=admin)["password"] == PASSWORD


def test_a_technician_not_assigned_cannot_reveal(ticket, client_user):
    credential = store_credential(client_user)
    with pytest.raises(services.NotAllowed):
        services.reveal_credential(credential, by=TechnicianFactory())
    assert not CredentialReveal.objects.exists()


def test_clients_store_only_for_their_organization_and_open_tickets(
    ticket, client_user, other_client_user, technician
):
    with pytest.raises(services.NotAllowed):
        store_credential(other_client_user, ticket=ticket)
    with pytest.raises(services.NotAllowed):
        services.store_credential(
            client_user.organization, by=technician, label="x", fields={"url": "u"}
        )
    with pytest.raises(services.TicketError, match="at least one field"):
        store_credential(client_user, url=" ")
    with pytest.raises(services.TicketError, match="name"):
        store_credential(client_user, label=" ")
    services.resolve(ticket, by=technician)
    with pytest.raises(services.TicketError, match="finished"):
        store_credential(client_user, ticket=ticket)


def test_deleting_keeps_the_reveal_log(ticket, technician, client_user, other_client_user):
    credential = store_credential(client_user)
    services.reveal_credential(credential, by=technician)
    with pytest.raises(services.NotAllowed):
        services.delete_credential(credential, by=other_client_user)
    services.delete_credential(credential, by=client_user)
    assert not Credential.objects.exists()
    reveal = CredentialReveal.objects.get()
    assert reveal.credential is None
    assert reveal.label == "Panel de la tienda"


def test_the_secret_never_reaches_the_logs(ticket, technician, client_user, caplog, client):
    caplog.set_level(logging.DEBUG)
    credential = store_credential(client_user)
    client.force_login(technician)
    client.post(reverse("tickets:credential_reveal", args=[credential.pk]))
    services.reveal_credential(credential, by=technician)
    assert PASSWORD not in caplog.text


def test_the_reveal_is_a_post_shown_once_and_never_cached(ticket, technician, client_user, client):
    credential = store_credential(client_user)
    client.force_login(technician)
    page = client.get(ticket.get_absolute_url())
    assert PASSWORD not in page.text
    assert credential.secret not in page.text
    assert 'data-testid="credential-reveal"' in page.text
    url = reverse("tickets:credential_reveal", args=[credential.pk])
    assert client.get(url).status_code == 405
    revealed = client.post(url, {"ticket": ticket.pk})
    assert revealed.status_code == 200
    assert PASSWORD in revealed.text
    assert "no-store" in revealed["Cache-Control"]
    assert CredentialReveal.objects.count() == 1


def test_a_refused_reveal_redirects_with_the_reason_and_logs_nothing(ticket, client_user, client):
    credential = store_credential(client_user)
    admin = AdminFactory()
    client.force_login(admin)
    page = client.get(ticket.get_absolute_url())
    assert 'data-testid="credential-reveal"' not in page.text  # not assigned: no button
    response = client.post(
        reverse("tickets:credential_reveal", args=[credential.pk]), {"ticket": ticket.pk}
    )
    assert response.status_code == 302
    assert PASSWORD not in client.get(response.url).text
    assert not CredentialReveal.objects.exists()


def test_the_client_sees_who_saw_their_access_data(ticket, technician, client_user, client):
    credential = store_credential(client_user, label="Base de datos")
    services.reveal_credential(credential, by=technician)
    client.force_login(client_user)
    page = client.get(reverse("tickets:credentials"))
    log = page.text.split('data-testid="reveal-log"')[1]
    assert technician.full_name in log
    assert "Base de datos" in log
    assert ticket.reference in log
    assert PASSWORD not in page.text


def test_the_admin_never_shows_the_secret(ticket, technician, client_user, admin_user, client):
    credential = store_credential(client_user)
    services.reveal_credential(credential, by=technician)
    client.force_login(admin_user)
    for url in (
        reverse("admin:tickets_credential_changelist"),
        reverse("admin:tickets_credential_change", args=[credential.pk]),
        reverse("admin:tickets_credentialreveal_changelist"),
        reverse("admin:tickets_credentialreveal_change", args=[CredentialReveal.objects.get().pk]),
    ):
        page = client.get(url)
        assert page.status_code == 200
        assert PASSWORD not in page.text
        assert credential.secret not in page.text
    assert client.post(
        reverse("admin:tickets_credentialreveal_delete", args=[CredentialReveal.objects.get().pk])
    ).status_code in (403, 302)
    assert CredentialReveal.objects.exists()


def test_rotating_the_keys_reencrypts_everything_with_the_newest(settings, client_user, capsys):
    old_key = settings.VAULT_KEYS[0]
    store_credential(client_user)
    store_credential(client_user, label="FTP", username="ftpuser", password=PASSWORD)
    new_key = Fernet.generate_key().decode()
    settings.VAULT_KEYS = [new_key, old_key]
    call_command("rotate_vault_keys")
    assert "Re-encrypted 2 credentials" in capsys.readouterr().out
    only_new = Fernet(new_key)
    for token in Credential.objects.values_list("secret", flat=True):
        only_new.decrypt(token.encode())  # raises if still under the old key
    settings.VAULT_KEYS = [new_key]
    assert {crypto.decrypt(c.secret)["password"] for c in Credential.objects.all()} == {PASSWORD}
    call_command("rotate_vault_keys")  # twice: still fine
    assert "Re-encrypted 2 credentials" in capsys.readouterr().out


def test_rotation_without_the_old_key_fails_clearly(settings, client_user):
    store_credential(client_user)
    settings.VAULT_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(CommandError, match="vault key"):
        call_command("rotate_vault_keys")


def test_a_missing_key_refuses_to_store(settings, client_user):
    settings.VAULT_KEYS = []
    with pytest.raises(crypto.VaultError):
        store_credential(client_user)
    assert not Credential.objects.exists()


def test_a_wrong_key_logs_no_reveal(settings, ticket, technician, client_user):
    credential = store_credential(client_user)
    settings.VAULT_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(crypto.VaultError):
        services.reveal_credential(credential, by=technician)
    assert not CredentialReveal.objects.exists()


def test_the_system_check_refuses_a_malformed_key(settings):
    assert vault_keys_check(None) == []
    settings.VAULT_KEYS = ["not-a-key"]
    (error,) = vault_keys_check(None)
    assert error.id == "tickets.E001"


@pytest.mark.parametrize("count", [1, 25])
def test_the_access_data_page_runs_a_fixed_number_of_queries(
    client_user, technician, client, django_assert_max_num_queries, count
):
    ticket = open_ticket(client_user)
    services.assign(ticket, technician, by=technician)
    for number in range(count):
        credential = store_credential(
            client_user, label=f"Acceso {number}", ticket=ticket if number % 2 else None
        )
        services.reveal_credential(credential, by=technician)
    client.force_login(client_user)
    with django_assert_max_num_queries(6):
        page = client.get(reverse("tickets:credentials"))
    assert page.text.count('data-testid="credential"') == count
    assert page.text.count('data-testid="reveal"') == count
    assert Ticket.objects.count() == 1


def test_error_reports_hide_what_the_client_typed(client_user, client):
    from django.views.debug import SafeExceptionReporterFilter

    client.force_login(client_user)
    response = client.post(
        reverse("tickets:credentials"),
        {
            "credential-label": "Panel",
            "credential-kind": "website",
            "credential-password": PASSWORD,
        },
    )
    request = response.wsgi_request
    assert "credential-password" in request.sensitive_post_parameters
    cleansed = SafeExceptionReporterFilter().get_post_parameters(request)
    assert cleansed["credential-password"] != PASSWORD
    assert PASSWORD not in str(dict(cleansed))
