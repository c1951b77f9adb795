"""Celery tasks of the tickets app: they take ids, call one service, are safe to run twice."""

from celery import shared_task

from tickets import notify


@shared_task
def sweep_sla_task() -> int:
    """Periodic (beat, every minute): the SLA warnings and breaches due now
    (``notify.sweep_sla``; each ticket is told once of each)."""
    return notify.sweep_sla()


@shared_task
def sweep_covered_tickets_task() -> int:
    """Periodic (beat, every 10 minutes): tickets awaiting credits that the balance now
    covers resume (``services.sweep_covered_tickets``), should the grant's hook be lost."""
    from tickets.services import sweep_covered_tickets

    return len(sweep_covered_tickets())
