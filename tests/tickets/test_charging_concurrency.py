"""Double clicks and two tabs: many resolutions of one ticket at once charge it exactly once
(PostgreSQL, real transactions and row locks)."""

import threading

import pytest
from django.db import connection
from django.urls import reverse

from credits import selectors as credit_selectors
from credits.models import EntryKind, LedgerEntry
from notifications.models import OutboxEmail
from tests.accounts.factories import TechnicianFactory, UserFactory
from tests.accounts.mfa import SecondFactorClient
from tests.tickets.factories import grant_credits, log_time, open_ticket, send_estimate
from tickets import services
from tickets.models import Estimate, Ticket, TicketCharge

THREADS = 24


def run_at_once(count, work):
    """Run ``work(n)`` in ``count`` threads released together; return results and errors."""
    barrier = threading.Barrier(count)
    results, errors = [], []

    def one(number):
        try:
            barrier.wait()
            results.append(work(number))
        except Exception as exc:  # collected for the assertions
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=one, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


@pytest.fixture
def ticket(transactional_db):
    client_user = UserFactory()
    grant_credits(client_user.organization, 1000)
    ticket = open_ticket(client_user, kind="intervention")
    technician = TechnicianFactory()
    log_time(ticket, technician, 61, "remote")
    log_time(ticket, technician, 10, "phone")  # 71 min: 60 + 15 + 15 (call) = 90
    return ticket


def assert_charged_once(ticket):
    entries = LedgerEntry.objects.filter(kind=EntryKind.CONSUMPTION)
    assert [entry.amount for entry in entries] == [-90]
    assert TicketCharge.objects.filter(ticket=ticket).count() == 1
    assert OutboxEmail.objects.filter(kind="balance_after_deduction").count() == 1
    assert credit_selectors.balance(ticket.organization) == 910
    assert Ticket.objects.get(pk=ticket.pk).status == Ticket.Status.RESOLVED


@pytest.mark.postgres
def test_many_resolutions_of_one_ticket_at_once_charge_it_once(ticket):
    technicians = [TechnicianFactory() for _ in range(THREADS)]

    def resolve(number):
        return services.resolve(Ticket.objects.get(pk=ticket.pk), by=technicians[number])

    results, errors = run_at_once(THREADS, resolve)
    assert len(results) == 1
    assert len(errors) == THREADS - 1
    assert all(isinstance(error, services.InvalidTransition) for error in errors), errors
    assert_charged_once(ticket)


@pytest.mark.postgres
def test_many_confirmations_posted_at_once_charge_once(ticket):
    technician = TechnicianFactory()
    clients = []
    for _ in range(20):
        browser = SecondFactorClient()
        browser.force_login(technician)
        clients.append(browser)
    url = reverse("tickets:resolve", args=[ticket.pk])
    form = {"how": "charge", "expected_credits": "90", "note": ""}
    results, errors = run_at_once(20, lambda n: clients[n].post(url, form).status_code)
    assert errors == []
    assert sorted(results) == [200] * 19 + [302]  # one resolves; the others see the error
    assert_charged_once(ticket)


@pytest.mark.postgres
def test_an_estimate_accepted_from_two_tabs_holds_once(transactional_db):
    client_user = UserFactory()
    grant_credits(client_user.organization, 100)
    ticket = open_ticket(client_user, kind="intervention")
    estimate = send_estimate(ticket, TechnicianFactory(), 80)

    def accept(number):
        return services.accept_estimate(Estimate.objects.get(pk=estimate.pk), by=client_user)

    results, errors = run_at_once(12, accept)
    assert len(results) == 1
    assert all(isinstance(error, services.EstimateNotPending) for error in errors), errors
    assert credit_selectors.balance(client_user.organization) == 20
