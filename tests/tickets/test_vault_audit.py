"""Issue 10: the vault cannot be opened quietly. Every (un)assignment is recorded with who
and when, shown in the ticket's history (staff and client pages) and in the client's
access log beside the reveals; the client is emailed on a reveal (who, which entry, which
ticket), at most once a day per entry and technician, unless the organization said no."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from notifications.models import Kind, OutboxEmail
from notifications.services import send_email
from tests.accounts.factories import AdminFactory, TechnicianFactory, UserFactory
from tests.tickets.factories import open_ticket, store_credential
from tickets import services
from tickets.models import AssignmentChange


@pytest.fixture
def ticket(client_user):
    return open_ticket(client_user, kind="intervention", subject="Actualizar la tienda")


def reveal_emails():
    return OutboxEmail.objects.filter(kind=Kind.CREDENTIAL_REVEALED).order_by("pk")


def test_assigning_and_unassigning_are_recorded_with_who_and_when(ticket, technician):
    admin = AdminFactory(full_name="Jefa Admin")
    services.assign(ticket, admin, by=admin)
    services.assign(ticket, admin, by=admin)  # already assigned: nothing new
    services.assign(ticket, technician, by=admin)
    services.unassign(ticket, admin, by=admin)
    services.unassign(ticket, admin, by=admin)  # not assigned any more: nothing new
    changes = list(AssignmentChange.objects.order_by("pk"))
    assert [(c.technician, c.action, c.by) for c in changes] == [
        (admin, "assigned", admin),
        (technician, "assigned", admin),
        (admin, "unassigned", admin),
    ]
    assert all(c.organization_id == ticket.organization_id and c.created_at for c in changes)


def test_the_history_shows_assignments_to_staff_and_to_the_client(
    ticket, technician, client_user, client
):
    services.assign(ticket, technician, by=technician)
    services.unassign(ticket, technician, by=technician)
    name = technician.get_full_name()
    client.force_login(technician)
    staff_page = client.get(ticket.get_absolute_url()).text
    client.force_login(client_user)
    client_page = client.get(ticket.get_absolute_url()).text
    for page in (staff_page, client_page):
        assert page.count('data-testid="history-assignment"') == 2
        assert f"Se asigna a {name} (por {name})" in page
        assert f"Se desasigna a {name} (por {name})" in page


def test_the_access_log_lists_assignments_beside_the_reveals(
    ticket, technician, client_client, other_client_user
):
    services.assign(ticket, technician, by=technician)
    store_credential(ticket.requester, label="Panel")
    services.reveal_credential(ticket.organization.credentials.get(), by=technician)
    page = client_client.get(reverse("tickets:credentials")).text
    assert page.count('data-testid="assignment"') == 1
    assert page.count('data-testid="reveal"') == 1
    assert ticket.reference in page
    # Another organization's log shows none of it.
    other = open_ticket(other_client_user)
    services.assign(other, technician, by=technician)
    assert (
        client_client.get(reverse("tickets:credentials")).text.count('data-testid="assignment"')
        == 1
    )


def test_a_reveal_emails_the_clients_once_a_day_per_entry_and_technician(
    ticket, technician, client_user
):
    english = UserFactory(
        organization=client_user.organization, email="emma@cliente.example", language="en"
    )
    services.assign(ticket, technician, by=technician)
    panel = store_credential(client_user, label="Panel de la tienda")
    ftp = store_credential(client_user, label="FTP", ticket=ticket)
    services.reveal_credential(panel, by=technician)
    services.reveal_credential(panel, by=technician)  # same day: no second email
    services.reveal_credential(ftp, by=technician)  # another entry: its own email
    assert reveal_emails().count() == 4  # 2 entries, 2 client users each
    colleague = TechnicianFactory(email="jorge@soporte.example")
    services.assign(ticket, colleague, by=colleague)
    services.reveal_credential(panel, by=colleague)  # another technician: emailed
    assert reveal_emails().count() == 6
    with time_machine.travel(timezone.now() + timedelta(days=1)):
        services.reveal_credential(panel, by=technician)  # the next day: emailed again
    assert reveal_emails().count() == 8

    first = reveal_emails().filter(recipient=english).first()
    send_email(first.pk)
    (message,) = mail.outbox
    assert (
        message.subject
        == f"[{ticket.reference}] {technician.get_full_name()} viewed your access data"
        " “Panel de la tienda”"
    )
    assert technician.email in message.body
    assert ticket.reference in message.body
    assert "password" not in message.body.lower() or "s3creto" not in message.body
    assert "s3creto-Muy-Largo" not in message.body


def test_the_organization_can_switch_the_emails_off_and_on(
    ticket, technician, client_user, client_client
):
    services.assign(ticket, technician, by=technician)
    panel = store_credential(client_user, label="Panel")
    page = client_client.get(reverse("tickets:credentials")).text
    assert 'data-testid="reveal-emails-form"' in page
    response = client_client.post(reverse("tickets:credential_reveal_emails"), {"enabled": "0"})
    assert response.status_code == 302
    client_user.organization.refresh_from_db()
    assert client_user.organization.reveal_emails is False
    services.reveal_credential(panel, by=technician)
    assert not reveal_emails().exists()
    client_client.post(reverse("tickets:credential_reveal_emails"), {"enabled": "1"})
    client_user.organization.refresh_from_db()
    assert client_user.organization.reveal_emails is True
    with time_machine.travel(timezone.now() + timedelta(days=1)):
        services.reveal_credential(panel, by=technician)
    assert reveal_emails().count() == 1


def test_the_switch_refuses_bad_input_and_staff(client_client, client_user, technician):
    response = client_client.post(reverse("tickets:credential_reveal_emails"), {"enabled": "x"})
    assert response.status_code == 302
    client_user.organization.refresh_from_db()
    assert client_user.organization.reveal_emails is True
    with pytest.raises(services.NotAllowed):
        services.set_reveal_emails(client_user.organization, by=technician, enabled=False)
    page = client_client.get(reverse("tickets:credential_reveal_emails"))
    assert (page.status_code, page.url) == (302, reverse("tickets:credentials"))
    client_user.organization.refresh_from_db()
    assert client_user.organization.reveal_emails is True


def test_assignees_changed_in_django_admin_are_recorded_too(client, admin_user, ticket, technician):
    url = reverse("admin:tickets_ticket_change", args=[ticket.pk])
    client.force_login(admin_user)
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {"assignees": [technician.pk], "_save": "Save"}
    for formset in page.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        for name, field in management.fields.items():
            data[f"{management.prefix}-{name}"] = management.initial.get(name, field.initial)
        for inline_form in formset.formset.forms:
            data[f"{inline_form.prefix}-id"] = inline_form.instance.pk
    assert form.instance == ticket
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert list(ticket.assignees.all()) == [technician]
    (change,) = AssignmentChange.objects.all()
    assert (change.technician, change.action, change.by) == (technician, "assigned", admin_user)
    data["assignees"] = []
    client.post(url, data)
    assert not ticket.assignees.exists()
    assert list(AssignmentChange.objects.values_list("action", flat=True)) == [
        "assigned",
        "unassigned",
    ]
