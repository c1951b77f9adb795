"""Pages of the tickets app: the client portal, the ticket page, the technicians' queue."""

from .detail import attachment, close, reopen, reply, ticket_detail
from .portal import request_renewal, ticket_create, ticket_list
from .queue import assign, change_status, note, out_of_scope, queue

__all__ = [
    "assign",
    "attachment",
    "change_status",
    "close",
    "note",
    "out_of_scope",
    "queue",
    "reopen",
    "reply",
    "request_renewal",
    "ticket_create",
    "ticket_detail",
    "ticket_list",
]
