"""Every write of the billing app. Import from here: ``billing.services.confirm_payment``.

- orders: ``create_order``, ``start_payment``, ``choose_bank_transfer``, ``cancel_order``
- confirmation: ``confirm_payment``, ``mark_paid_by_transfer``
- settlement: ``settle_payment`` (a provider's update of an online payment)
- refunds: ``refund_order``
- events: ``record_event`` (the audit trail)
- errors: ``BillingError`` and its named subclasses
"""

from billing.errors import (
    AmountMismatch,
    BillingError,
    InvalidRequest,
    OnlinePaymentUnavailable,
    OrderNotPayable,
    OrderNotRefundable,
    PackUnavailable,
    PriceChanged,
    RefundFailed,
)
from billing.services.confirmation import OrderGrant, confirm_payment, mark_paid_by_transfer
from billing.services.events import record_event
from billing.services.orders import cancel_order, choose_bank_transfer, create_order, start_payment
from billing.services.refunds import refund_order
from billing.services.settlement import Outcome, settle_payment

__all__ = [
    "AmountMismatch",
    "BillingError",
    "InvalidRequest",
    "OnlinePaymentUnavailable",
    "OrderGrant",
    "OrderNotPayable",
    "OrderNotRefundable",
    "Outcome",
    "PackUnavailable",
    "PriceChanged",
    "RefundFailed",
    "cancel_order",
    "choose_bank_transfer",
    "confirm_payment",
    "create_order",
    "mark_paid_by_transfer",
    "record_event",
    "refund_order",
    "settle_payment",
    "start_payment",
]
