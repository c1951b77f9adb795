"""The outbox end to end: a real Celery worker on Redis and the PostgreSQL test database.

Exactly one email of each, after a redelivery, a lost enqueue and a broker outage.
"""

import json
import subprocess
import sys
import textwrap
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from notifications import services
from notifications.models import Kind, OutboxEmail
from notifications.tasks import send_email as send_email_task
from notifications.tasks import sweep_outbox as sweep_outbox_task
from tests.accounts.factories import OrganizationFactory, TechnicianFactory, UserFactory
from tests.notifications.factories import SAMPLE_CONTEXTS
from tests.notifications.smtp import LocalSMTPServer

pytestmark = [pytest.mark.celery_worker, pytest.mark.postgres]


def queue(recipient, kind, **options):
    return services.queue_email(recipient, kind, SAMPLE_CONTEXTS[kind], **options)


def recipients_of(messages):
    return sorted(message["To"] for message in messages)


def test_the_worker_sends_each_queued_email_once_in_its_language(celery_worker_process):
    organization = OrganizationFactory(name="Talleres Norte")
    spanish = UserFactory(organization=organization, email="iker@talleres.example")
    english = UserFactory(organization=organization, email="emma@talleres.example", language="en")
    technician = TechnicianFactory(email="lucia@soporte.example")
    with transaction.atomic():  # the caller's change and its emails commit together
        emails = services.queue_email_to_organization(
            organization, Kind.LOW_BALANCE, SAMPLE_CONTEXTS[Kind.LOW_BALANCE], dedupe_key="low:1"
        )
        emails += services.queue_email_to_staff(
            Kind.SLA_BREACH, SAMPLE_CONTEXTS[Kind.SLA_BREACH], dedupe_key="breach:7"
        )
    sent = celery_worker_process.wait_until_sent(emails)

    assert {e.status for e in sent} == {OutboxEmail.Status.SENT}
    messages = celery_worker_process.messages()
    assert recipients_of(messages) == sorted([spanish.email, english.email, technician.email])
    subjects = {m["To"]: m["Subject"] for m in messages}
    assert subjects[spanish.email] == "Saldo bajo en Talleres Norte: quedan 25 créditos"
    assert subjects[english.email] == "Low balance for Talleres Norte: 25 credits left"
    html = messages[0].get_body(preferencelist=("html",)).get_content()
    assert f'href="{settings.SITE_URL}' in html

    # Queueing the same keys again (e.g. a retried request) sends nothing more.
    again = services.queue_email_to_organization(
        organization, Kind.LOW_BALANCE, SAMPLE_CONTEXTS[Kind.LOW_BALANCE], dedupe_key="low:1"
    )
    assert {e.pk for e in again} <= {e.pk for e in emails}


def test_a_redelivered_send_task_does_not_send_twice(celery_worker_process):
    user = UserFactory()
    email = queue(user, Kind.TICKET_REPLY)  # commits and publishes its task
    # The broker delivers the same task again, even while the first copy runs.
    task_ids = [send_email_task.delay(email.pk).id for _ in range(3)]
    celery_worker_process.wait_until_sent(email)
    results = celery_worker_process.wait_for_tasks(task_ids)
    email.refresh_from_db()
    assert email.status == OutboxEmail.Status.SENT
    assert email.attempts == 1
    assert len(celery_worker_process.messages()) == 1
    assert list(results.values()).count("None") >= 2  # the copies found nothing to do

    # And a redelivery long after the email went.
    late = send_email_task.delay(email.pk).id
    assert celery_worker_process.wait_for_tasks([late]) == {late: "None"}
    assert len(celery_worker_process.messages()) == 1


def test_the_sweep_sends_an_email_whose_enqueue_was_lost(celery_worker_process):
    user = UserFactory()
    with transaction.atomic():
        email = queue(user, Kind.INVOICE_ISSUED)
        # The process dies right after COMMIT, before publishing: drop the publish.
        connection.run_on_commit.clear()
    # ...and that happened a few minutes ago.
    OutboxEmail.objects.filter(pk=email.pk).update(
        enqueued_at=timezone.now() - timedelta(minutes=3)
    )

    sweep = sweep_outbox_task.delay().id
    assert celery_worker_process.wait_for_tasks([sweep]) == {sweep: "1"}
    [email] = celery_worker_process.wait_until_sent(email)
    assert email.status == OutboxEmail.Status.SENT
    assert recipients_of(celery_worker_process.messages()) == [user.email]

    # A second sweep finds nothing more to do.
    sweep = sweep_outbox_task.delay().id
    assert celery_worker_process.wait_for_tasks([sweep]) == {sweep: "0"}
    assert len(celery_worker_process.messages()) == 1


