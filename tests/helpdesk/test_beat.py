"""Exactly one beat sends: the second one waits until the first one's lock is gone."""

import pytest
from django.conf import settings

from helpdesk.beat import LockedScheduler
from helpdesk.celery import app


@pytest.fixture
def schedulers(tmp_path):
    if not settings.REDIS_URL:
        pytest.skip("the beat lock needs Redis (REDIS_URL)")
    app.conf.broker_url = settings.REDIS_URL
    made = [
        LockedScheduler(app=app, schedule_filename=str(tmp_path / f"beat-{n}"), lazy=True)
        for n in range(2)
    ]
    yield made
    for scheduler in made:
        scheduler.close()


def test_only_one_of_two_beats_holds_the_lock(schedulers):
    first, second = schedulers
    assert first.holds_lock() is True
    assert second.holds_lock() is False
    assert first.holds_lock() is True  # renewed, still the one


def test_a_standby_beat_takes_over_when_the_first_stops(schedulers):
    first, second = schedulers
    assert first.holds_lock()
    first.close()
    assert second.holds_lock() is True
