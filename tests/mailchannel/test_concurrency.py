"""The same message received by several workers at once is stored once (PostgreSQL)."""

import threading

import pytest
from django.db import connection

from mailchannel.models import InboundEmail
from tests.accounts.factories import UserFactory
from tests.mailchannel.conftest import corpus
from tests.tickets.factories import ContractFactory, ProductFactory
from tickets.inbound import receive_email
from tickets.models import Ticket


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_same_message_id_from_four_workers_at_once_makes_one_ticket():
    user = UserFactory(email="ana@cliente.example")
    ContractFactory(organization=user.organization, product=ProductFactory(name="Tienda"))
    raw = corpus("new_plain.eml")
    workers = 4
    barrier = threading.Barrier(workers)
    outcomes, errors = [], []

    def receive():
        try:
            barrier.wait()
            outcomes.append(receive_email(raw))
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=receive) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(r.outcome for r in outcomes) == ["created"] + ["duplicate"] * (workers - 1)
    assert len({r.ticket.pk for r in outcomes}) == 1
    assert Ticket.objects.count() == 1
    assert InboundEmail.objects.count() == 1
