"""/health/ (readiness of every service) and /health/live/ (liveness), issue 13."""

import json

import pytest
from django.urls import reverse

from tests.deploy.conftest import run_python

pytestmark = pytest.mark.django_db(transaction=True)


def test_liveness_answers_without_login_or_database(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(0):
        response = client.get(reverse("health-live"))
    assert response.status_code == 200
    assert response.content == b"ok\n"


def test_health_reports_each_service_in_json(client, settings, django_assert_max_num_queries):
    settings.CELERY_BROKER_URL = settings.REDIS_URL or "filesystem://"
    with django_assert_max_num_queries(1):
        response = client.get(reverse("health"), HTTP_ACCEPT="application/json")
    assert response.status_code == 200, response.content
    report = response.json()
    assert {"Database(alias='default')", "Cache(alias='default')"} <= report.keys()
    assert any(key.startswith("Storage") for key in report)
    if settings.REDIS_URL:
        assert report["Broker"] == "OK"
    assert set(report.values()) == {"OK"}


def test_health_is_a_page_for_people_in_their_language(client, settings):
    settings.CELERY_BROKER_URL = "filesystem://"
    response = client.get(reverse("health"), HTTP_ACCEPT="text/html", HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="es">' in page
    assert "Estado del sistema: todo funciona" in page
    assert "Servicio" in page
    # Styled by the app's own stylesheet: nothing inline for the CSP to block.
    assert "<style" not in page
    assert " style=" not in page
    assert "/static/vendor/bootstrap/css/bootstrap.min.css" in page
    english = client.get(reverse("health"), HTTP_ACCEPT="text/html", HTTP_ACCEPT_LANGUAGE="en")
    assert "System status: everything works" in english.content.decode()


def test_health_fails_with_503_when_no_celery_worker_answers(client, settings):
    if not settings.REDIS_URL:
        pytest.skip("the worker ping needs Redis (REDIS_URL)")
    settings.CELERY_BROKER_URL = settings.REDIS_URL
    settings.HEALTH_CHECK_CELERY = True
    settings.CELERY_TASK_DEFAULT_QUEUE = "helpdesk-health-test-no-worker"
    response = client.get(reverse("health"), {"format": "json"})
    assert response.status_code == 503
    assert response.json()["CeleryWorkers"] != "OK"


def test_health_answers_503_when_the_database_is_down():
    # A real process whose database is unreachable (nothing listens on port 9).
    code = (
        "import django, json; django.setup(); from django.test import Client; "
        "c = Client(); r = c.get('/health/', HTTP_ACCEPT='application/json'); "
        "l = c.get('/health/live/'); "
        "print(json.dumps({'status': r.status_code, 'body': r.json(), 'live': l.status_code}))"
    )
    result = run_python(
        code,
        {
            "DJANGO_SETTINGS_MODULE": "helpdesk.settings.local",
            "DATABASE_URL": "postgres://postgres@127.0.0.1:9/nothing",
            "HELPDESK_VAR_DIR": "/tmp/helpdesk-health-test-var",  # noqa: S108
            "ALLOWED_HOSTS": "testserver",
        },
    )
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert found["status"] == 503
    assert found["body"]["Database(alias='default')"] != "OK"
    assert found["live"] == 200
