"""Pages of the tickets app: the client portal, the ticket page, the technicians' queue."""

from .charging import resolve, security_checklist, time_add, time_delete, time_edit, timer
from .detail import attachment, close, reopen, reply, ticket_detail
from .estimates import estimate_accept, estimate_create, estimate_decline
from .portal import request_renewal, ticket_create, ticket_list
from .queue import assign, change_status, note, out_of_scope, queue, set_product
from .vault import (
    credential_add,
    credential_delete,
    credential_reveal,
    credential_reveal_emails,
    credentials,
)

__all__ = [
    "assign",
    "attachment",
    "change_status",
    "close",
    "credential_add",
    "credential_delete",
    "credential_reveal",
    "credential_reveal_emails",
    "credentials",
    "estimate_accept",
    "estimate_create",
    "estimate_decline",
    "note",
    "out_of_scope",
    "queue",
    "reopen",
    "reply",
    "request_renewal",
    "resolve",
    "security_checklist",
    "set_product",
    "ticket_create",
    "ticket_detail",
    "ticket_list",
    "time_add",
    "time_delete",
    "time_edit",
    "timer",
]
