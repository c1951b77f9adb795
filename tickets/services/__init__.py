"""Every write of the tickets app: one function per business action, atomic, raising the
named errors of ``tickets.errors`` (re-exported here).

Resolving charges the ticket's work (``charging``); time entries and the timer are in
``timelog``, estimates and quotes in ``estimates``, the credential vault in ``vault``.
Notifications hook in with ``transaction.on_commit`` or outbox rows.
"""

from tickets.crypto import VaultError
from tickets.errors import (
    AttachmentRejected,
    BackupNotConfirmed,
    ChargeChanged,
    ChargeExceedsBalance,
    ChargeNeedsApproval,
    EstimateNotPending,
    InvalidTimeEntry,
    InvalidTransition,
    NoActiveContract,
    NotAllowed,
    NotEnoughCredits,
    QuoteRequired,
    ReopenWindowExpired,
    TicketClosed,
    TicketError,
    WorkLocked,
)
from tickets.services.charging import charge_key, publish_policy, resolve
from tickets.services.estimates import (
    accept_estimate,
    decline_estimate,
    recharge_url,
    resume_covered_tickets,
    send_estimate,
    sweep_covered_tickets,
    update_security_checklist,
)
from tickets.services.opening import open_ticket, request_renewal, set_product
from tickets.services.status import (
    assign,
    change_status,
    close,
    close_out_of_scope,
    reopen,
    reopen_deadline,
    unassign,
)
from tickets.services.thread import add_note, add_reply
from tickets.services.timelog import (
    delete_time_entry,
    discard_timer,
    log_time,
    start_timer,
    stop_timer,
    update_time_entry,
)
from tickets.services.vault import (
    delete_credential,
    reveal_credential,
    rotate_all,
    set_reveal_emails,
    store_credential,
)

__all__ = [
    "AttachmentRejected",
    "BackupNotConfirmed",
    "ChargeChanged",
    "ChargeExceedsBalance",
    "ChargeNeedsApproval",
    "EstimateNotPending",
    "InvalidTimeEntry",
    "InvalidTransition",
    "NoActiveContract",
    "NotAllowed",
    "NotEnoughCredits",
    "QuoteRequired",
    "ReopenWindowExpired",
    "TicketClosed",
    "TicketError",
    "VaultError",
    "WorkLocked",
    "accept_estimate",
    "add_note",
    "add_reply",
    "assign",
    "change_status",
    "charge_key",
    "close",
    "close_out_of_scope",
    "decline_estimate",
    "delete_credential",
    "delete_time_entry",
    "discard_timer",
    "log_time",
    "open_ticket",
    "publish_policy",
    "recharge_url",
    "reopen",
    "reopen_deadline",
    "request_renewal",
    "resolve",
    "resume_covered_tickets",
    "reveal_credential",
    "rotate_all",
    "send_estimate",
    "set_product",
    "set_reveal_emails",
    "start_timer",
    "stop_timer",
    "store_credential",
    "sweep_covered_tickets",
    "unassign",
    "update_security_checklist",
    "update_time_entry",
]
