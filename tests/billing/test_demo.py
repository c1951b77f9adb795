"""Demo orders and invoices: written through the services, safe to run twice."""

import io

import pytest
from django.core.management import call_command

from accounts.models import Organization
from billing.models import Invoice, Order
from credits import selectors as credit_selectors

pytestmark = pytest.mark.django_db


def _seed():
    call_command("seed_demo", stdout=io.StringIO())


def test_demo_orders_tell_their_stories_and_are_idempotent():
    _seed()
    counts = (Order.objects.count(), Invoice.objects.count())
    _seed()
    assert (Order.objects.count(), Invoice.objects.count()) == counts == (4, 4)
    norte = Organization.objects.get(name__startswith="Talleres Norte")
    brightwave = Organization.objects.get(name__startswith="Brightwave")
    espiga = Organization.objects.get(name__startswith="Panadería La Espiga")
    assert sorted(norte.orders.values_list("method", "status")) == [
        ("bank_transfer", "paid"),
        ("online", "paid"),
    ]
    assert list(brightwave.orders.values_list("status", flat=True)) == ["refunded"]
    assert brightwave.orders.get().invoices.count() == 2
    pending = espiga.orders.get()
    assert (pending.status, pending.method, pending.credits) == ("pending", "bank_transfer", 240)
    assert credit_selectors.balance(brightwave) == 15  # as the credits demo expects
    assert credit_selectors.balance(espiga) == 105
    # 75 left from the credits demo, minus the 30 charged by the tickets demo, then the
    # two recharges bought here.
    assert credit_selectors.balance(norte) == 75 - 30 + 120 + 60
    assert list(credit_selectors.ledger_mismatches()) == []
