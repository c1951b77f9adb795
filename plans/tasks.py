"""Celery tasks of plans: they take ids, call one service, are safe to run twice."""

from celery import shared_task

from plans import services


@shared_task
def run_auto_recharge_task(organization_id: int) -> int | None:
    """After a deduction: buy the chosen pack if the balance is below the threshold."""
    purchase = services.run_auto_recharge(organization_id)
    return purchase.pk if purchase else None


@shared_task
def sweep_auto_recharges_task() -> int:
    """Periodic backstop of the task above (a broker that was down after a deduction)."""
    return services.sweep_auto_recharges()


@shared_task
def renew_subscriptions_task() -> int:
    """Periodic: start the periods that are due (each once), end cancelled subscriptions."""
    return services.renew_due()


@shared_task
def retry_due_task() -> int:
    """Periodic: charge again the declined renewals whose automatic retry is due (dunning);
    after the last one declined, the subscription ends unpaid."""
    return services.retry_due()
