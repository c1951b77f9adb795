"""The tickets app's models, one module per concern; import them from here."""

from .charging import (
    ChargeOutcome,
    ChargingPolicy,
    RunningTimer,
    SecurityChecklist,
    TicketCharge,
    TimeEntry,
)
from .contracts import Contract, Product, RenewalReason, RenewalRequest
from .estimates import Estimate, EstimateKind, EstimateStatus
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
from .vault import Credential, CredentialKind, CredentialReveal

__all__ = [
    "ACTIVE_STATUSES",
    "FINISHED_STATUSES",
    "RUNNING_STATUSES",
    "SPANISH_REGIONS",
    "WAITING_STATUSES",
    "Attachment",
    "BusinessCalendar",
    "ChargeOutcome",
    "ChargingPolicy",
    "Closure",
    "Contract",
    "Credential",
    "CredentialKind",
    "CredentialReveal",
    "Estimate",
    "EstimateKind",
    "EstimateStatus",
    "Message",
    "OpeningHours",
    "OutOfScopeReason",
    "Product",
    "RenewalReason",
    "RenewalRequest",
    "RunningTimer",
    "SecurityChecklist",
    "Severity",
    "SlaNotice",
    "SlaTarget",
    "StatusChange",
    "Ticket",
    "TicketChannel",
    "TicketCharge",
    "TicketKind",
    "TicketSequence",
    "TicketStatus",
    "TimeEntry",
    "Weekday",
]
