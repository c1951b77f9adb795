"""Schemathesis against /api/schema/ with a client key and a staff key: no 500, and every
answer matches the schema (status code, content type, body). Bounded: few examples per
operation, no shrinking, no database of examples."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from helpdesk.wsgi import application
from tests.api.conftest import bearer
from tests.tickets.factories import grant_credits, log_time, open_ticket

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def api_schema(db):
    # Called through WSGI directly, Django would close the test's connection after each
    # request (the test client switches that off the same way).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _authorization(user, client_user, technician) -> str:
    grant_credits(client_user.organization, 200)
    ticket = open_ticket(client_user)
    log_time(ticket, technician, 20)
    return bearer(user)._credentials["HTTP_AUTHORIZATION"]


@pytest.fixture
def client_key(client_user, technician, settings):
    """A client's key, whose organization has a ticket, credits and time logged."""
    settings.API_RATE_LIMIT_PER_MINUTE = 100_000
    return _authorization(client_user, client_user, technician)


@pytest.fixture
def staff_key(client_user, technician, settings):
    """A technician's key, with the same data."""
    settings.API_RATE_LIMIT_PER_MINUTE = 100_000
    return _authorization(technician, client_user, technician)


BOUNDS = settings(
    max_examples=3,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


def _exercise(api_schema, authorization: str) -> int:
    """Every operation of the schema with generated input; returns how many were run.
    (Driven by hand: schemathesis' pytest plugin does not run under pytest 9 yet.)"""
    operations = 0
    for result in api_schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @BOUNDS
        def check(case):
            case.call_and_validate(headers={"Authorization": authorization}, checks=CHECKS)

        check()
        operations += 1
    return operations


def test_api_matches_its_schema_with_a_client_key(api_schema, client_key):
    assert _exercise(api_schema, client_key) >= 25


def test_api_matches_its_schema_with_a_staff_key(api_schema, staff_key):
    assert _exercise(api_schema, staff_key) >= 25
