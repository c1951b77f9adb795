"""Every write of plans. Import from here: ``plans.services.subscribe``.

- methods: ``save_test_card``, ``save_card``, ``remove_card``, ``charge`` (off-session)
- subscriptions: ``subscribe``, ``change_plan``, ``cancel``, ``keep``, ``renew_period``,
  ``renew_due`` (periods, each granted and invoiced once), ``retry_payment`` (the client's),
  ``retry_period``, ``retry_due`` (dunning: a declined renewal retried by itself after
  ``RETRY_AFTER_DAYS``, then the subscription ends unpaid)
- recharge: ``configure_auto_recharge``, ``run_auto_recharge``, ``sweep_auto_recharges``
"""

from plans.errors import (
    AlreadySubscribed,
    InvalidSetting,
    NoPaymentMethod,
    NotSubscribed,
    PaymentDeclined,
    PlansError,
    PlanUnavailable,
    SamePlan,
)
from plans.services.methods import active_card, charge, remove_card, save_card, save_test_card
from plans.services.recharge import configure_auto_recharge, run_auto_recharge, sweep_auto_recharges
from plans.services.subscriptions import (
    RETRY_AFTER_DAYS,
    cancel,
    change_plan,
    keep,
    period_bounds,
    renew_due,
    renew_period,
    retry_due,
    retry_payment,
    retry_period,
    subscribe,
)

__all__ = [
    "RETRY_AFTER_DAYS",
    "AlreadySubscribed",
    "InvalidSetting",
    "NoPaymentMethod",
    "NotSubscribed",
    "PaymentDeclined",
    "PlanUnavailable",
    "PlansError",
    "SamePlan",
    "active_card",
    "cancel",
    "change_plan",
    "charge",
    "configure_auto_recharge",
    "keep",
    "period_bounds",
    "remove_card",
    "renew_due",
    "renew_period",
    "retry_due",
    "retry_payment",
    "retry_period",
    "run_auto_recharge",
    "save_card",
    "save_test_card",
    "subscribe",
    "sweep_auto_recharges",
]
