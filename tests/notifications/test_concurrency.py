"""Two workers, a redelivered task, two callers with one dedupe key: one email. PostgreSQL."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core import mail
from django.db import connection, transaction

from notifications import services
from notifications.models import Kind, OutboxEmail
from tests.accounts.factories import UserFactory
from tests.notifications.factories import SAMPLE_CONTEXTS, OutboxEmailFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 6


def run_at_once(func, *args):
    """Call ``func`` from THREADS threads released together; each closes its connection."""
    barrier = threading.Barrier(THREADS)

    def call():
        barrier.wait()
        try:
            return func(*args)
        finally:
            connection.close()

    with ThreadPoolExecutor(THREADS) as pool:
        futures = [pool.submit(call) for _ in range(THREADS)]
        return [future.result() for future in futures]


def test_concurrent_senders_send_an_email_once(settings):
    settings.EMAIL_BACKEND = "tests.notifications.backends.SlowLocmemBackend"
    email = OutboxEmailFactory(recipient=UserFactory())
    results = run_at_once(services.send_email, email.pk)
    assert len(mail.outbox) == 1
    assert [r.status for r in results if r is not None] == [OutboxEmail.Status.SENT]
    email.refresh_from_db()
    assert email.status == OutboxEmail.Status.SENT
    assert email.attempts == 1


def test_many_emails_drained_by_concurrent_senders_each_go_once(settings):
    settings.EMAIL_BACKEND = "tests.notifications.backends.SlowLocmemBackend"
    user = UserFactory()
    emails = [OutboxEmailFactory(recipient=user) for _ in range(4)]

    def drain():
        return [services.send_email(e.pk) for e in emails]

    run_at_once(drain)
    assert len(mail.outbox) == 4
    assert set(OutboxEmail.objects.values_list("status", "attempts")) == {("sent", 1)}


def test_concurrent_queueing_with_one_dedupe_key_writes_one_row(settings):
    user = UserFactory()
    settings.CELERY_TASK_ALWAYS_EAGER = True

    def queue():
        return services.queue_email(
            user, Kind.LOW_BALANCE, SAMPLE_CONTEXTS[Kind.LOW_BALANCE], dedupe_key="low:race"
        ).pk

    ids = run_at_once(queue)
    assert len(set(ids)) == 1
    assert OutboxEmail.objects.count() == 1
    assert len(mail.outbox) == 1


def test_concurrent_queueing_to_many_with_one_dedupe_key_writes_one_row_each(settings):
    """``queue_email_to_many``'s one INSERT ... ON CONFLICT DO NOTHING: the callers that
    lose the race get the winner's rows, nothing more is written or sent."""
    first = UserFactory()
    second = UserFactory(organization=first.organization)
    settings.CELERY_TASK_ALWAYS_EAGER = True

    def queue():
        with transaction.atomic():
            emails = services.queue_email_to_many(
                [first, second],
                Kind.LOW_BALANCE,
                SAMPLE_CONTEXTS[Kind.LOW_BALANCE],
                dedupe_key="low:many-race",
            )
        return tuple(email.pk for email in emails)

    ids = run_at_once(queue)
    assert len(set(ids)) == 1
    assert OutboxEmail.objects.count() == 2
    assert set(OutboxEmail.objects.values_list("dedupe_key", flat=True)) == {
        f"low:many-race:{first.pk}",
        f"low:many-race:{second.pk}",
    }
    assert len(mail.outbox) == 2
