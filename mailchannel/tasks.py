"""Celery tasks of the email channel: each calls one service and is safe to run twice
(Message-IDs are unique). Named after the service plus ``_task``."""

from celery import shared_task

from mailchannel import polling


@shared_task(ignore_result=True)
def poll_all_task() -> int:
    """Celery beat: poll the active mailboxes (``polling.poll_all``)."""
    return polling.poll_all()


@shared_task(name="mailchannel.tasks.poll_mailboxes_task", ignore_result=True)
def poll_mailboxes_task() -> int:
    """The old name of ``poll_all_task`` (beat schedules and queued messages before
    December 2026)."""
    return polling.poll_all()
