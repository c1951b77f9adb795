"""Logs: a request id on every line, JSON in production, and the id reaches the tasks."""

import json
import logging

import pytest

from helpdesk.logging import request_id
from tests.deploy.conftest import PRODUCTION_ENV, run_python


def test_request_id_from_the_proxy_is_logged_and_returned(client, caplog):
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get("/no-such-page/", HTTP_X_REQUEST_ID="req-4711")
    assert response.status_code == 404
    assert response["X-Request-ID"] == "req-4711"
    [record] = [r for r in caplog.records if r.name == "django.request"]
    assert record.request_id == "req-4711"


def test_an_unsafe_request_id_is_replaced_by_a_new_one(client):
    response = client.get("/health/live/", HTTP_X_REQUEST_ID="bad id\nwith newline")
    assert response["X-Request-ID"] != "bad id\nwith newline"
    assert len(response["X-Request-ID"]) == 32


def test_production_writes_one_json_object_per_line():
    code = (
        "import django, logging; django.setup(); from django.test import Client; "
        "Client().get('/health/', {'format': 'json'}, secure=True, HTTP_X_REQUEST_ID='req-json-1', "
        "HTTP_HOST='soporte.example.com')"
    )
    result = run_python(code, PRODUCTION_ENV | {"DATABASE_URL": "postgres://x@127.0.0.1:9/x"})
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    [line] = [line for line in lines if line["logger"] == "django.request"]
    assert line["request_id"] == "req-json-1"
    assert line["level"] == "ERROR"  # the database is down: 503
    assert "Service Unavailable: /health/" in line["message"]


def test_development_logs_are_plain_text():
    env = PRODUCTION_ENV | {
        "DJANGO_SETTINGS_MODULE": "helpdesk.settings.local",
        "HELPDESK_VAR_DIR": "/tmp/helpdesk-logging-test-var",  # noqa: S108
    }
    code = "import django, logging; django.setup(); logging.getLogger('helpdesk').warning('hi')"
    result = run_python(code, env)
    assert result.returncode == 0, result.stderr
    assert "WARNING helpdesk [-]: hi" in result.stderr


@pytest.mark.celery_worker
def test_request_id_reaches_the_task_the_request_queued(celery_worker_process):
    from credits.tasks import expire_lots_task

    token = request_id.set("req-task-42")
    try:
        result = expire_lots_task.delay()
    finally:
        request_id.reset(token)
    celery_worker_process.wait_for_tasks([result.id])
    started = [line for line in celery_worker_process.log_text().splitlines() if result.id in line]
    assert any("[req-task-42]" in line and "started" in line for line in started), started
