"""The tickets app's models, one module per concern; import them from here."""

from .contracts import Contract, Product, RenewalReason, RenewalRequest
from .notices import SlaNotice
from .schedule import (
    SPANISH_REGIONS,
    BusinessCalendar,
    Closure,
    OpeningHours,
    Severity,
    SlaTarget,
    Weekday,
)
from .ticket import (
    ACTIVE_STATUSES,
    FINISHED_STATUSES,
    RUNNING_STATUSES,
    WAITING_STATUSES,
    Attachment,
    Message,
    OutOfScopeReason,
    StatusChange,
    Ticket,
    TicketChannel,
    TicketKind,
    TicketSequence,
    TicketStatus,
)

__all__ = [
    "ACTIVE_STATUSES",
    "FINISHED_STATUSES",
    "RUNNING_STATUSES",
    "SPANISH_REGIONS",
    "WAITING_STATUSES",
    "Attachment",
    "BusinessCalendar",
    "Closure",
    "Contract",
    "Message",
    "OpeningHours",
    "OutOfScopeReason",
    "Product",
    "RenewalReason",
    "RenewalRequest",
    "Severity",
    "SlaNotice",
    "SlaTarget",
    "StatusChange",
    "Ticket",
    "TicketChannel",
    "TicketKind",
    "TicketSequence",
    "TicketStatus",
    "Weekday",
]
