"""Pages of the tickets app: the client portal, the ticket page, the technicians' queue."""

from tickets.views.charging import (
    resolve,
    security_checklist,
    time_add,
    time_delete,
    time_edit,
    timer,
)
from tickets.views.detail import attachment, close, reopen, reply, ticket_detail
from tickets.views.estimates import estimate_accept, estimate_create, estimate_decline
from tickets.views.portal import request_renewal, ticket_create, ticket_list
from tickets.views.queue import assign, change_status, note, out_of_scope, queue, set_product
from tickets.views.vault import (
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
