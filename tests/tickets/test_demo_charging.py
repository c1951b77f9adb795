"""The charging part of ``seed_demo``: time, a charged resolution, an estimate, a quote,
access data; safe twice."""

import io

import pytest
from django.core.management import call_command

from credits.models import EntryKind, LedgerEntry
from tickets.models import (
    Credential,
    CredentialReveal,
    Estimate,
    Ticket,
    TicketCharge,
    TimeEntry,
)


@pytest.mark.django_db
def test_seed_demo_makes_charging_examples_and_is_safe_twice():
    call_command("seed_demo", stdout=io.StringIO())
    counts = [
        model.objects.count()
        for model in (TimeEntry, TicketCharge, Estimate, Credential, CredentialReveal)
    ]
    consumptions = LedgerEntry.objects.filter(kind=EntryKind.CONSUMPTION).count()
    call_command("seed_demo", stdout=io.StringIO())
    assert [
        model.objects.count()
        for model in (TimeEntry, TicketCharge, Estimate, Credential, CredentialReveal)
    ] == counts
    assert LedgerEntry.objects.filter(kind=EntryKind.CONSUMPTION).count() == consumptions
    charged = TicketCharge.objects.get(outcome="charged")
    assert (charged.minutes, charged.calls, charged.credits) == (15, 1, 30)
    assert charged.ticket.status == Ticket.Status.RESOLVED
    assert TimeEntry.objects.filter(ticket__status__in=["new", "in_progress"]).exists()
    estimate = Estimate.objects.get(kind="estimate")
    assert estimate.status == Estimate.Status.PENDING
    assert estimate.ticket.status == Ticket.Status.AWAITING_ACCEPTANCE
    quote = Estimate.objects.get(kind="quote")
    assert quote.ticket.kind == Ticket.Kind.CUSTOMIZATION
    assert quote.ticket.status == Ticket.Status.AWAITING_CREDITS
    assert Credential.objects.count() == 2
    assert CredentialReveal.objects.count() == 1
