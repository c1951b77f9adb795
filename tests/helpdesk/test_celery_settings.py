"""The Celery configuration that at-least-once delivery depends on."""

import runpy

import pytest
from django.conf import settings

from helpdesk.celery import app

BASE = settings.BASE_DIR / "helpdesk" / "settings" / "base.py"


def load_base_settings(monkeypatch, **env) -> dict:
    """helpdesk/settings/base.py evaluated afresh under the given environment."""
    for name in ("REDIS_URL", "CELERY_BROKER_URL", "CELERY_QUEUE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(BASE))


def longest_task_time_limit(conf: dict) -> int:
    app.loader.import_default_modules()
    limits = [conf["CELERY_TASK_TIME_LIMIT"]]
    limits += [task.time_limit for task in app.tasks.values() if task.time_limit]
    return max(limits)


def test_redis_redelivers_only_after_the_longest_task_time_limit(monkeypatch):
    conf = load_base_settings(monkeypatch, REDIS_URL="redis://redis.example:6379/0")
    assert conf["CELERY_BROKER_URL"] == "redis://redis.example:6379/0"
    options = conf["CELERY_BROKER_TRANSPORT_OPTIONS"]
    assert options["visibility_timeout"] > longest_task_time_limit(conf)
    assert conf["CELERY_TASK_SOFT_TIME_LIMIT"] < conf["CELERY_TASK_TIME_LIMIT"]
    assert options["socket_connect_timeout"] <= 10  # a dead broker fails fast


def test_without_redis_the_broker_is_the_filesystem(monkeypatch):
    conf = load_base_settings(monkeypatch)
    assert conf["CELERY_BROKER_URL"] == "filesystem://"
    options = conf["CELERY_BROKER_TRANSPORT_OPTIONS"]
    assert options["data_folder_in"] == options["data_folder_out"]
    assert conf["CELERY_TASK_DEFAULT_QUEUE"] == "celery"


def test_delivery_is_at_least_once():
    assert settings.CELERY_TASK_ACKS_LATE is True
    assert settings.CELERY_TASK_REJECT_ON_WORKER_LOST is True
    assert settings.CELERY_WORKER_PREFETCH_MULTIPLIER == 1


def test_beat_sweeps_the_outbox_every_minute_and_drops_stale_runs():
    [entry] = [
        e
        for e in settings.CELERY_BEAT_SCHEDULE.values()
        if e["task"] == "notifications.sweep_outbox"
    ]
    assert entry["schedule"] <= 60
    assert entry["options"]["expires"] <= entry["schedule"]
    app.loader.import_default_modules()
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks
        # No far-future ETA on Redis: a waiting task would be delivered again.
        assert "eta" not in entry.get("options", {})
        assert entry.get("options", {}).get("countdown", 0) < 60


@pytest.mark.parametrize("name", ["notifications.send_email", "notifications.sweep_outbox"])
def test_outbox_tasks_are_acknowledged_late(name):
    app.loader.import_default_modules()
    task = app.tasks[name]
    assert task.acks_late is True
    assert task.reject_on_worker_lost is True


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("billing.tasks.submit_records_task", "billing.tasks.submit_pending_task"),
        ("mailchannel.tasks.poll_mailboxes_task", "mailchannel.tasks.poll_all_task"),
    ],
)
def test_a_renamed_task_keeps_its_old_name_for_queued_messages(old, new):
    app.loader.import_default_modules()
    assert {old, new} <= set(app.tasks)
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert new in scheduled
    assert old not in scheduled
