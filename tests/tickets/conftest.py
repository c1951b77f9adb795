from datetime import time

import pytest
from django.utils import translation

from tickets import calendars
from tickets.models import BusinessCalendar, OpeningHours


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


@pytest.fixture
def office(db):
    """The default calendar of migration 0002 (made again if a flush removed it)."""
    calendar = BusinessCalendar.objects.filter(is_default=True).first()
    if calendar is None:
        calendar = BusinessCalendar.objects.create(name="Oficina", is_default=True)
        for day in range(5):
            OpeningHours.objects.create(
                calendar=calendar, weekday=day, opens_at=time(9), closes_at=time(18)
            )
    return calendar
