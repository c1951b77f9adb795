"""Celery tasks of the reports app: safe to run twice."""

from celery import shared_task

from reports import services


@shared_task
def refresh_times_task() -> int:
    """Periodic: record the SLA times of tickets changed since (``services.refresh_times``)."""
    return services.refresh_times()
