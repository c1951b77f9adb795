"""Helpers for the deployment tests: production settings run in a real subprocess."""

import os
import subprocess
import sys

import pytest
from cryptography.fernet import Fernet
from django.conf import settings

# A complete production environment; each test empties or changes one thing.
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "helpdesk.settings.production",
    "SECRET_KEY": "deploy-test-" + Fernet.generate_key().decode(),
    "ALLOWED_HOSTS": "soporte.example.com",
    "SITE_URL": "https://soporte.example.com",
    "DATABASE_URL": "postgres://helpdesk:secret@db.invalid:5432/helpdesk",
    "REDIS_URL": "redis://redis.invalid:6379/0",
    "EMAIL_URL": "smtp+tls://user:pass@mail.invalid:587",
    "VAULT_KEYS": Fernet.generate_key().decode(),
}


def run_python(code_or_args, env: dict, *, timeout: float = 60) -> subprocess.CompletedProcess:
    """Run ``python -c CODE`` (a str) or ``python ARGS...`` (a list) from the project root
    with only ``env`` (plus PATH and HOME): no variable leaks in from the test run."""
    args = ["-c", code_or_args] if isinstance(code_or_args, str) else code_or_args
    home = os.environ.get("HOME", str(settings.BASE_DIR))
    clean = {"PATH": os.environ["PATH"], "HOME": home, **env}
    return subprocess.run(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, *args],
        cwd=settings.BASE_DIR,
        env=clean,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.fixture
def production_env() -> dict:
    return dict(PRODUCTION_ENV)
