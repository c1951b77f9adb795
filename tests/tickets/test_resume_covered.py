"""Issue 10: a ticket leaves "awaiting credits" by itself when the client's new credits
cover the estimate (a payment's grant or an admin's adjustment): the estimate is accepted
and held, the SLA clock resumes with its due date moved later, the client and the
technician are told once. Concurrency on PostgreSQL: real transactions and row locks."""

import contextlib
import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection

from credits import services as credit_services
from credits.models import Hold, Wallet
from notifications.models import Kind, OutboxEmail
from tests.accounts.factories import AdminFactory
from tests.tickets.factories import grant_credits, open_ticket, send_estimate
from tickets import services
from tickets.models import Estimate, StatusChange, Ticket

S = Ticket.Status
# Monday 9 March 2026, 10:00 in Madrid: business hours.
OPENED = datetime(2026, 3, 9, 10, tzinfo=ZoneInfo("Europe/Madrid"))
E = Estimate.Status


@pytest.fixture
def waiting(client_user, technician, office):
    """A ticket assigned to the technician, awaiting credits for an estimate of 150 (50 short)."""
    with time_machine.travel(OPENED, tick=False):
        grant_credits(client_user.organization, 100)
        ticket = open_ticket(client_user, kind="intervention", severity="critical")
        services.assign(ticket, technician, by=technician)
        estimate = send_estimate(ticket, technician, 150)
    ticket.refresh_from_db()
    assert ticket.status == S.AWAITING_CREDITS
    return ticket, estimate


