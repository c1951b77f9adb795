import pytest
from django.core import mail

from helpdesk.celery import app
from notifications import tasks
from notifications.models import OutboxEmail
from tests.notifications.factories import OutboxEmailFactory

pytestmark = pytest.mark.django_db


def test_the_tasks_are_registered_under_their_service_names():
    app.loader.import_default_modules()
    assert tasks.send_email.name == "notifications.send_email"
    assert tasks.sweep_outbox.name == "notifications.sweep_outbox"
    assert {"notifications.send_email", "notifications.sweep_outbox"} <= set(app.tasks)


def test_the_send_task_is_safe_to_run_twice(client_user):
    email = OutboxEmailFactory(recipient=client_user)
    assert tasks.send_email.delay(email.pk).get() == OutboxEmail.Status.SENT
    assert tasks.send_email.delay(email.pk).get() is None
    assert tasks.send_email.delay(987654).get() is None  # a row that no longer exists
    assert len(mail.outbox) == 1


def test_the_sweep_task_returns_how_many_it_published(client_user):
    OutboxEmailFactory(recipient=client_user, enqueued_at=None)
    assert tasks.sweep_outbox.delay().get() == 1
    assert tasks.sweep_outbox.delay().get() == 0
