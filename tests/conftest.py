"""Fixtures shared by every test. App-specific factories live in tests/<app>/factories.py."""

import pytest
from django.core.management import call_command
from django.db import connection

from tests.accounts.factories import (
    AdminFactory,
    OrganizationFactory,
    TechnicianFactory,
    UserFactory,
)
from tests.accounts.mfa import SecondFactorClient
from tests.reference_data import restore_reference_data

# celery_worker_process: a real Celery worker on Redis and the test database.
pytest_plugins = ["tests.notifications.worker"]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker, request):
    """With ``--reuse-db`` the kept test database starts as a fresh one would: emptied (the
    last run may have left rows behind: a Celery worker's stop event written after the last
    flush, an interrupted test) and given back the data migrations' rows, which the last
    run's transactional tests flushed (``--create-db`` builds them by migrating)."""
    if request.config.getoption("reuse_db") and not request.config.getoption("create_db"):
        with django_db_blocker.unblock():
            call_command("flush", interactive=False, verbosity=0)
            restore_reference_data()


def pytest_runtest_setup(item):
    if item.get_closest_marker("postgres") and connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: set DATABASE_URL=postgres://... (CI does)")


@pytest.fixture
def client():
    """Django's test client; ``force_login`` of a technician or admin also passes their
    second factor, as a real login would (tests/accounts/mfa.py)."""
    return SecondFactorClient()


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Uploaded files of a test go to its own temporary folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def organization(db):
    return OrganizationFactory(name="Cliente Uno S.L.")


@pytest.fixture
def client_user(organization):
    return UserFactory(organization=organization, email="ana@cliente-uno.example")


@pytest.fixture
def other_organization(db):
    return OrganizationFactory(name="Otra Empresa S.A.")


@pytest.fixture
def other_client_user(other_organization):
    return UserFactory(organization=other_organization, email="bob@otra.example")


@pytest.fixture
def technician(db):
    return TechnicianFactory(full_name="Lucía Técnica")


@pytest.fixture
def admin_user(db):
    return AdminFactory(full_name="Admin Uno")


@pytest.fixture
def client_client(client, client_user):
    """Django's test client, logged in as a client user."""
    client.force_login(client_user)
    return client


@pytest.fixture
def staff_client(client, technician):
    """Django's test client, logged in as a technician."""
    client.force_login(technician)
    return client


@pytest.fixture
def admin_client(client, admin_user):
    """pytest-django's admin_client, through the second-factor client above."""
    client.force_login(admin_user)
    return client
