"""Billing pages: checkout and orders, the payment flow and provider callbacks, invoices."""

from billing.views.checkout import buy, order_cancel, order_detail, order_list, order_pay
from billing.views.invoices import invoice_detail, invoice_list, invoice_pdf
from billing.views.payments import (
    payment_callback,
    payment_failure,
    payment_page,
    payment_success,
    provider_webhook,
)

__all__ = [
    "buy",
    "invoice_detail",
    "invoice_list",
    "invoice_pdf",
    "order_cancel",
    "order_detail",
    "order_list",
    "order_pay",
    "payment_callback",
    "payment_failure",
    "payment_page",
    "payment_success",
    "provider_webhook",
]
