import pytest
from django.utils import translation

from tickets import calendars


@pytest.fixture(autouse=True)
def _fresh_sla_config():
    """The calendar is cached per process: a test's calendar rows vanish with its
    transaction, so forget them before and after each test."""
    calendars.invalidate()
    yield
    calendars.invalidate()


@pytest.fixture(autouse=True)
def _english():
    """Errors raised outside a request read in English here; pages follow the user's
    language (Spanish for the fixtures' users), so both catalogues are exercised."""
    with translation.override("en"):
        yield
