"""Idempotency-Key on writes, like Stripe: a replay returns the first response."""

import pytest

from tests.tickets.factories import ContractFactory, ProductFactory
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def product(client_user):
    product = ProductFactory()
    ContractFactory(organization=client_user.organization, product=product)
    return product


def _ticket(product, subject="Correo caído"):
    return {
        "product": product.pk,
        "kind": "consultation",
        "severity": "minor",
        "subject": subject,
        "description": "No llega nada.",
    }


def test_replay_returns_the_first_response_and_creates_once(client_api, product):
    first = client_api.post(
        "/api/v1/tickets/", _ticket(product), format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    again = client_api.post(
        "/api/v1/tickets/", _ticket(product), format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Ticket.objects.count() == 1


def test_same_key_with_another_body_is_409(client_api, product):
    client_api.post("/api/v1/tickets/", _ticket(product), format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    other = client_api.post(
        "/api/v1/tickets/", _ticket(product, "Otro"), format="json", HTTP_IDEMPOTENCY_KEY="k-2"
    )
    assert other.status_code == 409
    assert other.json()["code"] == "idempotency_key_reused"
    assert Ticket.objects.count() == 1


def test_a_refused_request_is_replayed_too(client_api):
    unknown = {
        "product": 999999,
        "kind": "consultation",
        "severity": "minor",
        "subject": "x",
        "description": "y",
    }
    first = client_api.post("/api/v1/tickets/", unknown, format="json", HTTP_IDEMPOTENCY_KEY="k-3")
    again = client_api.post("/api/v1/tickets/", unknown, format="json", HTTP_IDEMPOTENCY_KEY="k-3")
    assert first.status_code == again.status_code == 400
    assert again.json() == first.json()


def test_keys_are_per_api_key(client_api, client_user, product):
    from tests.api.conftest import bearer

    other = bearer(client_user)
    client_api.post("/api/v1/tickets/", _ticket(product), format="json", HTTP_IDEMPOTENCY_KEY="k-4")
    other.post("/api/v1/tickets/", _ticket(product), format="json", HTTP_IDEMPOTENCY_KEY="k-4")
    assert Ticket.objects.count() == 2
