"""Models of the billing app: orders, their payments and audit events, invoices."""

from .invoices import Invoice, InvoiceCounter, InvoiceLine
from .orders import Order
from .payments import EventKind, EventSource, Payment, PaymentEvent

__all__ = [
    "EventKind",
    "EventSource",
    "Invoice",
    "InvoiceCounter",
    "InvoiceLine",
    "Order",
    "Payment",
    "PaymentEvent",
]
