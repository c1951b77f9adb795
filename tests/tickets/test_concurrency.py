"""Tickets opened at the same moment get distinct, correlative references (PostgreSQL)."""

import threading

import pytest
from django.db import connection

from tests.accounts.factories import UserFactory
from tests.tickets.factories import ContractFactory, ProductFactory
from tickets import services
from tickets.models import Ticket


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_openings_get_distinct_correlative_references():
    product = ProductFactory(name="Tienda online")
    users = [UserFactory() for _ in range(6)]
    for user in users:
        ContractFactory(organization=user.organization, product=product)
    barrier = threading.Barrier(len(users))
    errors = []

    def open_one(user):
        try:
            barrier.wait()
            services.open_ticket(
                user, product, kind="consultation", severity="minor", subject="a", description="b"
            )
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=open_one, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    numbers = sorted(
        int(r.rsplit("-", 1)[1]) for r in Ticket.objects.values_list("reference", flat=True)
    )
    assert numbers == list(range(1, len(users) + 1))
