from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from notifications import services
from notifications.models import Kind, OutboxEmail
from tests.accounts.factories import OrganizationFactory, UserFactory
from tests.notifications.factories import SAMPLE_CONTEXTS, OutboxEmailFactory

pytestmark = pytest.mark.django_db

LOW = Kind.LOW_BALANCE
PENDING, SENT, FAILED = (
    OutboxEmail.Status.PENDING,
    OutboxEmail.Status.SENT,
    OutboxEmail.Status.FAILED,
)


def queue(recipient, kind=LOW, **options):
    return services.queue_email(recipient, kind, SAMPLE_CONTEXTS[kind], **options)


# --- Queueing ---------------------------------------------------------------------------


def test_an_email_is_sent_after_the_transaction_commits(
    client_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        email = queue(client_user)
        assert mail.outbox == []  # nothing leaves before the commit
    assert len(callbacks) == 1
    email.refresh_from_db()
    assert email.status == SENT
    assert email.attempts == 1
    assert email.sent_at is not None
    assert email.subject == "Saldo bajo en Talleres Norte: quedan 25 créditos"
    [message] = mail.outbox
    assert message.to == [client_user.email]
    assert message.subject == email.subject
    assert message.alternatives[0][1] == "text/html"
    assert message.extra_headers["Auto-Submitted"] == "auto-generated"
    assert message.extra_headers["Message-ID"].startswith(f"<outbox.{email.pk}.")


def test_a_rolled_back_change_leaves_no_email(client_user, django_capture_on_commit_callbacks):
    def change_that_fails():
        with transaction.atomic():
            queue(client_user)
            raise RuntimeError("the change that caused the email failed")

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError):
        change_that_fails()
    assert callbacks == []
    assert not OutboxEmail.objects.exists()
    assert mail.outbox == []


def test_the_email_is_written_in_the_recipient_language(
    client_user, django_capture_on_commit_callbacks
):
    english = UserFactory(organization=client_user.organization, language="en")
    with django_capture_on_commit_callbacks(execute=True):
        queue(client_user)
        queue(english)
    subjects = {m.to[0]: m.subject for m in mail.outbox}
    assert subjects[client_user.email].startswith("Saldo bajo")
    assert subjects[english.email].startswith("Low balance")


