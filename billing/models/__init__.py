"""Models of the billing app: orders, their payments and audit events, invoices."""

from .invoices import Invoice, InvoiceCounter, InvoiceLine
from .orders import Order
from .payments import EventKind, EventSource, Payment, PaymentEvent
from .records import BillingRecord, ChainHead, RecordSubmission, SystemEvent

__all__ = [
    "BillingRecord",
    "ChainHead",
    "EventKind",
    "EventSource",
    "Invoice",
    "InvoiceCounter",
    "InvoiceLine",
    "Order",
    "Payment",
    "PaymentEvent",
    "RecordSubmission",
    "SystemEvent",
]
