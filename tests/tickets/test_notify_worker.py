"""The emails of issue 7 end to end: a real Celery worker on Redis and the PostgreSQL test
database. A low-balance crossing and SLA notices caused through the services, the SLA sweep
run by the worker as beat would run it: exactly one email of each, none after a second
sweep. In CI these run (the fixture fails instead of skipping without Redis/PostgreSQL)."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from credits import services as credits_services
from notifications.models import Kind, OutboxEmail
from notifications.tasks import sweep_outbox as sweep_outbox_task
from tests.accounts.factories import TechnicianFactory, UserFactory
from tests.tickets.factories import ProductFactory, open_ticket
from tickets import services
from tickets.models import SlaNotice, SlaTarget, Ticket
from tickets.tasks import sweep_sla_task

pytestmark = [pytest.mark.celery_worker, pytest.mark.postgres]


def test_low_balance_and_sla_emails_are_sent_once_by_the_worker(celery_worker_process, office):
    client = UserFactory(email="iker@talleres.example", language="es")
    english = UserFactory(
        organization=client.organization, email="emma@talleres.example", language="en"
    )
    technician = TechnicianFactory(email="lucia@soporte.example")
    organization = client.organization

    # A deduction crosses the threshold (30): the warning commits with it and goes out.
    credits_services.grant(organization, 50, reason="Pack de 60", idempotency_key="grant:1")
    credits_services.consume(organization, 25, reason="Consulta", idempotency_key="charge:1")
    credits_services.consume(organization, 5, reason="Consulta", idempotency_key="charge:2")
    low = celery_worker_process.wait_until_sent(OutboxEmail.objects.filter(kind=Kind.LOW_BALANCE))
    assert [(e.to_email, e.status) for e in low] == [
        (client.email, OutboxEmail.Status.SENT),
        (english.email, OutboxEmail.Status.SENT),
    ]

    # Critical tickets on 8 calendar hours (an admin's choice): one opened 7 hours ago is past
    # its 75 % warning, one opened 9 hours ago past its due date.
    SlaTarget.objects.update_or_create(
        severity=Ticket.Severity.CRITICAL, defaults={"hours": 8, "business_hours": False}
    )
    product = ProductFactory(name="Tienda online")
    now = timezone.now()
    tickets = {}
    for name, hours_ago in (("warned", 7), ("breached", 9)):
        with time_machine.travel(now - timedelta(hours=hours_ago), tick=False):
            ticket = open_ticket(client, product=product, severity="critical", subject=name)
            services.assign(ticket, technician, by=technician)
        tickets[name] = ticket

    sweep = sweep_sla_task.delay().id  # what beat publishes every minute
    assert celery_worker_process.wait_for_tasks([sweep]) == {sweep: "2"}
    sla = celery_worker_process.wait_until_sent(
        OutboxEmail.objects.filter(kind__in=[Kind.SLA_WARNING, Kind.SLA_BREACH])
    )
    assert sorted((e.kind, e.context["ticket_subject"], e.status) for e in sla) == [
        (Kind.SLA_BREACH, "breached", OutboxEmail.Status.SENT),
        (Kind.SLA_WARNING, "warned", OutboxEmail.Status.SENT),
    ]
    messages = celery_worker_process.messages()
    # Delivery brackets the reference, which the email channel threads replies by.
    warned, breached = tickets["warned"], tickets["breached"]
    by_subject = sorted((m["To"], m["Subject"].strip()) for m in messages)
    assert by_subject == sorted(
        [
            (client.email, f"Saldo bajo en {organization.name}: quedan 25 créditos"),
            (english.email, f"Low balance for {organization.name}: 25 credits left"),
            (technician.email, f"Aviso de SLA, 75 % del objetivo: [{warned.reference}] warned"),
            (technician.email, f"Objetivo de SLA superado: [{breached.reference}] breached"),
        ]
    )

    # A second sweep, and the outbox sweep, find nothing more to send.
    again = sweep_sla_task.delay().id
    outbox = sweep_outbox_task.delay().id
    assert celery_worker_process.wait_for_tasks([again, outbox]) == {again: "0", outbox: "0"}
    assert len(celery_worker_process.messages()) == len(messages) == 4
    assert SlaNotice.objects.count() == 3  # the breached ticket's warning: recorded, not sent


def test_the_expiring_credits_email_is_sent_once_by_the_worker(celery_worker_process):
    """Issue 10: the registration credits' 30-day warning really goes out, run by the worker
    as beat runs it daily; a second run sends nothing more."""
    from credits.models import EntryKind
    from credits.tasks import warn_expiring_lots_task

    client = UserFactory(email="ane@panaderia.example", language="en")
    organization = client.organization
    credits_services.grant(
        organization,
        60,
        reason="Registration pack",
        kind=EntryKind.REGISTRATION,
        expires_at=timezone.now() + timedelta(days=20),
        idempotency_key="grant:registration",
    )
    first = warn_expiring_lots_task.delay().id
    assert celery_worker_process.wait_for_tasks([first]) == {first: "1"}
    (email,) = celery_worker_process.wait_until_sent(
        OutboxEmail.objects.filter(kind=Kind.CREDITS_EXPIRING)
    )
    assert (email.to_email, email.status) == (client.email, OutboxEmail.Status.SENT)
    (message,) = celery_worker_process.messages()
    assert message["To"] == client.email
    assert "60" in message["Subject"]

    again = warn_expiring_lots_task.delay().id
    assert celery_worker_process.wait_for_tasks([again]) == {again: "1"}  # looked at, not sent
    assert len(celery_worker_process.messages()) == 1
    assert OutboxEmail.objects.filter(kind=Kind.CREDITS_EXPIRING).count() == 1
