"""`check --deploy` refuses a production without a well-formed https SITE_URL (billing.E001,
billing.E002): links in emails and the payment return URL are built on it."""

import os
import subprocess
import sys

import pytest
from django.conf import settings

from billing.checks import check_site_url, site_url_problem


def _check_deploy(site_url: str | None) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "helpdesk.settings.production",
        "SECRET_KEY": "check-deploy-test-not-a-real-secret-0123456789abcdefghijklmnop",
        "ALLOWED_HOSTS": "helpdesk.example",
        "EMAIL_URL": "smtp://localhost:25",
        "VAULT_KEYS": "O7VbZexMpQobjkFhe2aVCMOTzGCMglLW-iwXwNkmjhI=",
        "SITE_URL": site_url or "",
    }
    if site_url is None:
        del env["SITE_URL"]
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("site_url", [None, "", "soporte.example.com", "https://"])
def test_check_deploy_fails_without_a_usable_site_url(site_url):
    result = _check_deploy(site_url)
    assert result.returncode != 0
    assert "billing.E001" in result.stderr
    assert "SITE_URL" in result.stderr


def test_check_deploy_passes_the_site_url_check_with_an_https_address():
    result = _check_deploy("https://soporte.example.com")
    assert "billing.E001" not in result.stderr + result.stdout
    assert "billing.E002" not in result.stderr + result.stdout


@pytest.mark.parametrize(
    "value",
    [
        "",
        "   ",
        "ftp://soporte.example.com",
        "https://soporte.example.com/helpdesk",
        "https://soporte.example.com?x=1",
        "https://user@soporte.example.com",
        "https://soporte.example.com:99999",
        "https://soporte.example.com:port",
        "https://sop orte.example.com",
    ],
)
def test_malformed_site_urls_are_named(value):
    assert site_url_problem(value)


@pytest.mark.parametrize(
    "value", ["https://soporte.example.com", "http://127.0.0.1:8101", "https://a.example/"]
)
def test_well_formed_site_urls_pass(value):
    assert site_url_problem(value) == ""


def test_plain_http_is_an_error_in_production(settings):
    settings.DEBUG = False
    settings.SITE_URL = "http://soporte.example.com"
    [error] = check_site_url()
    assert error.id == "billing.E002"


def _make_run(*args: str) -> str:
    result = subprocess.run(  # noqa: S603 - our own command line
        ["make", "-n", "run", *args],  # noqa: S607 - make from PATH, as a developer runs it
        cwd=settings.BASE_DIR,
        env={k: v for k, v in os.environ.items() if k != "SITE_URL"},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout


def test_make_run_gives_the_server_and_the_worker_the_address_it_serves_on():
    lines = [line for line in _make_run("PORT=8101").splitlines() if "SITE_URL=" in line]
    assert any("celery -A helpdesk worker" in line for line in lines)
    assert any("runserver 127.0.0.1:8101" in line for line in lines)
    assert all("SITE_URL=http://127.0.0.1:8101 " in line for line in lines)


def test_make_run_keeps_a_site_url_that_is_set():
    out = _make_run("PORT=8101", "SITE_URL=https://soporte.example.com")
    assert out.count("SITE_URL=https://soporte.example.com ") == 2
