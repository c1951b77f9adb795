"""More than one machine: 2 gunicorn web processes and 2 Celery workers on the same
PostgreSQL and Redis. Concurrent payments through both web processes get gap-free
invoices; every email of the outbox goes out once although both workers sweep; the SLA
sweep run by both workers at once notifies once."""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from billing import services as billing
from billing.models import Invoice, Order
from notifications.models import Kind, OutboxEmail
from notifications.tasks import sweep_outbox as sweep_outbox_task
from tests.accounts.factories import TechnicianFactory, UserFactory
from tests.billing.factories import order
from tests.credits.test_concurrency import race
from tests.tickets.conftest import office  # noqa: F401 - the default calendar fixture
from tests.tickets.factories import ProductFactory, open_ticket
from tickets import services as tickets
from tickets.models import SlaNotice, SlaTarget, Ticket
from tickets.tasks import sweep_sla_task

pytestmark = [pytest.mark.celery_worker, pytest.mark.postgres]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def two_workers(celery_worker_process, tmp_path):
    """The suite's worker and a second one consuming the same queue."""
    (tmp_path / "worker-2").mkdir()
    second = celery_worker_process.another(tmp_path / "worker-2", celery_worker_process.queue)
    second.start()
    yield [celery_worker_process, second]
    second.stop()


@pytest.fixture
def two_webs(two_workers, tmp_path):
    """Two gunicorn processes (one sync worker each) on the test database and Redis."""
    worker = two_workers[0]
    processes, urls = [], []
    for n in range(2):
        port = _free_port()
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "helpdesk.settings.local",
            "DATABASE_URL": worker.database_url,
            "REDIS_URL": worker.redis_url,
            "CELERY_BROKER_URL": worker.redis_url,
            "CELERY_QUEUE": worker.queue,
            "HELPDESK_VAR_DIR": str(tmp_path / f"web-{n}"),
            "EMAIL_URL": "",
            "DEBUG": "false",
            "ALLOWED_HOSTS": "127.0.0.1",
            "CONN_MAX_AGE": "0",
            "GUNICORN_WORKERS": "1",
            "GUNICORN_BIND": f"127.0.0.1:{port}",
        }
        log = (tmp_path / f"web-{n}.log").open("wb")
        processes.append(
            subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "helpdesk.wsgi"],
                cwd=settings.BASE_DIR,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        )
        urls.append(f"http://127.0.0.1:{port}")
    deadline = time.monotonic() + 60
    for url in urls:
        while True:
            try:
                urllib.request.urlopen(f"{url}/health/live/", timeout=2)  # noqa: S310
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"gunicorn at {url} did not start")
                time.sleep(0.2)
    yield urls
    for process in processes:
        process.terminate()
        process.wait(timeout=20)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _get(url: str) -> int:
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        return opener.open(url, timeout=30).status
    except urllib.error.HTTPError as exc:
        return exc.code


def _all_messages(workers) -> list:
    return [message for worker in workers for message in worker.messages()]


def test_payments_through_two_web_processes_get_gap_free_invoices_each_mailed_once(
    two_workers, two_webs
):
    count = 10
    buyers = [UserFactory(email=f"buyer{i}@scale.example") for i in range(count)]
    payments = [
        billing.start_payment(order(buyer.organization, 15), variant="dummy") for buyer in buyers
    ]
    paths = [
        reverse("billing:payment_callback", kwargs={"token": payment.token})
        + "?verification_result=confirmed"
        for payment in payments
    ]
    # Every callback twice, once on each web process, all at once.
    statuses = race(2 * count, lambda i: _get(two_webs[(i + i // count) % 2] + paths[i % count]))
    assert all(isinstance(s, int) and s < 500 for s in statuses), statuses

    year = timezone.localdate().year
    sequences = sorted(Invoice.objects.filter(year=year).values_list("sequence", flat=True))
    assert sequences == list(range(1, count + 1))
    assert Order.objects.filter(status=Order.Status.PAID).count() == count

    # Both workers sweep the outbox at the same moment, on top of the send tasks.
    for _ in range(4):
        sweep_outbox_task.delay()
    emails = two_workers[0].wait_until_sent(OutboxEmail.objects.filter(kind=Kind.INVOICE_ISSUED))
    assert [e.status for e in emails] == [OutboxEmail.Status.SENT] * count
    time.sleep(1)  # a duplicate send would land by now
    received = sorted(m["To"] for m in _all_messages(two_workers))
    assert received == sorted(buyer.email for buyer in buyers)


@pytest.mark.usefixtures("office")
def test_the_sla_sweep_on_two_workers_at_once_notifies_once(two_workers):
    client = UserFactory(email="cliente@scale.example")
    technician = TechnicianFactory(email="tecnico@scale.example")
    SlaTarget.objects.update_or_create(
        severity=Ticket.Severity.CRITICAL, defaults={"hours": 8, "business_hours": False}
    )
    with time_machine.travel(timezone.now() - timedelta(hours=9), tick=False):
        ticket = open_ticket(client, product=ProductFactory(), severity="critical")
        tickets.assign(ticket, technician, by=technician)

    for _ in range(6):  # as if beat ran six times at once
        sweep_sla_task.delay()
    deadline = time.monotonic() + 30
    while not OutboxEmail.objects.filter(kind=Kind.SLA_BREACH).exists():
        assert time.monotonic() < deadline, "no SLA email"
        time.sleep(0.2)
    two_workers[0].wait_until_sent(OutboxEmail.objects.filter(kind=Kind.SLA_BREACH))
    time.sleep(2)  # the other sweeps finish
    assert OutboxEmail.objects.filter(kind=Kind.SLA_BREACH).count() == 1
    assert SlaNotice.objects.filter(ticket=ticket).count() == 2  # warning recorded, breach sent
    breach_mails = [m for m in _all_messages(two_workers) if m["To"] == technician.email]
    assert len(breach_mails) == 1
