"""Every write of the tickets app: one function per business action, atomic, raising the
named errors of ``tickets.errors`` (re-exported here).

Issue 5 (charging) extends ``resolve``; notifications hook in with ``transaction.on_commit``.
"""

from ..errors import (
    AttachmentRejected,
    InvalidTransition,
    NoActiveContract,
    NotAllowed,
    ReopenWindowExpired,
    TicketClosed,
    TicketError,
)
from .opening import open_ticket, request_renewal
from .status import (
    assign,
    change_status,
    close,
    close_out_of_scope,
    reopen,
    reopen_deadline,
    resolve,
    unassign,
)
from .thread import add_note, add_reply

__all__ = [
    "AttachmentRejected",
    "InvalidTransition",
    "NoActiveContract",
    "NotAllowed",
    "ReopenWindowExpired",
    "TicketClosed",
    "TicketError",
    "add_note",
    "add_reply",
    "assign",
    "change_status",
    "close",
    "close_out_of_scope",
    "open_ticket",
    "reopen",
    "reopen_deadline",
    "request_renewal",
    "resolve",
    "unassign",
]
