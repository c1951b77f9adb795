"""API tests: keys for a client, a technician and an outsider, and a client that sends them."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from api.services import create_key


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()


def bearer(user, scope="write", **kwargs) -> APIClient:
    """An API client sending a new key of ``user``."""
    api = APIClient()
    api.credentials(
        HTTP_AUTHORIZATION=f"Bearer {create_key(user, name='t', scope=scope, **kwargs).plaintext}"
    )
    return api


@pytest.fixture
def client_api(client_user):
    return bearer(client_user)


@pytest.fixture
def staff_api(technician):
    return bearer(technician)
