"""The technicians' queue and ticket page: filters, countdown, assign, status, reply,
note, out of scope; fixed queries whatever the number of tickets."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from tests.tickets.factories import open_ticket, upload
from tests.tickets.test_views_portal import make_tickets
from tickets import services
from tickets.models import Attachment, Message, Ticket

MADRID = ZoneInfo("Europe/Madrid")
S = Ticket.Status


def madrid(*args) -> datetime:
    return datetime(*args, tzinfo=MADRID)


def test_the_queue_is_for_staff_only(client, client_user, technician, admin_user):
    client.force_login(client_user)
    assert client.get(reverse("tickets:queue")).status_code == 404
    for staff in (technician, admin_user):
        client.force_login(staff)
        assert client.get(reverse("tickets:queue")).status_code == 200


def test_a_refused_filter_keeps_the_other_filters(staff_client, client_user):
    """A search past its 200 characters is refused with its message; the severity chosen
    beside it still filters (it did not fall back to the whole queue)."""
    open_ticket(client_user, subject="Menor", severity="minor")
    open_ticket(client_user, subject="Crítico", severity="critical")
    response = staff_client.get(reverse("tickets:queue"), {"severity": "critical", "q": "x" * 300})
    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.text
    rows = response.text.split('data-testid="queue-row"')[1:]
    assert len(rows) == 1
    assert "Crítico" in rows[0]


def test_the_most_urgent_ticket_is_on_top_with_its_countdown(staff_client, client_user):
    with time_machine.travel(madrid(2026, 3, 9, 10), tick=False):
        open_ticket(client_user, subject="Menor", severity="minor")
        open_ticket(client_user, subject="Crítico", severity="critical")
    with time_machine.travel(madrid(2026, 3, 9, 11), tick=False):
        response = staff_client.get(reverse("tickets:queue"))
    rows = response.text.split('data-testid="queue-row"')[1:]
    assert "Crítico" in rows[0]
    assert "Menor" in rows[1]
    assert "text-bg-success" in rows[0]
    assert 'data-remaining="25200"' in rows[0]  # 7 business hours left
    assert "7 h 00 min" in rows[0]
    assert "data-ticking-until" in rows[0]
    with time_machine.travel(madrid(2026, 3, 9, 19), tick=False):
        late = staff_client.get(reverse("tickets:queue"), {"breached": "on"})
    assert late.text.count('data-testid="queue-row"') == 1
    assert 'data-state="breached"' in late.text
    assert "data-ticking-until" not in late.text  # after hours the clock does not tick


def test_the_queue_searches_and_filters_from_the_query_string(staff_client, client_user):
    open_ticket(client_user, subject="Impresora atascada", severity="minor")
    open_ticket(client_user, subject="Correo caído", severity="critical")
    response = staff_client.get(reverse("tickets:queue"), {"q": "impresora"})
    assert "Impresora atascada" in response.text
    assert "Correo caído" not in response.text
    response = staff_client.get(reverse("tickets:queue"), {"severity": "critical"})
    assert "Correo caído" in response.text
    assert "Impresora atascada" not in response.text
    bad = staff_client.get(reverse("tickets:queue"), {"due_within_hours": "-3"})
    assert bad.status_code == 200


@pytest.mark.parametrize("count", [1, 30])
def test_the_queue_runs_a_fixed_number_of_queries(
    staff_client, client_user, technician, django_assert_max_num_queries, count
):
    make_tickets(client_user, count, technician)
    with django_assert_max_num_queries(7):
        response = staff_client.get(reverse("tickets:queue"))
    assert response.text.count('data-testid="queue-row"') == min(count, 25)
    # A search adds one query: the ids of the matches (see tickets.search.matching).
    with django_assert_max_num_queries(8):
        response = staff_client.get(reverse("tickets:queue"), {"assignee": "mine", "q": "Ticket"})
    assert response.text.count('data-testid="queue-row"') == min(count, 25)


def test_assign_to_self_and_let_go(staff_client, client_user, technician):
    ticket = open_ticket(client_user)
    staff_client.post(reverse("tickets:assign", args=[ticket.pk]))
    assert list(ticket.assignees.all()) == [technician]
    page = staff_client.get(ticket.get_absolute_url())
    assert technician.full_name in page.text
    staff_client.post(reverse("tickets:assign", args=[ticket.pk]), {"action": "unassign"})
    assert not ticket.assignees.exists()


def test_change_status_offers_and_accepts_only_allowed_moves(staff_client, client_user, technician):
    ticket = open_ticket(client_user)
    services.resolve(ticket, by=technician)
    page = staff_client.get(ticket.get_absolute_url())
    assert 'value="in_progress"' not in page.text.split('data-testid="status-form"')[1]
    response = staff_client.post(
        reverse("tickets:change_status", args=[ticket.pk]), {"status": "in_progress"}
    )
    assert response.status_code == 200  # the form again, with the error
    assert "invalid-feedback" in response.text
    assert Ticket.objects.get().status == S.RESOLVED
    staff_client.post(reverse("tickets:change_status", args=[ticket.pk]), {"status": "closed"})
    assert Ticket.objects.get().status == S.CLOSED


def test_reply_with_status_and_a_note(staff_client, client_user, client):
    ticket = open_ticket(client_user)
    staff_client.post(
        reverse("tickets:reply", args=[ticket.pk]),
        {"body": "¿Qué navegador usa?", "status": "awaiting_client"},
    )
    staff_client.post(
        reverse("tickets:note", args=[ticket.pk]),
        {"body": "Sospecho de la caché", "attachments": [upload("log.txt", b"error 42\n")]},
    )
    ticket.refresh_from_db()
    assert ticket.status == S.AWAITING_CLIENT
    assert ticket.public_message_count == 1
    page = staff_client.get(ticket.get_absolute_url())
    assert "Sospecho de la caché" in page.text
    assert 'data-testid="internal-note"' in page.text
    client.force_login(client_user)
    client_page = client.get(ticket.get_absolute_url())
    assert "¿Qué navegador usa?" in client_page.text
    assert "Sospecho de la caché" not in client_page.text
    assert "log.txt" not in client_page.text


def test_close_as_out_of_scope_with_a_reason(staff_client, client_user, client):
    ticket = open_ticket(client_user)
    response = staff_client.post(reverse("tickets:out_of_scope", args=[ticket.pk]), {})
    assert response.status_code == 200
    assert Ticket.objects.get().status == S.NEW
    staff_client.post(
        reverse("tickets:out_of_scope", args=[ticket.pk]), {"reason": "operating_system"}
    )
    ticket.refresh_from_db()
    assert ticket.status == S.OUT_OF_SCOPE
    assert ticket.out_of_scope_reason == "operating_system"
    client.force_login(client_user)
    assert 'data-testid="out-of-scope"' in client.get(ticket.get_absolute_url()).text


def test_an_executable_in_a_note_is_refused_and_nothing_is_written(
    staff_client, client_user, settings
):
    ticket = open_ticket(client_user)
    response = staff_client.post(
        reverse("tickets:note", args=[ticket.pk]),
        {"body": "Mira esto", "attachments": [upload("tool.pdf", b"MZ\x90\x00" + b"\x00" * 64)]},
    )
    assert response.status_code == 200
    assert "tool.pdf" in response.text
    assert not Message.objects.exists()
    assert not Attachment.objects.exists()


def test_a_search_with_many_matches_says_more_than_the_cap(staff_client, client_user, settings):
    settings.TICKETS_SEARCH_COUNT_CAP = 2
    for n in range(3):
        open_ticket(client_user, subject=f"Impresora {n}")
    response = staff_client.get(reverse("tickets:queue"), {"q": "impresora"})
    assert response.text.count('data-testid="queue-row"') == 3
    assert "más de 2 tickets" in response.text
    settings.TICKETS_SEARCH_COUNT_CAP = 3
    response = staff_client.get(reverse("tickets:queue"), {"q": "impresora"})
    assert "3 tickets" in response.text


@pytest.mark.parametrize("count", [10, 200])
def test_the_queue_stays_within_six_queries(
    staff_client, client_user, technician, django_assert_max_num_queries, count
):
    """Issue 15: the filter bar's organizations and technicians come in one query."""
    make_tickets(client_user, count, technician)
    with django_assert_max_num_queries(6):
        response = staff_client.get(reverse("tickets:queue"))
    assert response.text.count('data-testid="queue-row"') == min(count, 25)
    assert technician.get_full_name() in response.text
    assert client_user.organization.name in response.text


@pytest.mark.parametrize("count", [10, 200])
def test_the_staff_dashboard_runs_a_fixed_number_of_queries(
    staff_client, client_user, technician, django_assert_max_num_queries, settings, count
):
    """Issue 15: the panel's three counts stop past the cap; the page's queries are fixed."""
    settings.DASHBOARD_COUNT_CAP = 99
    make_tickets(client_user, count, technician)
    with django_assert_max_num_queries(6):
        response = staff_client.get(reverse("dashboard"))
    panel = response.text.split('data-testid="queue-panel"')[1].split("</div>")[0]
    assert ("99+" in panel) is (count > 99)
    assert (f">{count}<" in panel) is (count <= 99)
