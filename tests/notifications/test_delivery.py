"""Failures on the send path: permanent ones fail the row at once, temporary ones retry."""

import socket
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from notifications import services
from notifications.attachments import (
    Attachment,
    TemporaryFailure,
    register_attachment_builder,
    unregister_attachment_builder,
)
from notifications.models import Kind, OutboxEmail
from tests.accounts.factories import UserFactory
from tests.notifications.factories import SAMPLE_CONTEXTS, OutboxEmailFactory
from tests.notifications.smtp import LocalSMTPServer

pytestmark = pytest.mark.django_db

LOW = Kind.LOW_BALANCE
PENDING, SENT, FAILED = (
    OutboxEmail.Status.PENDING,
    OutboxEmail.Status.SENT,
    OutboxEmail.Status.FAILED,
)


def queue(recipient, kind=LOW, **options):
    return services.queue_email(recipient, kind, SAMPLE_CONTEXTS[kind], **options)


@pytest.fixture
def smtp(settings):
    """Route mail through Django's SMTP backend to a local test server."""

    def use(mode):
        server = LocalSMTPServer(mode)
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        return server

    return use


# --- Bad input: the row fails with its reason, the others still go --------------------------


def test_a_recipient_without_address_fails_and_the_others_still_go(
    organization, client_user, django_capture_on_commit_callbacks
):
    no_address = UserFactory(organization=organization)
    type(no_address).objects.filter(pk=no_address.pk).update(email="")
    no_address.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        emails = services.queue_email_to_organization(organization, LOW, SAMPLE_CONTEXTS[LOW])
    outcome = {e.recipient_id: e for e in OutboxEmail.objects.filter(pk__in=[e.pk for e in emails])}
    assert outcome[no_address.pk].status == FAILED
    assert outcome[no_address.pk].last_error == "El destinatario no tiene dirección de correo."
    assert outcome[no_address.pk].attempts == 1
    assert outcome[client_user.pk].status == SENT
    assert [m.to for m in mail.outbox] == [[client_user.email]]


def test_an_unknown_language_fails_at_once(client_user, django_capture_on_commit_callbacks):
    type(client_user).objects.filter(pk=client_user.pk).update(language="fr")
    client_user.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        email = queue(client_user)
    email.refresh_from_db()
    assert email.status == FAILED
    assert "unknown language 'fr'" in email.last_error
    assert mail.outbox == []


def test_a_template_error_fails_at_once_and_other_kinds_still_go(
    settings, tmp_path, client_user, django_capture_on_commit_callbacks
):
    broken = tmp_path / "notifications" / "low_balance"
    broken.mkdir(parents=True)
    (broken / "subject.txt").write_text("{% load i18n %}{% blocktranslate %}{% endif %}")
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}
    ]
    with django_capture_on_commit_callbacks(execute=True):
        bad = queue(client_user)
        good = queue(client_user, Kind.TICKET_REPLY)
    bad.refresh_from_db()
    good.refresh_from_db()
    assert bad.status == FAILED
    assert bad.last_error.startswith("No se puede componer el correo:")
    assert good.status == SENT
    assert len(mail.outbox) == 1


def test_a_permanent_smtp_refusal_fails_at_once(
    smtp, client_user, django_capture_on_commit_callbacks
):
    with smtp("reject"), django_capture_on_commit_callbacks(execute=True):
        email = queue(client_user)
    email.refresh_from_db()
    assert email.status == FAILED
    assert email.attempts == 1
    assert "SMTPRecipientsRefused" in email.last_error
    assert "550" in email.last_error


@pytest.mark.parametrize("mode", ["defer", "busy", "hang_up"])
def test_a_temporary_smtp_failure_is_retried_later_with_backoff(
    mode, smtp, client_user, django_capture_on_commit_callbacks
):
    with smtp(mode), django_capture_on_commit_callbacks(execute=True):
        email = queue(client_user)
    email.refresh_from_db()
    assert email.status == PENDING
    assert email.attempts == 1
    assert email.last_error.startswith("SMTP")
    assert email.next_attempt_at - timezone.now() > timedelta(seconds=50)


def test_smtp_server_refusing_connections_is_temporary(settings, client_user):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    email = OutboxEmailFactory(recipient=client_user)
    services.send_email(email.pk)
    email.refresh_from_db()
    assert email.status == PENDING
    assert "ConnectionRefusedError" in email.last_error


def test_retries_wait_in_the_database_then_fail_after_the_last_one(smtp, client_user):
    email = OutboxEmailFactory(recipient=client_user)
    now = timezone.now()
    with smtp("busy") as server:
        for attempt, delay in enumerate(services.RETRY_DELAYS, start=1):
            assert services.send_email(email.pk, now=now).attempts == attempt
            email.refresh_from_db()
            assert email.next_attempt_at == now + timedelta(minutes=delay)
            assert services.send_email(email.pk, now=now) is None  # not due yet
            now = email.next_attempt_at
        last = services.send_email(email.pk, now=now)
    assert last.status == FAILED
    assert last.attempts == services.MAX_ATTEMPTS
    assert server.messages == []


def test_real_smtp_delivery_through_the_local_server(smtp, client_user):
    email = OutboxEmailFactory(recipient=client_user)
    with smtp("accept") as server:
        services.send_email(email.pk)
    email.refresh_from_db()
    assert email.status == SENT
    [raw] = server.messages
    assert b"Subject: =?utf-8?" in raw
    assert client_user.email.encode() in raw


# --- Attachments ----------------------------------------------------------------------------


@pytest.fixture
def invoice_builder():
    calls = []

    def build(*, invoice_id):
        calls.append(invoice_id)
        if invoice_id == 0:
            raise TemporaryFailure("the PDF service is busy")
        if invoice_id < 0:
            raise LookupError("no such invoice")
        return Attachment(f"factura-{invoice_id}.pdf", b"%PDF-1.7 test", "application/pdf")

    register_attachment_builder("test_invoice_pdf", build)
    yield calls
    unregister_attachment_builder("test_invoice_pdf")


def test_attachments_are_built_when_the_email_is_sent(
    invoice_builder, client_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        email = queue(
            client_user, Kind.INVOICE_ISSUED, attachments=[("test_invoice_pdf", {"invoice_id": 12})]
        )
    assert invoice_builder == []  # nothing built while queueing
    for callback in callbacks:
        callback()
    email.refresh_from_db()
    assert email.status == SENT
    [message] = mail.outbox
    assert message.attachments == [("factura-12.pdf", b"%PDF-1.7 test", "application/pdf")]


def test_a_builder_may_ask_for_a_retry(invoice_builder, client_user):
    email = OutboxEmailFactory(
        recipient=client_user, attachments=[["test_invoice_pdf", {"invoice_id": 0}]]
    )
    services.send_email(email.pk)
    email.refresh_from_db()
    assert email.status == PENDING
    assert "the PDF service is busy" in email.last_error


def test_a_builder_error_fails_the_email(invoice_builder, client_user):
    email = OutboxEmailFactory(
        recipient=client_user, attachments=[["test_invoice_pdf", {"invoice_id": -1}]]
    )
    services.send_email(email.pk)
    email.refresh_from_db()
    assert email.status == FAILED
    assert "no such invoice" in email.last_error
