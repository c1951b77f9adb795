"""``charging_state`` runs one statement compiled once per (database, page, staff) with
marker keys (issue 15): each call reads its own ticket's rows and its own user's timer and
assignments, whichever ticket and user compiled it."""

import pytest

from tests.accounts.factories import TechnicianFactory
from tests.tickets.factories import log_time, open_ticket
from tickets import services
from tickets.models import Ticket
from tickets.selectors import charging
from tickets.selectors.charging import charging_state

pytestmark = pytest.mark.django_db


def test_each_call_reads_its_own_ticket_and_user(monkeypatch):
    monkeypatch.setattr(charging, "_STATE_SQL", {})
    first, second = TechnicianFactory(), TechnicianFactory()
    one, other = open_ticket(), open_ticket()
    log_time(one, first, minutes=15)
    log_time(other, second, minutes=25)
    log_time(other, second, minutes=35)
    services.start_timer(other, by=second, channel="phone")

    state = charging_state(one, user=first, page=True)  # compiles the staff page statement
    assert [e.minutes for e in state.entries] == [15]
    assert [u.pk for u in state.assignees] == [first.pk]
    assert state.timer is None
    assert state.organization_reveal

    state = charging_state(other, user=second, page=True)  # the same statement, reused
    assert len(charging._STATE_SQL) == 1
    assert [e.minutes for e in state.entries] == [25, 35]
    assert [u.pk for u in state.assignees] == [second.pk]
    assert state.timer is not None
    assert state.timer.technician_id == second.pk

    state = charging_state(other, user=first, page=True)  # not first's timer, not assigned
    assert state.timer is None
    assert not state.organization_reveal  # first works on another organization's ticket
    assert [e.minutes for e in charging_state(one).entries] == [15]


def test_a_ticket_not_there():
    with pytest.raises(Ticket.DoesNotExist):
        charging_state(Ticket(pk=10**9))
