"""Celery tasks of the billing app: they take ids, call one service, are safe to run twice.

Each task has its service's name plus ``_task``. A renamed task keeps its old name
registered as an alias while a queued message or a saved beat schedule may still name it.
"""

from celery import shared_task

from billing.verifactu.submission import submit_pending


@shared_task
def submit_pending_task() -> int:
    """Periodic: send one batch of pending VERI*FACTU records (``submit_pending``)."""
    return submit_pending()


@shared_task(name="billing.tasks.submit_records_task")
def submit_records_task() -> int:
    """The old name of ``submit_pending_task`` (beat schedules before December 2026)."""
    return submit_pending()
