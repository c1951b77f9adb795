"""The tickets part of ``seed_demo``: products, contracts and a dozen tickets, twice safe."""

import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from tickets import selectors
from tickets.models import Contract, Message, Product, Ticket
from tickets.notify import sla_due


@pytest.mark.django_db
def test_seed_demo_makes_tickets_in_many_states_and_is_safe_twice():
    call_command("seed_demo", stdout=io.StringIO())
    counts = (Product.objects.count(), Contract.objects.count(), Ticket.objects.count())
    messages = Message.objects.count()
    call_command("seed_demo", stdout=io.StringIO())
    assert (Product.objects.count(), Contract.objects.count(), Ticket.objects.count()) == counts
    assert Message.objects.count() == messages
    assert set(Product.objects.values_list("name", flat=True)) == {"Tienda online", "ERP Gestión"}
    assert Ticket.objects.count() == 12
    assert len(set(Ticket.objects.values_list("status", flat=True))) >= 6
    assert len(set(Ticket.objects.values_list("severity", flat=True))) == 3
    now = timezone.now()
    assert any(ticket.due_at <= now for ticket in sla_due(now))
    assert Message.objects.filter(is_internal=True).exists()
    organizations = {c.organization for c in Contract.objects.select_related("organization")}
    statuses = {check.status for org in organizations for check in selectors.contract_overview(org)}
    assert {"active", "expired", "obsolete_version"} <= statuses