def test_a_broker_outage_delays_the_email_and_never_loses_it(celery_worker_process):
    user = UserFactory()
    # A web process whose broker is down (nothing listens on port 9) queues an email.
    web = {**celery_worker_process.env, "REDIS_URL": "redis://127.0.0.1:9/0"}
    web["CELERY_BROKER_URL"] = web["REDIS_URL"]
    script = textwrap.dedent(f"""
        import django, time
        django.setup()
        from django.db import transaction
        from accounts.models import User
        from notifications import services
        started = time.monotonic()
        with transaction.atomic():
            email = services.queue_email(
                User.objects.get(pk={user.pk}), "low_balance",
                {{"organization_name": "X", "balance": 5, "threshold": 30}},
            )
        print(email.pk, round(time.monotonic() - started, 1))
    """)
    done = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", script], env=web, cwd=settings.BASE_DIR,
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    email_id, seconds = done.stdout.split()
    assert float(seconds) < 10  # the request does not hang on the dead broker
    email = OutboxEmail.objects.get(pk=email_id)
    assert email.status == OutboxEmail.Status.PENDING
    assert email.enqueued_at is None  # known lost: the next sweep publishes it

    sweep = sweep_outbox_task.delay().id  # the broker is back
    assert celery_worker_process.wait_for_tasks([sweep]) == {sweep: "1"}
    celery_worker_process.wait_until_sent(email)
    assert recipients_of(celery_worker_process.messages()) == [user.email]


def test_a_worker_killed_while_sending_loses_nothing_and_sends_once(
    celery_worker_process, tmp_path
):
    user = UserFactory()
    with transaction.atomic():
        email = queue(user, Kind.LOW_BALANCE)
        connection.run_on_commit.clear()  # published by hand below, to the doomed worker
    doomed_queue = f"{celery_worker_process.queue}-doomed"
    with LocalSMTPServer("stall") as smtp:
        doomed = celery_worker_process.another(
            tmp_path, doomed_queue, EMAIL_URL=f"smtp://127.0.0.1:{smtp.port}"
        )
        doomed.start()
        try:
            send_email_task.apply_async((email.pk,), queue=doomed_queue)
            assert smtp.stalled.wait(30), doomed.log_text()
            # Mid-send, the row is locked: anyone else skips it.
            assert services.send_email(email.pk) is None
            doomed.process.kill()  # SIGKILL: no cleanup, no acknowledgement
            doomed.process.wait()
        finally:
            doomed.stop()
            forget_queue(doomed.redis_url, doomed_queue)

    # PostgreSQL rolled the dead worker's transaction back: no attempt, nothing delivered.
    wait_until_unlocked(email)
    email.refresh_from_db()
    assert (email.status, email.attempts) == (OutboxEmail.Status.PENDING, 0)
    assert smtp.messages == []

    # Minutes later the sweep publishes it again, and the live worker sends it, once.
    OutboxEmail.objects.filter(pk=email.pk).update(
        enqueued_at=timezone.now() - timedelta(minutes=3)
    )
    sweep = sweep_outbox_task.delay().id
    assert celery_worker_process.wait_for_tasks([sweep]) == {sweep: "1"}
    [email] = celery_worker_process.wait_until_sent(email)
    assert (email.status, email.attempts) == (OutboxEmail.Status.SENT, 1)
    assert recipients_of(celery_worker_process.messages()) == [user.email]


def wait_until_unlocked(email, timeout=15):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with transaction.atomic():
            rows = OutboxEmail.objects.select_for_update(skip_locked=True).filter(pk=email.pk)
            if rows.exists():
                return
        time.sleep(0.1)
    pytest.fail("the dead worker's row lock was never released")


def forget_queue(redis_url, name):
    """Drop a test queue and its unacknowledged messages from Redis."""
    import redis

    client = redis.Redis.from_url(redis_url)
    client.delete(name, f"_kombu.binding.{name}", f"_kombu.binding_permanent.{name}")
    for tag, payload in client.hgetall("unacked").items():
        if json.loads(payload)[-1] == name:  # [message, exchange, routing key]
            client.hdel("unacked", tag)
            client.zrem("unacked_index", tag)
