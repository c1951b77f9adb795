"""Celery tasks (eager in tests): statements built in the background, periodic expiry."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from credits import services
from credits.models import EntryKind, LedgerEntry, Statement
from credits.tasks import build_statement_task, expire_lots_task
from tests.credits.factories import grant

pytestmark = pytest.mark.django_db


def test_a_requested_statement_is_built_after_commit(
    organization, client_user, django_capture_on_commit_callbacks
):
    grant(organization, 30)
    today = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        statement = services.request_statement(
            organization, today, today, requested_by=client_user, language="en"
        )
    assert statement.status == Statement.Status.PENDING
    assert statement.movement_count == 1
    assert len(callbacks) == 1
    callbacks[0]()
    statement.refresh_from_db()
    assert statement.status == Statement.Status.READY
    with statement.file.open("rb") as pdf:
        assert pdf.read().startswith(b"%PDF")
    name = statement.file.name
    build_statement_task(statement.pk)  # a second run changes nothing
    statement.refresh_from_db()
    assert statement.file.name == name


def test_a_bad_period_is_refused(organization):
    today = timezone.localdate()
    with pytest.raises(services.InvalidRequest):
        services.request_statement(organization, today, today - timedelta(days=1))
    assert not Statement.objects.exists()


def test_the_expiry_task_runs_periodically(organization, time_machine):
    assert "credits-expire-lots" in settings.CELERY_BEAT_SCHEDULE
    time_machine.move_to(timezone.now(), tick=False)
    grant(organization, 30, expires_at=timezone.now() + timedelta(hours=1))
    time_machine.shift(timedelta(hours=2))
    assert expire_lots_task.delay().get() == 1
    assert LedgerEntry.objects.filter(kind=EntryKind.EXPIRY).count() == 1
