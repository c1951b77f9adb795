"""Status changes: the transition table enforced, roles, reopening, out of scope, and the
SLA clock that stops while the ticket waits and moves the due date when it restarts."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import IntegrityError, transaction

from tests.tickets.factories import ProductFactory, open_ticket
from tickets import clock, services
from tickets.models import Message, SlaTarget, StatusChange, Ticket

MADRID = ZoneInfo("Europe/Madrid")
S = Ticket.Status


def madrid(*args) -> datetime:
    return datetime(*args, tzinfo=MADRID)


def at(moment, func, *args, **kwargs):
    with time_machine.travel(moment, tick=False):
        return func(*args, **kwargs)


@pytest.fixture
def product(db):
    return ProductFactory(name="Tienda online")


# --- The table -------------------------------------------------------------------------


def test_a_forbidden_change_raises_and_writes_nothing(client_user, technician, product):
    ticket = open_ticket(client_user, product=product)
    services.close_out_of_scope(ticket, by=technician, reason=Ticket.OutOfScopeReason.VIRUS)
    changes = StatusChange.objects.count()
    with pytest.raises(services.InvalidTransition) as exc:
        services.change_status(ticket, S.IN_PROGRESS, by=technician, note="intento")
    assert exc.value.from_status == S.OUT_OF_SCOPE
    assert "cannot go from" in str(exc.value.message)
    ticket.refresh_from_db()
    assert ticket.status == S.OUT_OF_SCOPE
    assert StatusChange.objects.count() == changes
    assert not Message.objects.exists()


def test_unknown_status_is_an_invalid_transition(client_user, technician, product):
    ticket = open_ticket(client_user, product=product)
    with pytest.raises(services.InvalidTransition):
        services.change_status(ticket, "lost", by=technician)


def test_clients_may_only_close_and_reopen(client_user, product):
    ticket = open_ticket(client_user, product=product)
    for status in (S.IN_PROGRESS, S.AWAITING_CREDITS, S.OPEN):
        with pytest.raises(services.InvalidTransition):
            services.change_status(ticket, status, by=client_user)
    with pytest.raises(services.NotAllowed):
        services.resolve(ticket, by=client_user)
    with pytest.raises(services.NotAllowed):
        services.close_out_of_scope(ticket, by=client_user, reason="virus")
    ticket = services.close(ticket, by=client_user)
    assert ticket.status == S.CLOSED
    assert ticket.closed_at is not None


def test_notes_with_a_status_change_are_internal_and_staff_only(client_user, technician, product):
    ticket = open_ticket(client_user, product=product)
    services.change_status(ticket, S.IN_PROGRESS, by=technician, note="Empiezo")
    assert Message.objects.get().is_internal
    with pytest.raises(services.NotAllowed):
        services.close(ticket, by=client_user, note="adiós")
    assert Ticket.objects.get().status == S.IN_PROGRESS


def test_a_public_reply_to_a_finished_ticket_is_refused(client_user, technician, product):
    ticket = open_ticket(client_user, product=product)
    services.close(ticket, by=client_user)
    with pytest.raises(services.TicketClosed):
        services.add_reply(ticket, author=client_user, body="¿Sigue ahí?")
    with pytest.raises(services.TicketClosed):
        services.add_reply(ticket, author=technician, body="Hola")
    assert not Message.objects.exists()


def test_out_of_scope_needs_one_of_the_reasons(client_user, technician, product):
    ticket = open_ticket(client_user, product=product)
    with pytest.raises(services.TicketError):
        services.close_out_of_scope(ticket, by=technician, reason="bored")
    with pytest.raises(services.TicketError):
        services.change_status(ticket, S.OUT_OF_SCOPE, by=technician)
    ticket = services.change_status(
        ticket, S.OUT_OF_SCOPE, by=technician, reason=Ticket.OutOfScopeReason.THIRD_PARTY
    )
    assert ticket.status == S.OUT_OF_SCOPE
    assert ticket.get_out_of_scope_reason_display() == "Third-party software"
    assert ticket.closed_at is not None


def test_the_database_refuses_a_running_ticket_with_a_stopped_clock(client_user, product):
    ticket = open_ticket(client_user, product=product)
    with pytest.raises(IntegrityError), transaction.atomic():
        Ticket.objects.filter(pk=ticket.pk).update(sla_paused_at=ticket.created_at)
    with pytest.raises(IntegrityError), transaction.atomic():
        Ticket.objects.filter(pk=ticket.pk).update(status=S.OUT_OF_SCOPE)


# --- Reopening -------------------------------------------------------------------------


def test_clients_reopen_within_seven_days_of_resolution(client_user, technician, product):
    start = madrid(2026, 3, 9, 10)
    ticket = at(start, open_ticket, client_user, product=product)
    at(start + timedelta(hours=1), services.resolve, ticket, by=technician)
    ticket = at(start + timedelta(days=7), services.reopen, ticket, by=client_user)
    assert ticket.status == S.OPEN
    assert ticket.resolved_at is None


def test_clients_cannot_reopen_after_seven_days_but_staff_can(client_user, technician, product):
    start = madrid(2026, 3, 9, 10)
    ticket = at(start, open_ticket, client_user, product=product)
    at(start + timedelta(hours=1), services.resolve, ticket, by=technician)
    at(start + timedelta(days=1), services.close, ticket, by=client_user)
    late = start + timedelta(days=8, hours=2)
    with pytest.raises(services.ReopenWindowExpired):
        at(late, services.reopen, ticket, by=client_user)
    assert Ticket.objects.get().status == S.CLOSED
    # Counted from the closure (day 1), so day 8 is still inside the window.
    ticket = at(start + timedelta(days=7, hours=23), services.reopen, ticket, by=client_user)
    assert ticket.status == S.OPEN
    at(start + timedelta(days=8), services.close, ticket, by=client_user)
    ticket = at(start + timedelta(days=30), services.reopen, ticket, by=technician)
    assert ticket.status == S.OPEN


def test_out_of_scope_tickets_cannot_be_reopened(client_user, technician, product):
    ticket = open_ticket(client_user, product=product)
    services.close_out_of_scope(ticket, by=technician, reason="hardware")
    with pytest.raises(services.InvalidTransition):
        services.reopen(ticket, by=technician)


# --- Assignment ------------------------------------------------------------------------


def test_assign_and_unassign(client_user, technician, product):
    ticket = open_ticket(client_user, product=product)
    services.assign(ticket, technician, by=technician)
    assert list(ticket.assignees.all()) == [technician]
    with pytest.raises(services.NotAllowed):
        services.assign(ticket, client_user, by=technician)
    with pytest.raises(services.NotAllowed):
        services.unassign(ticket, technician, by=client_user)
    services.unassign(ticket, technician, by=technician)
    assert not ticket.assignees.exists()


# --- The SLA clock: pauses over nights and weekends -----------------------------------


def test_a_pause_over_a_weekend_moves_the_due_date_by_the_paused_business_time(
    client_user, technician, product
):
    # Critical (8 business hours), opened Friday 16:00: due Monday 15:00.
    ticket = at(
        madrid(2026, 3, 13, 16), open_ticket, client_user, product=product, severity="critical"
    )
    assert ticket.due_at == madrid(2026, 3, 16, 15)
    # Friday 17:00 (1 h used) the technician asks the client something: the clock stops.
    ticket = at(
        madrid(2026, 3, 13, 17), services.change_status, ticket, S.AWAITING_CLIENT, by=technician
    )
    assert ticket.sla_paused_at == madrid(2026, 3, 13, 17)
    assert ticket.due_at == madrid(2026, 3, 16, 15)  # not moved while paused
    # The client answers Monday 12:00: 4 business hours paused (Fri 17-18, Mon 9-12).
    at(madrid(2026, 3, 16, 12), services.add_reply, ticket, author=client_user, body="Hecho")
    ticket.refresh_from_db()
    assert ticket.status == S.OPEN
    assert ticket.sla_paused_at is None
    # 7 h were left: Monday 12:00-18:00 (6 h) and Tuesday 09:00-10:00.
    assert ticket.due_at == madrid(2026, 3, 17, 10)
    # The warning (at 6 h of the target: Monday 13:00) moved by the same 4 h: 1 h was
    # used on Friday, 5 h more from Monday 12:00.
    assert ticket.sla_warning_at == madrid(2026, 3, 16, 17)


def test_a_pause_over_a_night(client_user, technician, product):
    # Major (24 business hours), opened Tuesday 10:00: due Thursday 16:00.
    ticket = at(
        madrid(2026, 3, 10, 10), open_ticket, client_user, product=product, severity="major"
    )
    assert ticket.due_at == madrid(2026, 3, 12, 16)
    at(madrid(2026, 3, 10, 17), services.change_status, ticket, S.AWAITING_CLIENT, by=technician)
    # Resumed Wednesday 9:30: paused Tue 17-18 and Wed 9-9:30, 1.5 business hours.
    ticket = at(
        madrid(2026, 3, 11, 9, 30), services.change_status, ticket, S.IN_PROGRESS, by=technician
    )
    assert ticket.due_at == madrid(2026, 3, 12, 17, 30)


def test_a_pause_entirely_outside_business_hours_changes_nothing(client_user, technician, product):
    ticket = at(madrid(2026, 3, 13, 17), open_ticket, client_user, product=product)
    due = ticket.due_at
    ticket = at(
        madrid(2026, 3, 13, 19), services.change_status, ticket, S.AWAITING_CREDITS, by=technician
    )
    ticket = at(madrid(2026, 3, 15, 20), services.change_status, ticket, S.OPEN, by=technician)
    assert ticket.due_at == due


def test_calendar_hour_targets_move_by_the_wall_clock(client_user, technician, product):
    # Saved as in admin: the cached targets are invalidated.
    SlaTarget.objects.update_or_create(
        severity="critical", defaults={"hours": 8, "business_hours": False}
    )
    ticket = at(
        madrid(2026, 3, 13, 16), open_ticket, client_user, product=product, severity="critical"
    )
    assert not ticket.sla_business_hours
    assert ticket.due_at == madrid(2026, 3, 14, 0)
    at(
        madrid(2026, 3, 13, 17),
        services.change_status,
        ticket,
        S.AWAITING_ACCEPTANCE,
        by=technician,
    )
    ticket = at(
        madrid(2026, 3, 14, 9), services.change_status, ticket, S.IN_PROGRESS, by=technician
    )
    assert ticket.due_at == madrid(2026, 3, 14, 16)  # 16 hours later


def test_waiting_to_waiting_keeps_the_clock_stopped(client_user, technician, product):
    ticket = at(madrid(2026, 3, 9, 10), open_ticket, client_user, product=product)
    at(madrid(2026, 3, 9, 11), services.change_status, ticket, S.AWAITING_ACCEPTANCE, by=technician)
    ticket = at(
        madrid(2026, 3, 9, 12), services.change_status, ticket, S.AWAITING_CREDITS, by=technician
    )
    assert ticket.sla_paused_at == madrid(2026, 3, 9, 11)


def test_resolution_stops_the_clock_and_reopening_restarts_it(client_user, technician, product):
    ticket = at(
        madrid(2026, 3, 9, 10), open_ticket, client_user, product=product, severity="critical"
    )
    assert ticket.due_at == madrid(2026, 3, 9, 18)
    ticket = at(madrid(2026, 3, 9, 12), services.resolve, ticket, by=technician)
    assert ticket.sla_paused_at == madrid(2026, 3, 9, 12)
    ticket = at(madrid(2026, 3, 10, 11), services.reopen, ticket, by=client_user)
    # Stopped for 8 business hours (Mon 12-18, Tue 9-11): 6 h left from Tuesday 11:00.
    assert ticket.due_at == madrid(2026, 3, 10, 17)


def test_the_shown_state_goes_ok_warning_breached_and_paused(client_user, technician, product):
    ticket = at(
        madrid(2026, 3, 9, 10), open_ticket, client_user, product=product, severity="critical"
    )

    def state(moment):
        with time_machine.travel(moment, tick=False):
            return clock.attach_sla([Ticket.objects.get(pk=ticket.pk)])[0].sla

    assert state(madrid(2026, 3, 9, 11)).state == "ok"
    assert state(madrid(2026, 3, 9, 11)).remaining == timedelta(hours=7)
    assert state(madrid(2026, 3, 9, 16, 30)).state == "warning"
    assert state(madrid(2026, 3, 9, 18, 30)).state == "breached"
    at(madrid(2026, 3, 9, 12), services.change_status, ticket, S.AWAITING_CLIENT, by=technician)
    paused = state(madrid(2026, 3, 10, 17))
    assert paused.state == "paused"
    assert paused.remaining == timedelta(hours=6)
    assert paused.ticking_until is None
