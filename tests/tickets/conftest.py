import pytest

from tickets import calendars


@pytest.fixture(autouse=True)
def _fresh_sla_config():
    """The calendar is cached per process: a test's calendar rows vanish with its
    transaction, so forget them before and after each test."""
    calendars.invalidate()
    yield
    calendars.invalidate()
