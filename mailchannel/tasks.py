from celery import shared_task

from . import polling


@shared_task(name="mailchannel.tasks.poll_mailboxes_task", ignore_result=True)
def poll_mailboxes_task() -> int:
    """Celery beat: poll the active mailboxes (safe to run twice: Message-IDs are unique)."""
    return polling.poll_all()
