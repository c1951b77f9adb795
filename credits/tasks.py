"""Celery tasks of the credits app: they take ids, call one service, are safe to run twice."""

from celery import shared_task

from credits import notify, services
from credits.models import Statement


@shared_task
def build_statement_task(statement_id: int) -> None:
    """Build a requested balance statement's PDF (``services.build_statement``)."""
    statement = Statement.objects.filter(pk=statement_id).first()
    if statement is not None:
        services.build_statement(statement)


@shared_task
def expire_lots_task() -> int:
    """Periodic: write off credits past their expiry date (``services.expire_lots``)."""
    return services.expire_lots()


@shared_task
def warn_expiring_lots_task() -> int:
    """Periodic (daily): tell clients about registration credits expiring soon
    (``notify.warn_expiring_lots``; each lot is told once)."""
    return notify.warn_expiring_lots()