def test_the_same_dedupe_key_queues_and_sends_once(client_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = queue(client_user, dedupe_key="low_balance:org1:entry9")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        again = queue(client_user, dedupe_key="low_balance:org1:entry9")
    assert again.pk == first.pk
    assert callbacks == []
    assert OutboxEmail.objects.count() == 1
    assert len(mail.outbox) == 1


@pytest.mark.parametrize(
    ("kind", "context", "error"),
    [
        ("birthday", {}, services.UnknownKind),
        (LOW, {"organization_name": "X"}, services.InvalidContext),
    ],
)
def test_a_mistake_of_the_calling_code_raises_and_writes_nothing(client_user, kind, context, error):
    with pytest.raises(error):
        services.queue_email(client_user, kind, context)
    assert not OutboxEmail.objects.exists()


def test_an_unregistered_attachment_is_refused(client_user):
    with pytest.raises(services.UnknownAttachment):
        queue(client_user, attachments=[("nope_pdf", {"id": 1})])
    assert not OutboxEmail.objects.exists()


# --- Fan-out ------------------------------------------------------------------------------


def test_organization_fan_out_reaches_each_active_client_user_once(
    organization, client_user, django_capture_on_commit_callbacks
):
    colleague = UserFactory(organization=organization, language="en")
    UserFactory(organization=organization, is_active=False)
    UserFactory(organization=OrganizationFactory())  # another organization
    with django_capture_on_commit_callbacks(execute=True):
        emails = services.queue_email_to_organization(
            organization, LOW, SAMPLE_CONTEXTS[LOW], dedupe_key="low:1"
        )
    with django_capture_on_commit_callbacks(execute=True):
        again = services.queue_email_to_organization(
            organization, LOW, SAMPLE_CONTEXTS[LOW], dedupe_key="low:1"
        )
    assert [e.pk for e in again] == [e.pk for e in emails]
    assert {e.dedupe_key for e in emails} == {f"low:1:{client_user.pk}", f"low:1:{colleague.pk}"}
    assert sorted(m.to[0] for m in mail.outbox) == sorted([client_user.email, colleague.email])


def test_staff_fan_out_reaches_technicians_and_admins_only(
    technician, admin_user, client_user, django_capture_on_commit_callbacks
):
    UserFactory(role="technician", organization=None, is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        emails = services.queue_email_to_staff(
            Kind.SLA_BREACH, SAMPLE_CONTEXTS[Kind.SLA_BREACH], dedupe_key="sla_breach:ticket7"
        )
    assert sorted(e.recipient_id for e in emails) == sorted([technician.pk, admin_user.pk])
    assert sorted(m.to[0] for m in mail.outbox) == sorted([technician.email, admin_user.email])


# --- Sending once ---------------------------------------------------------------------------


def test_sending_twice_sends_once(client_user):
    email = OutboxEmailFactory(recipient=client_user)
    assert services.send_email(email.pk).status == SENT
    assert services.send_email(email.pk) is None
    assert len(mail.outbox) == 1


def test_a_failed_email_is_not_sent_by_a_late_task(client_user):
    email = OutboxEmailFactory(recipient=client_user, status=FAILED)
    assert services.send_email(email.pk) is None
    assert mail.outbox == []


# --- Sweep and resend -------------------------------------------------------------------------


def test_the_sweep_republishes_a_lost_enqueue_and_leaves_fresh_and_future_rows(client_user):
    now = timezone.now()
    lost = OutboxEmailFactory(recipient=client_user, enqueued_at=None, next_attempt_at=now)
    crashed = OutboxEmailFactory(
        recipient=client_user,
        enqueued_at=now - timedelta(minutes=10),
        next_attempt_at=now - timedelta(minutes=10),
    )
    fresh = OutboxEmailFactory(recipient=client_user, enqueued_at=now, next_attempt_at=now)
    later = OutboxEmailFactory(
        recipient=client_user,
        enqueued_at=now - timedelta(minutes=10),
        next_attempt_at=now + timedelta(minutes=5),
    )
    retry_due = OutboxEmailFactory(
        recipient=client_user,
        attempts=1,
        enqueued_at=now - timedelta(seconds=90),
        next_attempt_at=now - timedelta(seconds=30),
    )
    OutboxEmailFactory(recipient=client_user, status=FAILED, enqueued_at=None)

    assert services.sweep_outbox(now=now) == 3
    assert services.sweep_outbox(now=now) == 0  # just published: not again before the grace
    for email in (lost, crashed, retry_due, fresh, later):
        email.refresh_from_db()
    assert {lost.enqueued_at, crashed.enqueued_at, retry_due.enqueued_at} == {now}
    assert fresh.enqueued_at == now
    assert later.next_attempt_at > now


def test_the_sweep_sends_what_it_republishes(client_user, django_capture_on_commit_callbacks):
    email = OutboxEmailFactory(recipient=client_user, enqueued_at=None)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.sweep_outbox() == 1
    email.refresh_from_db()
    assert email.status == SENT
    assert len(mail.outbox) == 1


def test_resend_puts_failed_emails_back_and_sends_them(
    client_user, django_capture_on_commit_callbacks
):
    failed = OutboxEmailFactory(
        recipient=client_user,
        status=FAILED,
        attempts=6,
        last_error="SMTPServerDisconnected",
        failed_at=timezone.now(),
    )
    sent = OutboxEmailFactory(recipient=client_user, status=SENT, sent_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        assert services.resend([failed.pk, sent.pk]) == 1
    failed.refresh_from_db()
    assert failed.status == SENT
    assert failed.attempts == 1
    assert failed.last_error == ""
    assert [m.to for m in mail.outbox] == [[client_user.email]]
