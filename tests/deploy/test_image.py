"""The image's pieces, run outside Docker (images cannot be pulled here): the entrypoint with
the production settings, gunicorn's configuration by environment, and the compose files as
``docker compose config`` resolves them."""

import os
import re
import shutil
import subprocess

import pytest
from django.conf import settings
from django.db import connection

from tests.deploy.conftest import PRODUCTION_ENV, run_python

ROOT = settings.BASE_DIR
ENTRYPOINT = str(ROOT / "compose" / "entrypoint.sh")


def _test_database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


def _entrypoint(env: dict, *command: str) -> subprocess.CompletedProcess:
    home = os.environ.get("HOME", str(ROOT))
    bin_dir = os.path.dirname(os.sys.executable)
    path = f"{bin_dir}:{os.environ['PATH']}"  # `python` is the project's interpreter
    return subprocess.run(  # noqa: S603 - our own script
        [ENTRYPOINT, *command],
        env={"PATH": path, "HOME": home, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.django_db
def test_entrypoint_waits_for_services_then_runs_the_command_with_production_settings():
    if connection.vendor != "postgresql" or not settings.REDIS_URL:
        pytest.skip("needs PostgreSQL (DATABASE_URL) and Redis (REDIS_URL)")
    env = PRODUCTION_ENV | {"DATABASE_URL": _test_database_url(), "REDIS_URL": settings.REDIS_URL}
    result = _entrypoint(env, "python", "manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr
    assert "Database and broker are reachable." in result.stdout
    assert "no issues" in result.stdout


def test_entrypoint_stops_naming_an_unreachable_database_and_broker():
    env = PRODUCTION_ENV | {
        "DATABASE_URL": "postgres://helpdesk:x@127.0.0.1:9/helpdesk",
        "REDIS_URL": "redis://127.0.0.1:9/0",
        "WAIT_FOR_SERVICES_TIMEOUT": "1",
    }
    result = _entrypoint(env, "echo", "never-started")
    assert result.returncode != 0
    assert "never-started" not in result.stdout
    assert "database (DATABASE_URL) is unreachable" in result.stderr
    assert "Celery broker (CELERY_BROKER_URL or REDIS_URL) is unreachable" in result.stderr
    assert "Waited 1 s" in result.stderr


def test_entrypoint_refuses_incomplete_production_settings():
    env = PRODUCTION_ENV | {"VAULT_KEYS": ""}
    result = _entrypoint(env, "echo", "never-started")
    assert result.returncode != 0
    assert "VAULT_KEYS is not set" in result.stderr


def test_gunicorn_is_configured_by_environment():
    env = {
        "GUNICORN_WORKERS": "5",
        "GUNICORN_TIMEOUT": "45",
        "GUNICORN_MAX_REQUESTS": "",  # empty = not set: the default
        "DJANGO_SETTINGS_MODULE": "helpdesk.settings.local",
        "HELPDESK_VAR_DIR": "/tmp/helpdesk-gunicorn-test-var",  # noqa: S108
    }
    result = run_python(
        ["-m", "gunicorn", "-c", "gunicorn.conf.py", "--print-config", "helpdesk.wsgi"], env
    )
    assert result.returncode == 0, result.stderr
    config = dict(re.findall(r"^(\w+)\s+= (.*)$", result.stdout, re.MULTILINE))
    assert config["workers"] == "5"
    assert config["timeout"] == "45"
    assert config["max_requests"] == "1000"


def test_dockerignore_keeps_secrets_and_local_files_out_of_the_image():
    ignored = (ROOT / ".dockerignore").read_text().split()
    for entry in (".env", ".git", ".venv", "var"):
        assert entry in ignored


def test_dockerfile_installs_from_the_lock_and_runs_as_the_app_user():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert dockerfile.count("FROM ") >= 2  # multi-stage
    assert "--require-hashes --no-deps -r /src/requirements/base.txt" in dockerfile
    assert "chown -R helpdesk:helpdesk /app/var" in dockerfile
    assert "mkdir -p /app/var/media" in dockerfile
    assert "USER helpdesk" in dockerfile
    assert "HEALTHCHECK" in dockerfile


def _compose_command() -> list[str] | None:
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    if shutil.which("docker"):
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True, check=False)  # noqa: S607
        if probe.returncode == 0:
            return ["docker", "compose"]
    return None


def _resolved_services(*files: str) -> dict[str, str]:
    compose = _compose_command()
    if compose is None:
        if os.environ.get("CI"):
            pytest.fail("CI must check the compose files: install docker-compose")
        pytest.skip("docker compose is not installed")
    args = [arg for name in files for arg in ("-f", name)]
    result = subprocess.run(  # noqa: S603
        [*compose, *args, "--env-file", ".env.example", "config"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "COMPOSE_PROJECT_NAME": "helpdesk-test"},
    )
    assert result.returncode == 0, result.stderr
    text = re.split(r"^services:\n", result.stdout, flags=re.MULTILINE)[1]
    text = re.split(r"^\S", text, maxsplit=1, flags=re.MULTILINE)[0]  # up to the next key
    blocks = re.split(r"^  (?=[a-z])", text, flags=re.MULTILINE)
    return {block.split(":", 1)[0]: block for block in blocks if block.strip()}


@pytest.fixture
def env_file():
    """`env_file: .env` must exist for `config`; use .env.example when there is none."""
    target = ROOT / ".env"
    created = not target.exists()
    if created:
        shutil.copy(ROOT / ".env.example", target)
    yield
    if created:
        target.unlink()


def test_every_compose_service_has_a_healthcheck_a_restart_policy_and_a_pinned_image(env_file):
    services = _resolved_services("docker-compose.yml")
    assert {"web", "worker", "beat", "migrate", "db", "redis", "caddy"} <= services.keys()
    assert "mail" not in services  # the mail catcher is development only
    for name, block in services.items():
        assert "healthcheck:" in block, name
        assert "restart:" in block, name
        image = re.search(r"^    image: (\S+)$", block, re.MULTILINE).group(1)
        assert ":" in image, (name, image)
        assert not image.endswith(":latest"), (name, image)
    assert "helpdesk.beat.LockedScheduler" in services["beat"]


def test_the_development_override_adds_the_mail_catcher(env_file):
    services = _resolved_services("docker-compose.yml", "docker-compose.dev.yml")
    assert "mail" in services
    assert "EMAIL_URL: smtp://mail:1025" in services["worker"]
