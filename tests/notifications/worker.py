"""A real Celery worker process for integration tests: the ``celery_worker_process`` fixture,
available to every test of the suite (registered in tests/conftest.py).

The worker runs ``celery -A helpdesk worker`` (threads pool) on the real Redis
(``REDIS_URL``) against the pytest-django PostgreSQL test database, with the embedded
default's file mail backend writing into a temporary folder that the test reads. It
consumes only this test run's own queue (``settings.CELERY_TASK_DEFAULT_QUEUE``).

Use it from any app's tests to drive the real path through the services::

    @pytest.mark.celery_worker
    def test_low_balance_warning_is_mailed(celery_worker_process, ...):
        credits.services.consume(...)            # commits; publishes the send task
        celery_worker_process.wait_until_sent(OutboxEmail.objects.filter(kind="low_balance"))
        [message] = celery_worker_process.messages()

It skips (with the reason) without Redis or PostgreSQL, and fails instead when the
environment variable ``CI`` is set.
"""

import os
import re
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterable
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

STARTUP_TIMEOUT = 60  # seconds
WAIT_TIMEOUT = 30  # seconds
MAIL_SEPARATOR = b"\n" + b"-" * 79 + b"\n"  # Django's file backend between messages


def _unavailable(reason: str):
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI must run the worker integration tests)")
    pytest.skip(reason)


def _database_url() -> str:
    db = connection.settings_dict  # after django_db_setup: the test database
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = f"{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}"
    return f"postgres://{credentials}@{host}/{db['NAME']}"


class CeleryWorkerProcess:
    """A running worker: what it mailed, and ways to wait for it."""

    def __init__(
        self, base_dir: Path, redis_url: str, database_url: str, queue: str, **extra_env: str
    ):
        self.redis_url, self.database_url = redis_url, database_url
        self.var_dir = base_dir
        self.mail_dir = base_dir / "mail"
        self.log_path = base_dir / "worker.log"
        self.queue = queue
        self.name = f"test-{uuid.uuid4().hex[:8]}@%h"
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "helpdesk.settings.local",
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "CELERY_BROKER_URL": redis_url,
            "CELERY_QUEUE": queue,
            "HELPDESK_VAR_DIR": str(base_dir),
            "EMAIL_URL": "",  # the file backend, into HELPDESK_VAR_DIR/mail
            "SITE_URL": settings.SITE_URL,
            "DEBUG": "false",
            "CONN_MAX_AGE": "0",  # no idle connection left on the test database
            "LOG_LEVEL": "INFO",
            **extra_env,
        }
        self.process: subprocess.Popen | None = None

    # --- lifecycle
    def start(self) -> None:
        command = [
            sys.executable, "-m", "celery", "-A", "helpdesk", "worker",
            "--pool=threads", "--concurrency=4", "--loglevel=INFO",
            "-Q", self.queue, "-n", self.name,
            "--without-gossip", "--without-mingle", "--without-heartbeat",
        ]  # fmt: skip
        self.log = self.log_path.open("wb")
        self.process = subprocess.Popen(  # noqa: S603 - our own command line
            command, cwd=settings.BASE_DIR, env=self.env, stdout=self.log, stderr=subprocess.STDOUT
        )
        self._wait(lambda: b" ready." in self.log_path.read_bytes(), STARTUP_TIMEOUT, "start")

    def another(self, base_dir: Path, queue: str, **extra_env: str) -> "CeleryWorkerProcess":
        """A second worker on the same Redis and database, consuming ``queue`` (not started)."""
        return CeleryWorkerProcess(base_dir, self.redis_url, self.database_url, queue, **extra_env)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # warm shutdown
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()

    # --- what it did
    def messages(self) -> list[EmailMessage]:
        """Every email the worker has written so far (headers decoded), in file order."""
        found = []
        for path in sorted(self.mail_dir.glob("*.log")):
            for chunk in path.read_bytes().split(MAIL_SEPARATOR):
                if chunk.strip():
                    found.append(message_from_bytes(chunk, policy=policy.default))
        return found

    def clear_mail(self) -> None:
        for path in self.mail_dir.glob("*.log"):
            path.unlink()

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace")

    # --- waiting
    def wait_until_sent(self, emails) -> list:
        """Wait until every given outbox row (one, or an iterable) is no longer pending;
        return them fresh from the database."""
        from notifications.models import OutboxEmail  # a pytest plugin: Django loads first

        ids = [emails.pk] if isinstance(emails, OutboxEmail) else [e.pk for e in emails]
        rows = OutboxEmail.objects.filter(pk__in=ids)
        self._wait(
            lambda: not rows.filter(status=OutboxEmail.Status.PENDING).exists(),
            WAIT_TIMEOUT,
            f"send outbox emails {ids}",
        )
        return list(rows.order_by("pk"))

    def wait_for_tasks(self, task_ids: Iterable[str]) -> dict[str, str]:
        """Wait until the worker has finished each task; return its logged result by id."""
        pending = set(task_ids)
        pattern = re.compile(r"Task [\w.]+\[([0-9a-f-]+)\] succeeded in [\d.e-]+s: (.*)")

        def done():
            results = dict(pattern.findall(self.log_text()))
            return pending <= results.keys()

        self._wait(done, WAIT_TIMEOUT, f"finish tasks {sorted(pending)}")
        results = dict(pattern.findall(self.log_text()))
        return {task_id: results[task_id] for task_id in pending}

    def _wait(self, condition: Callable[[], bool], timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return
            if self.process.poll() is not None:
                pytest.fail(
                    f"the Celery worker exited ({self.process.returncode}):\n{self._tail()}"
                )
            time.sleep(0.1)
        pytest.fail(f"the Celery worker did not {what} within {timeout} s:\n{self._tail()}")

    def _tail(self) -> str:
        return "\n".join(self.log_text().splitlines()[-40:])


@pytest.fixture(scope="session")
def _celery_worker_session(django_db_setup, tmp_path_factory):
    if connection.vendor != "postgresql":
        _unavailable("the worker needs the PostgreSQL test database: set DATABASE_URL")
    redis_url = os.environ.get("REDIS_URL", "")
    if not redis_url:
        _unavailable("the worker needs Redis: set REDIS_URL=redis://... (CI does)")
    import redis

    try:
        redis.Redis.from_url(redis_url, socket_connect_timeout=3).ping()
    except redis.RedisError as exc:
        _unavailable(f"Redis at {redis_url} is unreachable: {exc}")
    worker = CeleryWorkerProcess(
        tmp_path_factory.mktemp("celery-worker"),
        redis_url,
        _database_url(),
        settings.CELERY_TASK_DEFAULT_QUEUE,
    )
    worker.start()
    yield worker
    worker.stop()
    queue = worker.queue
    redis.Redis.from_url(redis_url).delete(
        queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}"
    )


@pytest.fixture
def celery_worker_process(_celery_worker_session, transactional_db, settings):
    """The running worker; this test publishes real tasks to it (no eager execution)."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    _celery_worker_session.clear_mail()
    return _celery_worker_session
