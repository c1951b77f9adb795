"""Reads: who sees which tickets, the queue's filters, search and order, contracts."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from tests.accounts.factories import TechnicianFactory, UserFactory
from tests.tickets.factories import ContractFactory, ProductFactory, open_ticket, upload
from tickets import selectors, services
from tickets.models import Ticket
from tickets.selectors import QueueFilters

MADRID = ZoneInfo("Europe/Madrid")
S = Ticket.Status


def madrid(*args) -> datetime:
    return datetime(*args, tzinfo=MADRID)


def refs(tickets) -> list[str]:
    return [t.subject for t in tickets]


# --- Visibility ------------------------------------------------------------------------


def test_clients_see_their_organizations_tickets_and_staff_see_all(
    client_user, other_client_user, technician, admin_user
):
    colleague = UserFactory(organization=client_user.organization)
    mine = open_ticket(client_user, subject="mío")
    ours = open_ticket(colleague, subject="del compañero")
    theirs = open_ticket(other_client_user, subject="ajeno")
    assert set(selectors.tickets_visible_to(client_user)) == {mine, ours}
    assert set(selectors.tickets_visible_to(other_client_user)) == {theirs}
    assert set(selectors.tickets_visible_to(technician)) == {mine, ours, theirs}
    assert set(selectors.tickets_visible_to(admin_user)) == {mine, ours, theirs}
    assert not selectors.tickets_visible_to(AnonymousUser()).exists()


def test_clients_never_get_internal_notes_or_their_attachments(client_user, technician):
    ticket = open_ticket(client_user, attachments=[upload("apertura.pdf")])
    services.add_reply(ticket, author=technician, body="público", attachments=[upload("p.pdf")])
    services.add_note(ticket, author=technician, body="interno", attachments=[upload("i.pdf")])
    assert [m.body for m in selectors.thread_for(ticket, client_user)] == ["público"]
    assert [m.body for m in selectors.thread_for(ticket, technician)] == ["público", "interno"]
    client_files = {a.name for a in selectors.attachments_visible_to(client_user)}
    assert client_files == {"apertura.pdf", "p.pdf"}
    staff_files = {a.name for a in selectors.attachments_visible_to(technician)}
    assert staff_files == {"apertura.pdf", "p.pdf", "i.pdf"}


def test_client_list_filters_by_status(client_user, technician):
    open_ticket(client_user, subject="nuevo")
    done = open_ticket(client_user, subject="resuelto")
    services.resolve(done, by=technician)
    assert refs(selectors.client_tickets(client_user, status="active")) == ["nuevo"]
    assert refs(selectors.client_tickets(client_user, status=S.RESOLVED)) == ["resuelto"]
    assert len(selectors.client_tickets(client_user)) == 2


# --- The queue -------------------------------------------------------------------------


@pytest.fixture
def queue(client_user, other_client_user, technician):
    """Tickets opened on Monday 9 March 2026 at different times, in different states."""
    other_tech = TechnicianFactory()
    with time_machine.travel(madrid(2026, 3, 9, 9, 30), tick=False):
        breached = open_ticket(client_user, subject="crítico viejo", severity="critical")
        waiting = open_ticket(client_user, subject="esperando", severity="critical")
        services.change_status(waiting, S.AWAITING_CLIENT, by=technician)
    with time_machine.travel(madrid(2026, 3, 9, 17), tick=False):
        minor = open_ticket(other_client_user, subject="menor", severity="minor")
        services.assign(minor, technician, by=technician)
        major = open_ticket(client_user, subject="mayor", severity="major")
        services.assign(major, other_tech, by=other_tech)
        done = open_ticket(client_user, subject="resuelto", severity="critical")
        services.resolve(done, by=technician)
    return {"breached": breached, "waiting": waiting, "minor": minor, "major": major}


def at_tuesday_noon(func, *args, **kwargs):
    with time_machine.travel(madrid(2026, 3, 10, 12), tick=False):
        return list(func(*args, **kwargs))


def test_queue_default_puts_breached_first_then_by_due_date_and_stopped_clocks_last(
    queue, technician
):
    tickets = at_tuesday_noon(selectors.queue_for, technician)
    assert refs(tickets) == ["crítico viejo", "mayor", "menor", "esperando"]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (QueueFilters(status=S.AWAITING_CLIENT), ["esperando"]),
        (
            QueueFilters(status="all", sort="oldest"),
            ["crítico viejo", "esperando", "menor", "mayor", "resuelto"],
        ),
        (QueueFilters(severity="critical"), ["crítico viejo", "esperando"]),
        (QueueFilters(assignee="mine"), ["menor"]),
        (QueueFilters(assignee="unassigned"), ["crítico viejo", "esperando"]),
        (QueueFilters(breached=True), ["crítico viejo"]),
        (QueueFilters(due_within_hours=51), ["crítico viejo", "mayor"]),
        (QueueFilters(sort="newest"), ["mayor", "menor", "esperando", "crítico viejo"]),
    ],
)
def test_queue_filters(queue, technician, filters, expected):
    assert refs(at_tuesday_noon(selectors.queue_for, technician, filters)) == expected


def test_queue_filters_by_organization_and_a_technician(queue, technician, other_client_user):
    org = other_client_user.organization_id
    assert refs(
        at_tuesday_noon(selectors.queue_for, technician, QueueFilters(organization=org))
    ) == ["menor"]
    other_tech = queue["major"].assignees.get()
    by_id = QueueFilters(assignee=str(other_tech.pk))
    assert refs(at_tuesday_noon(selectors.queue_for, technician, by_id)) == ["mayor"]


def test_search_matches_subject_description_messages_and_reference(client_user, technician):
    printer = open_ticket(client_user, subject="La impresora no imprime")
    mail = open_ticket(client_user, subject="Correo", description="El buzón está lleno")
    vpn = open_ticket(client_user, subject="Acceso remoto")
    services.add_note(vpn, author=technician, body="Revisar el cortafuegos de la oficina")

    def search(text):
        return set(selectors.queue_for(technician, QueueFilters(q=text)))

    assert search("impresora") == {printer}
    assert search("buzón") == {mail}
    assert search("cortafuegos") == {vpn}
    assert search(mail.reference) == {mail}
    assert search("inexistente") == set()


@pytest.mark.postgres
def test_postgres_search_understands_spanish_and_english_word_forms(client_user, technician):
    spanish = open_ticket(client_user, subject="Las impresoras de la tienda")
    english = open_ticket(client_user, subject="Invoices are not printing")

    def search(text):
        return set(selectors.queue_for(technician, QueueFilters(q=text)))

    assert search("impresora") == {spanish}
    assert search("invoice print") == {english}
    assert search('"not printing"') == {english}


# --- Contracts and dashboards ----------------------------------------------------------


def test_contract_overview_explains_each_product(client_user):
    shop = ProductFactory(name="Tienda online", current_version="4.2", obsolete_versions="3.0")
    erp = ProductFactory(name="ERP Gestión", current_version="2025.1")
    ProductFactory(name="CRM")
    today = timezone.localdate()
    org = client_user.organization
    ContractFactory(organization=org, product=shop, version="3.0")
    ContractFactory(
        organization=org,
        product=erp,
        starts_on=today - timedelta(days=400),
        ends_on=today - timedelta(days=3),
    )
    services.request_renewal(org, erp, by=client_user)
    checks = {c.product.name: c for c in selectors.contract_overview(org)}
    assert checks["Tienda online"].status == "obsolete_version"
    assert "3.0" in checks["Tienda online"].explanation
    assert checks["ERP Gestión"].status == "expired"
    assert checks["ERP Gestión"].pending_renewal is not None
    assert checks["CRM"].status == "no_contract"


def test_dashboard_summaries(queue, client_user, technician):
    with time_machine.travel(madrid(2026, 3, 10, 12), tick=False):
        assert selectors.client_summary(client_user) == {"active": 3, "awaiting_you": 1}
        assert selectors.staff_summary(technician) == {"mine": 1, "breached": 1, "unassigned": 2}


def test_the_sweep_finds_warnings_and_breaches(queue):
    from tickets.notify import sla_due

    now = madrid(2026, 3, 10, 12)
    due = set(sla_due(now))
    assert {t for t in due if t.due_at <= now} == {queue["breached"]}
    assert queue["breached"] in due
    assert queue["waiting"] not in due


@pytest.mark.postgres
@pytest.mark.parametrize("cap", [1, 2, 3, 100])
def test_search_gives_the_same_tickets_in_the_same_order_whatever_the_cap(
    queue, technician, settings, cap
):
    """Few matches are fetched by id first, many by the plain filter: same result."""
    settings.TICKETS_SEARCH_COUNT_CAP = cap
    filters = QueueFilters(q="Ticket OR crítico OR mayor OR menor OR esperando", status="all")
    tickets = at_tuesday_noon(selectors.queue_for, technician, filters)
    assert refs(tickets) == ["crítico viejo", "mayor", "menor", "esperando"]


def test_the_dashboard_counts_stop_past_the_cap(queue, client_user, technician, settings):
    """Issue 15: each count stops one past DASHBOARD_COUNT_CAP, whatever the open tickets."""
    from django.template import Context, Template

    settings.DASHBOARD_COUNT_CAP = 1
    with time_machine.travel(madrid(2026, 3, 10, 12), tick=False):
        open_ticket(client_user, subject="otro sin asignar")  # 3 unassigned now
        summary = selectors.staff_summary(technician)
    assert summary == {"mine": 1, "breached": 1, "unassigned": 2}  # 3 counted up to 2
    panel = Template("{% load ticket_tags %}{{ s.mine|capped }} {{ s.unassigned|capped }}")
    assert panel.render(Context({"s": summary})) == "1 1+"
