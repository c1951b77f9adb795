"""The long lists' rows written in Python (helpdesk.rows, issue 15) give the HTML the
template loops gave: each tag is compared with the loop it replaced, on rows whose texts
need escaping, in both languages."""

import re
from pathlib import Path

import pytest
from django.template import Context, Template
from django.utils import translation

from credits import selectors as credit_selectors
from credits import services as credit_services
from credits.templatetags.credits_tags import movement_rows
from tests.accounts.factories import OrganizationFactory, TechnicianFactory, UserFactory
from tests.tickets.factories import open_ticket
from tickets import clock
from tickets.models import Ticket
from tickets.selectors import QueueFilters, lists, queue_for
from tickets.templatetags.ticket_tags import client_ticket_rows, queue_rows

# The loops of tickets/ticket_list.html, tickets/queue.html and credits/movements.html
# before the tags, kept as they were.
REFERENCE = Path(__file__).parent / "rows_reference"
CLIENT_LOOP = (REFERENCE / "ticket_list.html").read_text()

QUEUE_LOOP = (REFERENCE / "queue.html").read_text()

MOVEMENT_LOOP = (REFERENCE / "movements.html").read_text()

TRICKY = "Norte & Sur <S.L.> \"dobles\" y 'simples'"


def _normal(html: str) -> str:
    """Whitespace collapsed, and none beside a tag (where HTML shows none either)."""
    html = re.sub(r"\s+", " ", str(html)).strip()
    return re.sub(r"\s*(<[^>]+>)\s*", r"\1", html)


def _assert_same(tag, loop: str, rows: list, language: str, loop_rows=None) -> None:
    """The tag writes what the loop wrote (for ``loop_rows``, the rows as the page read
    them before, when they differ), for these rows and for none."""
    with translation.override(language):
        for some, old in ((rows, rows if loop_rows is None else loop_rows), ([], [])):
            reference = Template(loop).render(Context({"tickets": old}))
            assert _normal(tag(some)) == _normal(reference)


@pytest.fixture
def tickets(technician):
    organization = OrganizationFactory(name=TRICKY)
    requester = UserFactory(organization=organization, full_name="Ana <b>Pérez</b>")
    first = open_ticket(requester, subject="<script>alert('x')</script> & más")
    second = open_ticket(requester, subject="Segundo", severity=Ticket.Severity.CRITICAL)
    first.assignees.add(technician, TechnicianFactory(full_name="Óscar & Co"))
    return first, second


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["es", "en"])
def test_client_rows_are_the_loops_rows(tickets, language):
    requester = tickets[0].requester
    rows = list(lists.client_rows(requester))
    _assert_same(client_ticket_rows, CLIENT_LOOP, rows, language)
    html = client_ticket_rows(rows)
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "Ana &lt;b&gt;Pérez&lt;/b&gt;" in html


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["es", "en"])
def test_queue_rows_are_the_loops_rows(tickets, technician, language):
    rows = clock.attach_sla(lists.queue_rows(technician, QueueFilters()))
    assert len(rows) == 2
    # Before: queue_for's rows, with its prefetch of the assignees by name.
    old = clock.attach_sla(queue_for(technician, QueueFilters()))
    _assert_same(queue_rows, QUEUE_LOOP, rows, language, loop_rows=old)
    html = queue_rows(rows)
    assert "Lucía, Óscar" in html  # both assignees, by name
    assert "Norte &amp; Sur &lt;S.L.&gt;" in html
    assert html.count('<span class="text-body-secondary">—</span>') == 1  # the unassigned one


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["es", "en"])
@pytest.mark.parametrize("staff_view", [False, True])
def test_movement_rows_are_the_loops_rows(tickets, technician, language, staff_view):
    first = tickets[0]
    organization = first.organization
    credit_services.grant(
        organization, 1200, reason="Pack <grande>", idempotency_key="rows-1", actor=technician
    )
    credit_services.consume(
        organization,
        30,
        reason="Soporte & más",
        ticket=first,
        work_minutes=25,
        idempotency_key="rows-2",
        actor=technician,
    )
    credit_services.consume(
        organization, 5, reason="Sin referencia", idempotency_key="rows-3", reference_label="X<1>"
    )
    entries = list(credit_selectors.movements_of(organization))
    assert len(entries) == 3
    with translation.override(language):
        context = Context({"entries": entries, "staff_view": staff_view})
        reference = Template(MOVEMENT_LOOP).render(context)
        assert _normal(movement_rows(entries, staff_view)) == _normal(reference)
    html = movement_rows(entries, staff_view)
    assert f'<a href="/tickets/{first.pk}/">{first.reference} &lt;script&gt;' in html
    assert "X&lt;1&gt;" in html
    assert "Pack &lt;grande&gt;" in html
    assert ("Lucía Técnica" in html) is staff_view