def test_a_grant_that_covers_the_estimate_resumes_the_work(
    waiting, client_user, technician, django_capture_on_commit_callbacks
):
    ticket, estimate = waiting
    paused_due = ticket.due_at
    later = OPENED + timedelta(hours=2)  # two business hours of pause
    with (
        time_machine.travel(later, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        credit_services.grant(client_user.organization, 60, reason="Pack", idempotency_key="pay:1")
    ticket.refresh_from_db()
    estimate.refresh_from_db()
    assert ticket.status == S.IN_PROGRESS
    assert ticket.sla_paused_at is None
    # Due at 18:00 (8 business hours) before the pause; two business hours later, as in a
    # normal resume: Tuesday at 11:00.
    assert paused_due == OPENED.replace(hour=18)
    assert ticket.due_at == datetime(2026, 3, 10, 11, tzinfo=ZoneInfo("Europe/Madrid"))
    assert (estimate.status, estimate.decided_by) == (E.ACCEPTED, None)
    assert estimate.hold.amount == 150
    assert estimate.hold.is_open
    assert Wallet.objects.get(organization=client_user.organization).held == 150
    told = OutboxEmail.objects.filter(kind=Kind.ESTIMATE_COVERED)
    assert sorted(told.values_list("recipient", flat=True)) == sorted(
        [client_user.pk, technician.pk]
    )
    assert all(e.context["work_resumes"] == 1 for e in told)
    change = StatusChange.objects.filter(ticket=ticket).last()
    assert (change.from_status, change.to_status) == (S.AWAITING_CREDITS, S.IN_PROGRESS)

    # Running it again (another grant) changes nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        credit_services.grant(client_user.organization, 15, reason="Pack", idempotency_key="p2")
    assert Hold.objects.count() == 1
    assert told.count() == 2


def test_a_grant_that_does_not_cover_it_changes_nothing(
    waiting, client_user, django_capture_on_commit_callbacks
):
    ticket, _estimate = waiting
    with django_capture_on_commit_callbacks(execute=True):
        credit_services.grant(client_user.organization, 30, reason="Pack", idempotency_key="p")
    ticket.refresh_from_db()
    assert ticket.status == S.AWAITING_CREDITS
    assert not OutboxEmail.objects.filter(kind=Kind.ESTIMATE_COVERED).exists()


def test_an_admin_adjustment_also_resumes_it(
    waiting, client_user, django_capture_on_commit_callbacks
):
    ticket, _estimate = waiting
    with django_capture_on_commit_callbacks(execute=True):
        credit_services.adjust(
            client_user.organization,
            50,
            reason="Cortesía",
            actor=AdminFactory(),
            idempotency_key="adj:1",
        )
    ticket.refresh_from_db()
    assert ticket.status == S.IN_PROGRESS


def test_a_covered_quote_waits_for_the_clients_explicit_acceptance(
    client_user, technician, office, django_capture_on_commit_callbacks
):
    from tickets.models import SecurityChecklist

    grant_credits(client_user.organization, 100)
    ticket = open_ticket(client_user, kind="security_update")
    SecurityChecklist.objects.create(ticket=ticket, updated_by=technician, modified_core=True)
    quote = send_estimate(ticket, technician, 240, kind="quote")
    with django_capture_on_commit_callbacks(execute=True):
        credit_services.grant(client_user.organization, 200, reason="P", idempotency_key="q")
    ticket.refresh_from_db()
    quote.refresh_from_db()
    assert ticket.status == S.AWAITING_ACCEPTANCE
    assert quote.status == E.PENDING
    (email,) = OutboxEmail.objects.filter(kind=Kind.ESTIMATE_COVERED, recipient=client_user)
    assert email.context["work_resumes"] == 0


def test_the_hook_lives_in_credits_which_never_imports_tickets():
    import ast
    from pathlib import Path

    for path in Path("credits").rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert not node.module.startswith(("tickets", "billing")), path
            if isinstance(node, ast.Import):
                assert not any(a.name.startswith(("tickets", "billing")) for a in node.names)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_grants_and_the_clients_own_acceptance_hold_the_credits_once(
    client_user, technician, office
):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    grant_credits(client_user.organization, 100)
    ticket = open_ticket(client_user, kind="intervention")
    services.assign(ticket, technician, by=technician)
    estimate = send_estimate(ticket, technician, 150)
    organization = client_user.organization
    barrier = threading.Barrier(6)
    errors = []

    def pay(number):
        try:
            barrier.wait()
            if number == 5:
                # Refused when the grants had not committed yet, or one accepted it first.
                with contextlib.suppress(services.EstimateNotPending, services.NotEnoughCredits):
                    services.accept_estimate(Estimate.objects.get(pk=estimate.pk), by=client_user)
            else:
                credit_services.grant(
                    organization, 60, reason="Pack", idempotency_key=f"pay:{number}"
                )
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=pay, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    ticket.refresh_from_db()
    estimate.refresh_from_db()
    assert ticket.status == S.IN_PROGRESS
    assert estimate.status == E.ACCEPTED
    assert Hold.objects.filter(wallet__organization=organization).count() == 1
    assert Wallet.objects.get(organization=organization).held == 150
    assert StatusChange.objects.filter(ticket=ticket, to_status=S.IN_PROGRESS).count() == 1
    covered = OutboxEmail.objects.filter(kind=Kind.ESTIMATE_COVERED).count()
    answered = OutboxEmail.objects.filter(kind=Kind.ESTIMATE_ANSWERED).count()
    assert (covered, answered) in ((2, 0), (0, 1))  # told by whichever accepted it


def test_the_periodic_sweep_resumes_a_ticket_whose_hook_was_lost(waiting, client_user, settings):
    from tickets.tasks import sweep_covered_tickets_task

    ticket, estimate = waiting
    # The grant commits but its on_commit hook never runs (a crash right after the commit).
    credit_services.grant(client_user.organization, 60, reason="Pack", idempotency_key="pay:1")
    ticket.refresh_from_db()
    assert ticket.status == S.AWAITING_CREDITS
    schedule = settings.CELERY_BEAT_SCHEDULE["tickets-sweep-covered-tickets"]
    assert schedule["task"] == sweep_covered_tickets_task.name

    assert sweep_covered_tickets_task.delay().get() == 1  # eager in tests: runs here
    ticket.refresh_from_db()
    estimate.refresh_from_db()
    assert ticket.status == S.IN_PROGRESS
    assert estimate.status == E.ACCEPTED
    assert OutboxEmail.objects.filter(kind=Kind.ESTIMATE_COVERED).count() == 2
    # Twice changes nothing more.
    assert sweep_covered_tickets_task.delay().get() == 0
    assert Hold.objects.count() == 1
    assert OutboxEmail.objects.filter(kind=Kind.ESTIMATE_COVERED).count() == 2


def test_the_sweep_leaves_tickets_the_balance_does_not_cover(waiting, client_user):
    ticket, _estimate = waiting
    credit_services.grant(client_user.organization, 30, reason="Pack", idempotency_key="p")
    assert services.sweep_covered_tickets() == []
    ticket.refresh_from_db()
    assert ticket.status == S.AWAITING_CREDITS
