"""The hand-computed SLA scenario of the reports (critical tickets: 8 business hours,
Monday to Friday 09:00-18:00 Madrid; February 2026 has no national holiday that week).

- WEEKEND: opened Friday 13 Feb 15:00, resolved Monday 16 Feb 12:00. Due Monday 14:00
  (3 h on Friday + 5 h on Monday): met; ran 3 h + 3 h = 6 h. First reply Friday 16:30:
  1.5 h.
- BREACHED: opened Tuesday 17 Feb 10:00, due Tuesday 18:00, resolved Wednesday 11:00:
  breached; ran 8 h + 2 h = 10 h. First reply Tuesday 12:00: 2 h.
- PAUSED: opened Wednesday 18 Feb 10:00 (due Wednesday 18:00), awaiting the client from
  12:00 (the technician's reply, 2 h) until the client answers on Thursday 12:00 (a pause
  of 6 h + 3 h = 9 business hours), so due moves to Thursday 18:00; resolved Thursday
  17:00: met (it would have breached without the pause), ran 2 h + 5 h = 7 h.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import translation

from tests.credits.factories import grant
from tests.tickets.factories import open_ticket
from tickets import calendars, services
from tickets.models import Ticket

MADRID = ZoneInfo("Europe/Madrid")


def madrid(*args) -> datetime:
    return datetime(*args, tzinfo=MADRID)


@pytest.fixture(autouse=True)
def _fresh_sla_config():
    calendars.invalidate()
    yield
    calendars.invalidate()


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def at(moment):
    return time_machine.travel(moment, tick=False)


def _reply(ticket, author, body="Lo miramos ahora mismo.", **kwargs):
    return services.add_reply(ticket, author=author, body=body, **kwargs)


def resolve(ticket, technician, minutes=20):
    services.assign(ticket, technician, by=technician)
    services.log_time(ticket, by=technician, minutes=minutes, channel="portal")
    return services.resolve(ticket, by=technician)


@pytest.fixture
def scenario(db, client_user, technician):
    """The three tickets above, with 20 minutes each charged (30 credits each)."""
    grant(client_user.organization, 500, reason="Pack de prueba")
    tickets = {}
    with at(madrid(2026, 2, 13, 15)):
        tickets["weekend"] = open_ticket(client_user, severity=Ticket.Severity.CRITICAL)
    with at(madrid(2026, 2, 13, 16, 30)):
        _reply(tickets["weekend"], technician)
    with at(madrid(2026, 2, 16, 12)):
        resolve(tickets["weekend"], technician)

    with at(madrid(2026, 2, 17, 10)):
        tickets["breached"] = open_ticket(client_user, severity=Ticket.Severity.CRITICAL)
    with at(madrid(2026, 2, 17, 12)):
        _reply(tickets["breached"], technician)
    with at(madrid(2026, 2, 18, 11)):
        resolve(tickets["breached"], technician)

    with at(madrid(2026, 2, 18, 10)):
        tickets["paused"] = open_ticket(client_user, severity=Ticket.Severity.CRITICAL)
    with at(madrid(2026, 2, 18, 12)):
        _reply(tickets["paused"], technician, body="¿Nos manda el log?", status="awaiting_client")
    with at(madrid(2026, 2, 19, 12)):
        _reply(tickets["paused"], client_user, body="Aquí lo tienen.")
    with at(madrid(2026, 2, 19, 17)):
        resolve(tickets["paused"], technician)
    for ticket in tickets.values():
        ticket.refresh_from_db()
    return tickets
