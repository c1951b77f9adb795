"""The keys page (create shown once, revoke) and the webhooks page (bad URLs refused)."""

import re

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from api.models import ApiKey

pytestmark = pytest.mark.django_db


def test_user_creates_a_key_seen_once_and_revokes_it(client_client, client_user):
    response = client_client.post(
        reverse("integrations:keys"), {"name": "Tienda", "scope": "write"}
    )
    assert response.status_code == 200
    key = re.search(rb'data-testid="new-key">([^<]+)<', response.content).group(1).decode()
    stored = ApiKey.objects.get(user=client_user)
    assert stored.scope == "write"
    assert key.encode() not in client_client.get(reverse("integrations:keys")).content
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert api.get("/api/v1/balance/").status_code == 200
    client_client.post(reverse("integrations:key_revoke", args=[stored.pk]))
    response = api.get("/api/v1/balance/")
    assert response.status_code == 401
    assert response.json()["code"] == "revoked_key"


def test_profile_links_to_the_keys(client_client):
    assert (
        reverse("integrations:keys").encode()
        in client_client.get(reverse("accounts:profile")).content
    )


@pytest.mark.parametrize("url", ["http://127.0.0.1:8000/hook", "http://169.254.169.254/latest"])
def test_webhook_page_refuses_private_destinations(client_client, client_user, url):
    response = client_client.post(
        reverse("integrations:endpoints"), {"url": url, "events": ["ticket.created"]}
    )
    assert response.status_code == 200
    assert b"link-local" in response.content or b"enlace local" in response.content
    assert not client_user.organization.webhook_endpoints.exists()
