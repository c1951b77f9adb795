"""Outbox throughput: queue N emails through ``queue_email``, then drain them with the send
path (lock the row, render subject/text/HTML in the recipient's language, send, mark sent).

    .venv/bin/python bench/outbox_bench.py [--emails 2000] [--backend locmem|file] [--threads 1]

Runs on a scratch database that it creates and drops: PostgreSQL when DATABASE_URL is set,
otherwise a temporary SQLite file. Publishing goes to Redis when REDIS_URL is set (a queue
of its own, deleted at the end), otherwise to kombu's in-memory broker.
"""

import argparse
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "helpdesk.settings.test"
SCRATCH = Path(tempfile.mkdtemp(prefix="outbox-bench-"))
if not os.environ.get("DATABASE_URL"):
    os.environ["DATABASE_URL"] = f"sqlite:///{SCRATCH / 'bench.sqlite3'}"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core import mail  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import override_settings, setup_test_environment  # noqa: E402

BATCH = 100  # emails queued per transaction, like a fan-out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--emails", type=int, default=2000)
    parser.add_argument("--backend", choices=["locmem", "file"], default="locmem")
    parser.add_argument("--threads", type=int, default=1, help="concurrent senders draining")
    args = parser.parse_args()

    setup_test_environment()  # mail.outbox for the locmem backend
    db = settings.DATABASES["default"]
    db["TEST"]["NAME"] = f"{db['NAME']}_outbox_bench"
    if db["ENGINE"].endswith("sqlite3"):
        db["TEST"]["NAME"] = str(SCRATCH / "bench-test.sqlite3")
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    broker = os.environ.get("REDIS_URL") or "memory://"
    backend = {
        "locmem": "django.core.mail.backends.locmem.EmailBackend",
        "file": "django.core.mail.backends.filebased.EmailBackend",
    }[args.backend]
    try:
        with override_settings(
            CELERY_TASK_ALWAYS_EAGER=False,
            CELERY_BROKER_URL=broker,
            EMAIL_BACKEND=backend,
            EMAIL_FILE_PATH=str(SCRATCH / "mail"),
        ):
            run(args, broker)
    finally:
        connection.creation.destroy_test_db(db["NAME"], verbosity=0)
        if broker.startswith("redis"):
            import redis

            queue = settings.CELERY_TASK_DEFAULT_QUEUE
            redis.Redis.from_url(broker).delete(
                queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}"
            )


def run(args, broker):
    from helpdesk.celery import app
    from notifications import services
    from notifications.models import OutboxEmail
    from tests.accounts.factories import OrganizationFactory, UserFactory
    from tests.notifications.factories import SAMPLE_CONTEXTS

    app.conf.broker_url = broker
    organization = OrganizationFactory()
    users = [
        UserFactory(organization=organization, language=("es", "en")[i % 2]) for i in range(50)
    ]
    kinds = list(SAMPLE_CONTEXTS)
    engine = connection.vendor
    print(
        f"outbox bench: {args.emails} emails, {engine}, mail backend {args.backend}, "
        f"broker {broker.split('://')[0]}, {args.threads} sender thread(s)"
    )

    started = time.perf_counter()
    for first in range(0, args.emails, BATCH):
        with transaction.atomic():
            for i in range(first, min(first + BATCH, args.emails)):
                kind = kinds[i % len(kinds)]
                services.queue_email(
                    users[i % len(users)], kind, SAMPLE_CONTEXTS[kind], dedupe_key=f"bench:{i}"
                )
    report("queue  (queue_email + publish after commit)", args.emails, started)

    OutboxEmail.objects.update(enqueued_at=None)  # as if every publish had been lost
    started = time.perf_counter()
    swept = services.sweep_outbox(limit=args.emails)
    report("sweep  (republish lost enqueues)", swept, started)

    ids = list(OutboxEmail.objects.order_by("pk").values_list("pk", flat=True))
    mail.outbox = []

    def drain(start):
        # Each sender starts at its own place (as workers take different tasks), then
        # goes round over the others' rows too (as redelivered tasks would).
        try:
            for pk in ids[start:] + ids[:start]:
                services.send_email(pk)
        finally:
            connection.close()

    started = time.perf_counter()
    step = len(ids) // args.threads
    threads = [threading.Thread(target=drain, args=(i * step,)) for i in range(args.threads)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    sent = OutboxEmail.objects.filter(status=OutboxEmail.Status.SENT).count()
    report("drain  (send_email: lock, render, send, mark sent)", sent, started)
    delivered = len(mail.outbox) if args.backend == "locmem" else count_files()
    print(f"check  {sent} rows sent, {delivered} messages delivered (must both be {len(ids)})")
    if sent != len(ids) or delivered != len(ids):
        sys.exit(1)


def count_files() -> int:
    separator = b"\n" + b"-" * 79 + b"\n"
    return sum(p.read_bytes().count(separator) for p in (SCRATCH / "mail").glob("*.log"))


def report(what: str, count: int, started: float) -> None:
    seconds = time.perf_counter() - started
    print(f"{what:<52} {count:>6} in {seconds:6.2f} s = {count / seconds:8.1f} /s")


if __name__ == "__main__":
    main()
