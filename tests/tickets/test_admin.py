"""Django admin of the tickets app, with data: every page opens; tickets are read-mostly."""

from datetime import timedelta

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from tests.tickets.factories import ContractFactory, ProductFactory, open_ticket, upload
from tickets import services
from tickets.models import RenewalRequest, Ticket

MODELS = sorted(
    model._meta.model_name for model in admin.site._registry if model._meta.app_label == "tickets"
)


@pytest.fixture
def data(client_user, technician):
    product = ProductFactory(name="Tienda online")
    ticket = open_ticket(client_user, product=product, attachments=[upload()])
    services.add_reply(ticket, author=technician, body="Hola")
    services.add_note(ticket, author=technician, body="Nota")
    services.change_status(ticket, Ticket.Status.IN_PROGRESS, by=technician)
    erp = ProductFactory(name="ERP")
    ContractFactory(
        organization=client_user.organization,
        product=erp,
        starts_on=timezone.localdate() - timedelta(days=400),
        ends_on=timezone.localdate() - timedelta(days=1),
    )
    services.request_renewal(client_user.organization, erp, by=client_user)
    return ticket


@pytest.mark.parametrize("model_name", MODELS)
def test_admin_pages_open_with_data(client, admin_user, data, model_name):
    client.force_login(admin_user)
    assert client.get(reverse(f"admin:tickets_{model_name}_changelist")).status_code == 200
    model = next(m for m in admin.site._registry if m._meta.model_name == model_name)
    first = model.objects.first()
    if first is not None:
        url = reverse(f"admin:tickets_{model_name}_change", args=[first.pk])
        assert client.get(url).status_code == 200


def test_tickets_cannot_be_added_or_deleted_in_admin(client, admin_user, data):
    client.force_login(admin_user)
    assert client.get(reverse("admin:tickets_ticket_add")).status_code == 403
    assert client.get(reverse("admin:tickets_ticket_delete", args=[data.pk])).status_code == 403


def test_renewal_requests_are_marked_handled(client, admin_user, data):
    client.force_login(admin_user)
    request = RenewalRequest.objects.get()
    client.post(
        reverse("admin:tickets_renewalrequest_changelist"),
        {"action": "mark_handled", "_selected_action": [request.pk]},
    )
    request.refresh_from_db()
    assert request.handled_at is not None


def test_a_closure_saved_in_admin_moves_the_due_dates_of_new_tickets(
    client, admin_user, client_user, office
):
    calendar = office
    hours = list(calendar.opening_hours.all())
    before = open_ticket(client_user, severity="minor").due_at
    start = timezone.localtime()
    end = start + timedelta(days=30)
    data = {
        "name": calendar.name,
        "time_zone": calendar.time_zone,
        "national_holidays": "on",
        "holiday_region": "",
        "is_default": "on",
        "opening_hours-TOTAL_FORMS": len(hours),
        "opening_hours-INITIAL_FORMS": len(hours),
        "closures-TOTAL_FORMS": 1,
        "closures-INITIAL_FORMS": 0,
        "closures-0-starts_at_0": start.strftime("%Y-%m-%d"),
        "closures-0-starts_at_1": start.strftime("%H:%M:%S"),
        "closures-0-ends_at_0": end.strftime("%Y-%m-%d"),
        "closures-0-ends_at_1": end.strftime("%H:%M:%S"),
        "closures-0-reason": "Vacaciones",
    }
    for n, row in enumerate(hours):
        data |= {
            f"opening_hours-{n}-id": row.pk,
            f"opening_hours-{n}-calendar": calendar.pk,
            f"opening_hours-{n}-weekday": row.weekday,
            f"opening_hours-{n}-opens_at": row.opens_at.strftime("%H:%M"),
            f"opening_hours-{n}-closes_at": row.closes_at.strftime("%H:%M"),
        }
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:tickets_businesscalendar_change", args=[calendar.pk]), data
    )
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    assert calendar.closures.get().reason == "Vacaciones"
    after = open_ticket(client_user, severity="minor").due_at
    assert after >= before + timedelta(days=28)
