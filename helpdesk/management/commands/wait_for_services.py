"""``python manage.py wait_for_services [--timeout SECONDS]``: the database and the broker
answer, or stop naming the one that does not (the image's entrypoint runs it first)."""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import OperationalError, connection


def _database_error() -> str | None:
    try:
        connection.ensure_connection()
    except OperationalError as exc:
        connection.close()
        return str(exc).strip().splitlines()[0]
    return None


def _broker_error() -> str | None:
    url = settings.CELERY_BROKER_URL
    if not url.startswith(("redis://", "rediss://")):
        return None
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        return str(exc)
    return None


class Command(BaseCommand):
    help = "Wait until the database and the Celery broker answer."

    def add_arguments(self, parser):
        parser.add_argument("--timeout", type=float, default=60, help="seconds (default 60)")

    def handle(self, *args, timeout, **options):
        deadline = time.monotonic() + max(timeout, 0)
        while True:
            problems = {}
            if error := _database_error():
                problems["database (DATABASE_URL)"] = error
            if error := _broker_error():
                problems["Celery broker (CELERY_BROKER_URL or REDIS_URL)"] = error
            if not problems:
                self.stdout.write("Database and broker are reachable.")
                return
            if time.monotonic() >= deadline:
                lines = [f"{name} is unreachable: {error}" for name, error in problems.items()]
                raise CommandError(
                    "\n".join(lines)
                    + f"\nWaited {timeout:g} s. Check that the service runs and the URL is right."
                )
            time.sleep(1)
