"""Bad input of the issue: each a clear {code, message}, a 4xx, and nothing half-written."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from api.services import create_key, revoke_key
from tests.api.conftest import bearer
from tests.tickets.factories import ProductFactory, log_time, open_ticket
from tickets.models import Ticket

pytestmark = pytest.mark.django_db

TICKET = {
    "kind": "consultation",
    "severity": "minor",
    "subject": "No llegan los correos",
    "description": "Desde esta mañana.",
}


def _with(header: str) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=header)
    return api


def test_no_key_is_401_with_a_clear_body(client):
    response = client.get("/api/v1/balance/")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert response["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize(
    ("header", "code"),
    [
        ("Token abc", "malformed_key"),
        ("Bearer ", "malformed_key"),
        ("Bearer nonsense", "malformed_key"),
        ("Bearer hd_abcdef123456_wrongsecret", "invalid_key"),
    ],
)
def test_malformed_or_unknown_key_is_401(db, header, code):
    response = _with(header).get("/api/v1/balance/")
    assert response.status_code == 401
    assert response.json()["code"] == code
    assert response.json()["message"]


def test_revoked_and_expired_keys_are_401(client_user):
    revoked = create_key(client_user, name="old")
    revoke_key(revoked.key, by=client_user)
    expired = create_key(client_user, name="exp", expires_at=timezone.now() - timedelta(days=1))
    assert _with(f"Bearer {revoked.plaintext}").get("/api/v1/balance/").json()["code"] == (
        "revoked_key"
    )
    response = _with(f"Bearer {expired.plaintext}").get("/api/v1/balance/")
    assert response.status_code == 401
    assert response.json()["code"] == "expired_key"


def test_error_message_in_the_key_owners_language(client_user):
    client_user.language = "es"
    client_user.save()
    api = bearer(client_user)
    response = api.get("/api/v1/tickets/999999/")
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "No encontrado."}
    client_user.language = "en"
    client_user.save()
    assert api.get("/api/v1/tickets/999999/").json()["message"] == "Not found."


def test_read_key_cannot_write(client_user):
    api = bearer(client_user, scope="read")
    response = api.post("/api/v1/tickets/", {}, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "read_only_key"


def test_body_that_is_not_json(client_api):
    response = client_api.post(
        "/api/v1/tickets/", data="{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"
    assert not Ticket.objects.exists()


def test_unknown_field(client_api, client_user):
    product = ProductFactory()
    response = client_api.post(
        "/api/v1/tickets/", {**TICKET, "product": product.pk, "priority": "x"}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert "priority" in body["fields"]
    assert not Ticket.objects.exists()


def test_product_without_contract(client_api):
    product = ProductFactory()
    response = client_api.post("/api/v1/tickets/", {**TICKET, "product": product.pk}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "no_active_contract"
    assert response.json()["message"]
    assert not Ticket.objects.exists()


def test_negative_credit_amounts_are_refused(staff_api, technician, client_user):
    ticket = open_ticket(client_user)
    log_time(ticket, technician, 10)
    entries = staff_api.post(
        f"/api/v1/tickets/{ticket.pk}/time-entries/", {"minutes": -5}, format="json"
    )
    assert entries.status_code == 400
    assert "minutes" in entries.json()["fields"]
    resolve = staff_api.post(
        f"/api/v1/tickets/{ticket.pk}/resolve/", {"expected_credits": -15}, format="json"
    )
    assert resolve.status_code == 400
    assert ticket.time_entries.count() == 1
    ticket.refresh_from_db()
    assert ticket.status != Ticket.Status.RESOLVED


def test_too_many_requests_is_429_with_retry_after(client_api, settings):
    settings.API_RATE_LIMIT_PER_MINUTE = 3
    codes = [client_api.get("/api/v1/balance/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    response = client_api.get("/api/v1/balance/")
    assert response.json()["code"] == "rate_limited"
    assert 1 <= int(response["Retry-After"]) <= 60


def test_rate_limit_degrades_when_the_cache_is_down(client_api, settings):
    settings.API_RATE_LIMIT_PER_MINUTE = 1
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
        }
    }
    from django.core.cache import caches

    caches._settings = None
    try:
        codes = {client_api.get("/api/v1/balance/").status_code for _ in range(3)}
    finally:
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert codes == {200}
