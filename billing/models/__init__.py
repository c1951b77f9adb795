"""Models of the billing app: orders, their payments and audit events, invoices."""

from billing.models.invoices import Invoice, InvoiceCounter, InvoiceLine
from billing.models.orders import Order
from billing.models.payments import EventKind, EventSource, Payment, PaymentEvent
from billing.models.records import BillingRecord, ChainHead, RecordSubmission, SystemEvent

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
