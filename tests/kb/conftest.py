import pytest

from tests.accounts.factories import TechnicianFactory


@pytest.fixture
def writer(db):
    return TechnicianFactory(full_name="Jorge Redactor")
