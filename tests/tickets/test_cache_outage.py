"""Issue 10: a Redis outage does not take pages down. The cache points at a closed port
(the real RedisCache backend): the ticket page, the new-ticket page, ticket creation and
the queue still work, the calendar is read from the database, and the outage is logged
once, not per request."""

import logging

import pytest
from django.test import Client
from django.urls import reverse

from tests.accounts.mfa import SecondFactorClient
from tests.tickets.factories import ContractFactory, ProductFactory, open_ticket
from tickets import calendars
from tickets.models import Ticket

CLOSED_PORT = "redis://127.0.0.1:1/0"


@pytest.fixture
def redis_down(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CLOSED_PORT,
        }
    }
    calendars._cache_ok()  # a previous test's outage is over
    yield
    calendars._cache_ok()


def test_pages_and_ticket_creation_work_with_the_cache_unreachable(
    redis_down, client_user, technician, office, caplog
):
    product = ProductFactory(name="Tienda online")
    ContractFactory(organization=client_user.organization, product=product)
    existing = open_ticket(client_user, product=product, severity="critical")
    client, staff = Client(), SecondFactorClient()
    client.force_login(client_user)
    staff.force_login(technician)

    with caplog.at_level(logging.WARNING, logger="tickets.calendars"):
        assert client.get(reverse("tickets:create")).status_code == 200
        created = client.post(
            reverse("tickets:create"),
            {
                "product": product.pk,
                "severity": "major",
                "kind": "consultation",
                "subject": "No llegan los pedidos",
                "description": "Desde esta mañana.",
            },
        )
        assert created.status_code == 302
        ticket = Ticket.objects.get(subject="No llegan los pedidos")
        assert client.get(ticket.get_absolute_url()).status_code == 200
        assert staff.get(existing.get_absolute_url()).status_code == 200
        assert staff.get(reverse("tickets:queue")).status_code == 200
        assert staff.get(reverse("tickets:queue"), {"q": "pedidos"}).status_code == 200

    # The due date comes from the database calendar (24 business hours for major).
    assert ticket.sla_target_hours == 24
    outage = [r for r in caplog.records if "unreachable" in r.getMessage()]
    assert len(outage) == 1  # once, not per request


def test_invalidating_with_the_cache_down_does_not_fail(redis_down, office):
    calendars.invalidate()
    assert calendars.current().targets["critical"].hours == 8


def test_the_redis_cache_gives_up_within_a_second_on_a_silent_server(settings, client_user):
    """A Redis that accepts connections but never answers (a hung server, a full network
    buffer) costs a page at most the small socket timeouts of the settings, not forever."""
    import socket
    import time

    from helpdesk.settings import base

    assert base.REDIS_CACHE_OPTIONS["socket_connect_timeout"] <= 1
    assert base.REDIS_CACHE_OPTIONS["socket_timeout"] <= 1
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)  # the kernel accepts; nobody ever reads or answers
    try:
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": f"redis://127.0.0.1:{silent.getsockname()[1]}/0",
                "OPTIONS": base.REDIS_CACHE_OPTIONS,
            }
        }
        calendars._cache_ok()
        client = Client()
        client.force_login(client_user)
        took = []
        for _ in range(2):
            started = time.monotonic()
            assert client.get(reverse("tickets:create")).status_code == 200
            took.append(time.monotonic() - started)
        # Each cache call gives up after the socket timeout (redis-py alone would wait
        # forever on a server that never answers).
        assert max(took) < 2.5, took
    finally:
        silent.close()
        calendars._cache_ok()
