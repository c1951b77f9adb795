"""What plans does when credits tells it something (credits.hooks)."""

import logging
from functools import partial

from django.db import transaction

logger = logging.getLogger("plans")


def credits_consumed(sender, organization_id: int, **kwargs) -> None:
    """After the deduction commits: run the automatic recharge if the organization has one."""
    transaction.on_commit(partial(queue_auto_recharge, organization_id))


def queue_auto_recharge(organization_id: int) -> None:
    from plans.models import AutoRecharge
    from plans.tasks import run_auto_recharge_task

    if not AutoRecharge.objects.filter(organization_id=organization_id, enabled=True).exists():
        return
    try:
        run_auto_recharge_task.delay(organization_id)
    except Exception:  # broker down: the beat's sweep_auto_recharges_task catches up
        logger.exception("Automatic recharge of organization %s not queued.", organization_id)


def card_setup_event(sender, variant: str, event: dict, **kwargs) -> bool:
    """A verified provider event about saving a card: save it once (plans.services)."""
    from plans.services.cards import card_setup_event as handle

    return handle(variant, event)
