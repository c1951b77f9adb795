"""SLA sweeps running at once tell each ticket once of each kind (PostgreSQL, threads)."""

import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.db import connection

from notifications.models import Kind, OutboxEmail
from tests.accounts.factories import AdminFactory, TechnicianFactory, UserFactory
from tests.tickets.factories import ProductFactory, open_ticket
from tickets import notify
from tickets.models import SlaNotice, Ticket

MADRID = ZoneInfo("Europe/Madrid")
OPENED = datetime(2026, 3, 9, 9, tzinfo=MADRID)  # critical: 75 % at 15:00, due at 17:00
WARNING = datetime(2026, 3, 9, 15, tzinfo=MADRID)
DUE = datetime(2026, 3, 9, 17, tzinfo=MADRID)
SWEEPS = 4
TICKETS = 12


def sweep_at_once(moment) -> list[int]:
    """SWEEPS sweeps released together, in small batches so that they interleave."""
    barrier = threading.Barrier(SWEEPS)
    results, errors = [], []

    def run():
        try:
            barrier.wait()
            results.append(notify.sweep_sla(moment, batch_size=3))
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(SWEEPS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_sweeps_send_each_sla_notice_once(office):
    technician, admin = TechnicianFactory(), AdminFactory()
    client = UserFactory()
    product = ProductFactory(name="Tienda online")
    with time_machine.travel(OPENED, tick=False):
        tickets = [
            open_ticket(client, product=product, severity=Ticket.Severity.CRITICAL)
            for _ in range(TICKETS)
        ]

    with time_machine.travel(WARNING + timedelta(minutes=1), tick=False):
        assert sum(sweep_at_once(WARNING)) == TICKETS
    with time_machine.travel(DUE + timedelta(minutes=1), tick=False):
        assert sum(sweep_at_once(DUE)) == TICKETS

    assert SlaNotice.objects.count() == 2 * TICKETS
    for kind in (Kind.SLA_WARNING, Kind.SLA_BREACH):
        emails = OutboxEmail.objects.filter(kind=kind)
        assert emails.count() == 2 * TICKETS  # the technician and the admin, per ticket
        assert set(emails.values_list("status", flat=True)) == {OutboxEmail.Status.SENT}
    sent = sorted((m.to[0], m.subject) for m in mail.outbox)
    assert len(sent) == len(set(sent)) == 4 * TICKETS
    assert {to for to, _subject in sent} == {technician.email, admin.email}
    assert {t.pk for t in tickets} == set(SlaNotice.objects.values_list("ticket_id", flat=True))


@pytest.mark.django_db
def test_a_sweep_that_read_before_another_committed_writes_nothing_twice(office, technician):
    """The unique (ticket, kind) row is the last guard: a sweep whose snapshot missed the
    notice another sweep committed finds the row when it writes, and queues nothing."""
    with time_machine.travel(OPENED, tick=False):
        ticket = open_ticket(severity=Ticket.Severity.CRITICAL)
    with time_machine.travel(WARNING, tick=False):
        assert notify.sweep_sla() == 1
        emails = OutboxEmail.objects.count()
        ticket = Ticket.objects.select_related("organization").get(pk=ticket.pk)
        told = notify._tell(ticket, SlaNotice.Kind.WARNING, ticket.sla_warning_at, [technician])
    assert told == 0
    assert OutboxEmail.objects.count() == emails
    assert SlaNotice.objects.count() == 1
