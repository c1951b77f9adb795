"""Technicians' time entries and the server-side timer (``tickets.services.timelog``)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from tests.accounts.factories import AdminFactory, TechnicianFactory
from tests.tickets.factories import grant_credits, log_time, open_ticket
from tickets import services
from tickets.models import RunningTimer, Ticket, TimeEntry

MADRID = ZoneInfo("Europe/Madrid")


@pytest.fixture
def ticket(client_user):
    return open_ticket(client_user)


def test_a_technician_logs_minutes_channel_note_and_date(ticket, technician):
    day = timezone.localdate() - timedelta(days=1)
    entry = services.log_time(
        ticket, by=technician, minutes=25, channel="phone", note="Llamada", work_date=day
    )
    assert (entry.minutes, entry.channel, entry.note, entry.work_date) == (
        25,
        "phone",
        "Llamada",
        day,
    )
    assert entry.technician == technician
    assert entry.is_call
    assert entry.charge is None


@pytest.mark.parametrize("minutes", [0, -5, 1.5, "10", None, True, 24 * 60 + 1])
def test_minutes_must_be_a_positive_whole_number(ticket, technician, minutes):
    with pytest.raises(services.InvalidTimeEntry):
        services.log_time(ticket, by=technician, minutes=minutes)
    assert not TimeEntry.objects.exists()


def test_a_future_date_and_an_unknown_channel_are_refused(ticket, technician):
    with pytest.raises(services.InvalidTimeEntry, match="future"):
        services.log_time(
            ticket, by=technician, minutes=5, work_date=timezone.localdate() + timedelta(days=1)
        )
    with pytest.raises(services.InvalidTimeEntry, match="channel"):
        services.log_time(ticket, by=technician, minutes=5, channel="fax")


def test_clients_do_not_log_time(ticket, client_user):
    with pytest.raises(services.NotAllowed):
        services.log_time(ticket, by=client_user, minutes=10)


@pytest.mark.parametrize("finish", ["resolve", "close", "out_of_scope"])
def test_no_time_on_a_finished_ticket(ticket, technician, finish):
    if finish == "resolve":
        services.resolve(ticket, by=technician)
    elif finish == "close":
        services.close(ticket, by=technician)
    else:
        services.close_out_of_scope(ticket, by=technician, reason="virus")
    with pytest.raises(services.WorkLocked):
        services.log_time(ticket, by=technician, minutes=10)
    with pytest.raises(services.WorkLocked):
        services.start_timer(ticket, by=technician)


def test_entries_are_editable_and_deletable_until_the_ticket_is_resolved(client_user, technician):
    grant_credits(client_user.organization, 100)
    ticket = open_ticket(client_user)
    entry = log_time(ticket, technician, 10)
    other = log_time(ticket, technician, 5)
    services.update_time_entry(entry, by=technician, minutes=20, channel="video", note="Corregido")
    entry.refresh_from_db()
    assert (entry.minutes, entry.channel, entry.note) == (20, "video", "Corregido")
    services.delete_time_entry(other, by=technician)
    assert list(ticket.time_entries.all()) == [entry]
    services.resolve(ticket, by=technician)
    with pytest.raises(services.WorkLocked):
        services.update_time_entry(entry, by=technician, minutes=1, channel="portal")
    with pytest.raises(services.WorkLocked):
        services.delete_time_entry(entry, by=technician)
    entry.refresh_from_db()
    assert entry.minutes == 20


def test_a_charged_entry_stays_locked_after_a_reopening(client_user, technician):
    grant_credits(client_user.organization, 100)
    ticket = open_ticket(client_user)
    entry = log_time(ticket, technician, 10)
    services.resolve(ticket, by=technician)
    services.reopen(ticket, by=technician)
    with pytest.raises(services.WorkLocked, match="already been charged"):
        services.update_time_entry(entry, by=technician, minutes=1, channel="portal")
    log_time(ticket, technician, 5)  # new work may be logged


def test_only_the_entrys_technician_or_an_admin_changes_it(ticket, technician):
    entry = log_time(ticket, technician, 10)
    with pytest.raises(services.NotAllowed):
        services.update_time_entry(entry, by=TechnicianFactory(), minutes=1, channel="portal")
    with pytest.raises(services.NotAllowed):
        services.delete_time_entry(entry, by=TechnicianFactory())
    services.update_time_entry(entry, by=AdminFactory(), minutes=12, channel="portal")
    entry.refresh_from_db()
    assert entry.minutes == 12


def test_the_timer_logs_the_elapsed_minutes_rounded_up(ticket, technician):
    start = datetime(2026, 3, 9, 10, 0, tzinfo=MADRID)
    with time_machine.travel(start, tick=False):
        timer = services.start_timer(ticket, by=technician, channel="video")
        again = services.start_timer(ticket, by=technician, channel="phone")
    assert again == timer  # a second start changes nothing
    assert RunningTimer.objects.get().channel == "video"
    with time_machine.travel(start + timedelta(minutes=14, seconds=10), tick=False):
        entry = services.stop_timer(ticket, by=technician, note="Videollamada con Ana")
    assert (entry.minutes, entry.channel, entry.note) == (15, "video", "Videollamada con Ana")
    assert entry.work_date == start.date()
    assert not RunningTimer.objects.exists()


def test_a_timer_shorter_than_a_minute_logs_one_minute(ticket, technician):
    start = datetime(2026, 3, 9, 10, 0, tzinfo=MADRID)
    with time_machine.travel(start, tick=False):
        services.start_timer(ticket, by=technician)
    with time_machine.travel(start + timedelta(seconds=3), tick=False):
        assert services.stop_timer(ticket, by=technician).minutes == 1


def test_each_technician_has_their_own_timer(ticket, technician):
    other = TechnicianFactory()
    services.start_timer(ticket, by=technician)
    services.start_timer(ticket, by=other)
    assert RunningTimer.objects.count() == 2
    services.discard_timer(ticket, by=other)
    assert list(RunningTimer.objects.values_list("technician", flat=True)) == [technician.pk]
    with pytest.raises(services.TicketError, match="No timer"):
        services.stop_timer(ticket, by=other)


def test_a_timer_left_running_on_a_resolved_ticket_can_be_discarded(ticket, technician):
    services.start_timer(ticket, by=technician)
    services.resolve(ticket, by=technician)
    with pytest.raises(services.WorkLocked):
        services.stop_timer(ticket, by=technician)
    services.discard_timer(ticket, by=technician)
    assert not RunningTimer.objects.exists()
    assert Ticket.objects.get().status == Ticket.Status.RESOLVED
