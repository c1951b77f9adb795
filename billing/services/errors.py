"""Kept for the old import path: the billing errors live in ``billing.errors``."""

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

__all__ = [
    "AmountMismatch",
    "BillingError",
    "InvalidRequest",
    "OnlinePaymentUnavailable",
    "OrderNotPayable",
    "OrderNotRefundable",
    "PackUnavailable",
    "PriceChanged",
    "RefundFailed",
]
