"""Celery tasks of the billing app: they take ids, call one service, are safe to run twice."""

from celery import shared_task

from billing.verifactu.submission import submit_pending


@shared_task
def submit_records_task() -> int:
    """Periodic: send one batch of pending VERI*FACTU records (``submit_pending``)."""
    return submit_pending()
